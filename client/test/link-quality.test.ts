import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LINK_POLICY as P, INITIAL_LINK_STATE, activeJitterMs, browserBusy, judgeSample, linkConstraint, nextLinkState, sampleFrom, tileIsLive, type LinkSample, type LinkState } from '../src/core/link-quality.js';

const ok: LinkSample = { at: 0, availableIncomingBitrate: null, lossRate: 0, jitterMs: 5, freezes: 0, minScore: 10, receivedBitrate: 2e6, starved: false };
const s = (over: Partial<LinkSample>): LinkSample => ({ ...ok, ...over });

test('judgeSample: table', () => {
  const cases: [Partial<LinkSample>, string][] = [
    [{}, 'good'],
    [{ lossRate: null, minScore: null, jitterMs: null }, 'good'],
    [{ lossRate: 0.02 }, 'neutral'],
    [{ lossRate: 0.05 }, 'bad'],
    [{ lossRate: 0.2 }, 'severe'],
    // Jitter alone is a starved sender's burst as often as a slow link: it counts with loss or a long round trip.
    [{ jitterMs: 120 }, 'good'],
    [{ jitterMs: 120, lossRate: 0.015 }, 'bad'],
    [{ jitterMs: 120, rttMs: 200 }, 'bad'],
    [{ jitterMs: 120, rttMs: 2 }, 'good'],
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

test('a busy browser is not a slow link: its samples are neutral, except a low bandwidth estimate', () => {
  // What the 4x4 wall on a saturated box showed (bench:capacity): 26 % loss, 101 ms jitter, 12 freezes, on loopback.
  const saturated = { lossRate: 0.26, jitterMs: 101, freezes: 12, rttMs: 1 };
  assert.equal(judgeSample(s(saturated)), 'severe', 'with nothing saying the browser is busy it reads as a bad link');
  assert.equal(judgeSample(s({ ...saturated, pageLagMs: 450 })), 'busy', 'timers 450 ms late: the page was busy');
  assert.equal(judgeSample(s({ ...saturated, decodeMsPerFrame: 40 })), 'busy', 'decoding 40 ms a frame: the decoder cannot keep up');
  assert.equal(judgeSample(s({ jitterMs: 101, freezes: 12, droppedFrameRate: 0.3, starved: true, lossRate: 0 })), 'busy', 'dropping 30 % of frames without loss');
  assert.equal(judgeSample(s({ ...saturated, droppedFrameRate: 0.3 })), 'severe', 'frames dropped on a lossy link are the link\'s');
  assert.equal(judgeSample(s({ starved: true, lossRate: null, pageLagMs: 2100 })), 'busy', 'no packet while the page did not run');
  assert.equal(judgeSample(s({ ...saturated, pageLagMs: 450, availableIncomingBitrate: 300_000 })), 'bad', 'the estimate is the network\'s own sign');
  assert.equal(judgeSample(s({ ...saturated, pageLagMs: 120, decodeMsPerFrame: 8, droppedFrameRate: 0.02 })), 'severe', 'below the busy marks');
  assert.equal(browserBusy(s({ pageLagMs: P.busyLagMs })), true);
  assert.equal(browserBusy(s({ pageLagMs: P.busyLagMs - 1, decodeMsPerFrame: null, droppedFrameRate: null })), false);
  // A 16-tile wall on a busy PC stays good through a minute of busy samples; a slow link still turns poor.
  let st = INITIAL_LINK_STATE;
  for (let i = 0; i < 30; i++) st = nextLinkState(st, s({ at: i * 2000, ...saturated, pageLagMs: 300 }));
  assert.equal(st.level, 'good');
  st = nextLinkState(nextLinkState(st, s({ at: 70_000, lossRate: 0.05 })), s({ at: 72_000, lossRate: 0.05 }));
  assert.equal(st.level, 'poor');
  // Busy samples do not count as good either: recovery waits for real good samples.
  let back = nextLinkState(st, s({ at: 80_000 }));
  back = nextLinkState(back, s({ at: 90_000, pageLagMs: 900 }));
  assert.equal(nextLinkState(back, s({ at: 80_000 + P.recoverAfterMs })).level, 'poor');
});

test('sampleFrom: decode time per frame, dropped share, round trip and page lag', () => {
  const base = { at: 0, packetsReceived: 0, packetsLost: 0, bytesReceived: 0, freezeCount: 0, streams: {}, availableIncomingBitrate: null };
  const a = { ...base, framesDecoded: 100, totalDecodeTime: 0.5, framesDropped: 1, framesReceived: 100, rttMs: 3 };
  const b = { ...base, at: 2000, packetsReceived: 10, framesDecoded: 150, totalDecodeTime: 2.0, framesDropped: 11, framesReceived: 200, rttMs: 4 };
  const x = sampleFrom(a, b, null, true, 320)!;
  assert.equal(x.decodeMsPerFrame, 30);
  assert.equal(x.droppedFrameRate, 0.1);
  assert.equal(x.rttMs, 4);
  assert.equal(x.pageLagMs, 320);
  const old = sampleFrom(base, { ...base, at: 2000, packetsReceived: 5 }, null)!;
  assert.equal(old.decodeMsPerFrame, null, 'counters absent: not judged');
  assert.equal(old.droppedFrameRate, null);
  assert.equal(sampleFrom(a, { ...a, at: 2000 }, null)!.decodeMsPerFrame, null, 'nothing decoded in the interval');
});
