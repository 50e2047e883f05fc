/**
 * A duty officer's wall in Chromium on the real system (demo cameras → GStreamer → mediasoup, the
 * recorder, accounts and the station's default wall in the SFU's SQLite):
 * - the first sign-in shows cameras (no empty 2×2 grid); an administrator's default wall, set on
 *   the admin page, is what a new user starts with, filtered to the cameras that user may watch;
 * - the live watermark is discreet (sparse, faint) and the picture under it stays readable: the
 *   demo camera's burned-in timestamp strip is decoded from screenshots of the composited tile
 *   (video + watermark, as presented on screen);
 * - links: the address bar carries the view (layout, tiles, review cameras and time, follow centre),
 *   back/forward and reload restore it, "copy link" copies a link that opens the same view, a link
 *   naming a camera the user may not watch gets a coded refusal (never an empty wall), and an alert
 *   push (and the health webhook) carries a link that opens the camera's review at the alert time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseLinkTime } from '@wardwall/common/wall-link';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';
import { decodeStripFromRgba } from '@wardwall/common';
import { launchChromium, signInBrowser, openPage } from '@wardwall/testing/browser';
import { assertPlaying, readTiles, shownCameras } from '@wardwall/testing/tiles';

let sys: TestSystem;
let browser: Browser;
let hook: Server;
const webhookBodies: Record<string, unknown>[] = [];
const LAN = { username: 'lan', password: 'lan-password-1', displayName: 'Lê Thị Lan' };

before(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        webhookBodies.push(JSON.parse(body) as Record<string, unknown>);
      } catch {
        /* not JSON: not counted */
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookPort = (hook.address() as { port: number }).port;
  sys = await startTestSystem({
    demoCount: 4,
    withSub: 0,
    workers: 1,
    recorder: true,
    auth: true,
    publicUrl: 'self',
    wall: { firstWall: true },
    health: { webhook: { url: `http://127.0.0.1:${hookPort}/hook`, retryBackoffMs: [200] } },
  });
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 40000);
  // Lan may watch demo-1 and demo-3 (and review them), nothing else.
  await createUser(sys, {
    ...LAN,
    role: 'operator',
    cameraRules: [
      { camera: '*', permissions: [] },
      { camera: 'demo-1', permissions: ['live', 'playback'] },
      { camera: 'demo-3', permissions: ['live', 'playback'] },
    ],
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await sys?.close();
  hook?.close();
});

async function signedInPage(username: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(sys.url).origin });
  await signInBrowser(context, sys.url, username, password);
  const page = await openPage(context);
  return { context, page };
}

const search = (page: Page): Promise<string> => page.evaluate(() => location.search);
const linkNotice = (page: Page) => page.locator('ww-app [data-link-notice]');

let adminPage: Page;
let adminContext: BrowserContext;

test('first sign-in: the wall already shows the first cameras (no empty grid)', async () => {
  ({ context: adminContext, page: adminPage } = await signedInPage('admin', TEST_ADMIN_PASSWORD));
  await adminPage.goto(sys.url);
  await waitFor('four tiles with cameras', async () => (await shownCameras(adminPage)).filter(Boolean).length === 4, 20000, 200);
  assert.deepEqual(await shownCameras(adminPage), ['demo-1', 'demo-2', 'demo-3', 'demo-4']);
  await assertPlaying(adminPage, ['demo-1', 'demo-2', 'demo-3', 'demo-4'], 'first wall');
  // The view is in the address bar from the start.
  await waitFor('address bar', async () => (await search(adminPage)) === '?mode=live&layout=2x2&cams=demo-1,demo-2,demo-3,demo-4', 5000, 100);
  // It is this browser's wall now: a reload keeps it (saved), and a plain address still shows it.
  await adminPage.goto(sys.url);
  await waitFor('same wall after a plain reload', async () => (await shownCameras(adminPage)).filter(Boolean).length === 4, 20000, 200);
});

