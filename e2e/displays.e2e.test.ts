/**
 * Duty-room displays end to end in Chromium, two browser contexts on the real system: a commander
 * pushes a camera, then a preset (saved from the commander's wall), then a tour to a registered
 * display; the display shows decoded frames of the right cameras and who changed it; the tour cycles,
 * pauses from the commander's page, and survives a reload of the display. Every WebRTC transport
 * uses the one configured port; a forced ICE restart keeps the video going.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_SHIM } from '@wardwall/testing/browser';
import { assertPlaying, readTiles, shownCameras, transportPorts } from '@wardwall/testing/tiles';

let sys: TestSystem;
let browser: Browser;
let commanderCtx: BrowserContext;
let displayCtx: BrowserContext;
let commander: Page;
let display: Page;
const WALL = 'Tường 1 trái';

before(async () => {
  sys = await startTestSystem({ demoCount: 3, withSub: 1, workers: 2 });
  await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  commanderCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  displayCtx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  for (const ctx of [commanderCtx, displayCtx]) await ctx.addInitScript(PAGE_SHIM);
  commander = await commanderCtx.newPage();
  display = await displayCtx.newPage();
  for (const p of [commander, display]) p.on('pageerror', (e) => console.error('page error:', e.message));
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

const row = () => commander.locator(`ww-displays [data-display="${WALL}"]`);
const overlay = async () => ({
  source: (await display.locator('ww-app [data-role="source"]').textContent()) ?? '',
  changed: (await display.locator('ww-app [data-role="changed"]').textContent()) ?? '',
});

test('a window registers as a named display and appears, online, in the commander\'s panel', async () => {
  await display.goto(`${sys.sfu.url}?display=${encodeURIComponent(WALL)}`);
  await display.locator('ww-app .display-info').waitFor();
  await commander.goto(sys.sfu.url);
  await commander.locator('ww-header [data-mode="displays"]').click();
  await row().waitFor();
  await waitFor('display online', async () => (await row().locator('.dot.live').count()) === 1);
});

test('the commander pushes a camera: the display plays it and shows who changed it', async () => {
  await row().locator('select[name="camera"]').selectOption('demo-2');
  await row().locator('[data-action="push-camera"]').click();
  await waitFor('display shows demo-2', async () => (await shownCameras(display)).join() === 'demo-2');
  await assertPlaying(display, ['demo-2'], 'pushed camera');
  const o = await overlay();
  assert.match(o.changed, /local đổi lúc \d\d:\d\d/);
  assert.match(o.source, /demo-2/);
});

test('the commander saves a preset from their wall and pushes it: the display shows its cameras', async () => {
  await commander.evaluate(() => {
    const app = (window as unknown as { __wardwall: { app: { setLayout(l: string): void; putCamera(i: number, c: string): void } } }).__wardwall.app;
    app.setLayout('2x2');
    app.putCamera(0, 'demo-1');
    app.putCamera(1, 'demo-3');
  });
  await commander.locator('ww-displays input[name="presetName"]').fill('Cổng vào');
  await commander.locator('ww-displays [data-action="save-preset"]').click();
  await waitFor('preset listed', async () => (await commander.locator('ww-displays [data-preset]').count()) === 1);
  const presets = (await (await fetch(`${sys.sfu.url}api/presets`)).json()) as { presets: { name: string; layout: string; tiles: (string | null)[] }[] };
  assert.deepEqual(presets.presets.map((p) => [p.name, p.layout, p.tiles.slice(0, 2)]), [['Cổng vào', '2x2', ['demo-1', 'demo-3']]]);
  await row().locator('select[name="preset"]').selectOption({ label: 'Cổng vào' });
  await row().locator('[data-action="push-preset"]').click();
  await waitFor('display shows the preset', async () => (await shownCameras(display)).join() === 'demo-1,demo-3,,');
  await assertPlaying(display, ['demo-1', 'demo-3'], 'pushed preset');
  assert.match((await overlay()).source, /Cổng vào/);
  // The commander's own wall (live mode) plays too, through the same single port as the display.
  await commander.locator('ww-header [data-mode="live"]').click();
  await assertPlaying(commander, ['demo-1', 'demo-3'], 'commander wall');
  const ports = await transportPorts(commander);
  assert.deepEqual([...new Set(ports.remote)], [sys.sfu.pool.webRtcPort]);
  assert.equal(ports.selected, sys.sfu.pool.webRtcPort);
  await commander.locator('ww-header [data-mode="displays"]').click();
  await row().waitFor();
});

test('a tour cycles on the display, pauses from the commander, and survives a display reload', async () => {
  for (const step of ['camera:demo-1', 'camera:demo-2']) {
    await commander.locator('ww-displays select[name="step"]').selectOption(step);
    await commander.locator('ww-displays [data-action="add-step"]').click();
  }
  await commander.locator('ww-displays input[name="tourName"]').fill('Đường vào');
  await commander.locator('ww-displays input[name="tourInterval"]').fill('3');
  await commander.locator('ww-displays [data-action="save-tour"]').click();
  await waitFor('tour listed', async () => (await commander.locator('ww-displays [data-tour]').count()) === 1);
  await row().locator('[data-action="push-tour"]').click();
  // The display steps demo-1 → demo-2 → demo-1, each playing.
  const seen: string[] = [];
  await waitFor('tour cycled', async () => {
    const cam = (await shownCameras(display))[0] ?? '';
    if (cam && seen[seen.length - 1] !== cam) seen.push(cam);
    return seen.length >= 3;
  }, 20000, 100);
  assert.ok(seen.includes('demo-1') && seen.includes('demo-2'), seen.join());
  for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1]);
  await assertPlaying(display, [seen[seen.length - 1]!], 'tour step', 1000);

  // Pause from the commander: the display stays on its camera.
  await row().locator('[data-action="tour-pause"]').click();
  await waitFor('paused shown', async () => /tạm dừng/.test((await overlay()).source));
  const held = (await shownCameras(display))[0];
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal((await shownCameras(display))[0], held);

  // Reload: the display comes back with the same state and plays it.
  await display.reload();
  await waitFor('state after reload', async () => (await shownCameras(display))[0] === held && /tạm dừng/.test((await overlay()).source));
  await assertPlaying(display, [held!], 'after reload');

  // Resume: it cycles again, even with the commander's page closed (the tour runs on the server).
  await row().locator('[data-action="tour-resume"]').click();
  await commander.close();
  await waitFor('cycling again', async () => (await shownCameras(display))[0] !== held, 10000, 100);
});

test('every WebRTC transport uses the one configured port; a forced ICE restart recovers', async () => {
  const port = sys.sfu.pool.webRtcPort;
  assert.ok(port && port > 0);
  const p = await transportPorts(display);
  assert.ok(p.remote.length >= 1, 'remote candidates');
  assert.deepEqual([...new Set(p.remote)], [port], `remote candidate ports ${p.remote.join()}`);
  assert.equal(p.selected, port);
  assert.equal(p.protocol, 'udp');

  const cam = (await readTiles(display))[0]!.camera;
  const restarts = () => display.evaluate(() => (window as unknown as { __wardwall: { live: { iceRestarts: number } } }).__wardwall.live.iceRestarts);
  const before = await restarts();
  await display.evaluate(() => (window as unknown as { __wardwall: { live: { forceIceRestart(): Promise<void> } } }).__wardwall.live.forceIceRestart());
  assert.equal(await restarts(), before + 1);
  await assertPlaying(display, [cam], 'after ICE restart');
  const after = await transportPorts(display);
  assert.equal(after.selected, port);
});
