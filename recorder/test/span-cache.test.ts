import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanCache, appendToDay } from '../src/store/span-cache.js';
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

test('appending to a day: extend the last span, start a new one after a gap, refuse anything earlier', () => {
  const day = [
    { startMs: 0, endMs: 100 },
    { startMs: 500, endMs: 600 },
  ];
  assert.deepEqual(appendToDay([], 10, 20, 5), [{ startMs: 10, endMs: 20 }]);
  assert.deepEqual(appendToDay(day, 600, 700, 5), [day[0], { startMs: 500, endMs: 700 }], 'contiguous');
  assert.deepEqual(appendToDay(day, 604, 700, 5), [day[0], { startMs: 500, endMs: 700 }], 'within the tolerance');
  assert.deepEqual(appendToDay(day, 550, 580, 5), [day[0], day[1]], 'inside the last span');
  assert.deepEqual(appendToDay(day, 800, 900, 5), [...day, { startMs: 800, endMs: 900 }], 'after a gap');
  assert.equal(appendToDay(day, 200, 300, 5), null, 'before the last span: recompute');
  assert.deepEqual(appendToDay(day, 900, 900, 5), day, 'empty');
});

test('appended segments keep the day summaries equal to a direct merge; the persistent level survives a restart', () => {
  const t0 = Date.UTC(2026, 9, 1);
  const segs: [number, number][] = [];
  const ranges = (_c: string, from: number, to: number) => segs.filter(([s, e]) => e > from && s < to).sort((a, b) => a[0] - b[0]);
  const persisted = new Map<string, { startMs: number; endMs: number }[]>();
  const store = {
    get: (c: string, d: number) => persisted.get(`${c}/${d}`),
    put: (c: string, d: number, s: readonly { startMs: number; endMs: number }[]) => void persisted.set(`${c}/${d}`, [...s]),
    drop: (c: string, d: number) => void persisted.delete(`${c}/${d}`),
  };
  const cache = new SpanCache(ranges, 250, store);
  const direct = (from: number, to: number) => mergeSorted(ranges('a', from, to).map(([s, e]) => ({ startMs: s, endMs: e })), from, to);
  // 3 days of 60 s segments with outages, appended as a recorder does (open segment growing, then closed).
  let t = t0 - 30_000;
  let n = 0;
  while (t < t0 + 3 * DAY) {
    if (n++ % 211 === 0) t += 300_000; // an outage
    const seg: [number, number] = [t, t + 1000];
    segs.push(seg);
    cache.appended('a', seg[0], seg[1]);
    seg[1] = t + 60_000; // grew to its full length
    cache.appended('a', seg[0], seg[1]);
    t += 60_000;
  }
  assert.deepEqual(cache.spans('a', t0 - DAY, t0 + 4 * DAY), direct(t0 - DAY, t0 + 4 * DAY));
  // A segment re-inserted in the middle (a repair) is not an append: the day is recomputed.
  const mid = segs.splice(2000, 1)[0]!;
  cache.invalidate('a', mid[0], mid[1]);
  assert.deepEqual(cache.spans('a', t0, t0 + 3 * DAY), direct(t0, t0 + 3 * DAY));
  segs.push(mid);
  cache.appended('a', mid[0], mid[1]);
  assert.deepEqual(cache.spans('a', t0, t0 + 3 * DAY), direct(t0, t0 + 3 * DAY));
  // A new process: the persisted summaries answer without reading a single segment row.
  let reads = 0;
  const restarted = new SpanCache((c, f, to) => (reads++, ranges(c, f, to)), 250, store);
  assert.deepEqual(restarted.spans('a', t0, t0 + 3 * DAY), direct(t0, t0 + 3 * DAY));
  assert.equal(reads, 0);
});

test('the index keeps its day summaries across a reopen, and they match the rows', async () => {
  const { RecorderDb } = await import('../src/store/db.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-dayspans-'));
  try {
    const t0 = Date.UTC(2026, 9, 1);
    let db = new RecorderDb(join(dir, 'index.sqlite'));
    for (let t = t0; t < t0 + 2 * DAY; t += 60_000) {
      if (Math.floor(t / 60_000) % 173 === 0) continue;
      db.insertSegment({ camera: 'a', startMs: t, endMs: t + 60_000, bytes: 1, path: `a/${t}.mp4`, open: false });
    }
    const before = db.spans('a', t0, t0 + 2 * DAY);
    db.close();
    db = new RecorderDb(join(dir, 'index.sqlite'));
    const kept = db.db.prepare('SELECT count(*) FROM day_spans').pluck().get() as number;
    assert.ok(kept >= 2, `day summaries kept: ${kept}`);
    assert.deepEqual(db.spans('a', t0, t0 + 2 * DAY), before);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
