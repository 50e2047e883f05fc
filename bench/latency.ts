/**
 * `npm run bench:latency`: glass-to-glass latency of the live path, time to still and to first live
 * frame, CPU and memory of the SFU + ingest processes. The demo camera stamps its capture wall-clock
 * time into every frame (common/timestrip.ts); the wall in headless Chromium reads it back from each
 * presented frame (requestVideoFrameCallback, expectedDisplayTime). Prints one JSON line last.
 *
 * Options (env): BENCH_SECONDS (default 25), BENCH_FIRST_FRAME_ROUNDS (default 10), BENCH_WORKERS
 * (default 0 = one per core), BENCH_MANY_VIEWERS (default 4) and BENCH_MANY_SECONDS (default 15) for
 * the CPU per camera per viewer with several viewers sharing the camera's ingest.
 *
 * `--smoke` (`npm run bench:latency -- --smoke`): a few seconds of each part (2 first-frame rounds,
 * 3 s of glass-to-glass, 2 viewers for 2 s), to check the bench runs end to end; its numbers are
 * not measurements. The env options still override it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/common/node';
import type { Page } from 'playwright-core';
import { startEmbedded } from '@wardwall/endpoint';
import { launchChromium, signInBrowser } from '@wardwall/testing/browser';
import { signIn } from '@wardwall/testing/system';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, SMOKE_FIELD } from './common.js';
import { TreeSampler } from '@wardwall/testing/proc-stats';

/** The camera whose first frame is timed: one the 1×1 wall does not show at sign-in. */
const FIRST_FRAME_CAMERA = 'demo-2';
const SECONDS = benchOption('BENCH_SECONDS', 25, 3);
const ROUNDS = benchOption('BENCH_FIRST_FRAME_ROUNDS', 10, 2);
const MANY_VIEWERS = Math.max(1, benchOption('BENCH_MANY_VIEWERS', 4, 2));
const MANY_SECONDS = benchOption('BENCH_MANY_SECONDS', 15, 2);
const root = fileURLToPath(new URL('..', import.meta.url));
const log = createLogger('bench', 'warn');
// Access control is on as in production: the SFU's first admin gets this password (env or random).
const PASSWORD = process.env.WARDWALL_ADMIN_PASSWORD ?? `bench-${Math.random().toString(36).slice(2)}`;