test('an administrator sets the default wall on the admin page; a new user starts with it, filtered to her cameras', async () => {
  await adminPage.locator('ww-header [data-mode="admin"]').click();
  const dw = adminPage.locator('ww-default-wall');
  await dw.locator('[data-default-state="automatic"]').waitFor();
  await dw.locator('select[data-default-layout]').selectOption('3x3');
  await dw.locator('select[data-default-tile="0"]').selectOption('demo-3');
  await dw.locator('select[data-default-tile="1"]').selectOption('demo-2');
  await dw.locator('select[data-default-tile="2"]').selectOption('demo-1');
  await dw.locator('[data-action="default-save"]').click();
  await dw.locator('[data-default-state="station"]').waitFor();
  const stored = sys.sfu.db.prepare('SELECT layout, tiles_json, updated_by FROM wall_default').get() as { layout: string; tiles_json: string; updated_by: string };
  assert.equal(stored.layout, '3x3');
  assert.deepEqual(JSON.parse(stored.tiles_json).slice(0, 3), ['demo-3', 'demo-2', 'demo-1']);
  const audit = sys.sfu.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'wall_default_set'").get() as { n: number };
  assert.equal(audit.n, 1, 'audited');

  const { context, page } = await signedInPage(LAN.username, LAN.password);
  await page.goto(sys.url);
  await waitFor('lan sees her first wall', async () => (await readTiles(page)).length === 9, 20000, 200);
  const shown = await shownCameras(page);
  assert.deepEqual(shown.slice(0, 3), ['demo-3', '', 'demo-1'], 'the station wall without demo-2 (not hers)');
  assert.ok(shown.slice(3).every((c) => c === ''));
  await assertPlaying(page, ['demo-3', 'demo-1'], 'lan first wall');
  await context.close();
});

