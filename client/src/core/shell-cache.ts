/**
 * What the app-shell service worker does with a request. Pure: the worker (client/src/sw/sw.ts)
 * only carries out the answer.
 *
 * - `shell`: a page navigation. Network first (a new build is picked up at once); when the server
 *   cannot be reached the cached app shell (index.html) answers, so a reload works offline and the
 *   wall starts from what this browser saved (bookmarks, trails, layout).
 * - `asset`: a file of the build (hashed names under /assets/, never changed): cache first.
 * - `pass`: everything else (API, WebSocket, stills, recordings) goes to the network untouched:
 *   live data and evidence are never answered from a cache.
 */
export type ShellRoute = 'shell' | 'asset' | 'pass';

export interface ShellRequest {
  method: string;
  /** Request.mode: 'navigate' for page loads. */
  mode: string;
  url: URL;
}

/** The cache key of the app shell. */
export const SHELL_KEY = '/';

export function shellRoute(req: ShellRequest, origin: string, precache: ReadonlySet<string>): ShellRoute {
  if (req.method !== 'GET' || req.url.origin !== origin) return 'pass';
  const path = req.url.pathname;
  if (path.startsWith('/api/') || path === '/ws' || path.startsWith('/ws/')) return 'pass';
  if (req.mode === 'navigate') return 'shell';
  if (precache.has(path) || path.startsWith('/assets/')) return 'asset';
  return 'pass';
}

/** The name of this build's cache; older builds' caches are the ones with the prefix and another name. */
export const SHELL_CACHE_PREFIX = 'wardwall-shell-';
export function shellCacheName(version: string): string {
  return `${SHELL_CACHE_PREFIX}${version}`;
}
export function staleShellCaches(names: readonly string[], version: string): string[] {
  return names.filter((n) => n.startsWith(SHELL_CACHE_PREFIX) && n !== shellCacheName(version));
}

/** The files of a build worth keeping for offline start: code, styles, fonts, images; not source maps or the worker itself. */
export function precacheList(files: readonly string[]): string[] {
  return files
    .filter((f) => !f.endsWith('.map') && f !== 'sw.js' && f !== 'index.html')
    .map((f) => `/${f.replace(/^\/+/, '')}`)
    .sort();
}
