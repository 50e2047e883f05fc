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
import { decodeStripFromRgba, stripHeight } from '@wardwall/common';
import { startRecorder, type Recorder } from '../src/app.js';
import { parseSegmentFileName } from '../src/store/naming.js';
import { execFileP, log, sleep, spans, startCameras, tempDir, testConfig, waitFor } from './helpers.js';

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
