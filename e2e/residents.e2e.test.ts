/**
 * Resident cameras end to end in Chromium: an administrator registers a push camera on the admin
 * page and approves it; a real ffmpeg publishes over RTMP with the key shown once; the camera
 * appears on the wall without a reload, marked as a resident's, with decoded frames moving, and is
 * recorded. A wrong key shows nothing. The owner pauses from the private link: the tile says
 * "paused" (not a fault) and recording stops; resume brings video back; revoke removes it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { publish, type Publisher } from '@wardwall/testing/push-publisher';
import { launchChromium, openPage } from '@wardwall/testing/browser';

let sys: TestSystem;
let browser: Browser;
let page: Page;
const publishers: Publisher[] = [];
let rtmpUrl = '';
let ownerUrl = '';
let cameraId = '';

before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1280, height: 800 });
});
after(async () => {
  await Promise.all(publishers.map((p) => p.close()));
  await browser?.close();
  await sys?.close();
});

function start(url: string): Publisher {
  const p = publish(url);
  publishers.push(p);
  return p;
}

interface TileState {
  camera: string;
  state: string;
  frames: number;
  reason: string;
  resident: boolean;
}
async function tileOf(cam: string): Promise<TileState | undefined> {
  const all = await page.locator('ww-tile').evaluateAll((els) =>
    els.map((e) => ({
      camera: e.getAttribute('camera-id') ?? '',
      state: e.getAttribute('state') ?? '',
      frames: Number(e.getAttribute('frames') ?? 0),
      reason: e.getAttribute('reason') ?? '',
      resident: e.hasAttribute('resident'),
    })),
  );
  return all.find((t) => t.camera === cam);
}

async function assertFramesMove(cam: string, label: string): Promise<void> {
  await waitFor(`${label}: tile playing`, async () => {
    const t = await tileOf(cam);
    return t && t.state === 'playing' && t.frames > 0;
  }, 30000, 200);
  const a = (await tileOf(cam))!.frames;
  await new Promise((r) => setTimeout(r, 2000));
  const b = (await tileOf(cam))!.frames;
  assert.ok(b - a >= 10, `${label}: ${b - a} frames decoded in 2 s`);
}

const recorderState = (id: string) => sys.recorder!.health().cameras.find((c) => c.camera === id)?.state;

test('an administrator registers and approves a push camera on the admin page; the key is shown once', async () => {
  await page.goto(sys.sfu.url);
  await page.locator('ww-header [data-mode="residents"]').click();
  await page.locator('ww-residents [data-action="new"]').click();
  const form = page.locator('ww-residents form');
  await form.locator('input[name="name"]').fill('Nhà bà Năm');
  await form.locator('input[name="ownerName"]').fill('Trần Thị Năm');
  await form.locator('input[name="ownerContact"]').fill('0912 000 111');
  await form.locator('input[name="address"]').fill('45 Trần Phú');
  await form.locator('input[name="x"]').fill('610');
  await form.locator('input[name="y"]').fill('220');
  await form.locator('input[name="consent"]').check();
  await form.locator('input[name="consentDate"]').fill('2026-11-20');
  await form.locator('select[name="source"]').selectOption('push');
  await form.locator('[data-action="save"]').click();
  const reveal = page.locator('ww-residents .reveal');
  await reveal.waitFor();
  rtmpUrl = (await reveal.locator('[data-secret="rtmp"] code').textContent())!.trim();
  ownerUrl = (await reveal.locator('[data-secret="owner"] code').textContent())!.trim();
  assert.match(rtmpUrl, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/rk_/);
  assert.ok(ownerUrl.startsWith(sys.sfu.url + 'owner/ro_'), ownerUrl);
  const row = page.locator('ww-residents tr[data-id]');
  cameraId = (await row.getAttribute('data-id'))!;
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await row.locator('[data-action="approve"]').click();
  await waitFor('approved', async () => (await row.getAttribute('data-status')) === 'approved');
  await reveal.locator('[data-action="reveal-done"]').click();
  // Gone for good: reloading the admin page does not show the key again.
  const text = await page.locator('ww-residents').evaluate((el) => el.shadowRoot!.textContent ?? '');
  assert.ok(!text.includes(rtmpUrl.split('/').pop()!), 'the key is not shown again');
});

test('the pushed stream plays on the wall, marked as a resident camera, and is recorded; a wrong key shows nothing', async () => {
  start(rtmpUrl);
  await page.locator('ww-header [data-mode="live"]').click();
  const item = page.locator(`ww-camera-list [data-camera-id="${cameraId}"]`);
  await item.waitFor({ timeout: 20000 });
  assert.equal(await item.getAttribute('data-resident'), '');
  await item.click();
  await assertFramesMove(cameraId, 'pushed camera');
  const tile = (await tileOf(cameraId))!;
  assert.ok(tile.resident, 'the tile is marked as a resident camera');
  const chip = page.locator(`ww-tile[camera-id="${cameraId}"] .chip.resident`);
  assert.equal((await chip.textContent())!.trim(), 'Người dân');
  // …and on the ward map, at the position the administrator gave.
  const marker = page.locator(`ww-map g.cam[data-camera="${cameraId}"]`);
  await waitFor('resident marker on the map', async () => (await marker.getAttribute('data-resident')) === 'true', 10000, 200);
  assert.match((await marker.getAttribute('transform')) ?? '', /translate\(610 220\)/);
  await waitFor('recorded', () => recorderState(cameraId) === 'recording', 30000);

  const before = await page.locator('ww-camera-list [data-camera-id]').count();
  const wrong = start(rtmpUrl.replace(/rk_[A-Za-z0-9_-]+$/, `rk_${'Z'.repeat(43)}`));
  assert.notEqual(await wrong.exited, 0, 'a wrong key is refused');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await page.locator('ww-camera-list [data-camera-id]').count(), before, 'nothing new appears');
  assert.deepEqual(sys.sfu.cameras.info().map((c) => c.id).sort(), ['demo-1', cameraId].sort());
});

test('the owner pauses from the private link: paused on the wall (not a fault), not recorded; resume brings it back', async () => {
  const owner = await browser.newPage();
  await owner.goto(ownerUrl);
  assert.equal(await owner.locator('[data-status]').getAttribute('data-status'), 'approved');
  await owner.locator('button[data-action="pause"]').click();
  await owner.locator('[data-status="paused"]').waitFor();

  await waitFor('tile shows paused', async () => {
    const t = await tileOf(cameraId);
    return t && t.state === 'offline' && t.reason === 'paused';
  }, 10000, 200);
  const msg = await page.locator(`ww-tile[camera-id="${cameraId}"] .message`).textContent();
  assert.match(msg!, /Chủ camera tạm dừng chia sẻ/);
  assert.equal(await page.locator(`ww-tile[camera-id="${cameraId}"] .badge`).getAttribute('class'), 'badge held');
  await waitFor('recording stopped', () => recorderState(cameraId) === undefined, 10000);
  const frames = (await tileOf(cameraId))!.frames;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await tileOf(cameraId))!.frames, frames, 'no frames while paused');

  await owner.locator('button[data-action="resume"]').click();
  await owner.locator('[data-status="approved"]').waitFor();
  await owner.close();
  // The pause cut the publisher; the resident's camera reconnects (here: a new ffmpeg).
  start(rtmpUrl);
  await assertFramesMove(cameraId, 'resumed camera');
  await waitFor('recorded again', () => recorderState(cameraId) === 'recording', 30000);
});

test('a revoked camera leaves the wall', async () => {
  await page.locator('ww-header [data-mode="residents"]').click();
  await page.locator(`ww-residents tr[data-id="${cameraId}"] [data-action="revoke"]`).click();
  await waitFor('revoked', async () => (await page.locator(`ww-residents tr[data-id="${cameraId}"]`).getAttribute('data-status')) === 'revoked');
  await page.locator('ww-header [data-mode="live"]').click();
  await waitFor('gone from the camera list', async () => (await page.locator(`ww-camera-list [data-camera-id="${cameraId}"]`).count()) === 0, 10000);
  await waitFor('tile no longer plays', async () => (await tileOf(cameraId))?.state !== 'playing', 10000);
});

test('a camera shared for recording only is never on the live wall but review can open it, labelled so', async () => {
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(new URL(path, sys.sfu.url), { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const url = `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live/demo-1`;
  const made = await api('POST', '/api/residents', {
    id: 'res-rec', name: 'Nhà bà Năm (chỉ ghi hình)', ownerName: 'Trần Thị Năm', ownerContact: '0902 000 111', address: '3 Hẻm 12',
    consent: true, consentDate: '2026-11-20', sharing: 'recorded_only', position: null, source: { type: 'pull', url },
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  assert.equal((await api('POST', '/api/residents/res-rec/status', { status: 'approved' })).status, 200);
  await waitFor('recorded', () => recorderState('res-rec') === 'recording', 30000);
  await page.reload();
  await page.locator('ww-header [data-mode="live"]').click();
  assert.equal(await page.locator('ww-camera-list [data-camera-id="res-rec"]').count(), 0, 'not on the live list');
  await page.locator('ww-header [data-mode="review"]').click();
  const pick = page.locator('ww-review [data-review-camera="res-rec"]');
  await waitFor('offered in review', async () => (await pick.count()) === 1, 10000, 200);
  assert.match(await page.locator('ww-review label.cam').filter({ has: page.locator('[data-review-camera="res-rec"]') }).innerText(), /chỉ ghi hình/);
});
