/**
 * Camera health benchmark (`npm run bench:health`). Real system: embedded RTSP endpoint, demo
 * cameras and one synthetic fault camera (ffmpeg), GStreamer ingest, mediasoup, the SFU with its
 * health monitor; alerts are timed as an operator's wall receives them (signaling pushes).
 * The last line printed is one JSON object:
 *  - offline_s, black_s, frozen_s (and covered_s, moved_s, defocused_s): median time from the fault
 *    (publisher killed / picture switched) to the alert's push; targets 5, 5, 10 s.
 *  - cpu_per_camera_pct: the monitor's own CPU (time inside its synchronous checks: thumbnail
 *    analysis, counter reads, reconciliation) per camera over BENCH_CPU_SECONDS of healthy running,
 *    in % of one core; target 0.5 %.
 *  - keyframe_check_us: micro-benchmark of one thumbnail check (PictureDetector.push) on real
 *    thumbnails; at one keyframe a second this is the dominant cost.
 * Options (env): BENCH_CAMERAS (default 3 demo cameras), BENCH_CPU_SECONDS (default 30),
 * BENCH_REPEATS (default 3).
 *
 * `--smoke`: 1 demo camera + the fault camera, 2 s of healthy running, one repeat of two faults (a
 * picture fault, black, and the publisher killed, offline; the other kinds print null), to check
 * the bench runs (1 s of settling after each fault instead of 3); its numbers are not measurements
 * and `pass` means nothing. The env options still override the counts.
 */
import WebSocket from 'ws';
import type { HealthAlert, HealthKind, ServerMessage } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { FaultCamera, type FaultScene } from '@wardwall/endpoint/demo';
import { PictureDetector } from '../sfu/src/health/picture-detector.js';
import type { GrayImage } from '../sfu/src/ingest/pgm.js';
import { benchOption, bySmoke, pct, round1, SMOKE_FIELD } from './common.js';

