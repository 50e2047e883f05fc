/**
 * Access control in Chromium on the real system (demo cameras → RTSP → GStreamer → mediasoup → the
 * wall, accounts in the SFU's SQLite): sign-in errors (wrong password, lock-out with its countdown),
 * a user with rights on some cameras only sees and plays only those, the viewer watermark is over
 * every tile with the user's name and the ticking Vietnam time, signing out tears the wall down
 * (no wall in the page, the API answers 401, the socket is closed), a revoked session's socket
 * (4401) brings the login page back, an admin creates a user in the admin page who can then sign
 * in, and the audit page lists that sign-in with its hash.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, PAGE_SHIM } from '@wardwall/testing/browser';
import { hcmDateInput, hcmParts } from '@wardwall/client/core/hcm-time';

let sys: TestSystem;
let browser: Browser;
const ALLOWED = ['demo-1', 'demo-3'];
const TUAN = { username: 'tuan', password: 'tuan-password', displayName: 'Trần Văn Tuấn' };
let tuanId = '';

/** Records every WebSocket the page opens (and how it closed), before any page script runs. */
const SOCKET_SPY = `
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      const rec = { ws: this, closeCode: null };
      window.__sockets.push(rec);
      this.addEventListener('close', (e) => (rec.closeCode = e.code));
    }
  };
`;