async function main(): Promise<void> {
  const [rtspPort, rtmpPort, httpPort, sfuPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const file = {
    // Two cameras: the first-frame rounds click the second, which the 1×1 wall does not show yet.
    demo: { count: 2, withSubStream: 0 },
    endpoint: { rtspPort, rtmpPort, httpPort },
    sfu: { port: sfuPort, workers: Number(process.env.BENCH_WORKERS ?? 0), dataDir: join(tmpdir(), `wardwall-bench-sfu-${process.pid}`), webrtc: { port: 0 } },
    recorder: { enabled: false },
    log: { level: 'warn' },
  };
  const config = resolveConfig(file);
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-bench-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(file));
  const embedded = await startEmbedded(config, log);
  const sfu = spawn(process.execPath, ['--import', 'tsx', 'sfu/src/main.ts', '--config', join(dir, 'config.json')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WARDWALL_ADMIN_PASSWORD: PASSWORD } });
  const url = await new Promise<string>((resolve, reject) => {
    sfu.stdout!.setEncoding('utf8');
    sfu.stdout!.on('data', (t: string) => {
      const m = /SFU ready: (\S+)/.exec(t);
      if (m) resolve(m[1]!);
    });
    sfu.once('exit', (c) => reject(new Error(`SFU exited with ${c}`)));
  });
  const cookie = await signIn(url, 'admin', PASSWORD);
  const browser = await launchChromium();
  try {
    // Wait for the camera to be live at the SFU.
    for (let i = 0; i < 300; i++) {
      const cams = (await (await fetch(`${url}api/cameras`, { headers: { cookie } })).json()) as { cameras: { streams: { main: { state: string } } }[] };
      if (cams.cameras.every((c) => c.streams.main.state === 'live')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500)); // a still exists once a keyframe passed

    // 1) Still and first live frame: a fresh page each round (fresh IndexedDB), one click.
    const stillMs: number[] = [];
    const firstMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await signInBrowser(ctx, url, 'admin', PASSWORD);
      const page = await ctx.newPage();
      await page.addInitScript(BENCH_PAGE_HELPERS);
      await page.goto(url);
      await page.locator('[data-layout="1"]').first().click();
      // A camera not on the wall yet (a new sign-in already shows the first cameras: clicking one of
      // those finds its tile playing and would time nothing).
      await page.locator(`ww-camera-list [data-camera-id="${FIRST_FRAME_CAMERA}"]`).first().waitFor();
      await page.waitForFunction(() => (window as unknown as { __wardwall?: { signaling?: { state?: string } } }).__wardwall !== undefined);
      // Signaling connected, device loaded, and the consumers of the sign-in wall's other tiles gone
      // (released 3 s after their tiles, the live service's linger): the click below starts cold.
      await new Promise((r) => setTimeout(r, 3500));
      const r = await page.evaluate(
        (cam) =>
          new Promise<{ still: number; first: number }>((resolve) => {
            const b = (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench;
            if (b.deepAll('ww-tile').some((t) => t.getAttribute('camera-id') === cam)) return resolve({ still: -1, first: -1 });
            const item = b.deepAll(`[data-camera-id="${cam}"]`).find((e) => e.closest('ww-camera-list') || true) as HTMLElement;
            const t0 = performance.now();
            item.click();
            let still = -1;
            const poll = () => {
              const tile = b.deepAll('ww-tile').find((t) => t.getAttribute('camera-id') === cam);
              const img = tile?.shadowRoot?.querySelector('.still img') as HTMLImageElement | null;
              if (still < 0 && img && img.complete && img.naturalWidth > 0) still = performance.now() - t0;
              if (tile?.getAttribute('state') === 'playing') return resolve({ still: still < 0 ? performance.now() - t0 : still, first: performance.now() - t0 });
              if (performance.now() - t0 > 10000) return resolve({ still, first: -1 });
              requestAnimationFrame(poll);
            };
            poll();
          }),
        FIRST_FRAME_CAMERA,
      );
      if (r.first < 0) throw new Error(`first frame of ${FIRST_FRAME_CAMERA}: not measured (already on the wall, or no frame in 10 s)`);
      if (r.still >= 0) stillMs.push(r.still);
      if (r.first >= 0) firstMs.push(r.first);
      await ctx.close();
    }

    // 2) Glass-to-glass over SECONDS with one viewer, CPU and memory of the SFU process tree.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signInBrowser(ctx, url, 'admin', PASSWORD);
    const page: Page = await ctx.newPage();
    await page.addInitScript(BENCH_PAGE_HELPERS);
    await page.goto(url);
    await page.locator('[data-layout="1"]').first().click();
    await page.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
    await page.waitForFunction(() => (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench.deepAll('ww-tile').some((t) => t.getAttribute('state') === 'playing'), null, { timeout: 20000 });
    await new Promise((r) => setTimeout(r, 2000)); // settle the jitter buffer
    const sampler = new TreeSampler(() => [sfu.pid!]);
    sampler.start();
    const started = Date.now();
    const samples = await page.evaluate(
      (seconds) =>
        new Promise<{ g2g: number[]; recv: number[]; bad: number; frames: number }>((resolve) => {
          const b = (window as unknown as { __bench: { deepAll: (s: string) => Element[]; decodeStripFromRgba: (d: Uint8ClampedArray, w: number, h: number, now: number) => number | null; stripHeight: (w: number) => number } }).__bench;
          const tile = b.deepAll('ww-tile').find((t) => t.getAttribute('state') === 'playing')!;
          const video = tile.shadowRoot!.querySelector('video') as HTMLVideoElement;
          const canvas = document.createElement('canvas');
          const ctx2d = canvas.getContext('2d', { willReadFrequently: true })!;
          const out = { g2g: [] as number[], recv: [] as number[], bad: 0, frames: 0 };
          const end = performance.now() + seconds * 1000;
          const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
            out.frames++;
            const w = meta.width;
            const sh = b.stripHeight(w);
            if (canvas.width !== w || canvas.height !== sh) {
              canvas.width = w;
              canvas.height = sh;
            }
            ctx2d.drawImage(video, 0, 0, w, sh, 0, 0, w, sh);
            const img = ctx2d.getImageData(0, 0, w, sh);
            const shown = performance.timeOrigin + meta.expectedDisplayTime;
            const captured = b.decodeStripFromRgba(img.data, w, sh, shown);
            if (captured === null || shown - captured < 0 || shown - captured > 5000) out.bad++;
            else {
              out.g2g.push(shown - captured);
              if (meta.receiveTime !== undefined) out.recv.push(performance.timeOrigin + meta.receiveTime - captured);
            }
            if (performance.now() < end) video.requestVideoFrameCallback(onFrame);
            else resolve(out);
          };
          video.requestVideoFrameCallback(onFrame);
        }),
      SECONDS,
    );
    const elapsed = (Date.now() - started) / 1000;
    const usage = sampler.stop();

    // 3) The same camera watched by MANY_VIEWERS more browser contexts: CPU per camera per viewer
    // when the per-camera ingest cost is shared, as on a real wall.
    const extra: Page[] = [];
    for (let i = 0; i < MANY_VIEWERS - 1; i++) {
      const c = await browser.newContext({ viewport: { width: 640, height: 400 } });
      await signInBrowser(c, url, 'admin', PASSWORD);
      const p = await c.newPage();
      await p.addInitScript(BENCH_PAGE_HELPERS);
      await p.goto(url);
      await p.locator('[data-layout="1"]').first().click();
      await p.locator('ww-camera-list [data-camera-id="demo-1"]').first().click();
      await p.waitForFunction(() => (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench.deepAll('ww-tile').some((t) => t.getAttribute('state') === 'playing'), null, { timeout: 20000 });
      extra.push(p);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const manySampler = new TreeSampler(() => [sfu.pid!]);
    manySampler.start();
    const manyStarted = Date.now();
    await new Promise((r) => setTimeout(r, MANY_SECONDS * 1000));
    const manyElapsed = (Date.now() - manyStarted) / 1000;
    const many = manySampler.stop();
    for (const p of extra) await p.context().close();
    await ctx.close();
    const result = {
      bench: 'latency',
      ...SMOKE_FIELD,
      camera: `${config.demo.width}x${config.demo.height}@${config.demo.fps} H.264, GOP ${config.demo.gopFrames} frames`,
      seconds: round1(elapsed),
      frames: samples.frames,
      samples: samples.g2g.length,
      undecodable: samples.bad,
      p50_ms: round1(pct(samples.g2g, 50)),
      p95_ms: round1(pct(samples.g2g, 95)),
      max_ms: round1(Math.max(...samples.g2g)),
      recv_p50_ms: round1(pct(samples.recv, 50)),
      still_ms: round1(pct(stillMs, 50)),
      still_p95_ms: round1(pct(stillMs, 95)),
      first_frame_ms: round1(pct(firstMs, 50)),
      first_frame_p95_ms: round1(pct(firstMs, 95)),
      gop_ms: Math.round((config.demo.gopFrames / config.demo.fps) * 1000),
      cpu_s: round1(usage.cpuSeconds * 100) / 100,
      cpu_pct_per_camera_viewer: round1((usage.cpuSeconds / elapsed) * 100),
      viewers_many: MANY_VIEWERS,
      cpu_pct_per_camera_viewer_many: round1((many.cpuSeconds / manyElapsed / MANY_VIEWERS) * 100),
      cpu_s_by_process_many: Object.fromEntries(Object.entries(many.byProcess).map(([k, v]) => [k, Math.round(v * 100) / 100])),
      peak_rss_mb: usage.peakRssMb,
      cpu_s_by_process: Object.fromEntries(Object.entries(usage.byProcess).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    sfu.kill('SIGTERM');
    await new Promise((r) => sfu.once('exit', r));
    await embedded.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