const DEMO_CAMERAS = benchOption('BENCH_CAMERAS', 3, 1);
const CPU_SECONDS = benchOption('BENCH_CPU_SECONDS', 30, 2);
const REPEATS = benchOption('BENCH_REPEATS', 3, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sys = await startTestSystem({ demoCount: DEMO_CAMERAS, withSub: 0, workers: 1, cameras: [{ id: 'faulty', name: 'Faulty', main: '{rtsp}/faulty' }] });
const cam = new FaultCamera(FaultCamera.spec('faulty', sys.embedded.publishUrl('faulty'), { width: 640, height: 360, fps: 25, gopFrames: 25, bitrateKbps: 1000 }), createLogger('bench', 'warn'));
const monitor = sys.sfu.health.monitor!;
const pushes: { at: number; alert: HealthAlert }[] = [];
const thumbs: GrayImage[] = [];
const ws = new WebSocket(`${sys.sfu.url.replace('http', 'ws')}ws`);

try {
  cam.start();
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'alert') pushes.push({ at: Date.now(), alert: m.alert });
  });
  ws.send(JSON.stringify({ id: 1, type: 'hello' }));
  for (const s of sys.sfu.cameras.allStreams()) s.on('thumbnail', (img) => thumbs.length < 2000 && thumbs.push({ ...img, data: new Uint8Array(img.data) }));
  const cameraCount = sys.sfu.cameras.info().length;
  await waitFor('all cameras live', () => sys.sfu.cameras.info().every((c) => c.streams.main.state === 'live'), 60000, 200);
  await waitFor('references learned', () => sys.sfu.cameras.info().every((c) => monitor.learned(c.id)), 60000, 200);

  // The monitor's own CPU while every camera is healthy.
  const pushesBefore = pushes.length;
  const busy0 = monitor.busyMs;
  const t0 = performance.now();
  await sleep(CPU_SECONDS * 1000);
  const cpuPerCameraPct = ((monitor.busyMs - busy0) / (performance.now() - t0) / cameraCount) * 100;
  const falseAlarms = pushes.slice(pushesBefore).filter((p) => p.alert.state === 'open').map((p) => `${p.alert.cameraId}:${p.alert.kind}`);

  const openedAfter = (kind: HealthKind, since: number) => pushes.find((p) => p.at >= since && p.alert.cameraId === 'faulty' && p.alert.kind === kind && p.alert.state === 'open');
  // Repeated unplugging is itself a reconnect storm (correctly): that alert may stay open meanwhile.
  const allClosed = () => sys.sfu.health.store.unclosed().filter((a) => a.cameraId === 'faulty' && a.kind !== 'reconnect_storm').length === 0;
  const times: Record<string, number[]> = {};
  const measure = async (name: string, kind: HealthKind, fault: () => void | Promise<void>, restore: () => void | Promise<void>) => {
    const since = Date.now();
    await fault();
    const p = await waitFor(`${kind} alert`, () => openedAfter(kind, since), 60000, 20);
    (times[name] ??= []).push((p.at - since) / 1000);
    await restore();
    await waitFor(`${kind} cleared`, allClosed, 90000, 100);
    await sleep(bySmoke(3000, 1000)); // settle before the next fault
  };
  const scene = (s: FaultScene) => () => cam.setScene(s);
  const faults: [string, HealthKind, () => void | Promise<void>, () => void | Promise<void>][] = [
    ['black_s', 'black', scene('black'), scene('normal')],
    ['frozen_s', 'frozen', scene('frozen'), scene('normal')],
    ['covered_s', 'covered', scene('covered'), scene('normal')],
    ['moved_s', 'moved', scene('moved'), scene('normal')],
    ['defocused_s', 'defocused', scene('defocused'), scene('normal')],
    ['offline_s', 'offline', () => cam.stop(), () => cam.start()],
  ];
  const measured = bySmoke(faults, faults.filter(([name]) => name === 'black_s' || name === 'offline_s'));
  for (let i = 0; i < REPEATS; i++) for (const f of measured) await measure(...f);

  // One keyframe check on real thumbnails (a detector per camera, fed in order).
  const d = new PictureDetector(sys.config.sfu.health);
  const n = Math.min(thumbs.length, 1000);
  const reps = Math.max(1, Math.ceil(5000 / n));
  const c0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) for (let i = 0; i < n; i++) d.push(thumbs[i]!, (r * n + i) * 1000);
  const c1 = process.cpuUsage(c0);
  const keyframeCheckUs = (c1.user + c1.system) / (reps * n);

  const med = (k: string) => round1(pct(times[k] ?? [], 50));
  const result = {
    bench: 'health',
    ...SMOKE_FIELD,
    cameras: cameraCount,
    repeats: REPEATS,
    offline_s: med('offline_s'),
    black_s: med('black_s'),
    frozen_s: med('frozen_s'),
    covered_s: med('covered_s'),
    moved_s: med('moved_s'),
    defocused_s: med('defocused_s'),
    worst_s: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round1(Math.max(...v))])),
    cpu_per_camera_pct: Number(cpuPerCameraPct.toFixed(4)),
    keyframe_check_us: round1(keyframeCheckUs),
    false_alarms_while_healthy: falseAlarms.length,
    false_alarm_kinds: falseAlarms,
    reconnect_storm_raised: pushes.some((p) => p.alert.cameraId === 'faulty' && p.alert.kind === 'reconnect_storm'),
    targets: { offline_s: 5, black_s: 5, frozen_s: 10, cpu_per_camera_pct: 0.5 },
    pass: med('offline_s') <= 5 && med('black_s') <= 5 && med('frozen_s') <= 10 && cpuPerCameraPct <= 0.5,
  };
  console.log(JSON.stringify(result));
} finally {
  ws.close();
  await cam.stop();
  await sys.close();
}
process.exit(0);
