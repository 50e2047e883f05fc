/** Which fetches are already audited: ranges per viewer and camera, expiry, bounds; bytes → time span. Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditedRanges, spanOfBytes } from '../src/playback/audited-ranges.js';

test('a range covers what lies inside it, for the same viewer and camera, until it expires', () => {
  const r = new AuditedRanges(1000);
  assert.equal(r.covers('s1|cam', 10, 20, 0), false);
  r.add('s1|cam', { from: 0, to: 100 }, 0);
  assert.equal(r.covers('s1|cam', 10, 20, 500), true);
  assert.equal(r.covers('s1|cam', 0, 100, 500), true);
  assert.equal(r.covers('s1|cam', 90, 110, 500), false, 'reaching past the end');
  assert.equal(r.covers('s2|cam', 10, 20, 500), false, 'another session');
  assert.equal(r.covers('s1|other', 10, 20, 500), false, 'another camera');
  assert.equal(r.covers('s1|cam', 10, 20, 1000), false, 'expired');
  r.add('s1|cam', { from: 200, to: 300 }, 1000);
  assert.equal(r.size, 1, 'the expired range was dropped');
});

test('bounded: the oldest viewers are forgotten first', () => {
  const r = new AuditedRanges(60_000, 10);
  for (let i = 0; i < 25; i++) r.add(`s${i}|cam`, { from: i, to: i + 1 }, i);
  assert.ok(r.size <= 10);
  assert.equal(r.covers('s24|cam', 24, 25, 30), true);
  assert.equal(r.covers('s0|cam', 0, 1, 30), false);
});

test('spanOfBytes: the parts a byte range touches; the init section alone is no footage', () => {
  const parts = [
    { offset: 1000, length: 500, startMs: 10_000, durationMs: 1000 },
    { offset: 1500, length: 500, startMs: 11_000, durationMs: 1000 },
    { offset: 2000, length: 500, startMs: 12_000, durationMs: 1000 },
  ];
  assert.equal(spanOfBytes(parts, 0, 999), null);
  assert.deepEqual(spanOfBytes(parts, 0, 1000), { from: 10_000, to: 11_000 });
  assert.deepEqual(spanOfBytes(parts, 1600, 1700), { from: 11_000, to: 12_000 });
  assert.deepEqual(spanOfBytes(parts, 0, 2499), { from: 10_000, to: 13_000 });
  assert.equal(spanOfBytes(parts, 2500, 3000), null);
});
