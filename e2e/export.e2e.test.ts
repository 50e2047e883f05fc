/**
 * Evidence packages end to end in Chromium on the real system (SFU with accounts + recorder):
 * - a 1 GB export saved straight to disk by the wall (File System Access API; the save dialog is
 *   answered with a file of the origin-private file system, a real on-disk writable) while it is
 *   verified as it streams: the tab's JS heap (CDP Performance.getMetrics) and the renderer
 *   processes' resident memory (/proc VmRSS, sampled throughout) stay under 300 MB;
 * - the offline verifier (verify.html opened from file://, no network) passes the package, and
 *   catches a flipped byte in every file, an edited manifest, and says so when Ed25519 is missing;
 * - without the File System Access API the wall has the recorder check the stored package and
 *   the browser downloads it itself; the ZIP opens with unzip.
 * Footage is synthetic: one real fMP4 segment hard-linked as many (recorder/test/synthetic-footage.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, OPFS_SAVE_PICKER, PAGE_SHIM, signInBrowser } from '@wardwall/testing/browser';
import { TEST_ADMIN_PASSWORD } from '@wardwall/testing/system';
import { linkSegments, makeSegment } from '@wardwall/testing/synthetic-footage';
import { verifyPackageFile } from '../recorder/src/playback/export-verify.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
let sys: TestSystem;
let browser: Browser;
let base: string;
let cookie: string;
let work: string;
let stationFp: string;
let small: { from: number; to: number };
let big: { from: number; to: number };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ww-export-e2e-'));
  sys = await startTestSystem({ recorder: true, auth: true, demoCount: 2, withSub: 0 });
  base = sys.url.replace(/\/$/, '');
  const root = sys.recorder!.store.root;
  // ~1.08 GB: a 10 s segment of lossless noise (~90 MB), six times on each of two cameras.
  const bigSeg = join(work, 'big.mp4');
  const size = await makeSegment(bigSeg, { seconds: 10, width: 640, height: 360, noise: true });
  const perCamera = Math.ceil((1024 * MB) / size / 2);
  const t0 = Math.floor((Date.now() - 3 * 3600_000) / 1000) * 1000;
  big = linkSegments(root, bigSeg, 'demo-1', t0, perCamera, 10);
  linkSegments(root, bigSeg, 'demo-2', t0, perCamera, 10);
  const smallSeg = join(work, 'small.mp4');
  await makeSegment(smallSeg, { seconds: 4, width: 320, height: 180, noise: false });
  const t1 = t0 + 3600_000;
  small = linkSegments(root, smallSeg, 'demo-1', t1, 3, 4);
  linkSegments(root, smallSeg, 'demo-2', t1, 3, 4);
  await sys.recorder!.store.reconcile();
  browser = await launchChromium();
  const ctx = await browser.newContext();
  cookie = await signInBrowser(ctx, base, 'admin', TEST_ADMIN_PASSWORD);
  await ctx.close();
  stationFp = (await (await fetch(`${base}/api/recorder/station-key`, { headers: { cookie } })).json()).fingerprint;
  assert.match(stationFp, /^[0-9a-f]{64}$/);
});

after(async () => {
  await browser?.close();
  await sys?.close();
  rmSync(work, { recursive: true, force: true });
});

async function wallPage(initScript: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ acceptDownloads: true });
  await signInBrowser(ctx, base, 'admin', TEST_ADMIN_PASSWORD);
  await ctx.addInitScript(initScript);
  const page = await ctx.newPage();
  await page.goto(base);
  // The app replaces the body once it knows who is signed in: wait for the wall itself.
  await waitFor('wall loaded', async () => page.evaluate(() => !!customElements.get('ww-export') && !!document.querySelector('body > ww-app')), 30_000, 200);
  return { ctx, page };
}

/** Puts a ww-export for the two cameras over [from, to) on the page (on top of the wall). */
async function exportPanel(page: Page, w: { from: number; to: number }, format: 'zip' | 'tar' = 'zip'): Promise<void> {
  await page.evaluate(
    ([from, to, fmt]) => {
      const el = document.createElement('ww-export') as any;
      el.id = 'under-test';
      el.cameras = [{ id: 'demo-1', name: 'Camera 1' }, { id: 'demo-2', name: 'Camera 2' }];
      el.setRange(from, to);
      el.by = 'Điều tra viên E2E';
      el.format = fmt;
      el.style.cssText = 'position:fixed;left:0;top:0;z-index:2147483647;background:#fff;color:#000;padding:8px;width:900px';
      document.body.append(el);
    },
    [w.from, w.to, format] as const,
  );
}

