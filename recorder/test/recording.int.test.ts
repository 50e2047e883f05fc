/**
 * Records two real demo cameras (embedded RTSP endpoint, ffmpeg publishers) with 4 s segments:
 * spans cover the recorded time, unplugging one camera for ~8 s leaves a gap in its spans only,
 * recording resumes by itself, and after a restart of the recorder the footage is still indexed and
 * recording goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRecorder, type Recorder } from '../src/app.js';
import { parseSegmentFileName } from '../src/store/naming.js';
import { readFmp4 } from '../src/store/fmp4.js';
import { getJson, log, probe, sleep, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

test('two cameras: spans, an unplugged camera leaves a gap, recording resumes, survives a restart', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 2, dataDir: dir.path, segmentSeconds: 4 });
  const cams = await startCameras(config);
  const opts = { log, backoffMs: [500, 1000, 1000], stallMs: 4000, ioTimeoutMs: 3000 };
  let rec: Recorder | null = await startRecorder(config, opts);
  t.after(async () => {
    await rec?.close();
    await cams.close();
    dir.remove();
  });
  const t0 = Date.now();
  let base = `http://127.0.0.1:${rec.port}`;

  // Both cameras record: at least 8 s each, contiguous.
  for (const cam of ['demo-1', 'demo-2']) {
    await waitFor(`${cam} to record 8 s`, async () => (await spans(base, cam, t0 - 10000, Date.now())).recordedMs >= 8000, 30000);
  }
  const before = await spans(base, 'demo-1', t0 - 10000, Date.now());
  assert.equal(before.spans.length, 1, `one contiguous span, got ${JSON.stringify(before.spans)}`);
  const health = (await getJson(`${base}/api/health`)).body;
  assert.deepEqual(health.cameras.map((c: { state: string }) => c.state), ['recording', 'recording']);
  assert.equal(JSON.stringify(health).includes('rtsp://'), false, 'no camera URL in the health report');

  // Unplug demo-1 for ~8 s.
  const tStop = Date.now();
  await cams.demo!.stop('demo-1');
  await sleep(8000);
  const during = (await getJson(`${base}/api/health`)).body.cameras.find((c: { camera: string }) => c.camera === 'demo-1');
  assert.notEqual(during.state, 'recording', 'the outage shows in the health report');
  assert.ok(during.lastFault, 'with a fault');
  cams.demo!.start('demo-1');
  const tBack = Date.now();
  await waitFor('demo-1 to record again', async () => {
    const s = await spans(base, 'demo-1', t0 - 10000, Date.now());
    const last = s.spans[s.spans.length - 1]!;
    return s.spans.length >= 2 && last.startMs > tStop && last.endMs - last.startMs >= 4000;
  }, 40000);
  const after = await spans(base, 'demo-1', t0 - 10000, Date.now());
  const gap = after.gaps.find((g) => g.startMs > t0 && g.endMs < after.to - 1000);
  assert.ok(gap, `a gap inside the window: ${JSON.stringify(after)}`);
  assert.ok(Math.abs(gap.startMs - tStop) < 1500, `the gap starts when the camera was unplugged (${gap.startMs - tStop} ms)`);
  assert.ok(gap.endMs >= tBack - 500, `the gap lasts until the camera came back (${gap.endMs - tBack} ms)`);
  assert.ok(gap.endMs - gap.startMs < 8000 + 15000, 'and not much longer');
  // The other camera recorded straight through.
  const other = await spans(base, 'demo-2', t0 - 10000, Date.now() - 3000);
  assert.equal(other.spans.length, 1, `demo-2 has no gap: ${JSON.stringify(other.spans)}`);
  assert.ok(other.spans[0]!.startMs < tStop && other.spans[0]!.endMs > tBack);

  // Files: final names carry camera and start; every closed file plays.
  const day = readdirSync(join(dir.path, 'demo-2')).find((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))!;
  const files = readdirSync(join(dir.path, 'demo-2', day)).sort();
  assert.ok(files.length >= 3);
  for (const f of files) assert.equal(parseSegmentFileName(f)?.camera, 'demo-2', f);
  const sample = join(dir.path, 'demo-2', day, files[1]!);
  const info = await readFmp4(sample);
  assert.ok(info.fragments.length >= 3 && info.fragments.every((f) => f.keyframe), 'about 1 s fragments, each from a keyframe');
  assert.ok(info.fragments.every((f) => Math.abs(f.duration / info.timescale - 1) < 0.1), 'fragments of about 1 s');
  const p = await probe(sample);
  assert.ok(p.frames >= 90 && Math.abs(p.duration - 4) < 0.6, `a 4 s segment plays: ${JSON.stringify(p)}`);

  // Restart the recorder: the index is reconciled and recording continues.
  const recordedBefore = (await spans(base, 'demo-2', t0 - 10000, Date.now())).recordedMs;
  await rec.close();
  const tRestart = Date.now();
  rec = await startRecorder(config, opts);
  base = `http://127.0.0.1:${rec.port}`;
  const kept = await spans(base, 'demo-2', t0 - 10000, tRestart);
  assert.ok(kept.recordedMs >= recordedBefore - 500, `footage kept across the restart (${kept.recordedMs} vs ${recordedBefore})`);
  await waitFor('recording after the restart', async () => {
    const s = await spans(base, 'demo-2', tRestart, Date.now());
    return s.recordedMs >= 3000;
  }, 30000);
});
