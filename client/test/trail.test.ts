import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addHop, endTrail, isOpen, startTrail } from '../src/core/trail.js';

test('hops end the current camera and start the next', () => {
  let t = startTrail('t1', 'x', 'live', 'a', 1000);
  t = addHop(t, 'b', 2000);
  t = addHop(t, 'b', 2500); // same camera: nothing
  t = addHop(t, 'c', 4000);
  assert.deepEqual(t.hops, [
    { cameraId: 'a', inAt: 1000, outAt: 2000 },
    { cameraId: 'b', inAt: 2000, outAt: 4000 },
    { cameraId: 'c', inAt: 4000, outAt: null },
  ]);
  assert.equal(isOpen(t), true);
  t = endTrail(t, 5000);
  assert.equal(isOpen(t), false);
  assert.deepEqual(t.hops[2], { cameraId: 'c', inAt: 4000, outAt: 5000 });
  assert.equal(endTrail(t, 9000), t);
});

test('a hop earlier than the current camera started is clamped (no overlap)', () => {
  let t = startTrail('t', 'x', 'recording', 'a', 5000);
  t = addHop(t, 'b', 3000);
  assert.deepEqual(t.hops, [
    { cameraId: 'a', inAt: 5000, outAt: 5000 },
    { cameraId: 'b', inAt: 5000, outAt: null },
  ]);
});

test('hops map to bookmarks and back (open hop tagged, ties keep creation order)', async () => {
  const { hopToBookmark, hopsFromBookmarks, hopChanged, TRAIL_TAGS } = await import('../src/core/trail.js');
  let t = startTrail('t', 'x', 'recording', 'a', 1000);
  t = addHop(t, 'b', 1000);
  t = addHop(t, 'c', 3000);
  const stored = t.hops.map((h, i) => ({ ...hopToBookmark(h, t.source), createdMs: 100 + i }));
  assert.deepEqual(stored[2]!.tags, [TRAIL_TAGS.recording, TRAIL_TAGS.open]);
  assert.equal(stored[2]!.endMs, 3000);
  const back = hopsFromBookmarks([stored[2]!, stored[1]!, stored[0]!]);
  assert.deepEqual(back, { hops: t.hops, source: 'recording' });
  assert.equal(hopChanged(stored[0]!, hopToBookmark(t.hops[0]!, 'recording')), false);
  assert.equal(hopChanged(stored[2]!, hopToBookmark({ ...t.hops[2]!, outAt: 4000 }, 'recording')), true);
  assert.equal(hopsFromBookmarks([]).source, 'live');
});
