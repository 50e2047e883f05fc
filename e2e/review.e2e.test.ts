/**
 * End to end in Chromium on the real system with the real recorder: review 4 demo cameras in sync
 * (their burned-in capture clocks, read from the rendered tiles, agree within 100 ms), after a seek
 * and a speed change too; an export whose files match the manifest's hashes (checked in the browser
 * and again here); a saved frame at the camera's full resolution whose burned-in time matches the
 * time recorded with it; instant replay of a live tile and back to live.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Download, Page } from 'playwright-core';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { launchChromium, OPFS_SAVE_PICKER, PAGE_STRIP_TOOLS } from '@wardwall/testing/browser';
import { PackageDigester, judgePackage } from '@wardwall/common';
import { nodeHash, verifyEd25519Node } from '../recorder/src/playback/export-verify.js';
import { hcmDateInput, hcmTimeText } from '@wardwall/client/core/hcm-time';

const CAMS = ['demo-1', 'demo-2', 'demo-3', 'demo-4'];
const SYNC_MS = 100;
let sys: TestSystem;
let browser: Browser;
let page: Page;
let base: string;
let recordedFrom = 0;

/** In-page helpers: the strip decoder (same code as common/timestrip.ts) and tile sampling. */
const PAGE_HELPERS = `
  ${PAGE_STRIP_TOOLS}
  const canvas = document.createElement('canvas');
  /** The burned-in capture time of the frame each review tile shows, all read in one task. */
  function sample(selector) {
    const now = Date.now();
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    return deepAll(selector).map((t) => {
      // What the viewer sees: the held picture while a fast-review step seeks, else the video.
      const v = t.shadowRoot.querySelector('video');
      const hold = t.shadowRoot.querySelector('canvas.hold');
      const src = hold && !hold.hidden ? hold : v;
      const w = v.videoWidth, h = v.videoHeight;
      if (!w) return { camera: t.getAttribute('camera-id'), ms: null };
      const sh = stripHeight(w);
      canvas.width = w; canvas.height = sh;
      ctx.drawImage(src, 0, 0, w, sh, 0, 0, w, sh);
      const ms = decodeStripFromRgba(ctx.getImageData(0, 0, w, sh).data, w, sh, now);
      const when = t.shadowRoot.querySelector('.when');
      return { camera: t.getAttribute('camera-id'), ms, shown: when ? Number(when.dataset.frameMs) : null, w, h };
    });
  }
  async function decodePicture(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = document.createElement('canvas');
    c.width = bmp.width; c.height = bmp.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const sh = stripHeight(bmp.width);
    return { width: bmp.width, height: bmp.height, ms: decodeStripFromRgba(ctx.getImageData(0, 0, bmp.width, sh).data, bmp.width, sh, Date.now()) };
  }
  window.__t = { sample, decodePicture, deepAll };
`;

interface Sample {
  camera: string;
  ms: number | null;
  shown: number | null;
}
const sample = (): Promise<Sample[]> => page.evaluate(() => (window as any).__t.sample('ww-review-tile'));

/** Samples the four tiles `n` times; every sample must decode on all four and agree within SYNC_MS. */
async function assertInSync(label: string, n = 6, everyMs = 400): Promise<number[]> {
  const spreads: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = await sample();
    assert.equal(s.length, 4, `${label}: four tiles`);
    const ms = s.map((x) => x.ms);
    assert.ok(ms.every((x) => x !== null), `${label}: every tile's burned-in clock is readable (${JSON.stringify(s)})`);
    const spread = Math.max(...(ms as number[])) - Math.min(...(ms as number[]));
    spreads.push(spread);
    assert.ok(spread <= SYNC_MS, `${label}: tiles ${spread} ms apart (${s.map((x) => `${x.camera}=${x.ms}`).join(', ')})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const last = await sample();
  console.log(`${label}: spreads ${spreads.join(', ')} ms; shown − burned-in per tile: ${last.map((x) => `${x.camera} ${x.shown !== null && x.ms !== null ? x.shown - x.ms : '?'}`).join(', ')}`);
  return spreads;
}

async function tileStates(): Promise<{ camera: string; state: string; frames: number }[]> {
  return page.locator('ww-review-tile').evaluateAll((els) =>
    els.map((e) => ({ camera: e.getAttribute('camera-id') ?? '', state: e.getAttribute('state') ?? '', frames: Number(e.getAttribute('frames') ?? 0) })),
  );
}

const clockPosition = () => page.evaluate(() => (window as any).__t.deepAll('ww-review')[0].session.clock.position() as number);

/** Paused: every ready tile shows the frame holding the clock's instant and is not seeking (its re-seeks are done). */
const pausedOnTarget = (label: string) =>
  waitFor(`${label}: every tile on the clock's frame`, () => page.evaluate(() => {
    const s = (window as any).__t.deepAll('ww-review')[0].session;
    const target = s.clock.position();
    return [...s.players].every((p: any) => p.phase !== 'ready' || (!p.video.seeking && p.settledAt(target)));
  }), 8000, 50);