test('the live watermark is discreet, and the burned-in time strip under it is still read from the screen', async (t) => {
  const { context, page } = await signedInPage('admin', TEST_ADMIN_PASSWORD);
  await page.goto(`${sys.url}?mode=live&layout=1&cams=demo-2`);
  await assertPlaying(page, ['demo-2'], 'one large tile');
  const wm = page.locator('ww-tile[camera-id="demo-2"] ww-watermark');
  await waitFor('watermark drawn', async () => !!(await wm.getAttribute('data-drawn')), 5000, 100);
  assert.equal(await wm.getAttribute('data-style'), 'sparse');
  const look = await wm.evaluate((el) => {
    const canvas = el.shadowRoot!.querySelector('canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    const quarters = [0, 0, 0, 0];
    for (let i = 3; i < data.length; i += 4) {
      if (data[i]! < 128) continue;
      painted++;
      const p = (i - 3) / 4;
      quarters[(p % canvas.width < canvas.width / 2 ? 0 : 1) + (Math.floor(p / canvas.width) < canvas.height / 2 ? 0 : 2)]!++;
    }
    return { share: painted / (canvas.width * canvas.height), quarters, opacity: Number(getComputedStyle(canvas).opacity) };
  });
  assert.ok(look.share > 0.002 && look.share < 0.05, `a few copies, not a pattern over the picture: ${(look.share * 100).toFixed(2)} % of pixels`);
  assert.ok(look.quarters.every((q) => q > 0), 'a copy in each quarter (a cropped photo still names the viewer)');
  assert.ok(Math.abs(look.opacity - 0.18) < 0.01, `faint (opacity ${look.opacity})`);

  // The composited picture, as on screen: the video's content box (object-fit: contain) with the watermark over it.
  const box = await page.locator('ww-tile[camera-id="demo-2"]').evaluate((tile) => {
    const v = tile.shadowRoot!.querySelector('video')!;
    const r = v.getBoundingClientRect();
    const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
    const w = v.videoWidth * scale;
    const h = v.videoHeight * scale;
    return { x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, width: w, height: h };
  });
  assert.ok(box.width > 600, `a large tile (${Math.round(box.width)} px wide)`);
  let decoded = 0;
  const times: number[] = [];
  const started = Date.now();
  for (let i = 0; i < 10; i++) {
    const png = await page.screenshot({ clip: { x: Math.ceil(box.x), y: Math.ceil(box.y), width: Math.floor(box.width) - 1, height: Math.floor(box.height) - 1 } });
    // The strip's rows of the screenshot (decoded in the page), read here with the very decoder of common/timestrip.ts.
    const rows = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      const h = Math.min(bmp.height, Math.ceil((2 * bmp.width) / 40) + 2);
      return { width: bmp.width, height: h, data: Array.from(ctx.getImageData(0, 0, bmp.width, h).data) };
    }, png.toString('base64'));
    const at = decodeStripFromRgba(Uint8ClampedArray.from(rows.data), rows.width, rows.height, Date.now());
    if (at !== null) {
      decoded++;
      times.push(at);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  t.diagnostic(`sparse watermark: ${(look.share * 100).toFixed(2)} % of the tile's pixels painted; strip decoded from ${decoded}/10 screenshots`);
  assert.ok(decoded >= 8, `the time strip decodes from ${decoded} of 10 screenshots with the watermark on`);
  // Real times of the camera (not noise that happens to check): taken during this test, and moving on.
  assert.ok(times.every((at) => at >= started - 30_000 && at <= Date.now() + 1000), `decoded times are the camera's now: ${times.map((at) => at - started).join(', ')} ms`);
  assert.ok(times.every((at, i) => i === 0 || at > times[i - 1]!), 'later screenshots show later frames');
  await context.close();
});

test('links: the view in the address bar, back/forward, reload, review time, follow centre, copy link', async () => {
  const page = adminPage;
  await page.locator('ww-header [data-mode="live"]').click();
  await waitFor('live view in the URL', async () => (await search(page)).startsWith('?mode=live&layout=2x2'), 5000, 100);
  // Layout key 1: a new history entry; back and forward move between the views.
  await page.keyboard.press('1');
  await waitFor('layout 1 in the URL', async () => (await search(page)).startsWith('?mode=live&layout=1&'), 5000, 100);
  assert.equal((await readTiles(page)).length, 1);
  await page.goBack();
  await waitFor('back: 2x2', async () => (await readTiles(page)).length === 4, 5000, 100);
  assert.match(await search(page), /^\?mode=live&layout=2x2&/);
  await page.goForward();
  await waitFor('forward: 1', async () => (await readTiles(page)).length === 1, 5000, 100);

  // A review link: the camera at an instant; the clock starts there; reload restores it.
  const at = Date.now() - 40_000;
  const reviewUrl = `${sys.url}?mode=review&cams=demo-2&at=${at}`;
  await page.goto(reviewUrl);
  const review = page.locator('ww-review');
  const reviewState = () => review.evaluate((el) => ({ cams: (el as unknown as { sessionCameras: string[] }).sessionCameras, position: (el as unknown as { position: number }).position, open: !!(el as unknown as { session: unknown }).session }));
  await waitFor('review opened from the link', async () => (await reviewState()).open, 20000, 200);
  let s = await reviewState();
  assert.deepEqual(s.cams, ['demo-2']);
  assert.ok(Math.abs(s.position - at) < 3000, `review clock at the link's time (${s.position - at} ms off)`);
  await waitFor('review view in the URL', async () => (await search(page)).startsWith('?mode=review&cams=demo-2&at='), 5000, 100);
  const urlAt = parseLinkTime(new URLSearchParams(await search(page)).get('at')!)!;
  assert.ok(Math.abs(urlAt - at) < 5000, 'the URL carries the review time');
  await page.reload();
  await waitFor('review restored after reload', async () => (await page.locator('ww-review').count()) === 1 && (await reviewState()).open, 20000, 200);
  s = await reviewState();
  assert.deepEqual(s.cams, ['demo-2']);
  assert.ok(Math.abs(s.position - urlAt) < 3000, 'reload restores the review time');

  // Copy link: the clipboard holds a link to this view, which opens the same view in another tab.
  await page.locator('ww-header [data-action="copy-link"]').click();
  await page.locator('ww-app [data-link-notice="copied"]').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^http:\/\/127\.0\.0\.1:\d+\/\?mode=review&cams=demo-2&at=\d{8}-\d{6}/);
  const other = await adminContext.newPage();
  await other.goto(copied);
  await waitFor('the copied link opens the review', async () => (await other.locator('ww-review').count()) === 1 && (await other.locator('ww-review').evaluate((el) => (el as unknown as { sessionCameras: string[] }).sessionCameras.join(','))) === 'demo-2', 20000, 200);
  await other.close();

  // Follow: the centre is in the link; back returns to the review.
  await page.locator('ww-header [data-mode="follow"]').click();
  await page.locator('ww-follow').waitFor();
  await page.evaluate(() => (document.querySelector('ww-app')!.shadowRoot!.querySelector('ww-follow') as unknown as { follow(id: string): void }).follow('demo-3'));
  await waitFor('follow centre in the URL', async () => (await search(page)) === '?mode=follow&centre=demo-3', 5000, 100);
  await page.reload();
  await waitFor('follow restored after reload', async () => (await page.locator('ww-follow').getAttribute('centre')) === 'demo-3', 20000, 200);
  await page.goto(`${sys.url}?mode=follow&centre=demo-4`);
  await waitFor('follow from a link', async () => (await page.locator('ww-follow').getAttribute('centre')) === 'demo-4', 20000, 200);
  await page.goBack();
  await waitFor('back to the previous follow view', async () => (await page.locator('ww-follow').getAttribute('centre')) === 'demo-3', 20000, 200);
  await page.evaluate(() => (document.querySelector('ww-app')!.shadowRoot!.querySelector('ww-follow') as unknown as { stop(): void }).stop());
});