before(async () => {
  sys = await startTestSystem({ demoCount: 3, workers: 1, auth: { lockout: { maxFailuresPerUser: 3, lockoutMs: 90_000 } } });
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  // Rights on demo-1 (live) and demo-3 (live, playback) only: '*' with nothing refines the role.
  tuanId = await createUser(sys, {
    ...TUAN,
    role: 'operator',
    cameraRules: [
      { camera: '*', permissions: [] },
      { camera: 'demo-1', permissions: ['live'] },
      { camera: 'demo-3', permissions: ['live', 'playback'] },
    ],
  });
  await createUser(sys, { username: 'locky', password: 'locky-password', role: 'viewer' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.addInitScript(PAGE_SHIM);
  await page.addInitScript(SOCKET_SPY);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return { context, page };
}

async function login(page: Page, username: string, password: string): Promise<void> {
  await page.locator('ww-login input[name="username"]').fill(username);
  await page.locator('ww-login input[name="password"]').fill(password);
  await page.locator('ww-login [data-action="login"]').click();
}

interface TileState {
  camera: string;
  state: string;
  frames: number;
}
const tiles = (page: Page): Promise<TileState[]> =>
  page.locator('ww-tile').evaluateAll((els) => els.map((e) => ({ camera: e.getAttribute('camera-id') ?? '', state: e.getAttribute('state') ?? '', frames: Number(e.getAttribute('frames') ?? 0) })));

async function assertPlaying(page: Page, cams: string[]): Promise<void> {
  await waitFor('tiles playing', async () => {
    const ts = await tiles(page);
    return cams.every((c) => ts.some((t) => t.camera === c && t.state === 'playing' && t.frames > 0));
  }, 20000, 200);
  const a = await tiles(page);
  await new Promise((r) => setTimeout(r, 2000));
  const b = await tiles(page);
  for (const c of cams) {
    const d = b.find((t) => t.camera === c)!.frames - a.find((t) => t.camera === c)!.frames;
    assert.ok(d >= 10, `${c} decoded ${d} frames in 2 s`);
  }
}

/** `dd/MM/yyyy HH:mm:ss` (Vietnam time) → ms. */
function parseWatermarkTime(text: string): number {
  const m = /(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  assert.ok(m, `a time in "${text}"`);
  return Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - 7 * 3600_000;
}

test('sign-in: Vietnamese by default, English on request, wrong password and lock-out with the remaining time', async () => {
  const { context, page } = await newPage();
  await page.goto(sys.url);
  await page.locator('ww-login input[name="username"]').waitFor();
  assert.equal(await page.locator('ww-app').count(), 0, 'no wall before signing in');
  assert.equal((await page.locator('ww-login [data-action="login"]').textContent())?.trim(), 'Đăng nhập');
  await page.locator('ww-login [data-lang="en"]').click();
  assert.equal((await page.locator('ww-login [data-action="login"]').textContent())?.trim(), 'Sign in');
  await page.locator('ww-login [data-lang="vi"]').click();

  await login(page, 'locky', 'wrong-password');
  await page.locator('ww-login [data-error="BAD_CREDENTIALS"]').waitFor();
  assert.match((await page.locator('ww-login [data-error]').textContent()) ?? '', /sai tên đăng nhập hoặc mật khẩu/);
  await login(page, 'locky', 'wrong-password');
  await login(page, 'locky', 'wrong-password');
  // Locked now, even with the right password; the message counts down from 1:30.
  await login(page, 'locky', 'locky-password');
  await page.locator('ww-login [data-error="LOCKED_OUT"]').waitFor();
  const text = (await page.locator('ww-login [data-error]').textContent()) ?? '';
  const m = /(\d+):(\d{2})/.exec(text);
  assert.ok(m, `remaining time in "${text}"`);
  const left = +m[1]! * 60 + +m[2]!;
  assert.ok(left > 60 && left <= 91, `${left} s of the 90 s lock left`);
  assert.ok(await page.locator('ww-login [data-action="login"]').isDisabled(), 'the button waits for the lock to end');
  assert.equal(await page.locator('ww-app').count(), 0);
  await context.close();
});

let tuan: { context: BrowserContext; page: Page };

test('a user with rights on some cameras sees and plays only those, each tile watermarked with the name and the time', async () => {
  tuan = await newPage();
  const { page } = tuan;
  await page.goto(sys.url);
  await login(page, TUAN.username, TUAN.password);
  await page.locator('ww-app').waitFor();
  assert.equal(await page.locator('ww-header [data-user]').getAttribute('data-user'), 'tuan');
  assert.match((await page.locator('ww-header .user-name').textContent()) ?? '', /Trần Văn Tuấn/);
  // Only the permitted cameras are listed.
  await waitFor('camera list', async () => (await page.locator('ww-camera-list [data-camera-id]').count()) > 0);
  const listed = await page.locator('ww-camera-list [data-camera-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-camera-id')));
  assert.deepEqual(listed.sort(), ALLOWED);
  // Pages: live and follow (live rights), review for demo-3's playback right, displays (an
  // operator's control right); no admin, no resident cameras, no audit.
  const modes = await page.locator('ww-header [data-mode]').evaluateAll((els) => els.map((e) => e.getAttribute('data-mode')));
  assert.deepEqual(modes, ['live', 'follow', 'review', 'displays']);

  await page.locator('[data-layout="2x2"]').first().click();
  for (const cam of ALLOWED) await page.locator(`ww-camera-list [data-camera-id="${cam}"]`).click();
  // A camera without the right cannot be put on the wall, even through the app.
  await page.evaluate(() => (window as unknown as { __wardwall: { app: { putCamera(i: number, c: string): void } } }).__wardwall.app.putCamera(3, 'demo-2'));
  await assertPlaying(page, ALLOWED);
  assert.deepEqual((await tiles(page)).map((t) => t.camera).filter(Boolean).sort(), ALLOWED);

  // The watermark: over every playing tile, the viewer's name and the current Vietnam time.
  for (const cam of ALLOWED) {
    const wm = page.locator(`ww-tile[camera-id="${cam}"] ww-watermark`);
    const look = await wm.evaluate((el) => {
      const canvas = el.shadowRoot!.querySelector('canvas')!;
      const tile = (el.getRootNode() as ShadowRoot).host.getBoundingClientRect();
      const box = canvas.getBoundingClientRect();
      // Where the drawn text is: the share of painted pixels in each quarter of the tile.
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const quarters = [0, 0, 0, 0];
      for (let i = 3; i < data.length; i += 4) {
        if (data[i]! < 128) continue;
        const p = (i - 3) / 4;
        quarters[(p % canvas.width < canvas.width / 2 ? 0 : 1) + (Math.floor(p / canvas.width) < canvas.height / 2 ? 0 : 2)]!++;
      }
      const quarterPixels = (canvas.width * canvas.height) / 4;
      return {
        dataText: el.getAttribute('data-text') ?? '',
        drawn: el.getAttribute('data-drawn') ?? '',
        quarters: quarters.map((q) => q / quarterPixels),
        opacity: Number(getComputedStyle(canvas).opacity),
        pointerEvents: getComputedStyle(el).pointerEvents,
        covers: Math.abs(box.width - tile.width) <= 2 && Math.abs(box.height - tile.height) <= 2,
      };
    });
    const text = look.dataText;
    assert.match(text, /^Trần Văn Tuấn \(tuan\) · \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.ok(Math.abs(parseWatermarkTime(text) - Date.now()) < 5000, `watermark time ${text} is now`);
    assert.equal(look.drawn, text, 'the canvas shows the current line');
    assert.ok(look.quarters.every((q) => q > 0.01), `text in every quarter of the tile (survives cropping): ${look.quarters.map((q) => q.toFixed(3)).join('/')}`);
    assert.ok(look.opacity > 0.1 && look.opacity < 0.6, `semi-transparent (${look.opacity})`);
    assert.equal(look.pointerEvents, 'none');
    assert.ok(look.covers, 'covers the whole tile');
  }
  // Updated every second.
  const first = (await page.locator('ww-tile[camera-id="demo-1"] ww-watermark').getAttribute('data-drawn'))!;
  await waitFor('watermark ticks', async () => (await page.locator('ww-tile[camera-id="demo-1"] ww-watermark').getAttribute('data-drawn')) !== first, 3000, 100);
  // Zoom still works through the watermark (wheel over the tile).
  const tb = (await page.locator('ww-tile[camera-id="demo-1"]').boundingBox())!;
  await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2);
  await page.mouse.wheel(0, -200);
  assert.match(await page.locator('ww-tile[camera-id="demo-1"] .zoom').evaluate((el: HTMLElement) => el.style.transform), /scale\(1\.[5-9]/);

  // Review offers only the camera with playback, and its date picker starts at the 7-day look-back.
  await page.locator('ww-header [data-mode="review"]').click();
  await page.locator('ww-review [data-review-camera]').first().waitFor();
  const reviewable = await page.locator('ww-review [data-review-camera]').evaluateAll((els) => els.map((e) => e.getAttribute('data-review-camera')));
  assert.deepEqual(reviewable, ['demo-3']);
  assert.equal(await page.locator('ww-review input[data-field="date"]').getAttribute('min'), hcmDateInput(Date.now() - 7 * 86_400_000));
  assert.equal(await page.locator('ww-review [data-lookback]').getAttribute('data-lookback'), '7');
  await page.locator('ww-header [data-mode="live"]').click();
  await assertPlaying(page, ALLOWED);
});

test('a saved frame carries the viewer: the watermark stamped into the picture, the viewer in the sidecar', async () => {
  const { page } = tuan;
  const downloads: Download[] = [];
  const onDownload = (d: Download) => downloads.push(d);
  page.on('download', onDownload);
  // Freeze the picture, keep an unstamped copy of it, then save it through the tile.
  await page.evaluate(async () => {
    const tile = document.querySelector('ww-app')!.shadowRoot!.querySelector('ww-wall')!.shadowRoot!.querySelector<HTMLElement & { saveFrame(): Promise<void> }>('ww-tile[camera-id="demo-3"]')!;
    const v = tile.shadowRoot!.querySelector('video')!;
    v.pause();
    await new Promise((r) => setTimeout(r, 100));
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(v, 0, 0);
    (window as unknown as { __raw: ImageData }).__raw = ctx.getImageData(0, 0, c.width, c.height);
    await tile.saveFrame();
    void v.play();
  });
  await waitFor('picture and sidecar downloaded', () => downloads.length >= 2, 10000);
  page.off('download', onDownload);
  const png = downloads.find((d) => d.suggestedFilename().endsWith('.png'))!;
  const json = downloads.find((d) => d.suggestedFilename().endsWith('.json'))!;
  const record = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { viewer: { username: string; displayName: string }; watermark: string; sha256: string; savedAt: { ms: number } };
  assert.deepEqual([record.viewer.username, record.viewer.displayName], ['tuan', 'Trần Văn Tuấn']);
  assert.match(record.watermark, /^Trần Văn Tuấn \(tuan\) · \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
  assert.ok(Math.abs(parseWatermarkTime(record.watermark) - record.savedAt.ms) < 1000, 'the stamped time is the save time');
  const bytes = readFileSync((await png.path())!);
  assert.equal(record.sha256, createHash('sha256').update(bytes).digest('hex'), 'the sidecar hashes the stamped picture');
  // Against the unstamped copy: the stamp touches a good part of the picture, spread over all of
  // it, and leaves the picture visible under it.
  const diff = await page.evaluate(async (b64) => {
    const raw = (window as unknown as { __raw: ImageData }).__raw;
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], { type: 'image/png' }));
    const c = document.createElement('canvas');
    c.width = bmp.width;
    c.height = bmp.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const got = ctx.getImageData(0, 0, c.width, c.height).data;
    let changed = 0;
    let max = 0;
    const quadrants = [0, 0, 0, 0];
    for (let i = 0; i < got.length; i += 4) {
      const d = Math.max(Math.abs(got[i]! - raw.data[i]!), Math.abs(got[i + 1]! - raw.data[i + 1]!), Math.abs(got[i + 2]! - raw.data[i + 2]!));
      if (d > 8) {
        changed++;
        const p = i / 4;
        quadrants[(p % c.width < c.width / 2 ? 0 : 1) + (Math.floor(p / c.width) < c.height / 2 ? 0 : 2)]!++;
      }
      max = Math.max(max, d);
    }
    return { width: c.width, height: c.height, changed: changed / (got.length / 4), max, quadrants };
  }, bytes.toString('base64'));
  console.log(`stamp: ${(diff.changed * 100).toFixed(1)} % of pixels changed, largest change ${diff.max}, per quadrant ${diff.quadrants.join('/')}`);
  assert.deepEqual([diff.width, diff.height], [640, 360], 'the full camera resolution');
  assert.ok(diff.changed > 0.02, 'the stamp is in the picture');
  assert.ok(diff.quadrants.every((q) => q > 0), 'in every quarter of it (survives cropping)');
  // Semi-transparent: an opaque stamp would move dark pixels by ~200; the 25 % stamp a quarter at most.
  assert.ok(diff.max <= Math.ceil(0.25 * 255) + 2, `no pixel moves more than the stamp's 25 % (largest change ${diff.max})`);
});

test('signing out tears the wall down: no wall, the API answers 401, the socket is closed', async () => {
  const { context, page } = tuan;
  const cookie = (await context.cookies()).find((c) => c.name === 'ww_session');
  assert.ok(cookie, 'signed in with the session cookie');
  const sockets = await page.evaluate(() => (window as unknown as { __sockets: { ws: WebSocket }[] }).__sockets.filter((s) => s.ws.readyState === 1).length);
  assert.ok(sockets >= 1, 'a signaling socket is open');
  await page.locator('ww-header [data-action="logout"]').click();
  await page.locator('ww-login input[name="username"]').waitFor();
  const after = await page.evaluate(async () => {
    const w = window as unknown as { __wardwall?: unknown; __sockets: { ws: WebSocket }[] };
    const api = await fetch('/api/cameras');
    return {
      app: document.querySelectorAll('ww-app').length,
      videos: document.querySelectorAll('video').length,
      services: w.__wardwall === undefined,
      openSockets: w.__sockets.filter((s) => s.ws.readyState !== 3).length,
      api: api.status,
    };
  });
  assert.deepEqual(after, { app: 0, videos: 0, services: true, openSockets: 0, api: 401 });
  // The old token is revoked on the server, not just forgotten by the browser.
  const res = await fetch(new URL('api/auth/me', sys.url), { headers: { cookie: `ww_session=${cookie.value}` } });
  assert.equal(res.status, 401);
  // And no socket opens any more with it.
  const refused = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
        ws.onopen = () => resolve(false);
        ws.onerror = () => resolve(true);
      }),
  );
  assert.ok(refused, 'the upgrade is refused without a session');
});

