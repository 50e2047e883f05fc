/**
 * Digital zoom and pan on a live tile in Chromium: the wheel zooms about the cursor (the picture
 * point under it stays put), a drag pans the zoomed picture instead of moving the camera to another
 * tile, a two-finger pinch (real touch events through the DevTools protocol) zooms about the
 * fingers' midpoint, the chip resets it; the video keeps decoding throughout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium } from '@wardwall/testing/browser';

let sys: TestSystem;
let browser: Browser;
let page: Page;

interface Zoom {
  scale: number;
  x: number;
  y: number;
}

/** The zoom transform of the tile's picture layer, parsed. */
async function zoomOf(): Promise<Zoom> {
  const tf = await page.locator('ww-tile .zoom').first().evaluate((el: HTMLElement) => el.style.transform);
  const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(tf);
  return m ? { x: Number(m[1]), y: Number(m[2]), scale: Number(m[3]) } : { scale: 1, x: 0, y: 0 };
}

async function frameBox(): Promise<{ x: number; y: number; width: number; height: number }> {
  return (await page.locator('ww-tile .frame').first().boundingBox())!;
}

async function tile(): Promise<{ camera: string; state: string; frames: number }> {
  return page.locator('ww-tile').first().evaluate((e) => ({ camera: e.getAttribute('camera-id') ?? '', state: e.getAttribute('state') ?? '', frames: Number(e.getAttribute('frames') ?? 0) }));
}

/** The picture point (in unzoomed box px) shown at box point (px, py). */
const pictureAt = (z: Zoom, px: number, py: number) => ({ x: (px - z.x) / z.scale, y: (py - z.y) / z.scale });

async function assertDecoding(label: string): Promise<void> {
  const a = (await tile()).frames;
  await new Promise((r) => setTimeout(r, 1500));
  const b = (await tile()).frames;
  assert.ok(b - a >= 5, `${label}: ${b - a} frames decoded in 1.5 s`);
}

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1 });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  await page.goto(sys.sfu.url);
  await page.locator('[data-layout="1"]').first().click();
  await page.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
  await waitFor('demo-1 playing', async () => {
    const t = await tile();
    return t.camera === 'demo-1' && t.state === 'playing' && t.frames > 0;
  }, 20000, 200);
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

test('wheel zooms about the cursor, a drag pans (the camera stays), the chip resets', async () => {
  const box = await frameBox();
  const px = box.width * 0.7;
  const py = box.height * 0.4;
  await page.mouse.move(box.x + px, box.y + py);
  await page.mouse.wheel(0, -300);
  await waitFor('zoomed', async () => (await zoomOf()).scale > 1.5, 5000, 50);
  const z = await zoomOf();
  assert.ok(Math.abs(z.scale - 1.25 ** 3) < 0.05, `three notches ≈ ×1.95, got ${z.scale}`);
  const under = pictureAt(z, px, py);
  assert.ok(Math.abs(under.x - px) < 1 && Math.abs(under.y - py) < 1, `the point under the cursor stays put (${JSON.stringify(under)} vs ${px},${py})`);
  // The picture really is magnified on screen.
  const videoBox = (await page.locator('ww-tile video').first().boundingBox())!;
  assert.ok(Math.abs(videoBox.width - box.width * z.scale) < 2, `video drawn ${videoBox.width} px wide in a ${box.width} px tile`);
  await page.locator('ww-tile [data-action="zoom-reset"]').first().waitFor();
  await assertDecoding('zoomed');

  // Drag: pans the picture by the drag, and the camera is not dragged off its tile.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 30, { steps: 6 });
  await page.mouse.up();
  const panned = await zoomOf();
  assert.equal(panned.scale, z.scale);
  assert.ok(Math.abs(panned.x - z.x - 60) < 1.5 && Math.abs(panned.y - z.y - 30) < 1.5, `panned by the drag: ${JSON.stringify(z)} → ${JSON.stringify(panned)}`);
  assert.equal((await tile()).camera, 'demo-1');

  await page.locator('ww-tile [data-action="zoom-reset"]').first().click();
  await waitFor('zoom reset', async () => (await zoomOf()).scale === 1, 5000, 50);
  assert.equal(await page.locator('ww-tile [data-action="zoom-reset"]').count(), 0);
});

test('a two-finger pinch zooms about the fingers; the video keeps decoding', async () => {
  const box = await frameBox();
  const cx = box.x + box.width * 0.4;
  const cy = box.y + box.height * 0.5;
  const cdp = await page.context().newCDPSession(page);
  const points = (half: number) => [
    { x: cx - half, y: cy, id: 1 },
    { x: cx + half, y: cy, id: 2 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(50) });
  for (let half = 60; half <= 150; half += 10) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(half) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  const z = await zoomOf();
  assert.ok(z.scale > 2.7 && z.scale < 3.3, `fingers 100 → 300 px apart zoom ×3, got ${z.scale}`);
  const mid = pictureAt(z, cx - box.x, cy - box.y);
  assert.ok(Math.abs(mid.x - (cx - box.x)) < 2 && Math.abs(mid.y - (cy - box.y)) < 2, `the fingers' midpoint stays put (${JSON.stringify(mid)})`);
  assert.equal((await tile()).camera, 'demo-1');
  await assertDecoding('pinched');
});
