/**
 * Bandwidth-aware viewing in Chromium: the network is throttled through the DevTools protocol
 * (Network.emulateNetworkConditions, which also shapes WebRTC: throughput, queue, packet loss); the
 * large tile then takes the sub stream and keeps playing, extra tiles become refreshed stills; when
 * the throttle is lifted the tile returns to the main stream. Then every WebRTC packet is dropped
 * for a while (a network change): the transport goes disconnected, restarts ICE, and the tile plays
 * again without a reload.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '../sfu/test/support.js';
import { launchChromium, PAGE_SHIM } from './browser.js';
import { assertPlaying, readTiles } from './tiles.js';

let sys: TestSystem;
let browser: Browser;
let page: Page;
let cdp: CDPSession;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 1, workers: 1 });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live' && (c.streams.sub?.state ?? 'live') === 'live'), 30000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(PAGE_SHIM);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

const linkLevel = () => page.evaluate(() => (window as unknown as { __wardwall: { link: { level: string } } }).__wardwall.link.level);

test('a throttled link switches the viewer to the sub stream and it keeps playing; lifted, it returns to main', async () => {
  await page.goto(sys.sfu.url);
  await page.waitForFunction(() => (window as unknown as { __wardwall?: unknown }).__wardwall !== undefined);
  await page.evaluate(() => {
    const app = (window as unknown as { __wardwall: { app: { setLayout(l: string): void; putCamera(i: number, c: string): void } } }).__wardwall.app;
    app.setLayout('1');
    app.putCamera(0, 'demo-1');
  });
  await waitFor('demo-1 on main', async () => (await readTiles(page)).find((t) => t.camera === 'demo-1' && t.stream === 'main' && t.state === 'playing'), 20000, 200);
  await assertPlaying(page, ['demo-1'], 'main before throttling');
  assert.equal(await linkLevel(), 'good');

  // A bad mobile link: 400 kbit/s, 150 ms, 8 % loss on WebRTC packets.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 50_000, uploadThroughput: 50_000, packetLoss: 8, packetQueueLength: 30 });
  await waitFor('link judged poor', async () => (await linkLevel()) === 'poor', 30000, 250);
  await waitFor('demo-1 on sub', async () => (await readTiles(page)).find((t) => t.camera === 'demo-1' && t.stream === 'sub'), 20000, 200);
  await page.locator('[data-link="poor"]').waitFor();
  await assertPlaying(page, ['demo-1'], 'sub while throttled', 3000, 30000);

  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1, packetLoss: 0, packetQueueLength: 0 });
  await waitFor('link good again', async () => (await linkLevel()) === 'good', 60000, 250);
  await waitFor('demo-1 back on main', async () => (await readTiles(page)).find((t) => t.camera === 'demo-1' && t.stream === 'main' && t.state === 'playing'), 20000, 200);
  await assertPlaying(page, ['demo-1'], 'main after the throttle');
  assert.equal(await page.locator('[data-link="poor"]').count(), 0);
});

test('a lost network path (all WebRTC packets dropped) restarts ICE and the tile plays again without a reload', async () => {
  const w = () => page.evaluate(() => {
    const ww = (window as unknown as { __wardwall: { live: { iceRestarts: number }; signaling: { sessionId: string | null } } }).__wardwall;
    return { restarts: ww.live.iceRestarts, session: ww.signaling.sessionId };
  });
  const before = await w();
  await page.evaluate(() => ((window as unknown as { __loadMarker: number }).__loadMarker = 1));
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1, packetLoss: 100 });
  await waitFor('ICE restarted', async () => (await w()).restarts > before.restarts, 40000, 250);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1, packetLoss: 0 });
  await assertPlaying(page, ['demo-1'], 'after the path came back', 2000, 40000);
  const after = await w();
  assert.equal(after.session, before.session, 'same signaling session: recovered by ICE restart, not by a rebuild');
  assert.equal(await page.evaluate(() => (window as unknown as { __loadMarker?: number }).__loadMarker), 1, 'no reload');
});