test('a link naming a camera the user may not watch: a coded refusal, never an empty wall', async () => {
  const { context, page } = await signedInPage(LAN.username, LAN.password);
  // Part of the link is hers: the rest is shown, the forbidden camera named in the refusal.
  await page.goto(`${sys.url}?mode=live&layout=2x2&cams=demo-2,demo-1`);
  await linkNotice(page).waitFor();
  assert.equal(await linkNotice(page).getAttribute('data-code'), 'LINK_CAMERA_FORBIDDEN');
  assert.equal(await linkNotice(page).getAttribute('data-link-notice'), 'refused');
  assert.match((await linkNotice(page).textContent()) ?? '', /không được xem.*demo-2/s);
  assert.deepEqual(await shownCameras(page), ['', 'demo-1', '', '']);
  await assertPlaying(page, ['demo-1'], 'the allowed camera of the link');
  // Nothing of the link is hers: refused, and her wall stays as it was (her first wall).
  await page.goto(`${sys.url}?mode=live&layout=1&cams=demo-2`);
  await linkNotice(page).waitFor();
  assert.equal(await linkNotice(page).getAttribute('data-link-notice'), 'refusedAll');
  assert.equal(await page.locator('ww-app .link-notice.refusal[role="alert"]').count(), 1);
  const shown = (await shownCameras(page)).filter(Boolean);
  assert.ok(shown.length > 0 && !shown.includes('demo-2'), `her wall, not an empty one: ${shown.join(',')}`);
  // A review link for a camera she may not review: refused too, in English when she chose it.
  await page.locator('ww-header [data-lang="en"]').click().catch(() => undefined);
  await page.goto(`${sys.url}?mode=review&cams=demo-4&at=${Date.now() - 30_000}`);
  await linkNotice(page).waitFor();
  assert.equal(await linkNotice(page).getAttribute('data-code'), 'LINK_CAMERA_FORBIDDEN');
  await context.close();
});

test('an alert push and the webhook carry a link that opens the camera at the alert time', async () => {
  const page = adminPage;
  await page.goto(`${sys.url}?mode=live&layout=2x2&cams=demo-1,demo-2,demo-3,demo-4`);
  await assertPlaying(page, ['demo-4'], 'before the outage');
  await sys.embedded.demo!.stop('demo-4');
  try {
    const row = page.locator('ww-alerts li[data-camera="demo-4"][data-kind="offline"]');
    await row.waitFor({ timeout: 20000 });
    const href = (await row.locator('a[data-action="alert-link"]').getAttribute('href'))!;
    const alert = sys.sfu.health.store.unclosed().find((a) => a.cameraId === 'demo-4' && a.kind === 'offline')!;
    assert.ok(alert, 'alert stored');
    const base = sys.url.replace(/\/$/, '');
    assert.ok(href.startsWith(`${base}/?mode=review&cams=demo-4&at=`), href);
    assert.equal(parseLinkTime(new URL(href).searchParams.get('at')!), alert.openedAt, 'the link names the alert time');
    await waitFor('webhook delivered', () => webhookBodies.some((b) => (b.alert as { id: number }).id === alert.id), 10000, 100);
    const body = webhookBodies.find((b) => (b.alert as { id: number }).id === alert.id)!;
    assert.equal(body.link, href, 'the webhook carries the same absolute link');
    assert.equal(body.linkPath, href.slice(base.length));
    // The push's link opens the review of that camera at the alert time, in the page.
    await row.locator('a[data-action="alert-link"]').click();
    const review = page.locator('ww-review');
    await waitFor('review of the alert', async () => (await review.count()) === 1 && (await review.evaluate((el) => !!(el as unknown as { session: unknown }).session)), 20000, 200);
    const s = await review.evaluate((el) => ({ cams: (el as unknown as { sessionCameras: string[] }).sessionCameras, position: (el as unknown as { position: number }).position }));
    assert.deepEqual(s.cams, ['demo-4']);
    assert.ok(Math.abs(s.position - alert.openedAt) < 3000, `review at the alert time (${s.position - alert.openedAt} ms off)`);
    // The address bar holds the review (its clock may start up to 2 s before now: a recent alert).
    const shownAt = parseLinkTime(new URLSearchParams(await search(page)).get('at') ?? '');
    assert.match(await search(page), /^\?mode=review&cams=demo-4&at=/);
    assert.ok(shownAt !== null && Math.abs(shownAt - alert.openedAt) < 3000);
  } finally {
    sys.embedded.demo!.start('demo-4');
  }
});
