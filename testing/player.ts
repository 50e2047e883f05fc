/**
 * Drives Debian's Chromium (playwright-core) on a test page served from 127.0.0.1 that plays a
 * recorded window with hls.js from node_modules, straight from the recorder's API (another origin:
 * CORS is exercised too). `seek(wallMs)` maps a wall-clock instant to media time through the
 * playlist's EXT-X-PROGRAM-DATE-TIME, seeks, and waits for the frame to be presented; the top rows
 * of that frame come back so the caller can read the demo camera's burned-in clock.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodeStripFromRgba, stripHeight } from '@wardwall/common';
import { CHROMIUM_ARGS } from './browser.js';

const root = join(import.meta.dirname, '..');

const PAGE = `<!doctype html><meta charset="utf-8"><title>recorder playback</title>
<video id="v" muted playsinline width="640" height="360"></video><canvas id="c" width="640" height="360"></canvas>
<script src="/hls.js"></script>
<script>
const video = document.getElementById('v');
const canvas = document.getElementById('c');
let hls;
window.load = (src) => new Promise((resolve, reject) => {
  hls = new Hls({ maxBufferLength: 4, backBufferLength: 10, enableWorker: true });
  hls.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) reject(new Error('hls.js: ' + d.type + ' ' + d.details)); });
  hls.on(Hls.Events.LEVEL_LOADED, (_e, d) => resolve({ fragments: d.details.fragments.length, duration: d.details.totalduration }));
  hls.loadSource(src);
  hls.attachMedia(video);
});
function fragAt(wallMs) {
  const frags = hls.levels[0].details.fragments;
  return frags.find((f) => wallMs >= f.programDateTime && wallMs < f.programDateTime + f.duration * 1000);
}
function grab(h) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, 640, 360);
  return Array.from(ctx.getImageData(0, 0, 640, h).data);
}
window.seek = (wallMs, stripH) => new Promise((resolve, reject) => {
  const f = fragAt(wallMs);
  if (!f) return reject(new Error('no fragment at ' + wallMs));
  const t = f.start + (wallMs - f.programDateTime) / 1000;
  const t0 = performance.now();
  const timer = setTimeout(() => reject(new Error('no frame within 10 s of the seek')), 10000);
  let done = false;
  const finish = (mediaTime, viaFallback) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    resolve({ ms: performance.now() - t0, mediaTime, target: t, viaFallback, rgba: grab(stripH) });
  };
  // The first frame presented at the new position (the discontinuity alignment of hls.js may
  // shift media time by a few frames, hence the 0.3 s window).
  const wait = () => video.requestVideoFrameCallback((_now, meta) => {
    if (Math.abs(meta.mediaTime - t) > 0.3) return wait();
    finish(meta.mediaTime, false);
  });
  wait();
  // If that frame was presented before the callback could see it, the frame after 'seeked' is it.
  video.addEventListener('seeked', () => setTimeout(() => finish(video.currentTime, true), 1500), { once: true });
  video.currentTime = t;
});
window.playFor = async (ms) => {
  const start = video.currentTime;
  await video.play();
  await new Promise((r) => setTimeout(r, ms));
  video.pause();
  return video.currentTime - start;
};
</script>`;

export interface Player {
  page: Page;
  /** Loads the playlist of [from, to) of a camera. */
  load(from: number, to: number): Promise<{ fragments: number; duration: number }>;
  /** Seeks to a wall-clock instant; returns the time to the presented frame and its burned-in clock. */
  seek(wallMs: number): Promise<{ ms: number; shownMs: number | null; viaFallback: boolean }>;
  playFor(ms: number): Promise<number>;
  close(): Promise<void>;
}

export async function openPlayer(recorderBase: string, camera: string): Promise<Player> {
  const hlsJs = readFileSync(join(root, 'node_modules', 'hls.js', 'dist', 'hls.min.js'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/hls.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const pagePort = (server.address() as { port: number }).port;
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${pagePort}/`);
    const sh = stripHeight(640);
    const b = browser;
    return {
      page,
      load: (from, to) => page.evaluate((src) => (window as any).load(src), `${recorderBase}/api/recordings/${camera}/playlist.m3u8?from=${from}&to=${to}`),
      async seek(wallMs) {
        const r = (await page.evaluate(([w, h]) => (window as any).seek(w, h), [wallMs, sh] as const)) as { ms: number; rgba: number[]; viaFallback: boolean };
        return { ms: r.ms, viaFallback: r.viaFallback, shownMs: decodeStripFromRgba(Uint8Array.from(r.rgba), 640, sh, Date.now()) };
      },
      playFor: (ms) => page.evaluate((m) => (window as any).playFor(m), ms),
      async close() {
        await b.close();
        server.close();
        server.closeAllConnections();
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
