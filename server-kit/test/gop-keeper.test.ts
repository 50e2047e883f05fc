// GopKeeper: the access units since the last keyframe, bounded (overflow → empty until the next
// keyframe, like the ingest's GopBuffer); the latest keyframe kept apart; damage empties it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GopKeeper, type AccessUnit } from '@wardwall/server-kit';

const au = (timestamp: number, bytes: number, keyframe = false, damaged = false): AccessUnit => ({ timestamp, nalus: [Buffer.alloc(bytes, keyframe ? 0x65 : 0x41)], keyframe, hasParameterSets: keyframe, bytes, damaged });

test('keeps the units since the last keyframe; nothing before the first keyframe', () => {
  const g = new GopKeeper(1000);
  g.push(au(1, 10));
  assert.equal(g.units().length, 0);
  assert.equal(g.latestKeyframe(), null);
  const k = au(2, 100, true);
  g.push(k);
  g.push(au(3, 50));
  g.push(au(4, 50));
  assert.deepEqual(g.units().map((u) => u.timestamp), [2, 3, 4]);
  assert.equal(g.bytes, 200);
  const k2 = au(5, 100, true);
  g.push(k2);
  assert.deepEqual(g.units().map((u) => u.timestamp), [5]);
  assert.equal(g.latestKeyframe(), k2);
});

test('overflow empties it until the next keyframe; the latest keyframe stays', () => {
  const g = new GopKeeper(300);
  const k = au(1, 200, true);
  g.push(k);
  g.push(au(2, 90));
  g.push(au(3, 20)); // 310 > 300
  assert.equal(g.units().length, 0);
  assert.equal(g.overflowed, true);
  g.push(au(4, 1));
  assert.equal(g.units().length, 0);
  assert.equal(g.latestKeyframe(), k);
  g.push(au(5, 100, true));
  assert.deepEqual(g.units().map((u) => u.timestamp), [5]);
  assert.equal(g.overflowed, false);
  // A keyframe alone beyond the bound: kept as the latest keyframe, the GOP empty.
  const huge = au(6, 400, true);
  g.push(huge);
  assert.equal(g.units().length, 0);
  assert.equal(g.latestKeyframe(), huge);
});

test('a damaged unit empties it until the next keyframe; a damaged keyframe is not kept', () => {
  const g = new GopKeeper();
  const k = au(1, 10, true);
  g.push(k);
  g.push(au(2, 10, false, true));
  g.push(au(3, 10));
  assert.equal(g.units().length, 0);
  g.push(au(4, 10, true, true));
  assert.equal(g.latestKeyframe(), k);
  g.clear();
  assert.equal(g.latestKeyframe(), null);
});
