import { test } from 'node:test';
import assert from 'node:assert/strict';
import { follow, gapsOf, isRecorded, rangeRects, thumbnailInstant, ticks, timeToX, xToTime, zoomView } from '../src/core/timeline.js';

const V = { from: 0, to: 100_000 };

test('time ↔ x over the view; x is clamped into it', () => {
  assert.equal(timeToX(50_000, V, 1000), 500);
  assert.equal(timeToX(-10_000, V, 1000), -100);
  assert.equal(xToTime(250, V, 1000), 25_000);
  assert.equal(xToTime(-5, V, 1000), 0);
  assert.equal(xToTime(5000, V, 1000), 100_000);
  assert.equal(xToTime(10, V, 0), 0);
});

test('span rectangles are clipped to the view, dropped outside it, and at least minWidth wide', () => {
  const rects = rangeRects(
    [
      { startMs: -20_000, endMs: 10_000 },
      { startMs: 40_000, endMs: 40_010 },
      { startMs: 90_000, endMs: 200_000 },
      { startMs: 150_000, endMs: 160_000 },
    ],
    V,
    1000,
    2,
  );
  assert.deepEqual(rects, [
    { x: 0, width: 100, startMs: 0, endMs: 10_000 },
    { x: 400, width: 2, startMs: 40_000, endMs: 40_010 },
    { x: 900, width: 100, startMs: 90_000, endMs: 100_000 },
  ]);
});

test('gaps are the uncovered parts of the view (unsorted, overlapping spans)', () => {
  assert.deepEqual(gapsOf([], V), [{ startMs: 0, endMs: 100_000 }]);
  assert.deepEqual(
    gapsOf(
      [
        { startMs: 60_000, endMs: 70_000 },
        { startMs: 10_000, endMs: 30_000 },
        { startMs: 20_000, endMs: 40_000 },
        { startMs: 95_000, endMs: 120_000 },
      ],
      V,
    ),
    [
      { startMs: 0, endMs: 10_000 },
      { startMs: 40_000, endMs: 60_000 },
      { startMs: 70_000, endMs: 95_000 },
    ],
  );
  assert.deepEqual(gapsOf([{ startMs: -5, endMs: 200_000 }], V), []);
  assert.equal(isRecorded([{ startMs: 10, endMs: 20 }], 10), true);
  assert.equal(isRecorded([{ startMs: 10, endMs: 20 }], 20), false);
});

test('ticks: step keeps labels apart and aligns to Vietnamese wall-clock time', () => {
  const from = Date.UTC(2026, 10, 28, 7, 0, 7); // 14:00:07 in Vietnam
  const view = { from, to: from + 3600_000 };
  const { step, at } = ticks(view, 1000, 80);
  assert.equal(step, 300_000, 'one hour over 1000 px: every 5 minutes (83 px apart)');
  assert.equal(at[0], Date.UTC(2026, 10, 28, 7, 5));
  assert.ok(at.every((t) => (t + 7 * 3600_000) % step === 0));
  // An hour step aligns on whole Vietnamese hours, which are whole UTC hours too.
  const day = ticks({ from, to: from + 12 * 3600_000 }, 600, 80);
  assert.equal(day.step, 2 * 3600_000, "12 h over 600 px: every 2 h (100 px apart)");
  assert.equal(new Date(day.at[0]! + 7 * 3600_000).getUTCHours() % 2, 0);
  assert.deepEqual(ticks(V, 0), { step: 0, at: [] });
});

test('zoom around an anchor keeps it in place and respects the limits; follow recentres', () => {
  const z = zoomView({ from: 0, to: 100_000 }, 25_000, 0.5);
  assert.deepEqual(z, { from: 12_500, to: 62_500 });
  assert.equal(zoomView({ from: 0, to: 20_000 }, 0, 0.1).to, 10_000, 'no closer than 10 s');
  assert.deepEqual(follow(V, 50_000), V);
  assert.deepEqual(follow(V, 95_000), { from: 45_000, to: 145_000 });
});

test('a hover thumbnail asks for a rounded instant inside the hovered span, none over a gap', () => {
  const spans = [{ startMs: 10_400, endMs: 11_900 }, { startMs: 20_000, endMs: 80_000 }];
  assert.equal(thumbnailInstant(spans, 10_450), 10_400, 'rounding down to 10 000 would leave the span: its start');
  assert.equal(thumbnailInstant(spans, 11_800), 11_650, 'rounding up to 12 000 would pass the edge: kept before it');
  assert.equal(thumbnailInstant(spans, 45_400), 45_000, 'inside a long span: the rounded second');
  assert.equal(thumbnailInstant(spans, 15_000), null, 'a gap has no picture');
  assert.equal(thumbnailInstant(spans, 80_000), null, 'the end is exclusive');
  assert.equal(thumbnailInstant([{ startMs: 0, endMs: 100 }], 50), 0, 'a span shorter than the edge margin: its start');
});
