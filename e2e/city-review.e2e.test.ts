/**
 * End to end in Chromium (docs/city.md, "Recordings through the centre"): at a city centre the
 * review page offers a ward's camera next to the centre's own, and plays both on one clock. The
 * ward's recordings stay at the ward: the browser reaches them through the centre
 * (`/api/city/w1/recordings/...`, the centre signing an assertion per request, the ward checking it
 * with the pinned key). Sync: the burned-in capture clocks read from the two rendered tiles agree
 * within 100 ms (the bound of e2e/review), paused at the typed time and playing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { startCity, type TestCity } from '@wardwall/testing/city';
import { launchChromium, PAGE_STRIP_TOOLS } from '@wardwall/testing/browser';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';

const CAMS = ['demo-1', 'w1/demo-1'];
const SYNC_MS = 100;
let city: TestCity | null = null;
let centre: TestSystem | null = null;
let ward: TestSystem | null = null;
let browser: Browser | null = null;
let page: Page;
let base: string;
let recordedFrom = 0;

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
