/**
 * PTZ from a live tile in Chromium on the real system with accounts, against the ONVIF responder on
 * loopback (testing/onvif): a drag pans/tilts while held (renewed) and stops on release, the wheel
 * zooms (and the digital zoom stays off), arrow keys move while held, presets from the menu and the
 * 1–9 keys; an operator's actions are audited; a viewer without `control` is refused and the camera
 * receives nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, startTestSystem, waitFor, TEST_ADMIN_PASSWORD, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_SHIM, signInBrowser } from '@wardwall/testing/browser';
import { startOnvifResponder, type OnvifResponder } from '@wardwall/testing/onvif';

let sys: TestSystem;
let cam: OnvifResponder;
let browser: Browser;

before(async () => {
  cam = await startOnvifResponder({ user: 'onvif', password: 'onvif-pass-1' });
  sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    auth: true,
    cameras: [{ id: 'ptz-1', name: 'Ngã tư PTZ', main: '{rtsp}/demo-1', onvif: { url: cam.url, user: 'onvif', password: 'onvif-pass-1' } }],
  });
  await createUser(sys, { username: 'vien', role: 'viewer' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await sys?.close();
  await cam?.close();
});

async function wall(user: string, password: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await signInBrowser(ctx, sys.url, user, password);
  await ctx.addInitScript(PAGE_SHIM);
  const page = await ctx.newPage();
  await page.goto(sys.url);
  await page.locator('[data-layout="1"]').first().click();
  await page.locator('ww-camera-list [data-camera-id="ptz-1"]').first().click();
  await waitFor('ptz-1 on the tile', async () => (await page.locator('ww-tile').first().getAttribute('camera-id')) === 'ptz-1', 20_000, 200);
  return { ctx, page };
}

const moves = () => cam.ops('ContinuousMove');
const stops = () => cam.ops('Stop').length;

test('drag, wheel, keys and presets on the tile steer the camera; audited', { timeout: 120_000 }, async () => {
  const { ctx, page } = await wall('admin', TEST_ADMIN_PASSWORD);
  try {
    const tile = page.locator('ww-tile').first();
    await tile.hover();
    await tile.locator('[data-action="ptz"]').click();
    await waitFor('PTZ mode', async () => (await tile.getAttribute('ptz')) !== null, 5000, 50);
    const box = (await tile.locator('.frame').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;

    // Drag right and a little up, hold 1.2 s (renewed), release: stop.
    let m0 = moves().length;
    let s0 = stops();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(cx + i * 40, cy - i * 8);
    await page.waitForTimeout(1200);
    await page.mouse.up();
    await waitFor('stop after the drag', () => stops() > s0, 5000, 50);
    const drag = moves().slice(m0);
    assert.ok(drag.length >= 3, `moves while dragging and renewed while held: ${drag.length}`);
    const last = drag.at(-1)!;
    assert.ok(last.pan! > 0.3 && last.tilt! > 0 && last.pan! > last.tilt! && last.zoom === 0, `right and up: ${JSON.stringify(last)}`);

    // Wheel up: zoom in, then a stop when the wheel rests; the digital zoom stays off.
    m0 = moves().length;
    s0 = stops();
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -240);
    await waitFor('zoom move', () => moves().length > m0, 5000, 50);
    await waitFor('stop after the wheel', () => stops() > s0, 5000, 50);
    assert.ok(moves().slice(m0).every((x) => x.zoom! > 0 && x.pan === 0 && x.tilt === 0));
    assert.equal(await tile.locator('[data-action="zoom-reset"]').count(), 0, 'the digital zoom did not take the wheel');

    // Arrow key held: pan left until released.
    m0 = moves().length;
    s0 = stops();
    await tile.focus();
    await page.keyboard.down('ArrowLeft');
    await page.waitForTimeout(900);
    await page.keyboard.up('ArrowLeft');
    await waitFor('stop after the key', () => stops() > s0, 5000, 50);
    const keyed = moves().slice(m0);
    assert.ok(keyed.length >= 2 && keyed.every((x) => x.pan! < 0 && x.tilt === 0), JSON.stringify(keyed));

    // Presets: from the menu, and key 1.
    const g0 = cam.ops('GotoPreset').length;
    await tile.locator('select[data-ptz-preset]').selectOption('2');
    await waitFor('preset 2', () => cam.ops('GotoPreset').length > g0, 5000, 50);
    assert.equal(cam.ops('GotoPreset').at(-1)!.preset, '2');
    await tile.focus();
    await page.keyboard.press('1');
    await waitFor('preset 1', () => cam.ops('GotoPreset').at(-1)?.preset === '1', 5000, 50);

    // Esc leaves PTZ mode; the wheel is the digital zoom's again.
    await page.keyboard.press('Escape');
    await waitFor('PTZ off', async () => (await tile.getAttribute('ptz')) === null, 5000, 50);
    const before = moves().length;
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -240);
    await waitFor('digital zoom', async () => (await tile.locator('[data-action="zoom-reset"]').count()) === 1, 5000, 50);
    assert.equal(moves().length, before);

    const audit = sys.sfu.audit.query({ action: 'ptz_move', limit: 20 }).entries;
    assert.ok(audit.length >= 3 && audit.every((e) => e.user === 'admin' && e.camera === 'ptz-1'), JSON.stringify(audit));
    // One entry per movement, with the direction it started in (the drag starts to the right).
    const dirs = audit.map((e) => String(e.detail.direction)).reverse(); // newest first → in order
    assert.equal(audit.length, 3, dirs.join());
    assert.ok(/right/.test(dirs[0]!) && dirs[1] === 'zoom-in' && dirs[2] === 'left', dirs.join());
    assert.ok(sys.sfu.audit.query({ action: 'ptz_preset', limit: 20 }).entries.length >= 2);
    assert.ok(cam.commands.every((c) => c.ok), 'every command carried a valid WS-Security token');
  } finally {
    await ctx.close();
  }
});

test('a viewer without the control right is refused and the camera receives nothing', { timeout: 60_000 }, async () => {
  const { ctx, page } = await wall('vien', 'vien-password');
  try {
    const n = cam.commands.filter((c) => c.op !== 'GetPresets').length;
    const tile = page.locator('ww-tile').first();
    await tile.hover();
    await tile.locator('[data-action="ptz"]').click();
    await waitFor('refusal shown', async () => (await tile.locator('.notice.error').count()) === 1, 5000, 50);
    assert.match(await tile.locator('.notice.error').innerText(), /quyền/);
    assert.equal(await tile.getAttribute('ptz'), null);
    const box = (await tile.locator('.frame').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2);
    await page.mouse.up();
    // And the API itself refuses with a code, whatever the page does.
    const r = await page.evaluate(async () => {
      const res = await fetch('/api/cameras/ptz-1/ptz/move', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pan":1}' });
      return { status: res.status, body: await res.json() };
    });
    assert.deepEqual([r.status, r.body.code], [403, 'FORBIDDEN']);
    assert.equal(cam.commands.filter((c) => c.op !== 'GetPresets').length, n, 'nothing reached the camera');
  } finally {
    await ctx.close();
  }
});
