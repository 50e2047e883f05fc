/**
 * Bandwidth-aware viewing in Chromium: the network is throttled through the DevTools protocol
 * (Network.emulateNetworkConditions, which also shapes WebRTC: throughput, queue, packet loss); the
 * large tile then takes the sub stream and keeps playing, extra tiles become refreshed stills; when
 * the throttle is lifted the tile returns to the main stream.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { assertPlaying, readTiles } from '@wardwall/testing/tiles';

let sys: TestSystem;
let browser: Browser;
let page: Page;
let cdp: CDPSession;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 1, workers: 1 });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live' && (c.streams.sub?.state ?? 'live') === 'live'), 30000);
  browser = await launchChromium();
  page = await openPage(browser, { width: 1280, height: 800 });
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

  // A poor mobile link: 600 kbit/s, 100 ms, 5 % loss on WebRTC packets (the 1 Mbit/s main stream does not fit; the sub stream does).
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: 75_000, uploadThroughput: 75_000, packetLoss: 5 });
  // The browser's own stats see the throttle (loss, starvation or a low rate): the machine's load alone would not do.
  await waitFor('throttle seen in the stats', async () => {
    const x = await page.evaluate(() => (window as unknown as { __wardwall: { link: { lastSample: { lossRate: number | null; receivedBitrate: number | null; starved: boolean } | null } } }).__wardwall.link.lastSample);
    return !!x && (x.starved || (x.lossRate ?? 0) >= 0.03 || (x.receivedBitrate ?? Infinity) < 500_000);
  }, 30000, 250);
  await waitFor('link judged poor', async () => (await linkLevel()) === 'poor', 30000, 250);
  await waitFor('demo-1 on sub', async () => (await readTiles(page)).find((t) => t.camera === 'demo-1' && t.stream === 'sub'), 20000, 200);
  await page.locator('[data-link="poor"]').waitFor();
  // A 600 kbit/s link losing 5 % of its packets: "keeps playing" means new frames keep coming (a lost
  // packet freezes the picture until the next keyframe), not the full frame rate.
  await assertPlaying(page, ['demo-1'], 'sub while throttled', 6000, 30000, 1);

  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1, packetLoss: 0, packetQueueLength: 0 });
  const samples: unknown[] = [];
  await waitFor('link good again', async () => {
    samples.push(await page.evaluate(() => (window as unknown as { __wardwall: { link: { lastSample: unknown } } }).__wardwall.link.lastSample));
    return (await linkLevel()) === 'good';
  }, 60000, 1000).catch((e: unknown) => {
    console.error(JSON.stringify(samples.slice(-8)));
    throw e;
  });
  await waitFor('demo-1 back on main', async () => (await readTiles(page)).find((t) => t.camera === 'demo-1' && t.stream === 'main' && t.state === 'playing'), 20000, 200);
  await assertPlaying(page, ['demo-1'], 'main after the throttle');
  assert.equal(await page.locator('[data-link="poor"]').count(), 0);
});
