import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanCache } from '../src/store/span-cache.js';
import { mergeSorted } from '../src/playback/spans.js';

const DAY = 86_400_000;

test('day-cached spans equal a direct merge over any window, and follow invalidation', () => {
  const t0 = Date.UTC(2026, 9, 1);
  let segs: [number, number][] = [];
  for (let t = t0; t < t0 + 5 * DAY; t += 60_000) {
    if (Math.floor(t / 60_000) % 137 === 0) continue; // a missing minute now and then
    segs.push([t, t + 59_900]);
  }
  segs.push([t0 + DAY - 30_000, t0 + DAY + 30_000]); // one across midnight
  segs.sort((a, b) => a[0] - b[0]);
  let calls = 0;
  const ranges = (_c: string, from: number, to: number) => {
    calls++;
    return segs.filter(([s, e]) => e > from && s < to && s >= from - 120_000);
  };
  const cache = new SpanCache(ranges);
  const direct = (from: number, to: number) => mergeSorted(ranges('a', from, to).map(([s, e]) => ({ startMs: s, endMs: e })), from, to);
  for (const [from, to] of [[t0, t0 + 5 * DAY], [t0 + 3_600_000, t0 + 2 * DAY + 7], [t0 + DAY - 1000, t0 + DAY + 1000], [t0 - DAY, t0 + 10]]) {
    assert.deepEqual(cache.spans('a', from!, to!), direct(from!, to!));
  }
  const before = calls;
  cache.spans('a', t0, t0 + 5 * DAY);
  assert.equal(calls, before, 'a repeated listing reads nothing from the index');
  // Remove an hour on day 2: only that day is recomputed, and the gap shows.
  const cut = [t0 + 2 * DAY + 3_600_000, t0 + 2 * DAY + 7_200_000];
  segs = segs.filter(([s]) => s < cut[0]! || s >= cut[1]!);
  cache.invalidate('a', cut[0]!, cut[1]!);
  const after = cache.spans('a', t0, t0 + 5 * DAY);
  assert.deepEqual(after, direct(t0, t0 + 5 * DAY));
  assert.ok(after.gaps.some((g) => g.startMs <= cut[0]! + 60_000 && g.endMs >= cut[1]! - 60_000));
});
