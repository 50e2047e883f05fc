/**
 * ONVIF discovery in the admin page, in Chromium, on the real system with accounts, against the
 * loopback ONVIF responder (testing/onvif): Discover with the responder's address:port (multicast
 * is sent too but may not route on loopback), a wrong password shows the coded refusal, the right
 * one shows the profiles with the suggested main and sub streams and clears the password field,
 * Add creates the camera, which goes live and appears in the Manage cameras list above. The password goes over the wire once (to /profiles) and
 * comes back in no reply.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestSystem, waitFor, TEST_ADMIN_PASSWORD, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, signInBrowser } from '@wardwall/testing/browser';
import { startOnvifResponder, type OnvifResponder } from '@wardwall/testing/onvif';

const PASSWORD = 'Onvif-e2e-Secr3t';
let sys: TestSystem;
let cam: OnvifResponder;
let browser: Browser;

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1, auth: true });
  const rtsp = `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live`;
  cam = await startOnvifResponder({ user: 'onvif-admin', password: PASSWORD, noPtz: true, streams: { main: `${rtsp}/demo-1`, sub: `${rtsp}/demo-2` }, discovery: { name: 'Cổng chính', hardware: 'WW-ONVIF' } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cam?.close();
  await sys?.close();
});

test('Discover, read the profiles (wrong then right password), Add: the camera goes live', { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await signInBrowser(ctx, sys.url, 'admin', TEST_ADMIN_PASSWORD);
    const page = await ctx.newPage();
    const sent: string[] = [];
    const replies: Promise<string>[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/admin/onvif/')) sent.push(`${new URL(r.url()).pathname} ${r.postData() ?? ''}`);
    });
    page.on('response', (r) => {
      if (r.url().includes('/api/')) replies.push(r.text().catch(() => ''));
    });
    await page.goto(sys.url);
    await page.locator('ww-header [data-mode="admin"]').click();
    const onvif = page.locator('ww-admin ww-onvif');
    await onvif.locator('[data-onvif-address]').fill(`127.0.0.1:${cam.discoveryPort}`);
    await onvif.locator('[data-action="onvif-discover"]').click();
    const device = onvif.locator(`li[data-device="${cam.endpoint}"]`);
    await device.waitFor({ timeout: 20_000 });
    assert.match((await device.textContent()) ?? '', /Cổng chính[\s\S]*WW-ONVIF/);

    await device.locator('[data-onvif-user]').fill('onvif-admin');
    await device.locator('[data-onvif-password]').fill('not-the-password');
    await device.locator('[data-action="onvif-read"]').click();
    await waitFor('auth refusal shown', async () => /ONVIF_AUTH/.test((await device.locator('[data-onvif-notice]').textContent().catch(() => '')) ?? ''), 15_000, 100);

    await device.locator('[data-onvif-password]').fill(PASSWORD);
    await device.locator('[data-action="onvif-read"]').click();
    await device.locator('tr[data-profile="prof-main"]').waitFor({ timeout: 15_000 });
    assert.equal(await device.locator('input[data-main="prof-main"]').isChecked(), true, 'suggested main');
    assert.equal(await device.locator('input[data-sub="prof-sub"]').isChecked(), true, 'suggested sub');
    assert.equal(await device.locator('input[data-main="prof-jpeg"]').isDisabled(), true, 'JPEG cannot be chosen');
    assert.equal(await device.locator('[data-onvif-password]').inputValue(), '', 'the password field is cleared after the read');
    assert.match((await device.locator('tr[data-profile="prof-main"]').textContent()) ?? '', /1920×1080[\s\S]*rtsp:\/\/onvif-admin:\*\*\*@127\.0\.0\.1/);
    assert.equal(await device.locator('[data-onvif-name]').inputValue(), 'Cổng chính');

    await device.locator('[data-action="onvif-add"]').click();
    await waitFor('added notice', async () => /cong-chinh/.test((await device.locator('[data-onvif-notice]').textContent().catch(() => '')) ?? ''), 15_000, 100);
    await waitFor('cong-chinh live', () => sys.sfu.cameras.info().find((c) => c.id === 'cong-chinh')?.streams.main.state === 'live', 30_000);
    await page.locator('ww-admin ww-admin-cameras [data-cam-row="cong-chinh"]').first().waitFor({ timeout: 15_000 });
    const row = sys.sfu.db.prepare('SELECT main FROM station_cameras WHERE id = ?').get('cong-chinh') as { main: string };
    assert.ok(row.main.includes(`onvif-admin:${PASSWORD}@`), 'stored with the account');

    // The password went out once (the right read) and came back in no reply.
    assert.deepEqual(sent.filter((s) => s.includes(PASSWORD)).map((s) => s.split(' ')[0]), ['/api/admin/onvif/profiles']);
    assert.ok(sent.some((s) => s.startsWith('/api/admin/onvif/add ') && s.includes('"grant":"og_') && !s.includes('password')));
    const bodies = await Promise.all(replies);
    assert.ok(bodies.length > 3);
    assert.equal(bodies.filter((b) => b.includes(PASSWORD)).length, 0, 'no reply carries the password');
  } finally {
    await ctx.close();
  }
});
