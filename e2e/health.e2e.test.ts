/**
 * Camera health end to end in Chromium on the real system: a synthetic camera (ffmpeg → RTSP
 * endpoint → GStreamer → mediasoup, recorded by the real recorder) turns black; the tile shows the
 * badge and the alerts panel lists it; the operator acknowledges it from the UI (who and when
 * shown, kept on the server); the history dialog lists it; restoring the picture clears badge and
 * list; the review timeline draws the outage as a band. The sound toggle is off by default and
 * persists. A moved camera's alert offers "accept the current view": clicking it closes the alert
 * and the camera learns the new view (no alert comes back).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createLogger } from '@wardwall/server-kit';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { FaultCamera } from '@wardwall/endpoint/demo';
import { launchChromium, openPage } from '@wardwall/testing/browser';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';

let sys: TestSystem;
let cam: FaultCamera;
let browser: Browser;
let page: Page;

before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, cameras: [{ id: 'faulty', name: 'Camera thử lỗi', main: '{rtsp}/faulty', position: { x: 300, y: 300, heading: 90 } }] });
  cam = new FaultCamera(FaultCamera.spec('faulty', sys.embedded.publishUrl('faulty')), createLogger('test', 'warn'));
  cam.start();
  await waitFor('reference learned', () => sys.sfu.health.monitor!.learned('faulty'), 60000, 200);
  browser = await launchChromium();
  page = await openPage(browser, { width: 1280, height: 800 });
});
after(async () => {
  await browser?.close();
  await cam?.stop();
  await sys?.close();
});

const tile = () => page.locator('ww-tile[camera-id="faulty"]');
const frames = async () => Number(await tile().getAttribute('frames'));
const row = (kind: string) => page.locator(`ww-alerts li[data-camera="faulty"][data-kind="${kind}"]`);
let blackAlertAt = 0;

test('a black camera shows a badge on its tile and in the alerts panel; acknowledged from the UI', async () => {
  await page.goto(sys.sfu.url);
  await page.locator('[data-layout="2x2"]').first().click();
  await page.locator('ww-camera-list [data-camera-id="faulty"]').first().click();
  await waitFor('tile playing', async () => (await tile().getAttribute('state')) === 'playing' && (await frames()) > 0, 20000, 200);
  assert.equal(await page.locator('ww-alerts input[data-action="sound"]').isChecked(), false, 'sound is off by default');
  assert.equal(await tile().getAttribute('health'), null);

  blackAlertAt = Date.now();
  cam.setScene('black');
  await waitFor('badge on the tile', async () => (await tile().getAttribute('health')) === 'black', 20000, 200);
  // …and on the camera's marker on the ward map.
  await waitFor('badge on the map', async () => (await page.locator('ww-map g.cam[data-camera="faulty"]').getAttribute('data-alert')) === 'black', 10000, 200);
  assert.match(await tile().locator('.health').innerText(), /Hình đen/);
  await waitFor('listed in the panel', async () => (await row('black').getAttribute('data-state')) === 'open', 5000, 200);
  assert.match(await row('black').innerText(), /Camera thử lỗi/);

  await row('black').locator('[data-action="ack"]').click();
  await waitFor('acknowledged in the panel', async () => (await row('black').getAttribute('data-state')) === 'acknowledged', 5000, 200);
  assert.match(await row('black').innerText(), /Đã xác nhận: local/);
  const stored = sys.sfu.health.store.unclosed().find((a) => a.cameraId === 'faulty' && a.kind === 'black')!;
  assert.equal(stored.state, 'acknowledged');
  assert.equal(stored.ackedBy, 'local');
  assert.ok(stored.ackedAt! >= blackAlertAt);
  assert.equal(await tile().locator('.health.acked').count(), 1, 'the badge shows it is acknowledged');
});

test('the health history dialog lists the incident', async () => {
  await row('black').locator('[data-action="history"]').click();
  const dialog = page.locator('ww-health-history [data-history-camera="faulty"]');
  await waitFor('history row', async () => (await dialog.locator('tr[data-kind="black"]').count()) === 1, 5000, 200);
  assert.match(await dialog.innerText(), /đang diễn ra/);
  await dialog.locator('button.close').click();
  assert.equal(await page.locator('ww-health-history').count(), 0);
});

test('restoring the picture clears the badge and the list; the video keeps moving', async () => {
  cam.setScene('normal');
  await waitFor('badge gone', async () => (await tile().getAttribute('health')) === null, 20000, 200);
  await waitFor('map badge gone', async () => (await page.locator('ww-map g.cam[data-camera="faulty"]').getAttribute('data-alert')) === '', 10000, 200);
  await waitFor('list empty', async () => (await row('black').count()) === 0, 5000, 200);
  assert.equal(sys.sfu.health.store.history('faulty', 0, Date.now() + 1, 10)[0]!.state, 'closed');
  const a = await frames();
  await new Promise((r) => setTimeout(r, 2000));
  assert.ok((await frames()) - a >= 10, 'decoded frames keep coming');
});

test('a moved camera: "accept the current view" closes the alert and the new view is learned', async () => {
  // Only unclosed moved/defocused alerts offer it.
  assert.equal(await page.locator('ww-alerts [data-action="relearn"]').count(), 0);
  cam.setScene('moved');
  await waitFor('moved alert in the panel', async () => (await row('moved').count()) === 1, 30000, 200);
  const button = row('moved').locator('[data-action="relearn"]');
  assert.match(await button.innerText(), /Nhận khung hình hiện tại làm chuẩn/);
  const before = Date.now();
  await button.click();
  await waitFor('moved alert gone from the panel', async () => (await row('moved').count()) === 0, 10000, 200);
  await waitFor('tile badge gone', async () => (await tile().getAttribute('health')) === null, 10000, 200);
  const moved = sys.sfu.health.store.history('faulty', before - 60_000, Date.now() + 1, 20).find((a) => a.kind === 'moved')!;
  assert.equal(moved.state, 'closed');
  assert.ok(moved.closedAt! >= before);
  assert.equal(sys.sfu.audit.query({ action: 'health_relearn', limit: 5 }).entries[0]?.camera, 'faulty', 'audited');
  await waitFor('new view learned', () => sys.sfu.health.monitor!.learned('faulty'), 60000, 200);
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(await row('moved').count(), 0, 'the accepted view raises no alert');
  assert.equal(sys.sfu.health.store.unclosed().filter((a) => a.cameraId === 'faulty').length, 0);
});

test('the sound toggle persists across a reload', async () => {
  await page.locator('ww-alerts input[data-action="sound"]').check();
  assert.equal(await page.evaluate(() => localStorage.getItem('wardwall.alertSound')), '1');
  await page.reload();
  await waitFor('panel back', async () => (await page.locator('ww-alerts input[data-action="sound"]').count()) === 1, 10000, 200);
  assert.equal(await page.locator('ww-alerts input[data-action="sound"]').isChecked(), true);
  await page.locator('ww-alerts input[data-action="sound"]').uncheck();
});

test('the review timeline draws the outage as a band; English labels', async () => {
  await page.locator('[data-lang="en"]').first().click().catch(() => undefined);
  await page.locator('[data-mode="review"]').first().click();
  await page.locator('[data-review-camera="faulty"]').check();
  const start = blackAlertAt - 20_000;
  await page.locator('ww-review [data-field="date"]').fill(hcmDateInput(start));
  await page.locator('ww-review [data-field="time"]').fill(hcmTimeText(start));
  await page.locator('ww-review [data-action="open"]').click();
  const band = page.locator('ww-timeline [data-timeline-camera="faulty"] .outage');
  await waitFor('outage band', async () => (await band.count()) >= 1, 15000, 200);
  const black = sys.sfu.health.store.history('faulty', 0, Date.now() + 1, 10).find((x) => x.kind === 'black')!;
  // The window may also hold the camera's brief 'offline' at its start (probed before it published):
  // one of the bands covers the black alert.
  const bands: { startMs: number; endMs: number; title: string }[] = [];
  for (let i = 0; i < (await band.count()); i++) {
    const b = band.nth(i);
    bands.push({ startMs: Number(await b.getAttribute('data-outage-start')), endMs: Number(await b.getAttribute('data-outage-end')), title: (await b.getAttribute('title')) ?? '' });
  }
  const covering = bands.find((b) => b.startMs <= black.openedAt + 1 && b.endMs >= black.closedAt! - 1);
  assert.ok(covering, `a band covers the black alert ${black.openedAt}..${black.closedAt}: ${JSON.stringify(bands)}`);
  assert.match(covering.title, /^Camera outage/);
});
