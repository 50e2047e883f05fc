/**
 * `npm run bench:media-host`: what the shared media host (docs/media-host.md) costs.
 *
 * Stills: N cameras (default 120) each ask for one still every 2 s and every 10 s (phases spread
 * evenly), for 640×360 and 1920×1080 keyframes (ffmpeg testsrc2, libx264 baseline ~1.5 Mb/s) and a
 * camera-like 1080p (film grain, High profile, 4 Mb/s: keyframes ~20× bigger); the
 * host's CPU (/proc/<pid>/stat, user+system) over the window, as % of one core, its peak RSS, and
 * each still's request→answer latency. Bridge: a join at the end of a 10 s GOP (250 frames decoded,
 * the last one encoded as an IDR), then 1 s of live frames at 25 fps, then bridgeStop: CPU from
 * bridgeStart to 'started' (the catch-up) and for the whole join, per size. Prints one JSON.
 * `--smoke`: 4 cameras, 2 s windows, a 1 s GOP. BENCH_CAMERAS / BENCH_WINDOW_S override; BENCH_ONLY=<label>
 * runs one picture (640x360, 1920x1080, 1920x1080-grain-4M). `cpuMsPerStill`: per answered still.
 */
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createLogger, freeUdpPort } from '@wardwall/server-kit';
import { encodeTestH264, splitAccessUnits, type TestAccessUnit } from '@wardwall/testing/h264-annexb';
import { MediaHost, type BridgeEvent } from '../sfu/src/ingest/media-host.js';
import { benchOption, bySmoke, pct, round1, runBench, SMOKE_FIELD } from './common.js';

const CAMERAS = benchOption('BENCH_CAMERAS', 120, 4);
const WINDOW_S = benchOption('BENCH_WINDOW_S', 30, 2);
const GOP = bySmoke(250, 25);
const SIZES = [
  { width: 640, height: 360, label: '640x360' },
  { width: 1920, height: 1080, label: '1920x1080' },
  // Camera-like: sensor grain, High profile at 4 Mb/s (keyframes of ~0.5-0.7 MB, dearer to decode).
  { width: 1920, height: 1080, label: '1920x1080-grain-4M', picture: 'grain', bitrateKbps: 4000, profile: 'high' },
] as const;

function proc(pid: number): { cpu: number; rssMb: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { cpu: (Number(x[11]) + Number(x[12])) / 100, rssMb: Math.round((Number(x[21]) * 4) / 1024) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stills(host: MediaHost, keys: TestAccessUnit[], size: string, periodS: number) {
  const pid = host.pid!;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let peakRss = 0;
  // Warm-up: one still per camera key (the decoder at this size).
  await host.still(`warm/${size}`, keys[0]!.data);
  const c0 = proc(pid).cpu;
  const t0 = performance.now();
  const next = Array.from({ length: CAMERAS }, (_, i) => t0 + (i * periodS * 1000) / CAMERAS);
  const inflight: Promise<void>[] = [];
  let asked = 0;
  while (performance.now() - t0 < WINDOW_S * 1000) {
    const now = performance.now();
    for (let i = 0; i < CAMERAS; i++) {
      if (next[i]! > now) continue;
      next[i]! += periodS * 1000;
      const at = performance.now();
      asked++;
      inflight.push(
        host.still(`cam-${i}/${size}`, keys[asked % keys.length]!.data).then(
          () => void latencies.push(performance.now() - at),
          (e: { code?: string }) => void (failures[e.code ?? 'error'] = (failures[e.code ?? 'error'] ?? 0) + 1),
        ),
      );
    }
    peakRss = Math.max(peakRss, proc(pid).rssMb);
    await sleep(10);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = proc(pid).cpu - c0;
  await Promise.all(inflight);
  return { size, keyframeKb: Math.round(keys[0]!.data.length / 1024), cameras: CAMERAS, periodS, stillsPerS: round1(asked / elapsed), cpuPercentOfCore: round1((cpu / elapsed) * 100), answered: latencies.length, cpuMsPerStill: round1((cpu * 1000) / Math.max(1, latencies.length)), latencyMs: { p50: round1(pct(latencies, 50)), p95: round1(pct(latencies, 95)), max: round1(Math.max(...latencies)) }, failures, peakRssMb: peakRss };
}

async function bridge(host: MediaHost, units: TestAccessUnit[], size: string) {
  const pid = host.pid!;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let packets = 0;
  sock.on('message', () => packets++);
  const cam = `bridge/${size}`;
  const events: BridgeEvent[] = [];
  const listener = (e: BridgeEvent) => void (e.cam === cam && events.push(e));
  host.on('bridge', listener);
  try {
    const gop = units.slice(0, GOP);
    const live = units.slice(GOP, GOP + 25);
    const target = { host: '127.0.0.1', port: sock.address().port, sourcePort: await freeUdpPort(), ssrc: 42, payloadType: 96, mtu: 1200, bitrateKbps: 1500, gopFrames: 250 };
    const c0 = proc(pid).cpu;
    const t0 = performance.now();
    host.bridgeStart(cam, target, gop.at(-1)!.pts, gop);
    while (!events.some((e) => e.state === 'started')) await sleep(2);
    const firstFrameMs = performance.now() - t0;
    const catchUpCpu = proc(pid).cpu - c0;
    for (const u of live) {
      host.bridgeAu(cam, u);
      await sleep(40);
    }
    host.bridgeStop(cam);
    while (!events.some((e) => e.state === 'ended')) await sleep(5);
    const total = proc(pid).cpu - c0;
    return { size, keyframeKb: Math.round(units[0]!.data.length / 1024), gopFrames: gop.length, firstFrameMs: round1(firstFrameMs), catchUpCpuMs: Math.round(catchUpCpu * 1000), joinCpuMs: Math.round(total * 1000), liveFrames: live.length, framesEncoded: events.find((e) => e.state === 'ended')!.frames, packets };
  } finally {
    host.off('bridge', listener);
    sock.close();
  }
}

async function main(): Promise<void> {
  const host = new MediaHost({ log: createLogger('bench', 'warn'), requestTimeoutMs: 30000 });
  host.start();
  try {
    const results = [];
    const bridges = [];
    for (const s of SIZES.filter((x) => !process.env['BENCH_ONLY'] || x.label === process.env['BENCH_ONLY'])) {
      const size = s.label;
      const spec = { width: s.width, height: s.height, ...('picture' in s ? { picture: s.picture, bitrateKbps: s.bitrateKbps, profile: s.profile } : {}) };
      const units = splitAccessUnits(await encodeTestH264({ ...spec, frames: GOP + 25, gop: GOP }));
      const keys = splitAccessUnits(await encodeTestH264({ ...spec, frames: 100, gop: 25 })).filter((u) => u.key);
      for (const periodS of [2, 10]) results.push(await stills(host, keys, size, periodS));
      bridges.push(await bridge(host, units, size));
    }
    const pid = host.pid!;
    console.log(JSON.stringify({ bench: 'media-host', ...SMOKE_FIELD, stills: results, bridges, hostRssMb: proc(pid).rssMb }, null, 2));
  } finally {
    await host.stop();
  }
}

runBench(main);
