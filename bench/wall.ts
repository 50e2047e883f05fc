/**
 * `npm run bench:wall`: remote control of a duty-room display, in headless Chromium on the real
 * system (4 demo cameras, GOP 1 s). A commander's page pushes a camera to a display (another browser
 * context); the time runs from the click on the commander's page to the first decoded frame of the
 * pushed camera presented on the display (and to its still, the first picture).
 * - cold: the first push of each camera to this display (it must wait for the camera's next keyframe);
 * - warm: pushes of cameras the display showed within the last minute (it keeps them flowing);
 * - tour: a server-side tour switching every 3 s, each next step received ahead of the switch.
 * Prints one JSON line last, with push_p95_ms (warm), push_cold_p95_ms and tour_step_p95_ms.
 *
 * Options (env): BENCH_WARM_ROUNDS (default 3 cycles over the 4 cameras), BENCH_TOUR_STEPS (default 8).
 *
 * `--smoke`: 2 cameras, one warm cycle, 2 tour steps (the env options still override the counts),
 * to check the bench runs; its numbers are not measurements.
 */
import type { Page } from 'playwright-core';
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { launchChromium } from '@wardwall/testing/browser';
import { BENCH_PAGE_HELPERS, benchOption, bySmoke, pct, round1, SMOKE_FIELD } from './common.js';

const WARM_ROUNDS = benchOption('BENCH_WARM_ROUNDS', 3, 1);
const TOUR_STEPS = benchOption('BENCH_TOUR_STEPS', 8, 2);
const CAMS = bySmoke(['demo-1', 'demo-2', 'demo-3', 'demo-4'], ['demo-1', 'demo-2']);
const DISPLAY = 'Bench wall';

/** Display-side watcher: when tile 0 shows `target`, note when its still and its first live frame appear. */
const DISPLAY_WATCH = `
  window.__armPush = (target) => {
    const st = { target, still: -1, frame: -1 };
    window.__push = st;
    const poll = () => {
      const tile = window.__bench.deepAll('ww-tile').find((t) => t.getAttribute('data-index') === '0');
      if (tile && tile.getAttribute('camera-id') === target) {
        const img = tile.shadowRoot && tile.shadowRoot.querySelector('.still img');
        if (st.still < 0 && img && img.complete && img.naturalWidth > 0) st.still = Date.now();
        if (tile.getAttribute('state') === 'playing') {
          st.frame = Date.now();
          if (st.still < 0) st.still = st.frame;
          return;
        }
      }
      requestAnimationFrame(poll);
    };
    poll();
  };
  window.__tourLog = [];
  window.__watchTour = () => {
    let cam = null, since = 0, done = true;
    const poll = () => {
      const tile = window.__bench.deepAll('ww-tile').find((t) => t.getAttribute('data-index') === '0');
      const c = tile ? tile.getAttribute('camera-id') : null;
      if (c !== cam) { cam = c; since = Date.now(); done = false; }
      if (!done && tile && tile.getAttribute('state') === 'playing') { window.__tourLog.push({ cam, ms: Date.now() - since }); done = true; }
      requestAnimationFrame(poll);
    };
    poll();
  };
`;

