/**
 * Recorder pull bench (`npm run bench:recorder-pull [-- --cameras N]`): CPU per recorded camera with
 * the GStreamer pull (pull.py, one python3 per camera) and with the in-process Node pull, the same
 * N cameras each time: the capacity bench's camera server (bench/clip-camera-server.ts
 * playing one pre-encoded 640×360 25 fps clip to N paths, bench/capacity-camera-server.ts), the
 * recorder in this process with N cameras (audio off, 60 s segments), run once per engine.
 *
 * Measured over BENCH_SECONDS (default 30) once every camera records, from /proc: this process (the
 * recorder's own work: the Node pull when it is the engine, the segment clock and the TS muxer in
 * both) and its descendants (pull.py processes, segment ffmpegs), NOT the camera server. Prints one
 * JSON object last: per engine the % of one core per camera in total and by part, and the saving.
 *
 * Options: `--cameras N` (default 20); env BENCH_SECONDS, BENCH_ENGINES (default `gstreamer,auto`). `--smoke`: 2 cameras, 3 s; not a measurement.
 */
import { loadavg } from 'node:os';
import { resolveConfig } from '@wardwall/common';
import { freeTcpPort } from '@wardwall/server-kit';
import { TreeSampler } from '@wardwall/testing/proc-stats';
import { log, sleep, tempDir, waitFor } from '@wardwall/testing/recorder';
import { startRecorder } from '../recorder/src/app.js';
import { benchOption, bySmoke, round1, runBench, SMOKE_FIELD } from './common.js';
import { cameraClip, startCameraServer, type CameraServer } from './capacity-camera-server.js';

function camerasOption(): number {
  const i = process.argv.indexOf('--cameras');
  const n = i >= 0 ? Number(process.argv[i + 1]) : bySmoke(20, 2);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--cameras: a whole number of cameras >= 1, got ${process.argv[i + 1]}`);
  return n;
}

const CAMERAS = camerasOption();
const SECONDS = benchOption('BENCH_SECONDS', 30, 3);
const ENGINES = (process.env.BENCH_ENGINES ?? 'gstreamer,auto').split(',').map((e) => {
  if (e !== 'gstreamer' && e !== 'auto') throw new Error(`BENCH_ENGINES: gstreamer and/or auto, got ${e}`);
  return e;
});
const say = (s: string) => process.stderr.write(`[recorder-pull] ${s}\n`);
const round2 = (x: number) => Math.round(x * 100) / 100;

interface EngineResult {
  engine: 'gstreamer' | 'node';
  cameras_recording: number;
  total_pct_per_camera: number;
  recorder_process_pct_per_camera: number;
  pull_processes_pct_per_camera: number;
  ffmpeg_pct_per_camera: number;
  processes: Record<string, number>;
  /** Segments cut by the clock (not by duration) and pull restarts over the run, all cameras. */
  cuts: Record<string, number>;
  restarts: number;
  load_avg_1m: number;
}

function sumCuts(all: readonly Partial<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

async function measure(cams: CameraServer, setting: (typeof ENGINES)[number]): Promise<EngineResult> {
  const dir = tempDir('wardwall-bench-pull-');
  const config = resolveConfig({
    cameras: Array.from({ length: CAMERAS }, (_, i) => ({ id: `cam-${i + 1}`, name: `Camera ${i + 1}`, main: `rtsp://${cams.user}:${cams.password}@127.0.0.1:${cams.port}/cam-${i + 1}`, audio: false })),
    demo: { enabled: false },
    recorder: { host: '127.0.0.1', port: await freeTcpPort(), dataDir: dir.path, segmentSeconds: 60, pullEngine: setting, retention: { minFreeBytes: 0 } },
    log: { level: 'warn' },
    auth: { enabled: false },
  });
  const rec = await startRecorder(config, { log });
  try {
    const recording = () => rec.health().cameras.filter((c) => c.state === 'recording').length;
    await waitFor(`${setting}: all cameras recording`, () => recording() === CAMERAS, 30000 + CAMERAS * 500, 500).catch(() => undefined);
    await sleep(bySmoke(5000, 1000));
    const engines = new Set(rec.health().cameras.map((c) => c.pullEngine));
    say(`${setting}: ${recording()}/${CAMERAS} recording through ${[...engines].join(', ')}; measuring ${SECONDS} s`);
    const exclude = new Set<number>([cams.child.pid!]);
    const sampler = new TreeSampler(() => [process.pid], () => exclude);
    const self0 = process.cpuUsage();
    sampler.start(1000);
    await sleep(SECONDS * 1000);
    const cpu = sampler.stop();
    const self = process.cpuUsage(self0);
    const selfS = (self.user + self.system) / 1e6;
    const per = (s: number) => round2(((s / SECONDS) * 100) / CAMERAS);
    const pull = cpu.byProcess['pull.py'] ?? 0;
    const ffmpeg = cpu.byProcess['ffmpeg'] ?? 0;
    return {
      engine: [...engines][0] === 'node' ? 'node' : 'gstreamer',
      cameras_recording: recording(),
      total_pct_per_camera: per(cpu.cpuSeconds),
      recorder_process_pct_per_camera: per(selfS),
      pull_processes_pct_per_camera: per(pull),
      ffmpeg_pct_per_camera: per(ffmpeg),
      processes: cpu.countByProcess,
      cuts: sumCuts(rec.health().cameras.map((c) => c.cuts)),
      restarts: rec.health().cameras.reduce((a, c) => a + c.restarts, 0),
      load_avg_1m: round1(loadavg()[0]!),
    };
  } finally {
    await rec.close();
    dir.remove();
  }
}

async function main(): Promise<void> {
  const clip = await cameraClip();
  const cams = await startCameraServer(clip, CAMERAS);
  const results: EngineResult[] = [];
  try {
    for (const e of ENGINES) results.push(await measure(cams, e));
  } finally {
    await cams.close();
  }
  const gst = results.find((r) => r.engine === 'gstreamer');
  const node = results.find((r) => r.engine === 'node');
  console.log(
    JSON.stringify({
      ...SMOKE_FIELD,
      cameras: CAMERAS,
      seconds: SECONDS,
      ...(gst ? { gstreamer: gst } : {}),
      ...(node ? { node } : {}),
      ...(gst && node ? { saving_pct_per_camera: round2(gst.total_pct_per_camera - node.total_pct_per_camera) } : {}),
      target_pct_per_camera: 1,
    }),
  );
}

runBench(main);