test('a session revoked by an admin closes the socket (4401) and the page goes back to the login', async () => {
  const { page } = tuan;
  await login(page, TUAN.username, TUAN.password);
  await page.locator('ww-app').waitFor();
  await assertPlaying(page, ALLOWED);
  const admin = await sys.signIn();
  const r = await fetch(new URL(`api/admin/users/${tuanId}/revoke`, sys.url), { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(r.status, 200);
  await page.locator('ww-login [data-notice]').waitFor({ timeout: 15000 });
  const state = await page.evaluate(() => ({
    app: document.querySelectorAll('ww-app').length,
    codes: (window as unknown as { __sockets: { closeCode: number | null }[] }).__sockets.map((s) => s.closeCode),
  }));
  assert.equal(state.app, 0);
  assert.ok(state.codes.includes(4401), `a socket closed with 4401 (codes ${state.codes.join(',')})`);
  await tuan.context.close();
});

test('an admin creates a user in the admin page; the user signs in; the audit page lists that sign-in', async () => {
  const { context, page } = await newPage();
  await page.goto(sys.url);
  await login(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.locator('ww-app').waitFor();
  const modes = await page.locator('ww-header [data-mode]').evaluateAll((els) => els.map((e) => e.getAttribute('data-mode')));
  assert.deepEqual(modes, ['live', 'follow', 'review', 'displays', 'admin', 'residents', 'audit']);
  await page.locator('ww-header [data-mode="admin"]').click();
  await page.locator('ww-admin tr[data-user="admin"]').waitFor();
  await page.locator('ww-admin [data-action="create"]').click();
  // The form refuses a short password before asking the server.
  const form = page.locator('ww-admin form[data-form="create"]');
  await form.locator('input[name="username"]').fill('lan');
  await form.locator('input[name="displayName"]').fill('Lê Thị Lan');
  await form.locator('select[name="role"]').selectOption('viewer');
  await form.locator('input[name="password"]').fill('short');
  await form.locator('input[name="confirm"]').fill('short');
  await form.locator('[data-action="save"]').click();
  await form.locator('[data-error="WEAK_PASSWORD"]').waitFor();
  await form.locator('input[name="password"]').fill('lan-password-1');
  await form.locator('input[name="confirm"]').fill('lan-password-1');
  // demo-2 only, live only.
  await form.locator('[data-action="add-rule"]').click();
  await form.locator('[data-rule="0"] select[name="rule-camera"]').selectOption('*');
  await form.locator('[data-rule="0"] input[name="rule-live"]').uncheck();
  await form.locator('[data-action="add-rule"]').click();
  await form.locator('[data-rule="1"] select[name="rule-camera"]').selectOption('demo-2');
  await form.locator('[data-action="save"]').click();
  await page.locator('ww-admin tr[data-user="lan"]').waitFor();
  assert.match((await page.locator('ww-admin tr[data-user="lan"]').textContent()) ?? '', /Lê Thị Lan[\s\S]*\*: —[\s\S]*demo-2: live/);
  await page.locator('ww-header [data-action="logout"]').click();

  await login(page, 'lan', 'lan-password-1');
  await page.locator('ww-app').waitFor();
  await waitFor('camera list', async () => (await page.locator('ww-camera-list [data-camera-id]').count()) > 0);
  const listed = await page.locator('ww-camera-list [data-camera-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-camera-id')));
  assert.deepEqual(listed, ['demo-2']);
  await page.locator('ww-camera-list [data-camera-id="demo-2"]').click();
  await assertPlaying(page, ['demo-2']);
  assert.match((await page.locator('ww-tile[camera-id="demo-2"] ww-watermark').getAttribute('data-text')) ?? '', /^Lê Thị Lan \(lan\) · /);
  // Lan changes her password: a wrong current one is refused and she stays signed in.
  await page.locator('ww-header [data-action="password"]').click();
  const dialog = page.locator('ww-password');
  await dialog.locator('input[name="current"]').fill('not-my-password');
  await dialog.locator('input[name="next"]').fill('lan-password-2');
  await dialog.locator('input[name="confirm"]').fill('lan-password-2');
  await dialog.locator('[data-action="change-password"]').click();
  await dialog.locator('[data-error="WRONG_PASSWORD"]').waitFor();
  assert.equal(await page.locator('ww-app').count(), 1, 'still signed in');
  await dialog.locator('input[name="current"]').fill('lan-password-1');
  await dialog.locator('[data-action="change-password"]').click();
  await dialog.locator('[data-done]').waitFor();
  await dialog.locator('[data-action="close"]').click();
  await page.locator('ww-header [data-action="logout"]').click();
  await login(page, 'lan', 'lan-password-1');
  await page.locator('ww-login [data-error="BAD_CREDENTIALS"]').waitFor();
  await login(page, 'lan', 'lan-password-2');
  await page.locator('ww-app').waitFor();
  await page.locator('ww-header [data-action="logout"]').click();

  await login(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.locator('ww-header [data-mode="audit"]').click();
  await page.locator('ww-audit tr[data-seq]').first().waitFor();
  await page.locator('ww-audit input[name="user"]').fill('lan');
  await page.locator('ww-audit input[name="action"]').fill('login');
  const p = hcmParts(Date.now() - 10 * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  await page.locator('ww-audit input[name="from"]').fill(`${two(p.day)}/${two(p.month)}/${p.year} ${two(p.hour)}:${two(p.minute)}`);
  await page.locator('ww-audit [data-action="search"]').click();
  await waitFor('lan’s sign-in listed', async () => (await page.locator('ww-audit tr[data-seq]').count()) >= 1 && (await page.locator('ww-audit').getAttribute('data-state')) === 'ready');
  const rows = await page.locator('ww-audit tr[data-seq]').evaluateAll((els) => els.map((e) => ({ action: e.getAttribute('data-action'), user: e.getAttribute('data-user'), hash: e.querySelector('.hash')?.textContent?.trim() ?? '' })));
  assert.ok(rows.length >= 1);
  for (const r of rows) {
    assert.deepEqual([r.action, r.user], ['login', 'lan']);
    assert.match(r.hash, /^[0-9a-f]{12}$/);
  }
  // The user creation is there too, by admin.
  await page.locator('ww-audit [data-action="clear"]').click();
  await page.locator('ww-audit input[name="action"]').fill('user_create');
  await page.locator('ww-audit [data-action="search"]').click();
  await waitFor('user_create listed', async () => (await page.locator('ww-audit tr[data-action="user_create"][data-user="admin"]').count()) >= 1);
  await context.close();
});
