/**
 * The app-shell service worker (built to /sw.js): keeps the wall's own code in a cache so a page
 * reload works while the server cannot be reached (a commander's laptop off the network), and never
 * caches live data or evidence. The decisions are in core/shell-cache.ts; the build (vite.config.ts)
 * writes this build's file list and version in place of the two placeholders below.
 */
import { SHELL_KEY, shellCacheName, shellRoute, staleShellCaches } from '../core/shell-cache.js';

const PRECACHE: string[] = JSON.parse('__WW_PRECACHE__') as string[];
const VERSION = '__WW_VERSION__';
const CACHE = shellCacheName(VERSION);
const PRECACHED = new Set(PRECACHE);

/** The few service-worker types used here (the DOM library of this project does not declare them). */
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface WorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
}
const sw = self as unknown as WorkerScope;

sw.addEventListener('install', (e) => {
  e.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The shell is fetched fresh (not from the HTTP cache) so it matches this build's assets.
      const page = await fetch(SHELL_KEY, { cache: 'no-store' });
      // A failed install is tried again at the next page load; a broken page is never kept.
      if (!page.ok) throw new Error(`the app page answered ${page.status}`);
      await cache.put(SHELL_KEY, page);
      await cache.addAll(PRECACHE);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      await Promise.all(staleShellCaches(await caches.keys(), VERSION).map((n) => caches.delete(n)));
      await sw.clients.claim();
    })(),
  );
});

async function shell(req: Request): Promise<Response> {
  try {
    const res = await fetch(req);
    if (res.ok && (res.headers.get('content-type') ?? '').startsWith('text/html')) {
      const copy = res.clone();
      void caches.open(CACHE).then((c) => c.put(SHELL_KEY, copy));
    }
    return res;
  } catch (err) {
    const cached = await caches.match(SHELL_KEY, { cacheName: CACHE });
    if (cached) return cached;
    throw err;
  }
}

async function asset(req: Request): Promise<Response> {
  const cached = await caches.match(req, { cacheName: CACHE });
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok) {
    const copy = res.clone();
    void caches.open(CACHE).then((c) => c.put(req, copy));
  }
  return res;
}

sw.addEventListener('fetch', (e) => {
  const route = shellRoute({ method: e.request.method, mode: e.request.mode, url: new URL(e.request.url) }, sw.location.origin, PRECACHED);
  if (route === 'shell') e.respondWith(shell(e.request));
  else if (route === 'asset') e.respondWith(asset(e.request));
});
