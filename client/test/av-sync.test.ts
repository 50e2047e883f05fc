import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AV_SYNC_DEFAULTS, AvSyncLoop, nextDelays, playoutSkew, type AvDelays } from '../src/core/av-sync.js';

test('playoutSkew: video − audio estimatedPlayoutTimestamp from inbound-rtp stats', () => {
  const a = [{ type: 'codec' }, { type: 'inbound-rtp', kind: 'audio', estimatedPlayoutTimestamp: 1000 }];
  const v = [{ type: 'inbound-rtp', kind: 'video', estimatedPlayoutTimestamp: 1040 }];
  assert.equal(playoutSkew(a, v), 40);
  assert.equal(playoutSkew(v, a), null, 'kinds are checked');
  assert.equal(playoutSkew(a, [{ type: 'inbound-rtp', kind: 'video' }]), null, 'no estimate yet');
  assert.equal(playoutSkew([{ type: 'inbound-rtp', kind: 'audio', estimatedPlayoutTimestamp: 0 }], v), null, 'zero is no estimate');
});

const Z: AvDelays = { audioMs: 0, videoMs: 0 };
const cases: [string, AvDelays, number, boolean, AvDelays][] = [
  ['within the dead band: unchanged', Z, 15, true, Z],
  ['within the dead band, negative: unchanged', Z, -15, true, Z],
  ['picture ahead: delay the video by the skew', Z, 40, true, { audioMs: 0, videoMs: 40 }],
  ['sound ahead: delay the audio by the skew', Z, -32.4, true, { audioMs: 32, videoMs: 0 }],
  ['picture ahead while audio is delayed: take audio delay back first', { audioMs: 30, videoMs: 0 }, 20, true, { audioMs: 10, videoMs: 0 }],
  ['picture ahead beyond the audio delay: swap sides', { audioMs: 30, videoMs: 0 }, 50, true, { audioMs: 0, videoMs: 20 }],
  ['sound ahead while video is delayed: take video delay back', { audioMs: 0, videoMs: 60 }, -25, true, { audioMs: 0, videoMs: 35 }],
  ['bounded', { audioMs: 0, videoMs: 180 }, 90, true, { audioMs: 0, videoMs: 200 }],
  ['bounded, audio side', Z, -500, true, { audioMs: 200, videoMs: 0 }],
  ['sound off: the video is never delayed', Z, 40, false, Z],
  ['sound off: video delay is taken back even within the dead band', { audioMs: 0, videoMs: 40 }, 5, false, Z],
  ['sound off: the audio may still be delayed', Z, -40, false, { audioMs: 40, videoMs: 0 }],
];
for (const [name, cur, skew, allowed, want] of cases) {
  test(`nextDelays: ${name}`, () => assert.deepEqual(nextDelays(cur, skew, allowed, AV_SYNC_DEFAULTS), want));
}

test('AvSyncLoop: decides on the median of a full window, then starts the window again', () => {
  const loop = new AvSyncLoop({ deadBandMs: 15, maxExtraMs: 200, samples: 4 });
  assert.equal(loop.push(40, true), null);
  assert.equal(loop.push(null, true), null, 'a missing sample is skipped');
  assert.equal(loop.push(300, true), null, 'one outlier');
  assert.equal(loop.push(42, true), null);
  assert.deepEqual(loop.push(38, true), { audioMs: 0, videoMs: 41 }, 'median of 40, 300, 42, 38');
  for (const s of [3, -2, 4]) assert.equal(loop.push(s, true), null, 'new window, in sync');
  assert.equal(loop.push(1, true), null, 'within the dead band: no change');
  assert.equal(loop.push(-20, true), null, 'window -2, 4, 1, -20: median -0.5');
  assert.equal(loop.push(-20, true), null, 'window 4, 1, -20, -20: median -9.5');
  assert.deepEqual(loop.push(-20, true), { audioMs: 0, videoMs: 21 }, 'window 1, -20, -20, -20: median -20 takes video delay back');
});

test('AvSyncLoop: muting takes the video delay back at once', () => {
  const loop = new AvSyncLoop();
  for (const s of [60, 60, 60]) assert.equal(loop.push(s, true), null);
  assert.deepEqual(loop.push(60, true), { audioMs: 0, videoMs: 60 });
  assert.deepEqual(loop.push(null, false), { audioMs: 0, videoMs: 0 });
  assert.equal(loop.push(null, false), null);
});
