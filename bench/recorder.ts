/**
 * Recorder benchmark (`node --import tsx bench/recorder.ts`). The last line printed is one JSON
 * object:
 *  - cpu_per_camera_pct: CPU of the recorder's child processes (GStreamer pull + segment ffmpeg) per recorded camera (/proc/<pid>/stat
 *    over 30 s), demo cameras at ~2 Mbit/s; target <= 1 % of a core.
 *  - list_p95_ms: span listing (index range query + span merging + JSON) of a 24 h window over a
 *    synthetic index of 30 days x 100 cameras of 60 s segments (4.3 M rows), reopened (nothing in
 *    memory) before measuring; target <= 20 ms. list_30d_window_p95_ms: the same for a 30-day window.
 *  - seek_to_frame_ms: Chromium + hls.js, p95 time from a seek to the first presented frame at the
 *    new position, in recorded footage; target <= 500 ms.
 * Options (env): BENCH_CAMERAS (default 3), BENCH_CPU_SECONDS (default 30).
 *
 * `--smoke`: 1 camera, 2 s of CPU sampling, 3 seeks, and an index of 30 days x 2 cameras (86,400
 * rows) with a few listings, to check the bench runs; its numbers are not measurements and `pass`
 * means nothing. The env options still override the counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRecorder } from '../recorder/src/app.js';
import { RecorderDb } from '../recorder/src/store/db.js';
import { log, sleep, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';
import { openPlayer } from '@wardwall/testing/player';
import { benchOption, bySmoke, pct, SMOKE_FIELD } from './common.js';

const CAMERAS = benchOption('BENCH_CAMERAS', 3, 1);
const CPU_SECONDS = benchOption('BENCH_CPU_SECONDS', 30, 2);
const SEEKS = bySmoke(12, 3);
/** The synthetic index: cameras of 30 days of 60 s segments each. */
const INDEX_CAMERAS = bySmoke(100, 2);
/** Listings measured: warm-up, 24 h windows, 30-day windows. */
const LISTINGS = bySmoke({ warmup: 20, day: 300, month: 30 }, { warmup: 2, day: 10, month: 3 });
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuTicks(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // a segment's ffmpeg that ended meanwhile (its last ticks are lost: a slight under-count)
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

const round = (x: number, d = 2) => Number(x.toFixed(d));

async function recordingBench(): Promise<{ cpu: number; seekP95: number; seekMedian: number; seekOffsetMedian: number; seeks: number }> {
  const dir = tempDir('wardwall-bench-');
  const config = await testConfig({ cameras: CAMERAS, dataDir: dir.path, segmentSeconds: 60, bitrateKbps: 2000 });
  const cams = await startCameras(config);
  // The test page is served from another origin and reads the recorder directly.
  const rec = await startRecorder(config, { log, allowOrigin: '*' });
  const base = `http://127.0.0.1:${rec.port}`;
  try {
    await waitFor('all cameras recording', () => rec.health().cameras.every((c) => c.state === 'recording'), 40000, 500);
    await sleep(2000);
    const pids = rec.writerPids();
    // Per camera: the GStreamer pull and the current segment's ffmpeg.
    if (pids.length < CAMERAS) throw new Error(`expected writer processes for ${CAMERAS} cameras, got ${pids.length}`);
    const t0 = Date.now();
    const before = pids.map(cpuTicks);
    await sleep(CPU_SECONDS * 1000);
    const after = pids.map(cpuTicks);
    const secs = (Date.now() - t0) / 1000;
    const cpu = (after.reduce((a, v, i) => a + Math.max(0, v - before[i]!), 0) / CLK_TCK / secs / CAMERAS) * 100;
    process.stderr.write(`cpu: ${pids.length} writer processes (pull + segment ffmpeg), ${round(cpu, 3)} % of a core per camera over ${round(secs, 1)} s\n`);

    // Seeks in the recorded footage (the open segment included).
    const span = (await spans(base, 'demo-1', t0 - 60000, Date.now())).spans[0]!;
    const player = await openPlayer(base, 'demo-1');
    const times: number[] = [];
    const offsets: number[] = [];
    let fallbacks = 0;
    try {
      await player.load(span.startMs, span.endMs);
      for (let i = 0; i < SEEKS; i++) {
        const at = span.startMs + 1000 + ((i * 7919) % Math.max(1, span.endMs - span.startMs - 3000));
        const r = await player.seek(at);
        if (!r.viaFallback) times.push(r.ms);
        else fallbacks++;
        if (r.shownMs !== null) offsets.push(r.shownMs - at);
      }
    } finally {
      await player.close();
    }
    process.stderr.write(`seek: ${times.map((t) => Math.round(t)).join(' ')} ms; burned-in offsets ${offsets.join(' ')} ms; ${fallbacks} seeks without a frame callback\n`);
    return { cpu, seekP95: pct(times, 95), seekMedian: pct(times, 50), seekOffsetMedian: offsets.length ? pct(offsets, 50) : NaN, seeks: times.length };
  } finally {
    await rec.close();
    await cams.close();
    dir.remove();
  }
}

function listingBench(): { p95: number; p95_30d: number; rows: number; insertS: number } {
  const dir = tempDir('wardwall-bench-index-');
  let db = new RecorderDb(join(dir.path, 'index.sqlite'));
  try {
    const DAY = 86400000;
    const end = Date.UTC(2025, 5, 30);
    const start = end - 30 * DAY;
    const t0 = Date.now();
    let rows = 0;
    const insert = db.db.transaction((camera: string) => {
      for (let t = start; t < end; ) {
        // A 60 s segment, with an outage of 1..10 minutes now and then.
        if ((t / 60000 + camera.length * 7) % 997 === 0) t += 60000 * (1 + (t % 10));
        db.insertSegment({ camera, startMs: t, endMs: t + 60000, bytes: 15_000_000, path: `${camera}/${new Date(t).toISOString().slice(0, 10)}/${camera}_${t}.mp4`, open: false });
        rows++;
        t += 60000;
      }
    });
    for (let c = 1; c <= INDEX_CAMERAS; c++) insert(`cam-${String(c).padStart(3, '0')}`);
    db.db.pragma('optimize');
    const insertS = (Date.now() - t0) / 1000;
    // Measured in a freshly opened index (as after a restart): nothing cached in memory.
    db.close();
    db = new RecorderDb(join(dir.path, 'index.sqlite'));
    process.stderr.write(`index: ${rows} rows in ${round(insertS, 1)} s\n`);
    const measure = (windowMs: number, n: number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const camera = `cam-${String(1 + ((i * 37) % INDEX_CAMERAS)).padStart(3, '0')}`;
        const from = start + ((i * 104729 * 1000) % (end - start - windowMs));
        const t = performance.now();
        JSON.stringify({ camera, ...db.spans(camera, from, from + windowMs) });
        out.push(performance.now() - t);
      }
      return out;
    };
    measure(DAY, LISTINGS.warmup); // warm up
    const day = measure(DAY, LISTINGS.day);
    const month = measure(30 * DAY - 1, LISTINGS.month);
    return { p95: pct(day, 95), p95_30d: pct(month, 95), rows, insertS };
  } finally {
    db.close();
    dir.remove();
  }
}

const recording = await recordingBench();
const listing = listingBench();
const result = {
  bench: 'recorder',
  ...SMOKE_FIELD,
  cameras: CAMERAS,
  bitrate_kbps: 2000,
  cpu_per_camera_pct: round(recording.cpu, 3),
  list_p95_ms: round(listing.p95),
  list_30d_window_p95_ms: round(listing.p95_30d),
  list_index_rows: listing.rows,
  seek_to_frame_ms: round(recording.seekP95, 1),
  seek_to_frame_median_ms: round(recording.seekMedian, 1),
  seek_burned_in_offset_median_ms: recording.seekOffsetMedian,
  targets: { cpu_per_camera_pct: 1, list_p95_ms: 20, seek_to_frame_ms: 500 },
  pass: recording.cpu <= 1 && listing.p95 <= 20 && recording.seekP95 <= 500,
};
console.log(JSON.stringify(result));
process.exit(0);
