/**
 * `npm run bench:latency`: glass-to-glass latency of the live path, time to still and to first live
 * frame, CPU and memory of the SFU + ingest processes. The demo camera stamps its capture wall-clock
 * time into every frame (common/timestrip.ts); the wall in headless Chromium reads it back from each
 * presented frame (requestVideoFrameCallback, expectedDisplayTime). Prints one JSON line last.
 *
 * In the same run, Debian's Janus (bench/janus-reference.ts) pulls the same camera from the embedded
 * endpoint into its streaming plugin, and the same Chromium reads its frames with the same strip
 * reader (bench/strip-reader.ts): the JSON's `janus` holds its figures, `ratios` ours / Janus for
 * p50, p95, max, CPU, RSS and first frame (bench/janus-compare.ts), `targets` every ratio ≤ 1 and
 * `pass` whether all are met (null in smoke mode). Our CPU and RSS in the ratios are one camera's
 * (`ours_one_camera`: the SFU ingests both demo cameras, Janus one). Janus must be installed
 * (`scripts/setup.sh --test`).
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
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import type { Browser, ElementHandle, Page } from 'playwright-core';
import { startEmbedded } from '@wardwall/endpoint';
import { endpointReadAuth } from '@wardwall/endpoint/secret';
import { launchChromium, signInBrowser } from '@wardwall/testing/browser';
import { signIn } from '@wardwall/testing/system';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, SMOKE, SMOKE_FIELD, runBench } from './common.js';
import { TreeSampler } from '@wardwall/testing/proc-stats';
import { compareWithJanus, oursForOneCamera, RATIO_KEYS, type SideFigures } from './janus-compare.js';
import { openJanusPage, janusVideo, stopJanus, watchJanus } from './janus-page.js';
import { assertJanusInstalled, startJanus, type JanusReference } from './janus-reference.js';
import { readStripLatency, type StripSamples } from './strip-reader.js';

/** The process name of the SFU's per-camera ingest (sfu/src/ingest/gst-ingest.py under Debian's python3). */
const INGEST_COMM = 'gst-ingest.py';
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

/** Janus's side: first-frame rounds (a fresh context each), then glass-to-glass with one viewer. */
async function measureJanus(browser: Browser, janus: JanusReference): Promise<{ samples: StripSamples; firstMs: number[]; elapsed: number; usage: ReturnType<TreeSampler['stop']> }> {
  const watch = { api: janus.api, apiSecret: janus.apiSecret, mountpoint: janus.mountpoint, timeoutMs: 10000 };
  const firstMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.addInitScript(BENCH_PAGE_HELPERS);
    await openJanusPage(page, janus.api);
    firstMs.push(await watchJanus(page, watch));
    await stopJanus(page);
    await ctx.close();
  }
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await page.addInitScript(BENCH_PAGE_HELPERS);
  await openJanusPage(page, janus.api);
  await watchJanus(page, watch);
  await new Promise((r) => setTimeout(r, 2000)); // settle the jitter buffer, as for the wall
  const sampler = new TreeSampler(() => janus.pids);
  sampler.start();
  const started = Date.now();
  const samples = await readStripLatency(page, await janusVideo(page), SECONDS);
  const elapsed = (Date.now() - started) / 1000;
  const usage = sampler.stop();
  await stopJanus(page);
  await ctx.close();
  return { samples, firstMs, elapsed, usage };
}

async function main(): Promise<void> {
  assertJanusInstalled();
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
  const readAuth = endpointReadAuth(config, true)!;
  // Bounded: the whole bench's parts with a wide margin (first-frame rounds take ~5 s each).
  const janusMaxSeconds = 120 + 2 * ROUNDS * 10 + 2 * SECONDS + MANY_VIEWERS * 15 + MANY_SECONDS;
  let janus: JanusReference | null = null;
  const browser = await launchChromium();
  try {
    janus = await startJanus({ rtspUrl: embedded.endpoint!.url('demo-1'), rtspUser: readAuth.user, rtspPassword: readAuth.password, maxSeconds: janusMaxSeconds });
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
    const tileVideo = (await page.evaluateHandle(() => {
      const b = (window as unknown as { __bench: { deepAll: (s: string) => Element[] } }).__bench;
      return b.deepAll('ww-tile').find((t) => t.getAttribute('state') === 'playing')!.shadowRoot!.querySelector('video')!;
    })) as ElementHandle<HTMLVideoElement>;
    const samples = await readStripLatency(page, tileVideo, SECONDS);
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

    // 4) The reference: Janus's streaming plugin, same camera, same browser, same reader.
    const j = await measureJanus(browser, janus);
    // Janus serves one camera; our SFU ingests both demo cameras: compare one camera's share.
    const oneCamera = oursForOneCamera(usage, elapsed, INGEST_COMM);
    const ours: SideFigures = {
      p50_ms: round1(pct(samples.g2g, 50)),
      p95_ms: round1(pct(samples.g2g, 95)),
      max_ms: round1(Math.max(...samples.g2g)),
      cpu_pct: oneCamera.cpu_pct,
      peak_rss_mb: oneCamera.peak_rss_mb,
      first_frame_ms: round1(pct(firstMs, 50)),
    };
    const janusFigures: SideFigures = {
      p50_ms: round1(pct(j.samples.g2g, 50)),
      p95_ms: round1(pct(j.samples.g2g, 95)),
      max_ms: round1(Math.max(...j.samples.g2g)),
      cpu_pct: round1((j.usage.cpuSeconds / j.elapsed) * 100),
      peak_rss_mb: j.usage.peakRssMb,
      first_frame_ms: round1(pct(j.firstMs, 50)),
    };
    const cmp = compareWithJanus(ours, janusFigures);
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
      ours_one_camera: oneCamera,
      janus: {
        ...janusFigures,
        first_frame_p95_ms: round1(pct(j.firstMs, 95)),
        seconds: round1(j.elapsed),
        frames: j.samples.frames,
        samples: j.samples.g2g.length,
        undecodable: j.samples.bad,
        recv_p50_ms: round1(pct(j.samples.recv, 50)),
        cpu_s_by_process: Object.fromEntries(Object.entries(j.usage.byProcess).map(([k, v]) => [k, Math.round(v * 100) / 100])),
      },
      ratios: cmp.ratios,
      targets: cmp.targets,
      // Smoke runs are too short to measure anything: no verdict.
      pass: SMOKE ? null : cmp.pass,
    };
    for (const k of RATIO_KEYS) console.log(`ours/janus ${k}: ${cmp.ratios[k] ?? 'n/a'}${SMOKE || cmp.ratios[k] === null || cmp.ratios[k]! <= cmp.targets[k] ? '' : ` (target ≤ ${cmp.targets[k]})`}`);
    console.log(JSON.stringify(result));
  } finally {
    await janus?.close();
    await browser.close();
    sfu.kill('SIGTERM');
    await new Promise((r) => sfu.once('exit', r));
    await embedded.close();
  }
}

runBench(main);