async function waitDone(page: Page, timeoutMs: number, onTick?: () => Promise<void>): Promise<string> {
  return waitFor<string>(
    'export finished',
    async () => {
      await onTick?.();
      const p = await page.locator('#under-test').getAttribute('data-phase');
      return p === 'done' || p === 'failed' ? p : false;
    },
    timeoutMs,
    250,
  );
}

function rendererPids(): number[] {
  const out: number[] = [];
  const kids = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const walk = (pid: number) => {
    for (const k of kids(pid)) {
      try {
        if (readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('--type=renderer')) out.push(k);
      } catch {
        /* gone */
      }
      walk(k);
    }
  };
  walk(process.pid);
  return out;
}

function statusKb(pid: number, field: 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

test('a 1 GB export is saved straight to disk and verified as it streams, with flat tab memory', { timeout: 600_000 }, async () => {
  const { ctx, page } = await wallPage(OPFS_SAVE_PICKER);
  try {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
    };
    const pidsBefore = rendererPids();
    assert.ok(pidsBefore.length > 0, 'the renderer processes are found');
    const baseline = { heapMb: (await heap()) / MB, rssMb: Math.max(...pidsBefore.map((p) => statusKb(p, 'VmRSS'))) / 1024 };
    await exportPanel(page, big, 'zip');
    await page.locator('#under-test [data-action="export"]').click();
    let peakHeap = 0;
    let peakRss = 0;
    const perPid = new Map<number, { max: number; samples: number; flags: string; series: number[] }>();
    let saving = 0;
    const started = Date.now();
    const phase = await waitDone(page, 540_000, async () => {
      peakHeap = Math.max(peakHeap, await heap());
      for (const p of rendererPids()) {
        const kb = statusKb(p, 'VmRSS');
        peakRss = Math.max(peakRss, kb);
        const e = perPid.get(p) ?? { max: 0, samples: 0, flags: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter((a) => /renderer-client-id|top-chrome/.test(a)).join(' '), series: [] };
        e.max = Math.max(e.max, kb);
        if (e.samples++ % 8 === 0) e.series.push(Math.round(kb / 1024));
        perPid.set(p, e);
      }
      if ((await page.locator('#under-test').getAttribute('data-phase')) === 'downloading') saving++;
    });
    const text = await page.locator('#under-test').innerText();
    assert.equal(phase, 'done', text);
    if (process.env.EXPORT_E2E_VERBOSE) console.log(JSON.stringify({ alive: rendererPids(), perPid: [...perPid].map(([pid, e]) => ({ pid, maxMb: Math.round(e.max / 1024), samples: e.samples, flags: e.flags, series: e.series.join(' ') })), byob: await page.evaluate(() => { try { new Response('x').body!.getReader({ mode: 'byob' }); return true; } catch { return false; } }) }));
    const saved = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const f = await (await root.getFileHandle((window as any).__picked)).getFile();
      const head = new Uint8Array(await f.slice(0, 4).arrayBuffer());
      return { name: f.name, size: f.size, head: [...head] };
    });
    assert.deepEqual(saved.head, [0x50, 0x4b, 0x03, 0x04], 'a ZIP was written');
    assert.ok(saved.size > 1000 * MB, `the package is over 1 GB (${saved.size})`);
    assert.equal(await page.locator('#under-test [data-verified]').getAttribute('data-verified'), 'ok', text);
    assert.equal(await page.locator('#under-test [data-saved]').getAttribute('data-saved'), saved.name);
    assert.equal(await page.locator('#under-test [data-signature]').getAttribute('data-signature'), 'valid');
    assert.equal(await page.locator('#under-test [data-signature]').getAttribute('data-station'), 'match');
    assert.ok(saving > 0, 'the streaming save phase was seen');
    const result = {
      package_mb: Math.round(saved.size / MB),
      seconds: Math.round((Date.now() - started) / 1000),
      baseline_heap_mb: Math.round(baseline.heapMb),
      peak_js_heap_mb: Math.round(peakHeap / MB),
      baseline_renderer_rss_mb: Math.round(baseline.rssMb),
      // Sampled (every poll, ~4 per second) over every renderer process of the browser: Chromium
      // resets its processes' VmHWM itself (clear_refs), so the kernel's peak is not usable.
      peak_renderer_rss_mb: Math.round(peakRss / 1024),
    };
    console.log(JSON.stringify({ bench: 'export-1gb-memory', ...result }));
    assert.ok(result.peak_js_heap_mb < 300, `JS heap peaked at ${result.peak_js_heap_mb} MB`);
    assert.ok(result.peak_renderer_rss_mb < 300, `the renderer's resident memory peaked at ${result.peak_renderer_rss_mb} MB`);
  } finally {
    await ctx.close();
  }
});

