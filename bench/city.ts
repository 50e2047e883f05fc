/**
 * `npm run bench:city`: a central viewer of a ward camera over the shaped WAN link (root; network
 * namespaces, docs/city.md "bench:city"). Two wards, each a station (one stamped demo camera, ward
 * SFU, NATS leaf) inside its own namespace linked by a veth pair shaped 30 ms one way, 1 % loss,
 * 20 Mbit/s (scripts/city/netns.ts); the centre (NATS hub, centre SFU) in this process.
 *
 * The pages use the product's client (`window.__wardwall.live.acquire(<ward>/<camera>)`, the same
 * LiveMediaService the tiles use) and play the track in a <video> of their own: the centre wall's UI
 * for ward cameras is another part's work, so the tile path itself is not timed here. Measures:
 * - glass-to-glass p50/p95 at the centre (the stamped camera's strip read back per presented frame,
 *   bench/strip-reader.ts), and the ward's own in the same window (a second Chromium run inside the
 *   ward's namespace, watching the ward's own SFU);
 * - first live frame of a ward camera at the centre, cold (pipe opened over NATS and the link);
 * - a follow-like switch from w1/demo-1 to w2/demo-1 with the neighbour's pipe kept warm at the
 *   centre (a server-side lease): acquire in the page → first frame of the new track (a new browser
 *   consumer on the warm pipe: it waits for a keyframe), `switch_warm_*`; and with the neighbour's
 *   consumer warm in the page too (decoding in a hidden <video>, as the wall's follow mode keeps its
 *   neighbours): its track shown → first frame, `switch_warm_consumer_*`;
 * - WAN bytes per watched camera (the ward's veth, ward → centre) against the camera's bitrate (the
 *   ward producer's received bytes) over the glass-to-glass window;
 * - `offline_after_cut_s`, `back_after_restore_s`: the centre's directory after cutting w1's link and
 *   restoring it, and `playing_after_restore_s`: frames at the centre's viewer again.
 *
 * Options (env): BENCH_SECONDS (glass-to-glass window, default 20), BENCH_ROUNDS (first-frame and
 * switch rounds, default 10), BENCH_DELAY_MS / BENCH_LOSS_PCT / BENCH_RATE_MBIT (the link shape).
 * `--smoke`: 3 s, 2 rounds. Not root (or no `ip netns`): prints `{skipped: why}` and exits 0.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type ElementHandle, type Page } from 'playwright-core';
import { freeTcpPort } from '@wardwall/server-kit';
import { CHROMIUM_ARGS, launchChromium, PAGE_SHIM } from '@wardwall/testing/browser';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { WardStack } from '@wardwall/testing/city-netns';
import { cleanLeftovers, startCityNet, type CityNet } from '../scripts/city/city-net.js';
import { DEFAULT_SHAPE, netnsUnavailable } from '../scripts/city/netns.js';
import { BENCH_PAGE_HELPERS, benchOption, pct, round1, SMOKE_FIELD, runBench } from './common.js';
import { readStripLatency } from './strip-reader.js';

const PREFIX = 'wwbench';
const SLOT = 3;
const SECONDS = benchOption('BENCH_SECONDS', 20, 3);
const ROUNDS = benchOption('BENCH_ROUNDS', 10, 2);
const SHAPE = { delayMs: benchOption('BENCH_DELAY_MS', DEFAULT_SHAPE.delayMs, DEFAULT_SHAPE.delayMs), lossPct: benchOption('BENCH_LOSS_PCT', DEFAULT_SHAPE.lossPct, DEFAULT_SHAPE.lossPct), rateMbit: benchOption('BENCH_RATE_MBIT', DEFAULT_SHAPE.rateMbit, DEFAULT_SHAPE.rateMbit) };
const LINGER_MS = 500;

type BenchLease = { track: MediaStreamTrack; release(o?: { linger?: boolean }): void };
type BenchWindow = { __wardwall?: { live: { ready: boolean; acquire(id: string, s: 'main'): Promise<BenchLease> } }; __lease?: BenchLease | null };

/** Opens the wall page and waits for its live media service (signaling + device + transport). */
async function openWall(browser: Browser, url: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
  const page = await ctx.newPage();
  await page.addInitScript(PAGE_SHIM);
  await page.addInitScript(BENCH_PAGE_HELPERS);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  try {
    await page.waitForFunction(() => (window as unknown as BenchWindow).__wardwall?.live.ready === true, null, { timeout: 60_000 });
  } catch (e) {
    const state = await page.evaluate(() => {
      const l = (window as unknown as { __wardwall?: { live: { state: string; error: string | null } } }).__wardwall?.live;
      return l ? `${l.state}: ${l.error}` : 'no __wardwall';
    });
    throw new Error(`${url}: the live service not ready (${state}): ${(e as Error).message}`, { cause: e });
  }
  await page.evaluate(() => {
    const v = document.createElement('video');
    v.id = 'bench-video';
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.width = 640;
    document.body.prepend(v);
  });
  return page;
}

