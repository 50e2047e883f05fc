/**
 * End to end in Chromium (docs/city.md, "Recordings through the centre"): at a city centre the
 * review page offers a ward's camera next to the centre's own, and plays both on one clock. The
 * ward's recordings stay at the ward: the browser reaches them through the centre
 * (`/api/city/w1/recordings/...`, the centre signing an assertion per request, the ward checking it
 * with the pinned key). Sync: the burned-in capture clocks read from the two rendered tiles agree
 * within 100 ms (the bound of e2e/review), paused at the typed time and playing.
 *
 * Export of a ward camera from the centre's review: its own panel (made at the ward, followed, checked
 * and downloaded through the centre, `/api/city/w1/exports/...`), a recorded minute of w1/demo-1; the
 * downloaded package is a valid ZIP whose SHA-256 manifest and signature (the ward's station key) pass.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { startCity, type TestCity } from '@wardwall/testing/city';
import { launchChromium, PAGE_STRIP_TOOLS } from '@wardwall/testing/browser';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';
import { verifyPackageFile } from '../recorder/src/playback/export-verify.js';

const CAMS = ['demo-1', 'w1/demo-1'];
const SYNC_MS = 100;
let city: TestCity | null = null;
let centre: TestSystem | null = null;
let ward: TestSystem | null = null;
let browser: Browser | null = null;
let page: Page;
let base: string;
let recordedFrom = 0;
let work = '';

const PAGE_HELPERS = `
  ${PAGE_STRIP_TOOLS}
  const canvas = document.createElement('canvas');
  function sample(selector) {
    const now = Date.now();
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    return deepAll(selector).map((t) => {
      const v = t.shadowRoot.querySelector('video');
      const hold = t.shadowRoot.querySelector('canvas.hold');
      const src = hold && !hold.hidden ? hold : v;
      const w = v.videoWidth, h = v.videoHeight;
      if (!w) return { camera: t.getAttribute('camera-id'), ms: null };
      const sh = stripHeight(w);
      canvas.width = w; canvas.height = sh;
      ctx.drawImage(src, 0, 0, w, sh, 0, 0, w, sh);
      return { camera: t.getAttribute('camera-id'), ms: decodeStripFromRgba(ctx.getImageData(0, 0, w, sh).data, w, sh, now) };
    });
  }
  window.__t = { sample, deepAll };
`;

interface Sample { camera: string; ms: number | null }
const sample = (): Promise<Sample[]> => page.evaluate(() => (window as any).__t.sample('ww-review-tile'));

async function assertInSync(label: string, n: number, everyMs: number): Promise<number[]> {
  const spreads: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = await sample();
    assert.deepEqual(s.map((x) => x.camera).sort(), [...CAMS].sort(), `${label}: the two tiles`);
    const ms = s.map((x) => x.ms);
    assert.ok(ms.every((x) => x !== null), `${label}: both burned-in clocks readable (${JSON.stringify(s)})`);
    const spread = Math.max(...(ms as number[])) - Math.min(...(ms as number[]));
    spreads.push(spread);
    assert.ok(spread <= SYNC_MS, `${label}: tiles ${spread} ms apart (${s.map((x) => `${x.camera}=${x.ms}`).join(', ')})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  console.log(`[city-review e2e] ${label}: spreads ${spreads.join(', ')} ms`);
  return spreads;
}

const spansOf = async (path: string, from: number) => (await (await fetch(`${base}${path}/spans?from=${from}&to=${Date.now()}`)).json()) as { spans: { startMs: number; endMs: number }[]; recordedMs: number };

before(async () => {
  city = await startCity(['w1']);
  const w = city.wards.get('w1')!;
  const secrets = mkdtempSync(join(tmpdir(), 'wardwall-city-review-e2e-'));
  work = secrets;
  const pw = (name: string, p: string) => {
    writeFileSync(join(secrets, name), `${p}\n`, { mode: 0o600 });
    return join(secrets, name);
  };
  // The centre has a camera of its own (and its recorder); access control off in both (the anonymous operator).
  centre = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    recorder: true,
    patch: (raw) => {
      raw.city = { role: 'centre', nats: { url: `nats://127.0.0.1:${city!.hubClientPort}`, user: city!.centreUser.user, passwordFile: pw('centre', city!.centreUser.password) } };
    },
  });
  ward = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    recorder: true,
    patch: (raw) => {
      raw.city = { role: 'ward', ward: { id: 'w1', name: 'Phường 1' }, nats: { url: `nats://127.0.0.1:${w.clientPort}`, user: w.local.user, passwordFile: pw('ward', w.local.password) }, centreKey: centre!.sfu.city.centre!.publicKey, httpUrl: `http://127.0.0.1:${raw.sfu.port}` };
    },
  });
  base = centre.sfu.url.replace(/\/$/, '');
  const t0 = Date.now();
  await waitFor('16 s recorded on both cameras (the ward one through the centre)', async () => {
    const all = await Promise.all([spansOf('/api/recordings/demo-1', t0 - 60_000), spansOf('/api/city/w1/recordings/demo-1', t0 - 60_000)]);
    if (all.every((r) => r.recordedMs >= 16_000)) {
      recordedFrom = Math.max(...all.map((r) => r.spans[0]!.startMs));
      return true;
    }
    return false;
  }, 90_000, 1000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript(PAGE_HELPERS);
});

after(async () => {
  await browser?.close();
  await centre?.close().catch(() => undefined);
  await ward?.close().catch(() => undefined);
  await city?.stop();
});

test('city review: a ward camera and the centre camera play in sync on one clock', { timeout: 120_000 }, async () => {
  await page.goto(base);
  await page.locator('[data-mode="review"]').first().click();
  await waitFor('the ward camera offered in review', () => page.locator('[data-review-camera="w1/demo-1"]').count(), 20_000, 200);
  assert.match((await page.locator('label.cam', { has: page.locator('[data-review-camera="w1/demo-1"]') }).textContent()) ?? '', /Phường 1 · /);
  for (const c of CAMS) await page.locator(`[data-review-camera="${c}"]`).check();
  const start = recordedFrom + 5000;
  await page.locator('ww-review [data-field="date"]').fill(hcmDateInput(start));
  await page.locator('ww-review [data-field="time"]').fill(hcmTimeText(start));
  await page.locator('ww-review [data-action="open"]').click();
  await waitFor('both tiles ready', async () => {
    const states = await page.locator('ww-review-tile').evaluateAll((els) => els.map((e) => ({ state: e.getAttribute('state'), frames: Number(e.getAttribute('frames') ?? 0) })));
    return states.length === 2 && states.every((s) => s.state === 'ready' && s.frames > 0);
  }, 30_000, 200);
  await new Promise((r) => setTimeout(r, 1200));
  await assertInSync('paused at open', 3, 200);
  const startSecond = Math.floor(start / 1000) * 1000;
  for (const x of await sample()) assert.ok(Math.abs(x.ms! - startSecond) <= 250, `${x.camera} shows ${x.ms! - startSecond} ms from the typed time`);
  await page.locator('ww-review [data-action="play"]').click();
  await new Promise((r) => setTimeout(r, 2500));
  await assertInSync('playing 1×', 6, 400);
});

test("city review: a ward camera's minute exported from the centre's review, downloaded through the centre, its manifest checked", { timeout: 180_000 }, async () => {
  // A whole recorded minute of the ward camera (closed segments: it ends a few seconds before now).
  const minute = { from: recordedFrom + 1000, to: recordedFrom + 61_000 };
  await waitFor('a minute recorded at the ward', async () => (await spansOf('/api/city/w1/recordings/demo-1', recordedFrom)).spans.some((s) => s.startMs <= minute.from && s.endMs >= minute.to + 4000), 90_000, 1000);
  const wardPanel = page.locator('ww-review ww-export[data-ward="w1"]');
  const ownPanel = page.locator('ww-review ww-export:not([data-ward])');
  await waitFor('the ward export panel next to the centre one', async () => (await wardPanel.count()) === 1 && (await ownPanel.count()) === 1, 10_000, 200);
  assert.match((await wardPanel.locator('h3').textContent()) ?? '', /Phường 1/, "the ward's name in the heading");
  assert.match((await ownPanel.locator('[data-action="export"]').textContent()) ?? '', /1 camera/, "the centre's panel: its own camera only");
  assert.match((await wardPanel.locator('[data-action="export"]').textContent()) ?? '', /1 camera/);
  const wardFp = ((await (await fetch(`${ward!.sfu.url.replace(/\/$/, '')}/api/recorder/station-key`)).json()) as { fingerprint: string }).fingerprint;
  const centreFp = ((await (await fetch(`${base}/api/recorder/station-key`)).json()) as { fingerprint: string }).fingerprint;
  assert.notEqual(wardFp, centreFp);
  const exportOnce = async (): Promise<void> => {
    await wardPanel.evaluate((el: any, w) => {
      el.setRange(w.from, w.to);
      el.by = 'Điều tra viên trung tâm';
    }, minute);
    await wardPanel.locator('[data-action="export"]').click();
    const phase = await waitFor('the ward export done', async () => {
      const p = await wardPanel.getAttribute('data-phase');
      return p === 'done' || p === 'failed' ? p : false;
    }, 120_000, 250);
    assert.equal(phase, 'done', await wardPanel.innerText());
    assert.equal(await wardPanel.locator('[data-verified]').getAttribute('data-verified'), 'ok');
    assert.equal(await wardPanel.locator('[data-signature]').getAttribute('data-signature'), 'valid');
    assert.equal(await wardPanel.locator('[data-signature]').getAttribute('data-station'), 'match', "signed by the ward's station key");
  };
  // 1. Saved to a file while the browser hashes it (File System Access API; headless answers the
  // dialog with a cancel, so a file of the origin-private file system stands in): the ward's key is
  // fetched through the centre (`/api/city/w1/station-key`).
  await page.evaluate(() => {
    (window as any).showSaveFilePicker = async (opts: { suggestedName: string }) => (await navigator.storage.getDirectory()).getFileHandle(opts.suggestedName, { create: true });
  });
  await exportOnce();
  assert.match((await wardPanel.locator('[data-verified]').getAttribute('data-saved')) ?? '', /\.zip$/, 'saved and checked by the browser');
  // 2. Without that API: the ward's recorder checks the package (`.../exports/<id>/verify` through the centre), the browser downloads it.
  await page.evaluate(() => {
    delete (Window.prototype as any).showSaveFilePicker;
    delete (window as any).showSaveFilePicker;
  });
  assert.equal(await page.evaluate(() => 'showSaveFilePicker' in window), false);
  await exportOnce();
  assert.equal(await wardPanel.locator('[data-verified]').getAttribute('data-saved'), '');
  const link = wardPanel.locator('a.save');
  const href = (await link.getAttribute('href')) ?? '';
  const id = /^\/api\/city\/w1\/exports\/([0-9a-f-]+)\/download$/.exec(href)?.[1];
  assert.ok(id, `downloaded through the centre: ${href}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = join(work, 'ward-export.zip');
  await dl.saveAs(path);
  assert.equal(dl.suggestedFilename(), `export-${id}.zip`);
  assert.match((await promisify(execFile)('unzip', ['-t', path])).stdout, /No errors detected/);
  const v = await verifyPackageFile(path, wardFp);
  assert.equal(v.ok, true, JSON.stringify(v.files));
  assert.equal(v.signature.state, 'valid');
  assert.equal(v.signature.matchesStation, true);
  assert.deepEqual(v.files.filter((f) => f.file.endsWith('.mp4')).map((f) => [f.file, f.verdict]), [['demo-1.mp4', 'ok']], 'the ward camera, by its id at the ward');
  assert.deepEqual(v.manifest?.camerasWithoutFootage, []);
  assert.match(v.manifest?.exportedBy ?? '', /^centre:/, 'made at the ward for the central user');
  console.log(`[city-review e2e] ward export ${id}: ${v.files.length} files, SHA-256 manifest ok, signed by the ward (${wardFp.slice(0, 16)}…)`);
});