/** A small ZIP export made through the API, unzipped into a fresh folder. */
async function smallPackage(): Promise<{ dir: string; files: string[]; id: string }> {
  const post = await fetch(`${base}/api/exports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ cameras: ['demo-1', 'demo-2'], from: small.from + 500, to: small.to - 500, exportedBy: 'Điều tra viên E2E', format: 'zip' }),
  });
  const { id } = (await post.json()) as { id: string };
  await waitFor('small export', async () => ((await (await fetch(`${base}/api/exports/${id}`, { headers: { cookie } })).json()) as { state: string }).state === 'done', 60_000, 250);
  const zip = join(work, `${id}.zip`);
  writeFileSync(zip, Buffer.from(await (await fetch(`${base}/api/exports/${id}/download`, { headers: { cookie } })).arrayBuffer()));
  assert.match((await run('unzip', ['-t', zip])).stdout, /No errors detected/);
  const dir = join(work, `pkg-${id}`);
  await run('unzip', ['-q', zip, '-d', dir]);
  return { dir, files: readdirSync(dir).sort(), id };
}

async function offlineCheck(page: Page, verifierDir: string, filesDir: string): Promise<{ result: string; signature: string | null; rows: Record<string, string> }> {
  await page.goto(`file://${verifierDir}/verify.html`);
  await page.setInputFiles('#files', readdirSync(filesDir).map((f) => join(filesDir, f)));
  const result = await waitFor<string>('offline verdict', async () => {
    const r = await page.evaluate(() => document.body.dataset.result);
    return r && r !== 'running' && r !== 'idle' ? r : false;
  }, 60_000, 100);
  const rows = Object.fromEntries(await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.file, (tr as HTMLElement).dataset.verdict])));
  return { result, signature: await page.evaluate(() => document.body.dataset.signature ?? null), rows };
}

