/**
 * `node --import tsx bench/seek.ts`: time from a seek in review mode to the first rendered frame of
 * the new instant (the wall in headless Chromium, real recorder through the SFU's proxy, one demo
 * camera). The clock seeks while paused to instants spread over the recording; the time runs until
 * a frame is presented whose recorded wall-clock time is within one frame of the target. Each frame
 * is also checked by its burned-in capture clock. Prints one JSON line last.
 *
 * Options (env): BENCH_SEEKS (default 10), BENCH_RECORD_SECONDS (default 24).
 *
 * `--smoke`: 3 seeks over 8 s of recording (two 4 s segments; the env options still override it),
 * to check the bench runs; its numbers are not measurements.
 */
import { startTestSystem, TEST_ADMIN_PASSWORD, waitFor } from '@wardwall/testing/system';
import { launchChromium, signInBrowser } from '@wardwall/testing/browser';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, SMOKE_FIELD, runBench } from './common.js';

const SEEKS = benchOption('BENCH_SEEKS', 10, 3);
const RECORD_S = benchOption('BENCH_RECORD_SECONDS', 24, 8);

async function main(): Promise<void> {
  // Access control on, as in production: the recorder checks the session of every request too.
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true });
  const base = sys.sfu.url.replace(/\/$/, '');
  const cookie = await sys.signIn();
  const browser = await launchChromium();
  try {
    await waitFor('camera live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
    const t0 = Date.now();
    let span = { startMs: 0, endMs: 0 };
    await waitFor(
      `${RECORD_S} s recorded`,
      async () => {
        const r = (await (await fetch(`${base}/api/recordings/demo-1/spans?from=${t0 - 60_000}&to=${Date.now()}`, { headers: { cookie } })).json()) as { spans: { startMs: number; endMs: number }[]; recordedMs: number };
        span = r.spans[0] ?? span;
        return r.recordedMs >= RECORD_S * 1000;
      },
      RECORD_S * 1000 + 40_000,
      1000,
    );
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signInBrowser(context, sys.url, 'admin', TEST_ADMIN_PASSWORD);
    const page = await context.newPage();
    await page.addInitScript(BENCH_PAGE_HELPERS);
    await page.goto(base);
    await page.locator('[data-mode="review"]').first().click();
    await page.locator('ww-review').evaluate((el, at) => (el as any).open(['demo-1'], at), span.startMs + 1000);
    await waitFor('tile ready', async () => (await page.locator('ww-review-tile').getAttribute('state')) === 'ready' && Number(await page.locator('ww-review-tile').getAttribute('frames')) > 0, 20000, 100);
    // Instants spread over the recording, each in another keyframe interval than the last.
    const lo = span.startMs + 1000;
    const hi = span.endMs - 2500;
    const targets = Array.from({ length: SEEKS }, (_, i) => Math.round(lo + (((i * 7) % SEEKS) + 0.37) * ((hi - lo) / SEEKS)));
    const results = (await page.evaluate(async (ts) => {
      const b = (window as any).__bench;
      const review = b.deepAll('ww-review')[0];
      const tile = b.deepAll('ww-review-tile')[0];
      const video = tile.shadowRoot.querySelector('video') as HTMLVideoElement;
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const out: { ms: number; shownWall: number | null; burnedIn: number | null; target: number }[] = [];
      for (const at of ts) {
        await new Promise((r) => setTimeout(r, 300));
        const start = performance.now();
        review.session.seek(at);
        const r = await new Promise<{ ms: number; shownWall: number | null }>((resolve) => {
          const timer = setTimeout(() => resolve({ ms: -1, shownWall: null }), 10000);
          const cb = () => {
            const w = tile.player.shownWallMs();
            if (w !== null && Math.abs(w - at) <= 41) {
              clearTimeout(timer);
              resolve({ ms: performance.now() - start, shownWall: w });
            } else video.requestVideoFrameCallback(cb);
          };
          video.requestVideoFrameCallback(cb);
        });
        const w = video.videoWidth;
        const sh = b.stripHeight(w);
        canvas.width = w;
        canvas.height = sh;
        ctx.drawImage(video, 0, 0, w, sh, 0, 0, w, sh);
        out.push({ ...r, burnedIn: b.decodeStripFromRgba(ctx.getImageData(0, 0, w, sh).data, w, sh, Date.now()), target: at });
      }
      return out;
    }, targets)) as { ms: number; shownWall: number | null; burnedIn: number | null; target: number }[];
    const ok = results.filter((r) => r.ms >= 0);
    const ms = ok.map((r) => r.ms);
    const offsets = ok.filter((r) => r.burnedIn !== null).map((r) => r.burnedIn! - r.target);
    console.log(
      JSON.stringify({
        bench: 'seek',
        ...SMOKE_FIELD,
        camera: '640x360@25 H.264, GOP 25 frames, 4 s recorder segments',
        seeks: results.length,
        landed: ok.length,
        seek_to_frame_ms: { p50: round1(pct(ms, 50)), p95: round1(pct(ms, 95)), max: round1(Math.max(...ms)) },
        samples_ms: ms.map(round1),
        burned_in_minus_target_ms: { p50: round1(pct(offsets, 50)), min: Math.min(...offsets), max: Math.max(...offsets) },
      }),
    );
  } finally {
    await browser.close();
    await sys.close();
  }
}

runBench(main);
