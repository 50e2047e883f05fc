/**
 * Real Chromium plays a recorded window through hls.js from the recorder's playlist, and a seek to
 * a wall-clock instant shows the frame the demo camera stamped at that instant (its burned-in
 * timestamp strip is read back from the canvas), also across segment files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRecorder } from '../src/app.js';
import { log, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';
import { openPlayer } from '@wardwall/testing/player';

test('hls.js in Chromium plays a recorded window and seeks to the right wall-clock frame', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 1, dataDir: dir.path, segmentSeconds: 4 });
  const cams = await startCameras(config);
  // The test page is served from another origin and reads the recorder directly.
  const rec = await startRecorder(config, { log, allowOrigin: '*' });
  const base = `http://127.0.0.1:${rec.port}`;
  let player: Awaited<ReturnType<typeof openPlayer>> | null = null;
  t.after(async () => {
    await player?.close();
    await rec.close();
    await cams.close();
    dir.remove();
  });
  const t0 = Date.now();
  await waitFor('14 s of footage', async () => (await spans(base, 'demo-1', t0 - 5000, Date.now())).recordedMs >= 14000, 50000, 500);
  const span = (await spans(base, 'demo-1', t0 - 5000, Date.now())).spans[0]!;
  player = await openPlayer(base, 'demo-1');
  const loaded = await player.load(span.startMs, span.endMs);
  assert.ok(loaded.fragments >= 12, `playlist of ${loaded.fragments} parts`);

  const offsets: number[] = [];
  // Inside a file, in a later file (after a discontinuity), then backwards.
  for (const at of [span.startMs + 2300, span.startMs + 9700, span.startMs + 5150, span.endMs - 1500]) {
    const r = await player.seek(at);
    assert.ok(r.shownMs !== null, 'the burned-in clock is readable');
    offsets.push(r.shownMs - at);
    log.info({ at, offsetMs: r.shownMs - at, seekMs: Math.round(r.ms), viaFallback: r.viaFallback }, 'seek');
  }
  for (const o of offsets) assert.ok(Math.abs(o) <= 200, `seeks land on the frame stamped at that instant (offsets ${offsets.join(', ')} ms)`);
  // It plays: media time and the burned-in clock advance together.
  const before = await player.seek(span.startMs + 3000);
  const advanced = await player.playFor(1500);
  assert.ok(advanced > 1, `played ${advanced} s`);
  assert.ok(before.shownMs !== null);
});
