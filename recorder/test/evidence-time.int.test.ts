/**
 * Evidence time and audio through the real recorder (GStreamer pull, segment ffmpegs, SQLite) with
 * test cameras that behave like awkward real ones (rtsp-test-camera.ts):
 * - a camera that restarts its encoder inside one RTSP session (new SSRC, sequence and RTP timestamp
 *   base at an IDR) every few seconds: segments are cut at each restart, every segment's indexed
 *   start is within 100 ms of its first frame's burned-in capture time, nothing is dated hours off;
 * - G.711 and AAC cameras are recorded with AAC audio (ffprobe), not with `audio: false`, and the
 *   beep of each flash is within 50 ms of the flash in the recording (lip-sync by the cameras' RTCP
 *   sender reports); a camera without sender reports is recorded with a constant audio offset;
 * - the camera URL (with credentials) is on no child's command line (/proc/<pid>/cmdline).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, decodeStripFromRgba, stripHeight, type Config } from '@wardwall/common';
import { freeTcpPort } from '@wardwall/server-kit';
import { startRecorder, type Recorder } from '../src/app.js';
import { parseSegmentFileName } from '../src/store/naming.js';
import { execFileP, log, spans, tempDir, waitFor } from '@wardwall/testing/recorder';
import { startTestCamera, type TestCamera, type TestCameraOptions } from './rtsp-test-camera.js';

const TOLERANCE_MS = 100;

async function config(dataDir: string, cams: { id: string; main: string; audio?: boolean }[], segmentSeconds = 30): Promise<Readonly<Config>> {
  return resolveConfig({
    cameras: cams.map((c) => ({ id: c.id, name: c.id, main: c.main, ...(c.audio === undefined ? {} : { audio: c.audio }) })),
    demo: { enabled: false },
    recorder: { host: '127.0.0.1', port: await freeTcpPort(), dataDir, segmentSeconds, retention: { minFreeBytes: 0 } },
    log: { level: 'warn' },
    auth: { enabled: false },
  });
}

function segmentFiles(root: string, camera: string): { path: string; startMs: number }[] {
  const out: { path: string; startMs: number }[] = [];
  let days: string[];
  try {
    days = readdirSync(join(root, camera));
  } catch {
    return out;
  }
  for (const day of days) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const name of readdirSync(join(root, camera, day))) {
      const p = parseSegmentFileName(name);
      if (p) out.push({ path: join(root, camera, day, name), startMs: p.startMs });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

async function firstFrameCaptureMs(file: string, width: number, nowMs: number): Promise<number | null> {
  const sh = stripHeight(width);
  const { stdout } = await execFileP('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `crop=${width}:${sh}:0:0`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 1 << 24 });
  return decodeStripFromRgba(stdout as unknown as Buffer, width, sh, nowMs);
}

async function streams(file: string): Promise<{ codec_type: string; codec_name: string; r_frame_rate?: string; width?: number; height?: number }[]> {
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,r_frame_rate,width,height', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: [] }).streams;
}

async function withCamera<T>(camOpts: TestCameraOptions, fn: (cam: TestCamera) => Promise<T>): Promise<T> {
  const cam = await startTestCamera(camOpts);
  try {
    return await fn(cam);
  } finally {
    await cam.close();
  }
}

test('a camera restarting its encoder inside the session: cut at every restart, every segment dated by its first frame, nothing hours off', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    dir.remove();
  });
  await withCamera({ restartEveryMs: 5000 }, async (cam) => {
    const cfg = await config(dir.path, [{ id: 'restart', main: cam.url }]);
    const t0 = Date.now();
    rec = await startRecorder(cfg, { log, backoffMs: [300], stallMs: 5000 });
    const base = `http://127.0.0.1:${rec.port}`;
    const startRestarts = cam.restarts();
    await waitFor('three encoder restarts while recording', () => cam.restarts() - startRestarts >= 3 && rec!.health().cameras[0]!.cuts.discontinuity! >= 3, 60000, 250);
    await new Promise((r) => setTimeout(r, 1500));
    const status = rec.health().cameras[0]!;
    const listed = await spans(base, 'restart', t0 - 13 * 3600_000, Date.now() + 60_000);
    await rec.close();
    rec = null;
    const t1 = Date.now();
    // No footage dated outside the time it was recorded (the bug dated it 10–12 h in the past).
    for (const s of listed.spans) assert.ok(s.startMs >= t0 - 1000 && s.endMs <= t1 + 1000, `span ${new Date(s.startMs).toISOString()}–${new Date(s.endMs).toISOString()} outside the recording time`);
    assert.ok(listed.recordedMs <= t1 - t0 + 1000, `recorded ${listed.recordedMs} ms in ${t1 - t0} ms`);
    assert.ok(status.restarts === 0, `the pull followed the restarts without reconnecting (${status.restarts} reconnects)`);
    const files = segmentFiles(dir.path, 'restart');
    assert.ok(files.length >= 4, `a segment per restart: ${files.length}`);
    const offsets: number[] = [];
    for (const f of files) {
      const captured = await firstFrameCaptureMs(f.path, 640, Date.now());
      assert.notEqual(captured, null, `the strip of ${f.path} is readable`);
      offsets.push(f.startMs - captured!);
    }
    console.log(`restart camera: ${cam.restarts() - startRestarts} restarts, cuts ${JSON.stringify(status.cuts)}; indexed start − first frame's capture time per segment: ${offsets.join(', ')} ms`);
    for (const [i, off] of offsets.entries()) assert.ok(Math.abs(off) <= TOLERANCE_MS, `segment ${i} (${files[i]!.path}) is indexed ${off} ms from its first frame`);
  });
});

test('a camera whose clock runs 2 % fast: the segment is cut when media and wall time drift apart by more than maxDriftMs, and every segment stays dated by its first frame', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    dir.remove();
  });
  await withCamera({ clockSkew: 0.02 }, async (cam) => {
    const base = await config(dir.path, [{ id: 'skewed', main: cam.url }]);
    const cfg = { ...base, recorder: { ...base.recorder, maxDriftMs: 100 } };
    rec = await startRecorder(cfg, { log, backoffMs: [300] });
    await waitFor('two drift cuts', () => (rec!.health().cameras[0]!.cuts.drift ?? 0) >= 2, 60000, 250);
    await rec.close();
    rec = null;
    const files = segmentFiles(dir.path, 'skewed');
    assert.ok(files.length >= 3, `segments: ${files.length}`);
    const offsets: number[] = [];
    for (const f of files) offsets.push(f.startMs - (await firstFrameCaptureMs(f.path, 640, Date.now()))!);
    console.log(`skewed camera: indexed start − first frame's capture time per segment: ${offsets.join(', ')} ms`);
    for (const [i, off] of offsets.entries()) assert.ok(Math.abs(off) <= TOLERANCE_MS, `segment ${i} is indexed ${off} ms from its first frame`);
  });
});

test('6 fps portrait camera with a 10 s GOP: recorded at 6 fps, 720×1280 kept, segments cut at keyframes and dated by their first frame', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    dir.remove();
  });
  await withCamera({ fps: 6, gopFrames: 60, width: 720, height: 1280 }, async (cam) => {
    const cfg = await config(dir.path, [{ id: 'portrait', main: cam.url }], 4);
    rec = await startRecorder(cfg, { log, backoffMs: [300], stallMs: 15000 });
    const base = `http://127.0.0.1:${rec.port}`;
    const t0 = Date.now();
    await waitFor('two closed segments', () => segmentFiles(dir.path, 'portrait').length >= 2, 60000, 500);
    const listed = await spans(base, 'portrait', t0 - 60000, Date.now() + 1000);
    await rec.close();
    rec = null;
    const files = segmentFiles(dir.path, 'portrait');
    const offsets: number[] = [];
    for (const f of files) {
      const s = await streams(f.path);
      assert.equal(s[0]!.r_frame_rate, '6/1', `${f.path} frame rate`);
      assert.deepEqual([s[0]!.width, s[0]!.height], [720, 1280]);
      offsets.push(f.startMs - (await firstFrameCaptureMs(f.path, 720, Date.now()))!);
    }
    console.log(`6 fps portrait, 10 s GOP: indexed start − first frame's capture time per segment: ${offsets.join(', ')} ms; spans ${JSON.stringify(listed.spans.map((x) => x.endMs - x.startMs))}`);
    for (const [i, off] of offsets.entries()) assert.ok(Math.abs(off) <= TOLERANCE_MS, `segment ${i} is indexed ${off} ms from its first frame`);
    // Segments cut only at keyframes: each one is a whole number of 10 s GOPs long (to the frame).
    const { probe } = await import('@wardwall/testing/recorder');
    for (const f of files.slice(0, -1)) {
      const p = await probe(f.path);
      assert.equal(p.frames % 60, 0, `${f.path}: ${p.frames} frames`);
    }
  });
});

const audioCases = [
  { kind: 'pcma', senderReports: true },
  { kind: 'pcmu', senderReports: true },
  { kind: 'aac', senderReports: true },
  { kind: 'pcma', senderReports: false },
] as const;
for (const { kind, senderReports } of audioCases) {
  const what = senderReports
    ? `${kind} audio is recorded as AAC beside the video, lip-synced within 50 ms by the camera's sender reports; audio: false records none`
    : `${kind} audio from a camera that sends no sender reports: recorded, lined up by arrival, with a constant offset (no drift)`;
  test(what, { timeout: 120_000 }, async (t) => {
    const dir = tempDir();
    let rec: Recorder | null = null;
    t.after(async () => {
      await rec?.close();
      dir.remove();
    });
    // The camera sends its audio 150 ms after the video of the same moment: lined up by arrival it
    // would be 150 ms late; its sender reports say where it belongs.
    await withCamera({ audio: kind, flashEveryMs: 1000, senderReports, audioSendDelayMs: senderReports ? 150 : 0 }, async (cam) => {
      const cfg = await config(dir.path, [{ id: 'with-audio', main: cam.url }, { id: 'muted', main: cam.url, audio: false }], 6);
      rec = await startRecorder(cfg, { log, backoffMs: [300] });
      await waitFor('a closed segment of each camera', () => segmentFiles(dir.path, 'with-audio').length >= 2 && segmentFiles(dir.path, 'muted').length >= 2, 60000, 500);
      // No child of the recorder has the camera URL on its command line.
      for (const pid of rec.writerPids()) {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        assert.ok(!cmdline.includes('rtsp://'), `pid ${pid} has no camera URL on its command line`);
      }
      await rec.close();
      rec = null;
      const withAudio = segmentFiles(dir.path, 'with-audio')[1]!.path;
      const s = await streams(withAudio);
      assert.deepEqual(s.map((x) => `${x.codec_type}:${x.codec_name}`), ['video:h264', 'audio:aac']);
      const muted = await streams(segmentFiles(dir.path, 'muted')[1]!.path);
      assert.deepEqual(muted.map((x) => x.codec_type), ['video']);
      const offsets = await lipSync(withAudio);
      console.log(`${kind}${senderReports ? '' : ' (no sender reports)'}: beep − flash in the recording: ${offsets.map((o) => o.toFixed(0)).join(', ')} ms`);
      assert.ok(offsets.length >= 3, `flashes found: ${offsets.length}`);
      if (senderReports) {
        for (const o of offsets) assert.ok(Math.abs(o) <= 50, `beep ${o.toFixed(0)} ms from its flash`);
      } else {
        // Without sender reports the offset is whatever the first packets' arrival made it (it grows
        // with the machine's load): only its constancy is the recorder's to keep.
        const spread = Math.max(...offsets) - Math.min(...offsets);
        assert.ok(spread <= 20, `beep − flash varies by ${spread.toFixed(0)} ms within one segment`);
      }
    });
  });
}

/** For each flash in a recorded file, the beep's onset minus the flash's first frame, ms. */
async function lipSync(file: string): Promise<number[]> {
  const v = await execFileP('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `movie=${file},crop=200:100:220:200,signalstats`, '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0'], { maxBuffer: 1 << 24 });
  const frames = v.stdout.trim().split('\n').map((l) => l.split(',').map(Number) as [number, number]);
  const flashes: number[] = [];
  for (let i = 1; i < frames.length; i++) if (frames[i]![1] > 200 && frames[i - 1]![1] <= 200) flashes.push(frames[i]![0] * 1000);
  const a = await execFileP('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `amovie=${file},asetnsamples=n=40:p=0,astats=metadata=1:reset=1`, '-show_entries', 'frame=pts_time:frame_tags=lavfi.astats.Overall.RMS_level', '-of', 'csv=p=0'], { maxBuffer: 1 << 24 });
  const blocks = a.stdout.trim().split('\n').map((l) => l.split(',').map((x) => (x === '-inf' ? -200 : Number(x))) as [number, number]);
  const beeps: number[] = [];
  for (let i = 1; i < blocks.length; i++) if (blocks[i]![1] > -20 && blocks[i - 1]![1] <= -20) beeps.push(blocks[i]![0] * 1000);
  const out: number[] = [];
  for (const f of flashes) {
    let best: number | null = null;
    for (const b of beeps) if (best === null || Math.abs(b - f) < Math.abs(best)) best = b - f;
    if (best !== null && Math.abs(best) < 500) out.push(best);
  }
  return out;
}
