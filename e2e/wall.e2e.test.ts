/**
 * End to end in Chromium on the real system: demo cameras → RTSP endpoint → GStreamer → mediasoup →
 * the Lit wall. Asserts decoded frames, outage and recovery without reload, IndexedDB layout
 * persistence, and that malformed signaling traffic gets error replies while the wall keeps playing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { assertPlaying as assertTilesPlaying, readTiles } from '@wardwall/testing/tiles';

let sys: TestSystem;
let browser: Browser;
let page: Page;
const CAMS = ['demo-1', 'demo-2', 'demo-3', 'demo-4'];

before(async () => {
  sys = await startTestSystem({ demoCount: 4, withSub: 1, workers: 2 });
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  page = await openPage(browser, { width: 1280, height: 800 });
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

const tiles = () => readTiles(page);
const tileOf = async (cam: string) => (await tiles()).find((t) => t.camera === cam);

/** Every listed camera's tile presents new decoded frames (at least 10 in 2 s). */
const assertPlaying = (cams: string[], label: string) => assertTilesPlaying(page, cams, label, 2000, 20000, 5);

test('the wall shows 4 live cameras in a 2x2 layout with decoded frames in every tile', async () => {
  await page.goto(sys.sfu.url);
  await page.locator('[data-layout="2x2"]').first().click();
  await waitFor('4 tiles', async () => (await tiles()).length === 4);
  for (const cam of CAMS) await page.locator(`ww-camera-list [data-camera-id="${cam}"]`).first().click();
  await waitFor('cameras placed', async () => CAMS.every(async () => true) && (await tiles()).filter((t) => CAMS.includes(t.camera)).length === 4);
  await assertPlaying(CAMS, '2x2');
  // Vietnamese by default
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.equal(lang, 'vi');
});

test('an unplugged camera shows offline, then live again without a reload', async () => {
  await sys.embedded.demo!.stop('demo-2');
  await waitFor('demo-2 tile offline', async () => (await tileOf('demo-2'))?.state === 'offline', 20000, 200);
  // The other tiles keep playing meanwhile.
  await assertPlaying(['demo-1', 'demo-3', 'demo-4'], 'during outage');
  sys.embedded.demo!.start('demo-2');
  await assertPlaying(['demo-2'], 'after re-plug');
});

test('after a reload the layout and its cameras come back from IndexedDB', async () => {
  await page.reload();
  await waitFor('tiles restored', async () => {
    const ts = await tiles();
    return ts.length === 4 && CAMS.every((c) => ts.some((t) => t.camera === c));
  });
  await assertPlaying(CAMS, 'after reload');
});

test('a small tile takes the sub stream, a large one the main stream; hidden tiles stop consuming', async () => {
  // demo-1 publishes a sub stream. In 2x2 at 1280x800 the tiles are small enough for it.
  await page.locator('[data-layout="4x4"]').first().click();
  await waitFor('demo-1 on sub in 4x4', async () => (await tileOf('demo-1'))?.stream === 'sub', 15000, 200);
  await assertPlaying(['demo-1'], '4x4 sub');
  await page.locator('[data-layout="1"]').first().click();
  await waitFor('demo-1 on main in 1x1', async () => {
    const ts = await tiles();
    return ts.find((t) => t.camera === 'demo-1' && t.stream === 'main' && t.state === 'playing');
  }, 15000, 200);
  // Hide the page: tiles stop consuming after their grace period, and play again when shown.
  const consumers = () => page.evaluate(() => (window as unknown as { __wardwall: { live: { consumerCount: number } } }).__wardwall.live.consumerCount);
  assert.ok((await consumers()) >= 1);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitFor('no consumers while hidden', async () => (await consumers()) === 0, 15000, 200);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await assertPlaying(['demo-1'], 'visible again');
  await page.locator('[data-layout="2x2"]').first().click();
  await assertPlaying(CAMS, 'back to 2x2');
});

test('malformed and oversized signaling messages get error replies while the tiles keep playing', async () => {
  const ws = new WebSocket(`${sys.sfu.url.replace('http', 'ws')}ws`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const replies: { ok: boolean; error?: { code: string } }[] = [];
  ws.on('message', (d) => replies.push(JSON.parse(String(d))));
  const bad = [
    'not json',
    '{"type":"consume"}',
    '{"id":1,"type":"nope"}',
    JSON.stringify({ id: 2, type: 'consume', transportId: 'x', cameraId: '../../etc/passwd', stream: 'main', rtpCapabilities: {} }),
    JSON.stringify({ id: 3, type: 'hello', junk: 'x'.repeat(200_000) }),
    '[]',
    '{"id":4,"type":"resumeConsumer","consumerId":"nope"}',
  ];
  const rounds = 30;
  for (let i = 0; i < rounds; i++) for (const m of bad) ws.send(m);
  ws.send(Buffer.from([1, 2, 3]));
  await waitFor('all error replies', () => replies.length >= rounds * bad.length + 1, 15000);
  assert.ok(replies.every((r) => r.ok === false && typeof r.error?.code === 'string'));
  const codes = new Set(replies.map((r) => r.error!.code));
  for (const c of ['BAD_MESSAGE', 'UNKNOWN_TYPE', 'MESSAGE_TOO_LARGE', 'UNKNOWN_CONSUMER']) assert.ok(codes.has(c), `got ${c}`);
  await assertPlaying(CAMS, 'after malformed traffic');
  ws.close();
});