/** Waits until every tile shows the clock's instant (paused) or is playing it. */
async function settle(label: string): Promise<void> {
  await waitFor(`${label}: tiles ready`, async () => (await tileStates()).every((t) => t.state === 'ready' && t.frames > 0), 20000, 200);
  await new Promise((r) => setTimeout(r, 1200));
}

before(async () => {
  sys = await startTestSystem({ demoCount: 4, withSub: 0, workers: 1, recorder: true });
  base = sys.sfu.url.replace(/\/$/, '');
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript(PAGE_HELPERS);
  await page.addInitScript(OPFS_SAVE_PICKER);
  // Let the recorder gather ~24 s on every camera.
  const t0 = Date.now();
  await waitFor(
    '24 s recorded on every camera',
    async () => {
      const all = await Promise.all(
        CAMS.map(async (c) => (await (await fetch(`${base}/api/recordings/${c}/spans?from=${t0 - 60_000}&to=${Date.now()}`)).json()) as { spans: { startMs: number; endMs: number }[]; recordedMs: number }),
      );
      if (all.every((r) => r.recordedMs >= 24_000)) {
        recordedFrom = Math.max(...all.map((r) => r.spans[0]!.startMs));
        return true;
      }
      return false;
    },
    60000,
    1000,
  );
});
after(async () => {
  await browser?.close();
  await sys?.close();
});

test('review: four cameras opened at a typed Vietnamese time play in sync on one clock', async () => {
  await page.goto(base);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
  await page.locator('[data-mode="review"]').first().click();
  for (const c of CAMS) await page.locator(`[data-review-camera="${c}"]`).check();
  // Well inside every camera's recording (the first segment's indexed start can be early by up to a GOP or two).
  const start = recordedFrom + 6000;
  await page.locator('ww-review [data-field="date"]').fill(hcmDateInput(start));
  await page.locator('ww-review [data-field="time"]').fill(hcmTimeText(start));
  await page.locator('ww-review [data-action="open"]').click();
  await settle('opened');
  // Paused at the typed second: every tile shows the frame of that instant.
  const paused = await assertInSync('paused at open', 3, 200);
  const s = await sample();
  const startSecond = Math.floor(start / 1000) * 1000;
  for (const x of s) assert.ok(Math.abs(x.ms! - startSecond) <= 250, `${x.camera} shows ${x.ms! - startSecond} ms from the typed time`);
  assert.ok(paused.length === 3);
  await page.locator('ww-review [data-action="play"]').click();
  await new Promise((r) => setTimeout(r, 2500));
  await assertInSync('playing 1×');
  const pos = await clockPosition();
  const now = await sample();
  for (const x of now) assert.ok(Math.abs(x.ms! - pos) <= 400, `${x.camera} ${x.ms! - pos} ms from the master clock`);
});

