/** Retention planning (store/retention.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRetention, isHeld, type RetentionSegment } from '../src/store/retention.js';

test('retention planning: age, quota, free space, oldest first, holds and open segments are kept', () => {
  const H = 3600000;
  const now = 100 * H;
  const seg = (id: number, camera: string, startH: number, bytes = 100, open = false): RetentionSegment => ({ id, camera, startMs: startH * H, endMs: (startH + 1) * H, bytes, open });
  const segs = [seg(1, 'a', 1), seg(2, 'b', 2), seg(3, 'a', 3), seg(4, 'b', 4), seg(5, 'a', 98), seg(6, 'b', 99, 100, true)];
  const base = { now, maxAgeMs: 1000 * H, maxBytes: 0, storeBytes: 600, freeBytes: 1e9, minFreeBytes: 0 };
  assert.deepEqual(planRetention(segs, [], base).delete, [], 'nothing to do');
  assert.deepEqual(planRetention(segs, [], { ...base, maxAgeMs: 95.5 * H }).delete.map((d) => [d.id, d.reason]), [[1, 'age'], [2, 'age'], [3, 'age']]);
  assert.deepEqual(planRetention(segs, [], { ...base, maxAgeMs: 95.5 * H, maxAgeMsByCamera: { b: 1000 * H } }).delete.map((d) => d.id), [1, 3], 'per-camera override');
  assert.deepEqual(planRetention(segs, [], { ...base, maxBytes: 350 }).delete.map((d) => [d.id, d.reason]), [[1, 'quota'], [2, 'quota'], [3, 'quota']]);
  assert.deepEqual(planRetention(segs, [], { ...base, freeBytes: 50, minFreeBytes: 200 }).delete.map((d) => [d.id, d.reason]), [[1, 'free-space'], [2, 'free-space']]);
  // Holds: a camera hold over hour 1..2 of camera a keeps seg 1; an all-camera hold keeps seg 2; the plan moves on.
  const holds = [{ camera: 'a', startMs: 1.5 * H, endMs: 1.6 * H }, { camera: null, startMs: 2 * H, endMs: 2.5 * H }];
  const p = planRetention(segs, holds, { ...base, maxBytes: 350 });
  assert.deepEqual(p.delete.map((d) => d.id), [3, 4, 5]);
  assert.equal(p.heldKept, 2);
  // Everything unheld gone and still over: the open segment stays, the deficit is reported.
  const q = planRetention(segs, holds, { ...base, maxBytes: 10 });
  assert.deepEqual(q.delete.map((d) => d.id), [3, 4, 5]);
  assert.equal(q.quotaDeficitBytes, 600 - 300 - 10);
  assert.equal(isHeld({ camera: 'b', startMs: 1 * H, endMs: 2 * H }, holds), false, 'a camera hold does not hold other cameras');
  assert.equal(isHeld({ camera: 'a', startMs: 2.5 * H, endMs: 3 * H }, holds), false, 'touching is not overlapping');
  assert.deepEqual(planRetention(segs, [], { ...base, maxBytes: 10, maxDeletions: 2 }).delete.map((d) => d.id), [1, 2], 'bounded pass');
  // The walk stops early: a generator past the horizon is not drained.
  let pulled = 0;
  function* lazy(): Generator<RetentionSegment> {
    for (const s of segs) {
      pulled++;
      yield s;
    }
  }
  planRetention(lazy(), [], base);
  assert.equal(pulled, 1);
});
