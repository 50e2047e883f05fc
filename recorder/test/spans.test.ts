/** Span merging (playback/spans.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSpans } from '../src/playback/spans.js';

test('span merging: contiguous segments join, gaps are reported, clipped to the window', () => {
  const cases: { name: string; ranges: [number, number][]; from: number; to: number; spans: [number, number][]; gaps: [number, number][] }[] = [
    { name: 'empty', ranges: [], from: 0, to: 100, spans: [], gaps: [[0, 100]] },
    { name: 'contiguous', ranges: [[10, 20], [20, 30], [30, 40]], from: 0, to: 100, spans: [[10, 40]], gaps: [[0, 10], [40, 100]] },
    { name: 'within tolerance', ranges: [[10, 20], [20.2, 30]], from: 0, to: 30, spans: [[10, 30]], gaps: [[0, 10]] },
    { name: 'gap', ranges: [[10, 20], [25, 30]], from: 0, to: 30, spans: [[10, 20], [25, 30]], gaps: [[0, 10], [20, 25]] },
    { name: 'unsorted + overlap', ranges: [[25, 30], [10, 22], [15, 20]], from: 0, to: 30, spans: [[10, 22], [25, 30]], gaps: [[0, 10], [22, 25]] },
    { name: 'clipped', ranges: [[0, 50], [60, 200]], from: 40, to: 100, spans: [[40, 50], [60, 100]], gaps: [[50, 60]] },
    { name: 'outside', ranges: [[0, 10], [200, 300]], from: 50, to: 100, spans: [], gaps: [[50, 100]] },
    { name: 'empty range ignored', ranges: [[20, 20], [30, 40]], from: 0, to: 50, spans: [[30, 40]], gaps: [[0, 30], [40, 50]] },
  ];
  for (const c of cases) {
    const r = mergeSpans(c.ranges.map(([s, e]) => ({ startMs: s, endMs: e })), c.from, c.to, 1);
    assert.deepEqual(r.spans.map((s) => [s.startMs, s.endMs]), c.spans, c.name);
    assert.deepEqual(r.gaps.map((s) => [s.startMs, s.endMs]), c.gaps, c.name);
    assert.equal(r.recordedMs, c.spans.reduce((a, [s, e]) => a + e - s, 0), c.name);
  }
});