test('review: after a typed seek and a speed change the tiles stay together', async () => {
  const target = recordedFrom + 8000;
  await page.locator('ww-review [data-field="goto"]').fill(hcmTimeText(target, true));
  await page.locator('ww-review [data-action="goto"]').click();
  // Every tile has loaded and shown the new instant before their agreement is judged.
  await settle('after seek');
  await assertInSync('after seek (playing)');
  await page.locator('ww-review [data-field="speed"]').selectOption('2');
  await new Promise((r) => setTimeout(r, 2500));
  await assertInSync('playing 2×', 5, 300);
  await page.locator('ww-review [data-action="play"]').click(); // pause
  await new Promise((r) => setTimeout(r, 1500));
  await assertInSync('paused after 2×', 2, 200);
  // One frame forward: every tile moves by one frame (40 ms at 25 fps).
  await settle('paused before the step');
  await pausedOnTarget('paused before the step');
  const before = await sample();
  await page.locator('ww-review [data-action="step-fwd"]').click();
  await new Promise((r) => setTimeout(r, 100));
  await pausedOnTarget('after the step');
  const afterStep = await sample();
  // Paused, the tiles stay on that frame (no reload, no drift).
  await new Promise((r) => setTimeout(r, 1500));
  const later = await sample();
  console.log('step:', before.map((b, i) => `${b.camera} ${afterStep[i]!.ms! - b.ms!} then ${later[i]!.ms! - b.ms!}`).join(', '));
  assert.deepEqual(later.map((x) => x.ms), afterStep.map((x) => x.ms), 'paused tiles hold their frame');
  for (let i = 0; i < 4; i++) {
    const d = afterStep[i]!.ms! - before[i]!.ms!;
    // The next frame: later, by one frame period (the capture clock jitters by a few ms).
    assert.ok(d > 0 && d <= 80, `${afterStep[i]!.camera} stepped ${d} ms`);
  }
});

