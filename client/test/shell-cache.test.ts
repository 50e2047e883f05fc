import { test } from 'node:test';
import assert from 'node:assert/strict';
import { precacheList, shellCacheName, shellRoute, staleShellCaches } from '../src/core/shell-cache.js';

const ORIGIN = 'https://wall.local:8443';
const pre = new Set(['/assets/main-abc.js', '/assets/hls-def.js']);
const route = (path: string, mode = 'cors', method = 'GET', origin = ORIGIN) => shellRoute({ method, mode, url: new URL(path, origin) }, ORIGIN, pre);

test('the app-shell worker: pages network first with the cached shell, build files from the cache, live data and evidence never', () => {
  const cases: [string, ReturnType<typeof route>, string][] = [
    ['shell', route('/', 'navigate'), 'the wall page'],
    ['shell', route('/?display=Wall%201', 'navigate'), 'a display window'],
    ['asset', route('/assets/main-abc.js', 'cors'), 'a precached build file'],
    ['asset', route('/assets/other-123.css', 'no-cors'), 'any hashed build file'],
    ['pass', route('/api/auth/me'), 'who is signed in: always the server'],
    ['pass', route('/api/recordings/demo-1/playlist.m3u8'), 'recordings'],
    ['pass', route('/api/cameras/demo-1/still.jpg', 'no-cors'), 'stills'],
    ['pass', route('/api/bookmarks', 'navigate'), 'an API address opened as a page'],
    ['pass', route('/ws'), 'signaling'],
    ['pass', route('/assets/main-abc.js', 'cors', 'HEAD'), 'not a GET'],
    ['pass', route('/', 'navigate', 'POST'), 'a form post'],
    ['pass', route('/assets/main-abc.js', 'cors', 'GET', 'https://cdn.example'), 'another origin'],
    ['pass', route('/sw.js'), 'the worker itself (the browser checks it for updates)'],
  ];
  for (const [want, got, what] of cases) assert.equal(got, want, what);
});

test('the precache list is the build without source maps, the worker and the page; old builds’ caches are dropped', () => {
  assert.deepEqual(precacheList(['index.html', 'sw.js', 'sw.js.map', 'assets/main-abc.js', 'assets/main-abc.js.map', 'assets/hls-def.js']), [
    '/assets/hls-def.js',
    '/assets/main-abc.js',
  ]);
  assert.deepEqual(staleShellCaches([shellCacheName('v1'), shellCacheName('v2'), 'other-app'], 'v2'), [shellCacheName('v1')]);
});
