/**
 * Managing cameras in the admin page, in Chromium on the real system (embedded endpoint + demo
 * cameras, GStreamer ingest, mediasoup): an administrator adds a camera, its Test shows the codec,
 * the size, the decision (passthrough, why) and a snapshot; saved, it appears in the camera list
 * and plays on the wall next to a camera that kept playing. The camera's password appears nowhere
 * in the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, openPage, signInBrowser } from '@wardwall/testing/browser';
import { assertPlaying } from '@wardwall/testing/tiles';

const PASSWORD = 'Wall-e2e-Secr3t';
let sys: TestSystem;
let browser: Browser;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1, auth: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

test('an admin adds a camera: Test shows codec and decision with a snapshot; it plays on the wall', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await signInBrowser(context, sys.url, 'admin', TEST_ADMIN_PASSWORD);
  const page = await openPage(context);
  await page.goto(sys.url);
  await page.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
  await assertPlaying(page, ['demo-1'], 'before the change');

  await page.locator('ww-header [data-mode="admin"]').click();
  await page.locator('ww-admin-cameras tr[data-cam-row="demo-1"]').waitFor();
  await page.locator('ww-admin-cameras [data-action="cam-add"]').click();
  await page.locator('ww-admin-cameras [data-cam-field="name"]').fill('Cổng sau');
  await page.locator('ww-admin-cameras [data-cam-field="main"]').fill(`rtsp://station:${PASSWORD}@127.0.0.1:${sys.config.endpoint.rtspPort}/live/demo-2`);
  await page.locator('ww-admin-cameras [data-action="cam-test"]').click();
  const result = page.locator('ww-admin-cameras [data-cam-test]');
  await result.waitFor({ timeout: 30000 });
  assert.equal(await result.getAttribute('data-mode'), 'passthrough');
  assert.equal(await page.locator('ww-admin-cameras [data-cam-codec]').textContent(), 'H264');
  // Vietnamese by default: "chuyển thẳng (trình duyệt phát được nguyên bản)".
  assert.match((await page.locator('ww-admin-cameras [data-cam-decision]').textContent()) ?? '', /chuyển thẳng.*trình duyệt phát được nguyên bản/);
  assert.match((await result.textContent()) ?? '', /\d+×\d+/);
  const snapshot = page.locator('ww-admin-cameras img[data-cam-snapshot]');
  await waitFor('snapshot decoded', () => snapshot.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), 10000, 100);

  await page.locator('ww-admin-cameras [data-action="cam-save"]').click();
  const row = page.locator('ww-admin-cameras tr[data-cam-row="cong-sau"]');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /rtsp:\/\/station:\*\*\*@/);
  assert.equal((await page.content()).includes(PASSWORD), false);
  assert.equal(await page.evaluate(() => document.documentElement.outerHTML.includes('Secr3t')), false);

  // Back on the wall: the new camera is listed and plays; demo-1 kept playing.
  await page.locator('ww-header [data-mode="live"]').click();
  await page.locator('ww-camera-list [data-camera-id="cong-sau"]').first().click();
  await assertPlaying(page, ['demo-1', 'cong-sau'], 'after adding a camera', 2000, 40000);
  await context.close();
});