test('the offline verifier (file://, no network) passes the package and catches a flipped byte in every file and an edited manifest', { timeout: 300_000 }, async () => {
  const pkg = await smallPackage();
  assert.deepEqual(pkg.files, ['demo-1.mp4', 'demo-2.mp4', 'manifest.json', 'manifest.sig', 'verify.html']);
  const ctx = await browser.newContext();
  const requests: string[] = [];
  ctx.on('request', (r) => void (r.url().startsWith('file://') ? null : requests.push(r.url())));
  const page = await ctx.newPage();
  try {
    const good = await offlineCheck(page, pkg.dir, pkg.dir);
    assert.equal(good.result, 'ok', JSON.stringify(good));
    assert.equal(good.signature, 'valid');
    assert.deepEqual(good.rows, { 'demo-1.mp4': 'ok', 'demo-2.mp4': 'ok', 'verify.html': 'ok' });
    const shown = (await page.locator('#fp').innerText()).replace(/\s/g, '').toLowerCase();
    assert.equal(shown, stationFp, "the fingerprint shown is the station's");
    await page.fill('#expected', stationFp.toUpperCase().match(/.{4}/g)!.join(' '));
    assert.equal(await page.evaluate(() => document.body.dataset.station), 'match');
    await page.fill('#expected', 'ab'.repeat(32));
    assert.equal(await page.evaluate(() => document.body.dataset.station), 'mismatch');

    for (const name of pkg.files) {
      const dir = join(work, `flip-${name}`);
      mkdirSync(dir);
      for (const f of pkg.files) copyFileSync(join(pkg.dir, f), join(dir, f));
      const bytes = readFileSync(join(dir, name));
      const i = bytes.length >> 1;
      bytes[i] = bytes[i]! ^ 0x04;
      writeFileSync(join(dir, name), bytes);
      const r = await offlineCheck(page, pkg.dir, dir);
      assert.equal(r.result, 'failed', `a flipped byte in ${name} is caught: ${JSON.stringify(r)}`);
      if (name.endsWith('.mp4') || name === 'verify.html') assert.equal(r.rows[name], 'hash_mismatch', name);
      if (name === 'manifest.sig') assert.equal(r.signature, 'invalid');
    }

    // An edited manifest (still valid JSON, hashes untouched): the signature fails.
    const ed = join(work, 'edited');
    mkdirSync(ed);
    for (const f of pkg.files) copyFileSync(join(pkg.dir, f), join(ed, f));
    const m = readFileSync(join(ed, 'manifest.json'), 'utf8');
    const changed = m.replace(/"exportedBy": "[^"]*"/, '"exportedBy": "Người khác"');
    assert.notEqual(changed, m);
    writeFileSync(join(ed, 'manifest.json'), changed);
    const edited = await offlineCheck(page, pkg.dir, ed);
    assert.equal(edited.result, 'failed');
    assert.equal(edited.signature, 'invalid');
    assert.deepEqual(edited.rows, { 'demo-1.mp4': 'ok', 'demo-2.mp4': 'ok', 'verify.html': 'ok' });
    // A clip swapped for another with the manifest's hash changed to match: the signature fails too.
    const sw = join(work, 'swapped');
    mkdirSync(sw);
    for (const f of pkg.files) copyFileSync(join(pkg.dir, f), join(sw, f));
    copyFileSync(join(pkg.dir, 'demo-2.mp4'), join(sw, 'demo-1.mp4'));
    const man = JSON.parse(m);
    const d2 = man.files.find((f: { file: string }) => f.file === 'demo-2.mp4');
    Object.assign(man.files.find((f: { file: string }) => f.file === 'demo-1.mp4'), { sha256: d2.sha256, bytes: d2.bytes });
    writeFileSync(join(sw, 'manifest.json'), JSON.stringify(man, null, 2) + '\n');
    const swapped = await offlineCheck(page, pkg.dir, sw);
    assert.equal(swapped.result, 'failed');
    assert.equal(swapped.signature, 'invalid');
    assert.deepEqual(requests, [], 'the verifier made no network request');
  } finally {
    await ctx.close();
  }

  // A browser without Ed25519 in WebCrypto: a clear message, not a pass.
  const old = await browser.newContext();
  await old.addInitScript(`{
    const orig = SubtleCrypto.prototype.importKey;
    SubtleCrypto.prototype.importKey = function (fmt, key, alg, ...rest) {
      if ((alg && (alg.name || alg)) === 'Ed25519') return Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'));
      return orig.call(this, fmt, key, alg, ...rest);
    };
  }`);
  try {
    const p = await old.newPage();
    const r = await offlineCheck(p, pkg.dir, pkg.dir);
    assert.equal(r.signature, 'unsupported');
    assert.equal(r.result, 'unsigned');
    assert.match(await p.locator('#sig').innerText(), /Ed25519/);
  } finally {
    await old.close();
  }
});

test('without the File System Access API the recorder checks the package and the browser downloads it', { timeout: 180_000 }, async () => {
  const { ctx, page } = await wallPage(`${PAGE_SHIM} delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker;`);
  try {
    assert.equal(await page.evaluate(() => 'showSaveFilePicker' in window), false);
    await exportPanel(page, { from: small.from + 500, to: small.to - 500 }, 'zip');
    await page.locator('#under-test [data-action="export"]').click();
    const phase = await waitDone(page, 120_000);
    assert.equal(phase, 'done', await page.locator('#under-test').innerText());
    assert.equal(await page.locator('#under-test [data-verified]').getAttribute('data-verified'), 'ok');
    assert.equal(await page.locator('#under-test [data-signature]').getAttribute('data-signature'), 'valid');
    const link = page.locator('#under-test a.save');
    const href = (await link.getAttribute('href')) ?? '';
    const id = /^\/api\/exports\/([0-9a-f-]+)\/download$/.exec(href)?.[1];
    assert.ok(id, href);
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = join(work, 'downloaded.zip');
    await dl.saveAs(path);
    assert.equal(dl.suggestedFilename(), `export-${id}.zip`);
    assert.match((await run('unzip', ['-t', path])).stdout, /No errors detected/);
    const v = await verifyPackageFile(path, stationFp);
    assert.equal(v.ok, true);
  } finally {
    await ctx.close();
  }
});