/**
 * In the page: acquire `cameraId` through the client's live service, play it in the bench video,
 * resolve with ms from the call to the first presented frame (the previous lease released after).
 */
function playFirstFrame(page: Page, cameraId: string): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve, reject) => {
        const w = window as unknown as BenchWindow;
        const v = document.getElementById('bench-video') as HTMLVideoElement;
        const t0 = performance.now();
        const timer = setTimeout(() => reject(new Error(`no frame of ${id} in 20 s`)), 20_000);
        w.__wardwall!.live.acquire(id, 'main').then((lease) => {
          const old = w.__lease;
          w.__lease = lease;
          v.srcObject = new MediaStream([lease.track]);
          void v.play().catch(() => undefined);
          v.requestVideoFrameCallback(() => {
            clearTimeout(timer);
            old?.release({ linger: false });
            resolve(performance.now() - t0);
          });
        }, (e: unknown) => {
          clearTimeout(timer);
          reject(e as Error);
        });
      }),
    cameraId,
  );
}

/** In the page: a lease on `cameraId` kept warm, decoding in a hidden <video> (`window.__warm`). */
async function keepWarm(page: Page, cameraId: string): Promise<void> {
  await page.evaluate(async (id) => {
    const w = window as unknown as BenchWindow & { __warm?: { track: MediaStreamTrack } };
    w.__warm = await w.__wardwall!.live.acquire(id, 'main');
    const hidden = document.createElement('video');
    hidden.muted = true;
    hidden.autoplay = true;
    hidden.style.cssText = 'position:absolute;left:0;top:0;width:64px;height:36px;opacity:0.01';
    hidden.srcObject = new MediaStream([w.__warm.track]);
    document.body.append(hidden);
    await hidden.play().catch(() => undefined);
    await new Promise<void>((r) => hidden.requestVideoFrameCallback(() => r()));
  }, cameraId);
}

/** Shows the warm track (or the current lease's) in the bench video: ms to its first presented frame. */
function showTrack(page: Page, which: 'warm' | 'lease'): Promise<number> {
  return page.evaluate(
    (k) =>
      new Promise<number>((resolve, reject) => {
        const w = window as unknown as BenchWindow & { __warm?: { track: MediaStreamTrack }; __lease?: { track: MediaStreamTrack } };
        const v = document.getElementById('bench-video') as HTMLVideoElement;
        const t0 = performance.now();
        const timer = setTimeout(() => reject(new Error('no frame in 20 s')), 20_000);
        v.srcObject = new MediaStream([(k === 'warm' ? w.__warm : w.__lease)!.track]);
        void v.play().catch(() => undefined);
        v.requestVideoFrameCallback(() => {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        });
      }),
    which,
  );
}

async function stopPlaying(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    w.__lease?.release({ linger: false });
    w.__lease = null;
    (document.getElementById('bench-video') as HTMLVideoElement).srcObject = null;
  });
}

const videoOf = async (page: Page): Promise<ElementHandle<HTMLVideoElement>> => (await page.$('#bench-video')) as ElementHandle<HTMLVideoElement>;

/** Frames presented by the bench video so far (counted from now on). */
async function countFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const v = document.getElementById('bench-video') as HTMLVideoElement & { __frames?: number };
    v.__frames = 0;
    const on = () => {
      v.__frames!++;
      v.requestVideoFrameCallback(on);
    };
    v.requestVideoFrameCallback(on);
  });
}
const framesOf = (page: Page): Promise<number> => page.evaluate(() => (document.getElementById('bench-video') as HTMLVideoElement & { __frames?: number }).__frames ?? 0);

