import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LINK_POLICY as P, INITIAL_LINK_STATE, activeJitterMs, judgeSample, linkConstraint, nextLinkState, sampleFrom, tileIsLive, type LinkSample, type LinkState } from '../src/core/link-quality.js';

const ok: LinkSample = { at: 0, availableIncomingBitrate: null, lossRate: 0, jitterMs: 5, freezes: 0, minScore: 10, receivedBitrate: 2e6, starved: false };
const s = (over: Partial<LinkSample>): LinkSample => ({ ...ok, ...over });

test('judgeSample: table', () => {
  const cases: [Partial<LinkSample>, string][] = [
    [{}, 'good'],
    [{ lossRate: null, minScore: null, jitterMs: null }, 'good'],
    [{ lossRate: 0.02 }, 'neutral'],
    [{ lossRate: 0.05 }, 'bad'],
    [{ lossRate: 0.2 }, 'severe'],
    [{ jitterMs: 120 }, 'bad'],
    [{ minScore: 5 }, 'bad'],
    [{ minScore: 8 }, 'neutral'],
    [{ availableIncomingBitrate: 300_000 }, 'bad'],
    [{ availableIncomingBitrate: 3_000_000 }, 'good'],
    [{ freezes: 1 }, 'good'],
    [{ freezes: 3 }, 'good'],
    [{ freezes: 2, lossRate: 0.015 }, 'bad'],
    [{ freezes: 1, lossRate: 0.015 }, 'neutral'],
    [{ lossRate: null, receivedBitrate: 0, starved: true }, 'severe'],
  ];
  for (const [over, want] of cases) assert.equal(judgeSample(s(over)), want, JSON.stringify(over));
});

test('nextLinkState: down after two bad samples or one severe, up only after staying good', () => {
  const run = (samples: LinkSample[], from: LinkState = INITIAL_LINK_STATE) => samples.reduce((st, x) => nextLinkState(st, x), from);
  assert.equal(run([s({ at: 0, lossRate: 0.05 })]).level, 'good');
  assert.equal(run([s({ at: 0, lossRate: 0.05 }), s({ at: 2000 }), s({ at: 4000, lossRate: 0.05 })]).level, 'good'); // not in a row
  const poor = run([s({ at: 0, lossRate: 0.05 }), s({ at: 2000, minScore: 3 })]);
  assert.equal(poor.level, 'poor');
  assert.equal(run([s({ at: 0, lossRate: 0.5 })]).level, 'poor');
  // Recovery: good for less than recoverAfterMs stays poor; a bad sample restarts the wait; neutral does too.
  assert.equal(run([s({ at: 10_000 }), s({ at: 15_000 })], poor).level, 'poor');
  assert.equal(run([s({ at: 10_000 }), s({ at: 10_000 + P.recoverAfterMs })], poor).level, 'good');
  assert.equal(run([s({ at: 10_000 }), s({ at: 15_000, lossRate: 0.05 }), s({ at: 10_000 + P.recoverAfterMs })], poor).level, 'poor');
  assert.equal(run([s({ at: 10_000 }), s({ at: 15_000, lossRate: 0.02 }), s({ at: 10_000 + P.recoverAfterMs })], poor).level, 'poor');
});

test('linkConstraint and tileIsLive: first N camera tiles live on a poor link, the expanded one always', () => {
  const tiles = ['a', null, 'b', 'c', 'd', 'e', 'f'];
  const poor = linkConstraint('poor');
  assert.deepEqual(poor, { forceSub: true, maxLive: P.poorLiveTiles });
  assert.deepEqual(tiles.map((_, i) => tileIsLive(i, tiles, poor, null)), [true, true, true, true, true, false, false]);
  assert.deepEqual(tiles.map((_, i) => tileIsLive(i, tiles, linkConstraint('good'), null)), tiles.map(() => true));
  assert.deepEqual(tiles.map((_, i) => tileIsLive(i, tiles, poor, 6)), [false, false, false, false, false, false, true]);
});

test('sampleFrom: deltas, loss rate, freezes; none across a reset', () => {
  const a = { at: 1000, packetsReceived: 1000, packetsLost: 10, bytesReceived: 1e6, freezeCount: 1, streams: { s1: { packets: 1000, jitterMs: 9 } }, availableIncomingBitrate: null };
  const b = { ...a, at: 3000, packetsReceived: 1900, packetsLost: 110, bytesReceived: 1.5e6, freezeCount: 3 };
  const x = sampleFrom(a, b, 7)!;
  assert.equal(x.lossRate, 100 / 1000);
  assert.equal(x.freezes, 2);
  assert.equal(x.minScore, 7);
  assert.equal(x.receivedBitrate, 2e6);
  assert.equal(sampleFrom(null, b, null), null);
  assert.equal(sampleFrom(b, { ...a, at: 5000 }, null), null);
  assert.equal(sampleFrom(a, { ...a, at: 3000 }, null)!.lossRate, null);
  assert.equal(sampleFrom(a, { ...a, at: 3000 }, null, true)!.starved, true);
  assert.equal(sampleFrom(a, { ...a, at: 3000 }, null, false)!.starved, false);
  assert.equal(x.starved, false);
});

test('jitter counts only streams that received packets in the interval (a paused consumer keeps its last, stale jitter)', () => {
  const prev = { main: { packets: 5000, jitterMs: 458 }, sub: { packets: 200, jitterMs: 30 } };
  // After a throttle: the main stream's consumer is paused (no new packets, its jitter frozen at 458 ms); the sub stream flows.
  assert.equal(activeJitterMs(prev, { main: { packets: 5000, jitterMs: 458 }, sub: { packets: 260, jitterMs: 6 } }), 6);
  assert.equal(activeJitterMs(prev, { main: { packets: 5100, jitterMs: 120 }, sub: { packets: 260, jitterMs: 6 } }), 120, 'both flowing: the worst');
  assert.equal(activeJitterMs(prev, { ...prev, fresh: { packets: 40, jitterMs: 15 } }), 15, 'a new stream with packets counts');
  assert.equal(activeJitterMs(prev, prev), null, 'nothing flowing: no jitter to judge');
  assert.equal(activeJitterMs({}, { a: { packets: 10, jitterMs: null } }), null);
});