async function push(commander: Page, display: Page, cam: string): Promise<{ frame: number; still: number }> {
  await display.evaluate((c) => (window as unknown as { __armPush(c: string): void }).__armPush(c), cam);
  const clickedAt = await commander.evaluate((c) => {
    const b = (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench;
    const row = b.deepAll('[data-display]').find((e) => e.getAttribute('data-display') === 'Bench wall')!;
    const select = row.querySelector('select[name="camera"]') as HTMLSelectElement;
    select.value = c;
    const t = Date.now();
    (row.querySelector('[data-action="push-camera"]') as HTMLButtonElement).click();
    return t;
  }, cam);
  await display.waitForFunction(() => (window as unknown as { __push: { frame: number } }).__push.frame > 0, null, { timeout: 15000 });
  const r = await display.evaluate(() => (window as unknown as { __push: { frame: number; still: number } }).__push);
  return { frame: r.frame - clickedAt, still: r.still - clickedAt };
}

async function main(): Promise<void> {
  const sys = await startTestSystem({ demoCount: CAMS.length, withSub: 0, workers: 2 });
  const browser = await launchChromium();
  try {
    await waitFor('cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 30000);
    await new Promise((r) => setTimeout(r, 1500)); // stills exist once a keyframe passed
    const displayCtx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await displayCtx.addInitScript(BENCH_PAGE_HELPERS + DISPLAY_WATCH);
    const display = await displayCtx.newPage();
    await display.goto(`${sys.sfu.url}?display=${encodeURIComponent(DISPLAY)}`);
    const commanderCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await commanderCtx.addInitScript(BENCH_PAGE_HELPERS);
    const commander = await commanderCtx.newPage();
    await commander.goto(sys.sfu.url);
    await commander.locator('ww-header [data-mode="displays"]').click();
    await commander.locator(`ww-displays [data-display="${DISPLAY}"] .dot.live`).waitFor({ timeout: 20000 });

    const cold: { frame: number; still: number }[] = [];
    for (const cam of CAMS) {
      cold.push(await push(commander, display, cam));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const warm: { frame: number; still: number }[] = [];
    for (let round = 0; round < WARM_ROUNDS; round++) {
      for (const cam of CAMS) {
        warm.push(await push(commander, display, cam));
        await new Promise((r) => setTimeout(r, 1000));
      }
    }

    // A server-side tour over the cameras (four; two in smoke mode), 3 s per step.
    const res = await fetch(`${sys.sfu.url}api/tours`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', intervalSec: 3, steps: CAMS.map((cameraId) => ({ kind: 'camera', cameraId })) }),
    });
    const { tour } = (await res.json()) as { tour: { id: string } };
    // A fresh display page, so no camera is warm from the pushes above: only the tour's pre-receiving helps.
    await display.reload();
    await display.locator('ww-app .display-info').waitFor();
    await new Promise((r) => setTimeout(r, 2000));
    await display.evaluate(() => (window as unknown as { __watchTour(): void }).__watchTour());
    await commander.evaluate((id) => (window as unknown as { __wardwall: { displays: { push(n: string, c: unknown): Promise<unknown> } } }).__wardwall.displays.push('Bench wall', { kind: 'tour', tourId: id }), tour.id);
    await waitFor('tour steps', async () => (await display.evaluate(() => (window as unknown as { __tourLog: unknown[] }).__tourLog.length)) >= TOUR_STEPS + 1, TOUR_STEPS * 3000 + 20000, 500);
    const tourLog = await display.evaluate(() => (window as unknown as { __tourLog: { cam: string; ms: number }[] }).__tourLog);
    const tourMs = tourLog.slice(1).map((x) => x.ms); // the first step starts the tour (nothing to pre-receive yet)

    const out = {
      bench: 'wall',
      ...SMOKE_FIELD,
      cameras: CAMS.length,
      gop_ms: 1000,
      pushes_warm: warm.length,
      push_p50_ms: round1(pct(warm.map((x) => x.frame), 50)),
      push_p95_ms: round1(pct(warm.map((x) => x.frame), 95)),
      push_cold_p50_ms: round1(pct(cold.map((x) => x.frame), 50)),
      push_cold_p95_ms: round1(pct(cold.map((x) => x.frame), 95)),
      push_still_cold_p95_ms: round1(pct(cold.map((x) => x.still), 95)),
      tour_steps: tourMs.length,
      tour_step_p50_ms: round1(pct(tourMs, 50)),
      tour_step_p95_ms: round1(pct(tourMs, 95)),
    };
    if (process.env.BENCH_VERBOSE) console.error(JSON.stringify({ cold, warm, tourLog }));
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
    await sys.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
