/**
 * End to end in Chromium: every kind of the camera zoo (testing/zoo) on a 3×3 wall through the real
 * probe, gst-ingest.py and mediasoup. Every tile decodes at its camera's frame rate, the
 * encoder-restart camera stays playing over three restarts, and no health alert opens for any of
 * them. (The recorder's checks are in the recorder's own tests.)
 * ZOO_TEST_KINDS=a,b limits the kinds (debugging on a busy machine).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { readTiles } from '@wardwall/testing/tiles';
import { CameraZoo, ZOO_KINDS, ZOO_SPECS, type ZooKind } from '@wardwall/testing/zoo';

const KINDS = (process.env.ZOO_TEST_KINDS?.split(',') as ZooKind[] | undefined) ?? [...ZOO_KINDS];
const RESTART_EVERY_S = 10;
let zoo: CameraZoo;
let sys: TestSystem;
let browser: Browser;
let page: Page;
const id = (k: ZooKind) => `zoo-${k}`;

before(async () => {
  // Pre-rendered clips: the zoo's nine encoders would otherwise take the cores the SFU, its
  // transcoder and Chromium need (a real camera encodes on its own chip).
  zoo = await CameraZoo.start({ kinds: KINDS, restartEveryS: RESTART_EVERY_S, prerendered: true });
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 2, cameras: KINDS.map((k) => ({ id: id(k), name: `Zoo ${k}`, main: zoo.url(k) })) });
  await waitFor('zoo cameras live', () => KINDS.every((k) => sys.sfu.cameras.info().find((c) => c.id === id(k))?.streams.main.state === 'live'), 120000, 500);
  browser = await launchChromium();
  // A modest screen: nine tiles of ~320×200 (the picture is still decoded at full size).
  page = await openPage(browser, { width: 1024, height: 640 });
});
after(async () => {
  await browser?.close();
  await sys?.close();
  await zoo?.close();
});

test('all zoo kinds on a 3×3 wall: every tile decodes at its camera frame rate', async () => {
  await page.goto(sys.sfu.url);
  // The browser, the SFU and its transcoder share 2 cores here: a starved decoder's stats look like a
  // poor link, and on a poor link the wall keeps only four tiles live (e2e/bandwidth tests that). This
  // test is about decoding every kind, so the link watch is stopped and the link stays 'good'.
  await page.waitForFunction(() => (window as unknown as { __wardwall?: { link?: unknown } }).__wardwall?.link);
  await page.evaluate(() => (window as unknown as { __wardwall: { link: { close(): void } } }).__wardwall.link.close());
  await page.locator('[data-layout="3x3"]').first().click();
  await waitFor('9 tiles', async () => (await readTiles(page)).length === 9);
  for (const k of KINDS) await page.locator(`ww-camera-list [data-camera-id="${id(k)}"]`).first().click();
  try {
    await waitFor('tiles playing', async () => {
      const ts = await readTiles(page);
      return KINDS.every((k) => ts.find((t) => t.camera === id(k) && t.state === 'playing' && t.frames > 0));
    }, 60000, 500);
  } catch (e) {
    const ts = await readTiles(page);
    // On an overloaded machine the browser's WebRTC stats look like a poor link and the wall keeps
    // only the first tiles live (still mode for the rest): say so, it is not an ingest fault.
    const poor = (await page.locator('[data-link="poor"]').count()) > 0;
    throw new Error(`${(e as Error).message}${poor ? ' (the wall judged the link poor)' : ''}: ${JSON.stringify(ts.map((t) => [t.camera, t.state, t.frames]))}`, { cause: e });
  }
  // The browser, the SFU's two transcoders and the zoo share 2 cores: a starved moment (a stall, then
  // the held frames in a burst) can spoil one window. Up to four windows of 6 s; each kind must show
  // its camera's rate (at most +10 %, at least half) in one of them. Every window is printed.
  const ms = 6000;
  const unmet = new Set<ZooKind>(KINDS);
  const problems: string[] = [];
  for (let w = 0; w < 4 && unmet.size > 0; w++) {
    // The window falls between two encoder restarts (every 10 s): across a restart the browser may
    // play the frames held over the break in a burst, which is the restart test's subject, not this one.
    if (unmet.has('restart')) {
      const n = zoo.restartEvents.length;
      await waitFor('an encoder restart', () => zoo.restartEvents.length > n, (RESTART_EVERY_S + 5) * 1000, 200);
      await new Promise((r) => setTimeout(r, 1500));
    }
    const a = await readTiles(page);
    await new Promise((r) => setTimeout(r, ms));
    const b = await readTiles(page);
    const rates: Record<string, number> = {};
    problems.length = 0;
    for (const k of [...unmet]) {
      const n = (b.find((t) => t.camera === id(k))?.frames ?? 0) - (a.find((t) => t.camera === id(k))?.frames ?? 0);
      const rate = Math.round((n / (ms / 1000)) * 10) / 10;
      rates[k] = rate;
      const fps = ZOO_SPECS[k].fps;
      if (rate <= fps * 1.1 + 0.5 && rate >= fps * 0.5) unmet.delete(k);
      else problems.push(`${k}: ${rate} frames/s, camera ${fps}`);
    }
    console.log(`# window ${w + 1}, decoded frames/s per kind: ${JSON.stringify(rates)}`);
  }
  assert.deepEqual(problems, [], 'every kind decoded at its camera rate in one window');
});

test('the encoder-restart camera keeps playing over three restarts, and no zoo camera raises an alert', async (t) => {
  if (!KINDS.includes('restart')) return t.skip('restart kind not selected');
  const count = () => zoo.restartEvents.filter((e) => e.kind === 'restart').length;
  const start = count();
  const states = new Set<string>();
  let minFrames = Infinity;
  let lastFrames = 0;
  while (count() < start + 3) {
    const tile = (await readTiles(page)).find((x) => x.camera === id('restart'))!;
    states.add(tile.state);
    minFrames = Math.min(minFrames, tile.frames - lastFrames);
    lastFrames = tile.frames;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = (await readTiles(page)).find((x) => x.camera === id('restart'))!;
  assert.deepEqual([...states], ['playing'], 'the tile stayed playing');
  assert.ok(after.frames > lastFrames, 'frames still advance after the third restart');
  const alerts = sys.sfu.health.store.unclosed().filter((x) => x.cameraId.startsWith('zoo-'));
  assert.deepEqual(alerts.map((x) => `${x.cameraId}:${x.kind}`), [], 'no alert for any zoo camera');
});