test('review: timeline spans, hover thumbnail, click to seek; 8× and 16× frame-locked; English labels', async () => {
  // Every camera's row shows its recorded span.
  for (const c of CAMS) assert.ok((await page.locator(`ww-timeline [data-timeline-camera="${c}"] .span`).count()) >= 1, `${c} has a recorded span`);
  const track = page.locator('ww-timeline [data-timeline-camera="demo-1"] .track');
  const box = (await track.boundingBox())!;
  // The longest recorded span (a loaded recorder may have restarted a pull and left a short one first).
  const spanBoxes = await page.locator('ww-timeline [data-timeline-camera="demo-1"] .span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  const spanBox = spanBoxes.reduce((a, b) => (b.width > a.width ? b : a));
  // Hover the middle of the recorded span: a thumbnail of that instant loads.
  const x = spanBox.x + spanBox.width / 2;
  await page.mouse.move(x - 5, box.y + box.height / 2);
  await page.mouse.move(x, box.y + box.height / 2);
  await waitFor('thumbnail loaded', () => page.locator('ww-timeline .hover img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 15000, 200).catch(async (e: Error) => {
    const src = await page.locator('ww-timeline .hover img').getAttribute('src');
    const reply = src ? await page.evaluate(async (u) => { const r = await fetch(u); return `${r.status} ${r.headers.get('content-type')} ${r.ok ? '' : await r.text()}`; }, src) : 'no image';
    throw new Error(`${e.message}: ${src} → ${reply}; spans ${JSON.stringify(spanBoxes)}`);
  });
  // Click there: the clock goes to that instant.
  const view = (await page.locator('ww-timeline').evaluate((el: any) => el.view)) as { from: number; to: number };
  const expected = view.from + ((x - box.x) / box.width) * (view.to - view.from);
  await page.mouse.click(x, box.y + box.height / 2);
  const pxMs = (view.to - view.from) / box.width;
  const pos = await clockPosition();
  assert.ok(Math.abs(pos - expected) <= 2 * pxMs, `clicked ${expected}, clock at ${pos}`);
  await settle('after timeline click');
  await assertInSync('after timeline click (paused)', 2, 200);
  // 8× and 16×: every tile shows the frame of one clock instant, revealed together, while the clock runs.
  for (const speed of ['8', '16']) {
    await page.locator('ww-review [data-field="goto"]').fill(hcmTimeText(recordedFrom + 4000, true));
    await page.locator('ww-review [data-action="goto"]').click();
    await page.locator('ww-review [data-field="speed"]').selectOption('1');
    await settle(`before ${speed}×`);
    const before = await sample();
    await page.locator('ww-review [data-field="speed"]').selectOption(speed);
    await page.locator('ww-review [data-action="play"]').click();
    await new Promise((r) => setTimeout(r, 300));
    const spreads = await assertInSync(`playing ${speed}×`, 5, 150);
    // The picture advances: wait for a step beyond the first one.
    let during = await sample();
    await waitFor(`${speed}×: a later step revealed`, async () => {
      during = await sample();
      return during.every((f, i) => f.ms !== null && f.ms - before[i]!.ms! > 500);
    }, 10000, 100).catch(async (e: Error) => {
      const diag = await page.evaluate(() => {
        const s = (window as any).__t.deepAll('ww-review')[0].session;
        const step = s.fastStep;
        return { now: Date.now(), pos: s.clock.position(), playing: s.clock.playing, speed: s.clock.speed, step, window: s.window,
          players: [...s.players].map((p: any) => ({ phase: p.phase, frames: p.frames, seeking: p.video.seeking, ct: p.video.currentTime, shown: p.shownWallMs(), settled: step ? p.settledAt(step.target) : null, range: p.range() })) };
      });
      throw new Error(`${e.message}: ${JSON.stringify(diag)}; before ${JSON.stringify(before)}; during ${JSON.stringify(during)}`);
    });
    await page.locator('ww-review [data-action="play"]').click(); // pause
    const moved = during.map((f, i) => f.ms! - before[i]!.ms!);
    console.log(`${speed}×: tiles moved ${moved.join(', ')} ms; spreads ${spreads.join(', ')} ms`);
    const spread = Math.max(...during.map((f) => f.ms!)) - Math.min(...during.map((f) => f.ms!));
    assert.ok(spread <= SYNC_MS, `${speed}×: a later step is shown together (${spread} ms apart)`);
    await page.locator('ww-review [data-field="speed"]').selectOption('1');
    await settle(`paused after ${speed}×`);
    await assertInSync(`paused after ${speed}×`, 2, 200);
  }
  // English on request, Vietnamese back.
  await page.locator('[data-lang="en"]').first().click();
  assert.equal((await page.locator('ww-review [data-action="open"]').textContent())?.trim(), 'Open recordings');
  await page.locator('[data-lang="vi"]').first().click();
  assert.equal((await page.locator('ww-review [data-action="open"]').textContent())?.trim(), 'Mở bản ghi hình');
});

test('review: a saved frame has the full 640×360 resolution and its burned-in time matches the recorded time', async () => {
  const downloads: Download[] = [];
  const onDownload = (d: Download) => downloads.push(d);
  page.on('download', onDownload);
  // Zoomed in (wheel over the tile): the saved picture is still the camera's whole frame.
  const tile = page.locator('ww-review-tile[camera-id="demo-2"]');
  const tb = (await tile.boundingBox())!;
  await page.mouse.move(tb.x + tb.width * 0.3, tb.y + tb.height * 0.6);
  await page.mouse.wheel(0, -300);
  const transform = await tile.locator('.zoom').evaluate((el: HTMLElement) => el.style.transform);
  assert.match(transform, /scale\(1\.9/, 'three wheel notches zoom ×1.95');
  await page.locator('ww-review-tile[camera-id="demo-2"] [data-action="save-frame"]').click();
  await waitFor('picture and sidecar downloaded', () => downloads.length >= 2, 10000);
  page.off('download', onDownload);
  const png = downloads.find((d) => d.suggestedFilename().endsWith('.png'))!;
  const json = downloads.find((d) => d.suggestedFilename().endsWith('.json'))!;
  const pngBytes = readFileSync((await png.path())!);
  const record = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { camera: string; frameTime: { ms: number; hoChiMinh: string }; width: number; height: number; sha256: string; file: string };
  assert.equal(record.camera, 'demo-2');
  assert.equal(record.file, png.suggestedFilename());
  assert.equal(record.sha256, createHash('sha256').update(pngBytes).digest('hex'), 'the recorded SHA-256 is the picture file’s');
  assert.ok(png.suggestedFilename().includes(record.sha256.slice(0, 12)));
  assert.match(record.frameTime.hoChiMinh, /\+07:00$/);
  const pic = (await page.evaluate((b64) => (window as any).__t.decodePicture(b64), pngBytes.toString('base64'))) as { width: number; height: number; ms: number | null };
  assert.deepEqual([pic.width, pic.height, record.width, record.height], [640, 360, 640, 360]);
  assert.ok(pic.ms !== null, 'the saved picture carries the burned-in clock');
  const off = pic.ms! - record.frameTime.ms;
  console.log(`saved frame: burned-in ${pic.ms}, recorded ${record.frameTime.ms}, offset ${off} ms`);
  // Within half a frame: the recorder takes ffmpeg's one-frame RTSP demuxer hold off its clock
  // (before that fix every recorded time was ~42 ms late), and the client maps media time to the
  // recorder's timestamps exactly. The capture clock itself jitters by a few ms.
  assert.ok(Math.abs(off) <= 20, `the recorded time is ${off} ms from the frame's burned-in time (one frame = 40 ms)`);
});

test('review: export of the four cameras is verified against its manifest in the browser', async () => {
  const from = recordedFrom + 2000;
  const to = recordedFrom + 10_000;
  await page.evaluate(([f, t]) => (window as any).__t.deepAll('ww-export')[0].setRange(f, t), [from, to]);
  await page.locator('ww-export [data-field="by"]').fill('Điều tra viên E2E');
  await page.locator('ww-export [data-action="export"]').click();
  const phases = new Set<string>();
  await waitFor(
    'export done',
    async () => {
      const p = (await page.locator('ww-export').getAttribute('data-phase')) ?? '';
      phases.add(p);
      return p === 'done' || p === 'failed';
    },
    90000,
    100,
  );
  assert.equal(await page.locator('ww-export').getAttribute('data-phase'), 'done', `export phases ${[...phases].join(' → ')}`);
  assert.equal(await page.locator('ww-export [data-verified]').getAttribute('data-verified'), 'ok');
  const verdicts = await page.locator('ww-export tr[data-file]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-file')}:${r.getAttribute('data-verdict')}`));
  assert.deepEqual(verdicts.sort(), [...CAMS.map((c) => `${c}.mp4:ok`), 'verify.html:ok']);
  assert.equal(await page.locator('ww-export [data-signature]').getAttribute('data-signature'), 'valid');
  assert.match((await page.locator('ww-export [data-saved]').getAttribute('data-saved')) ?? '', /\.zip$/, 'saved straight to a file (ZIP by default)');
  // Independently: fetch the package here and check it with node:crypto, as a stream.
  const status = (await page.locator('ww-export a.save').getAttribute('download')) ?? '';
  const id = /^export-(.+)\.zip$/.exec(status)![1]!;
  const pkg = new Uint8Array(await (await fetch(`${base}/api/exports/${id}/download`)).arrayBuffer());
  const check = async (bytes: Uint8Array) => {
    const d = new PackageDigester(nodeHash);
    d.push(bytes);
    return judgePackage(d.finish(), { sha256: async (b) => createHash('sha256').update(b).digest('hex'), verifyEd25519: verifyEd25519Node });
  };
  const r = await check(pkg);
  assert.equal(r.ok, true);
  assert.equal(r.manifest?.exportedBy, 'Điều tra viên E2E');
  assert.equal(r.files.length, 5);
  // And a tampered copy fails the same check (the verifier is not a rubber stamp).
  const bad = pkg.slice();
  const mid = pkg.length >> 1;
  bad[mid] = bad[mid]! ^ 0x55;
  assert.equal((await check(bad)).ok, false);
});

test('live: instant replay goes back 30 s on a tile and returns to live', async () => {
  await page.locator('[data-mode="live"]').first().click();
  await page.locator('[data-layout="1"]').first().click();
  await page.locator('ww-camera-list [data-camera-id="demo-3"]').first().click();
  await waitFor('live tile playing', async () => (await page.locator('ww-tile[camera-id="demo-3"]').getAttribute('state')) === 'playing', 20000, 200);
  await page.locator('ww-tile[camera-id="demo-3"]').hover();
  await page.locator('ww-tile[camera-id="demo-3"] [data-action="replay"]').click();
  await waitFor('replay playing', async () => {
    const f = await page.locator('ww-replay ww-review-tile').getAttribute('frames');
    return Number(f) > 10;
  }, 20000, 200);
  // In live mode the only review tile is the replay's.
  const s = (await page.evaluate(() => (window as any).__t.sample('ww-review-tile'))) as Sample[];
  assert.equal(s.length, 1);
  const shown = s[0]!.ms;
  assert.ok(shown, 'the replayed frame is readable');
  const behind = Date.now() - shown!;
  assert.ok(behind > 25_000 && behind < 35_000, `replay shows ${behind} ms ago`);
  await page.locator('ww-replay [data-action="replay-back"]').click();
  await waitFor('back to live', async () => (await page.locator('ww-replay').count()) === 0, 5000);
  assert.equal(await page.locator('ww-tile[camera-id="demo-3"]').getAttribute('state'), 'playing');
});