async function main(): Promise<void> {
  const why = await netnsUnavailable();
  if (why) {
    console.log(JSON.stringify({ bench: 'city', ...SMOKE_FIELD, skipped: why }));
    return;
  }
  await cleanLeftovers(PREFIX, SLOT);
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-bench-city-'));
  let net: CityNet | null = null;
  let centre: TestSystem | null = null;
  const wards: WardStack[] = [];
  const browsers: Browser[] = [];
  try {
    net = await startCityNet({ prefix: PREFIX, slot: SLOT, wards: ['w1', 'w2'], firstIndex: 71, shape: SHAPE, hubClientPort: await freeTcpPort(), dir: join(dir, 'net') });
    centre = await startTestSystem({
      workers: 1,
      patch: (raw) => {
        raw.demo = { enabled: false };
        raw.city = { role: 'centre', nats: { url: net!.hubUrl, user: net!.centreUser, passwordFile: net!.centrePasswordFile }, pipeIp: net!.centreIp, lingerMs: LINGER_MS };
      },
    });
    const link = centre.sfu.city.centre!;
    for (const [i, w] of net.wards.entries()) {
      wards.push(await WardStack.start(w.netns.plan.ns, { ward: w.id, name: `Phường ${i + 1}`, ip: w.ip, natsUrl: w.natsUrl, natsUser: w.natsUser, passwordFile: w.passwordFile, cameras: 1, recorder: false }));
    }
    const wardLive = (id: string) => () => {
      const x = link.wards(null).find((v) => v.ward === id);
      return !!x && x.online && x.cameras.length > 0 && x.cameras.every((c) => c.state === 'live');
    };
    await waitFor('both wards live at the centre', () => wardLive('w1')() && wardLive('w2')(), 90_000, 100);
    await new Promise((r) => setTimeout(r, 1500));

    // Browsers: one in the root namespace (the centre's wall), one inside w1's namespace (w1's own wall).
    const central = await launchChromium();
    browsers.push(central);
    const wrapper = join(dir, 'chromium-in-w1.sh');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${net.wards[0]!.netns.plan.ns} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`);
    chmodSync(wrapper, 0o700);
    // The ward's wall is http://10.77.<n>.2:<port>: not a secure context as loopback is, where headless
    // Chromium hides navigator.userAgentData and mediasoup-client cannot tell the browser: treat the
    // ward's origin as secure (a person's browser says "Chrome/…" and needs no flag).
    const local = await chromium.launch({ executablePath: wrapper, headless: true, args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${new URL(wards[0]!.url).origin}`] });
    browsers.push(local);
    const centrePage = await openWall(central, centre.url);
    const wardPage = await openWall(local, wards[0]!.url);

    // 1) First live frame at the centre, cold: no pipe open before each round.
    const firstMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await waitFor('no pipe at the centre', () => link.pipeCount() === 0, 20_000, 20);
      firstMs.push(await playFirstFrame(centrePage, 'w1/demo-1'));
      if (i < ROUNDS - 1) await stopPlaying(centrePage);
    }

    // 2) Glass-to-glass at the centre and at the ward (its own wall, inside its namespace), same
    // window; WAN bytes of the one watched camera meanwhile.
    await playFirstFrame(wardPage, 'demo-1');
    await new Promise((r) => setTimeout(r, 2000)); // settle the jitter buffers
    const [c0, s0] = await Promise.all([net.wards[0]!.netns.counters(), wards[0]!.stats('demo-1')]);
    const t0 = Date.now();
    const [centreG2g, wardG2g] = await Promise.all([readStripLatency(centrePage, await videoOf(centrePage), SECONDS), readStripLatency(wardPage, await videoOf(wardPage), SECONDS)]);
    const [c1, s1] = await Promise.all([net.wards[0]!.netns.counters(), wards[0]!.stats('demo-1')]);
    const windowS = (Date.now() - t0) / 1000;
    const wanBytes = c1.fromWardBytes - c0.fromWardBytes;
    const cameraBytes = s1.producerBytes - s0.producerBytes;

    // 3) Follow-like switch w1/demo-1 → w2/demo-1 (another ward), the neighbour's pipe kept warm.
    const warm = await link.acquire('w2/demo-1', 'main', centre.sfu.pool.edge().router);
    const switchMs: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        await new Promise((r) => setTimeout(r, 700));
        switchMs.push(await playFirstFrame(centrePage, 'w2/demo-1'));
        await new Promise((r) => setTimeout(r, 700));
        await playFirstFrame(centrePage, 'w1/demo-1');
      }
    } finally {
      warm.release();
    }

    // 3b) The same switch with the neighbour warm in the page too (what the wall's follow mode does
    // with its warm consumers): the w2 consumer exists and decodes in a hidden <video>; the switch
    // shows its track in the visible one → first frame presented there.
    await playFirstFrame(centrePage, 'w1/demo-1');
    await keepWarm(centrePage, 'w2/demo-1');
    const warmConsumerMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await new Promise((r) => setTimeout(r, 700));
      warmConsumerMs.push(await showTrack(centrePage, 'warm'));
      await new Promise((r) => setTimeout(r, 700));
      await showTrack(centrePage, 'lease');
    }

    // 4) Cut w1's link: offline at the centre; restore: back, and frames at the centre again.
    await countFrames(centrePage);
    const cut = Date.now();
    await net.wards[0]!.netns.cut();
    await waitFor('w1 offline at the centre', () => link.wards(null).find((v) => v.ward === 'w1')?.online === false, 30_000, 20);
    const offlineS = (Date.now() - cut) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const framesBefore = await framesOf(centrePage);
    const restored = Date.now();
    await net.wards[0]!.netns.restore();
    await waitFor('w1 back at the centre', wardLive('w1'), 60_000, 20);
    const backS = (Date.now() - restored) / 1000;
    await waitFor('frames at the centre again', async () => (await framesOf(centrePage)) > framesBefore + 5, 60_000, 50);
    const playingS = (Date.now() - restored) / 1000;

    const result = {
      bench: 'city',
      ...SMOKE_FIELD,
      link: net.wards[0]!.netns.shaping,
      camera: '640x360@25 H.264 demo camera (stamped), 1000 kbit/s target',
      seconds: round1(windowS),
      central_p50_ms: round1(pct(centreG2g.g2g, 50)),
      central_p95_ms: round1(pct(centreG2g.g2g, 95)),
      central_samples: centreG2g.g2g.length,
      central_undecodable: centreG2g.bad,
      ward_p50_ms: round1(pct(wardG2g.g2g, 50)),
      ward_p95_ms: round1(pct(wardG2g.g2g, 95)),
      ward_samples: wardG2g.g2g.length,
      // The target: central ≤ the ward's own + the link's one-way delay + 30 ms.
      central_target_p50_ms: round1(pct(wardG2g.g2g, 50) + SHAPE.delayMs + 30),
      first_frame_p50_ms: round1(pct(firstMs, 50)),
      first_frame_p95_ms: round1(pct(firstMs, 95)),
      switch_warm_p50_ms: round1(pct(switchMs, 50)),
      switch_warm_p95_ms: round1(pct(switchMs, 95)),
      switch_rounds: switchMs.length,
      switch_warm_consumer_p50_ms: round1(pct(warmConsumerMs, 50)),
      switch_warm_consumer_p95_ms: round1(pct(warmConsumerMs, 95)),
      wan_bytes_per_s: Math.round(wanBytes / windowS),
      camera_bytes_per_s: Math.round(cameraBytes / windowS),
      wan_per_camera_bitrate: cameraBytes > 0 ? Math.round((wanBytes / cameraBytes) * 1000) / 1000 : null,
      offline_after_cut_s: Math.round(offlineS * 100) / 100,
      back_after_restore_s: Math.round(backS * 100) / 100,
      playing_after_restore_s: Math.round(playingS * 100) / 100,
    };
    console.log(JSON.stringify(result));
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    for (const w of wards) await w.stop().catch(() => undefined);
    await centre?.close().catch(() => undefined);
    await net?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
