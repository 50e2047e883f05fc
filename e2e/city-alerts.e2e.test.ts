/**
 * The wards' alerts and urgent bookmarks on the command centre's wall, in Chromium (docs/city.md,
 * "Alerts and urgent bookmarks"): a real hub and ward leaf, a ward SFU whose camera the test unplugs,
 * a centre SFU with accounts and an operator's wall. The ward's "offline" alert appears in the
 * centre's alerts panel on `w1/faulty` (naming the ward's duty officer as the one to acknowledge it:
 * no acknowledge button), and leaves when the camera returns; an urgent bookmark made at the ward
 * shows as an urgent bar naming the ward, without its note.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLogger } from '@wardwall/server-kit';
import { FaultCamera } from '@wardwall/endpoint/demo';
import { passwordFile, startCity, type TestCity } from '@wardwall/testing/city';
import { createUser, startTestSystem, waitFor, wsClient, type TestSystem, type WsClient } from '@wardwall/testing/system';
import { launchChromium, openPage, signInBrowser } from '@wardwall/testing/browser';

const WARD = 'w1';
let city: TestCity;
let ward: TestSystem;
let centre: TestSystem;
let cam: FaultCamera;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let wardOp: WsClient;


before(async () => {
  city = await startCity([WARD]);
  const w = city.wards.get(WARD)!;
  const secrets = mkdtempSync(join(tmpdir(), 'wardwall-city-alerts-'));
  centre = await startTestSystem({
    workers: 1,
    auth: true,
    patch: (raw) => {
      raw.demo = { enabled: false };
      raw.city = { role: 'centre', nats: { url: `nats://127.0.0.1:${city.hubClientPort}`, user: city.centreUser.user, passwordFile: passwordFile(secrets, 'centre', city.centreUser.password) } };
    },
  });
  ward = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    cameras: [{ id: 'faulty', name: 'Cổng chợ', main: '{rtsp}/faulty' }],
    health: { settleMs: 3000 },
    patch: (raw) => {
      raw.city = { role: 'ward', ward: { id: WARD, name: 'Phường 1' }, nats: { url: `nats://127.0.0.1:${w.clientPort}`, user: w.local.user, passwordFile: passwordFile(secrets, 'ward', w.local.password) } };
    },
  });
  cam = new FaultCamera(FaultCamera.spec('faulty', ward.embedded.publishUrl('faulty')), createLogger('test', 'warn'));
  cam.start();
  await createUser(centre, { username: 'op', role: 'operator' });
  browser = await launchChromium();
  context = await browser.newContext();
  await signInBrowser(context, centre.url, 'op', 'op-password');
  page = await openPage(context, { width: 1280, height: 800 });
  wardOp = await wsClient(ward.url);
  assert.equal(((await wardOp.request({ type: 'hello' })) as { ok?: boolean }).ok, true);
});

after(async () => {
  wardOp?.ws.terminate();
  await browser?.close();
  await cam?.stop().catch(() => undefined);
  await centre?.close().catch(() => undefined);
  await ward?.close().catch(() => undefined);
  await city?.stop();
});

test('a ward\'s alert and urgent bookmark on the centre\'s wall', { timeout: 180_000 }, async () => {
  await waitFor('the ward camera live at the centre', () => centre.sfu.city.centre!.directory.view().find((x) => x.ward === WARD)?.cameras.find((c) => c.id === 'faulty')?.state === 'live', 60_000, 200);
  await waitFor('no alert open at the ward', () => ward.sfu.health.store.unclosed().length === 0, 30_000, 100);
  await page.goto(centre.url);
  await page.locator('ww-alerts').first().waitFor({ timeout: 20_000 });

  await cam.stop();
  const row = page.locator('ww-alerts li[data-camera="w1/faulty"][data-kind="offline"]');
  await row.first().waitFor({ timeout: 30_000 });
  assert.equal(await row.first().getAttribute('data-state'), 'open');
  assert.equal(await row.locator('[data-action="ack"]').count(), 0, 'a ward\'s alert is acknowledged at the ward');
  assert.equal(await row.locator('.at-ward').first().getAttribute('data-ward'), WARD);
  assert.match((await row.first().textContent()) ?? '', /Phường xác nhận/);

  // Acknowledged at the ward: the row says who did it.
  const local = ward.sfu.health.store.unclosed().find((a) => a.cameraId === 'faulty' && a.kind === 'offline')!;
  assert.equal(((await wardOp.request({ type: 'alertAck', alertId: local.id })) as { ok?: boolean }).ok, true);
  await page.locator('ww-alerts li[data-camera="w1/faulty"][data-state="acknowledged"]').first().waitFor({ timeout: 15_000 });

  // The camera back: the row leaves.
  cam.start();
  await page.locator('ww-alerts li[data-camera="w1/faulty"]').first().waitFor({ state: 'detached', timeout: 30_000 });

  // An urgent bookmark at the ward: an urgent bar at the centre naming the ward, without the note.
  const t0 = Date.now() - 5000;
  const r = await wardOp.request({ type: 'bookmarksPush', changes: [{ entity: 'bookmark', id: 'bm-e2e-1', fields: { cameras: ['faulty'], startMs: t0, endMs: t0 + 3000, title: 'Người lạ đeo khẩu trang', note: 'ghi chú nội bộ', urgent: true }, times: {} }] });
  assert.equal((r as { ok?: boolean }).ok, true, JSON.stringify(r));
  const bar = page.locator('[data-urgent-notice="w1#bm-e2e-1"]');
  await bar.first().waitFor({ timeout: 15_000 });
  const text = (await bar.first().textContent()) ?? '';
  assert.match(text, /Người lạ đeo khẩu trang/);
  assert.match(text, /Phường 1|w1/);
  assert.doesNotMatch(text, /ghi chú/);
  await page.screenshot({ path: join(tmpdir(), 'wardwall-city-alerts.png') });
});
