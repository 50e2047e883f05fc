import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampSpeed,
  driftAction,
  DRIFT_DEFAULTS,
  frameDurationMs,
  MasterClock,
  mediaToWall,
  pausedNeedsSeek,
  stepAction,
  stepSpeed,
  usableFrags,
  wallToMedia,
} from '../src/core/sync.js';

const T0 = Date.UTC(2026, 10, 28, 7, 0, 0); // 14:00:00 in Ho Chi Minh City
// Two files of 2 × 1 s parts, a 10 s gap between them; media time is continuous (hls.js).
const FRAGS = usableFrags([
  { start: 0, duration: 1, programDateTime: T0 },
  { start: 1, duration: 1, programDateTime: T0 + 1000 },
  { start: 2, duration: 1, programDateTime: T0 + 12_000 },
  { start: 3, duration: 1, programDateTime: T0 + 13_000 },
  { start: 4, duration: 1, programDateTime: null },
]);

test('fragments without a wall-clock time are dropped, the rest sorted', () => {
  assert.equal(FRAGS.length, 4);
  const shuffled = usableFrags([FRAGS[2]!, FRAGS[0]!, FRAGS[3]!, FRAGS[1]!]);
  assert.deepEqual(shuffled.map((f) => f.start), [0, 1, 2, 3]);
});

test('wall-clock → media time inside fragments, across the gap, before and after', () => {
  const at = (ms: number) => wallToMedia(FRAGS, ms);
  assert.deepEqual(at(T0), { kind: 'media', time: 0, frag: FRAGS[0] });
  const mid = at(T0 + 1500);
  assert.equal(mid.kind, 'media');
  assert.ok(mid.kind === 'media' && Math.abs(mid.time - 1.5) < 1e-9);
  const after = at(T0 + 12_250);
  assert.ok(after.kind === 'media' && Math.abs(after.time - 2.25) < 1e-9);
  // In the 10 s gap: not recorded, the next fragment is the one at T0+12 s.
  assert.deepEqual(at(T0 + 5000), { kind: 'gap', next: FRAGS[2] });
  assert.deepEqual(at(T0 + 2000), { kind: 'gap', next: FRAGS[2] }, 'the end of a fragment is exclusive');
  assert.deepEqual(at(T0 - 1), { kind: 'gap', next: FRAGS[0] });
  assert.deepEqual(at(T0 + 14_000), { kind: 'gap', next: null });
  assert.deepEqual(wallToMedia([], T0), { kind: 'gap', next: null });
});

test('media time → wall-clock is the inverse of the mapping', () => {
  for (const wall of [T0, T0 + 400, T0 + 1999, T0 + 12_000, T0 + 13_960]) {
    const m = wallToMedia(FRAGS, wall);
    assert.equal(m.kind, 'media');
    if (m.kind === 'media') assert.ok(Math.abs(mediaToWall(FRAGS, m.time)! - wall) < 1e-6, `round trip at +${wall - T0} ms`);
  }
  assert.equal(mediaToWall(FRAGS, -1), null);
  assert.equal(mediaToWall(FRAGS, 9), null);
  // A hls.js fragment start moved by the parsed PTS (start 2.04 instead of 2): the mapping follows it.
  const shifted = FRAGS.map((f, i) => (i === 2 ? { ...f, start: 2.04 } : f));
  assert.equal(mediaToWall(shifted, 2.04), T0 + 12_000);
  const m = wallToMedia(shifted, T0 + 12_100);
  assert.ok(m.kind === 'media' && Math.abs(m.time - 2.14) < 1e-9);
});

test('keyframe at or before an instant is the start of its fragment', () => {
});

test('speeds are clamped to 0.25×…16× and stepped through the offered list', () => {
  assert.equal(clampSpeed(0.1), 0.25);
  assert.equal(clampSpeed(32), 16);
  assert.equal(clampSpeed(3), 3);
  assert.equal(clampSpeed(NaN), 1);
  assert.equal(clampSpeed(-2), 1);
  assert.equal(stepSpeed(1, 1), 2);
  assert.equal(stepSpeed(1, -1), 0.5);
  assert.equal(stepSpeed(16, 1), 16);
  assert.equal(stepSpeed(0.25, -1), 0.25);
  assert.equal(stepSpeed(3, 1), 4);
  assert.equal(stepSpeed(3, -1), 2);
});

test('drift correction: hold in the dead band, nudge the rate, seek when far, step frame-locked at high speed', () => {
  assert.deepEqual(driftAction(20, 1, 5), { kind: 'hold', rate: 1 });
  assert.deepEqual(driftAction(-15, 2, 5), { kind: 'hold', rate: 2 });
  assert.deepEqual(driftAction(-30, 1, 5), { kind: 'nudge', rate: 1.03 });
  // 80 ms ahead at 1×: play slower, removing the drift over the 1 s horizon.
  assert.deepEqual(driftAction(80, 1, 5), { kind: 'nudge', rate: 0.92 });
  assert.deepEqual(driftAction(-80, 1, 5), { kind: 'nudge', rate: 1.08 });
  // The nudge never exceeds ±25 % of the speed.
  assert.deepEqual(driftAction(-500, 1, 5), { kind: 'nudge', rate: 1.25 });
  assert.deepEqual(driftAction(500, 0.25, 5), { kind: 'seek', to: 5 });
  assert.deepEqual(driftAction(900, 1, 5), { kind: 'seek', to: 5 });
  // At 4× the seek threshold scales with speed (a 1 s drift is 250 ms of wall clock).
  assert.equal(driftAction(1000, 4, 5).kind, 'nudge');
  assert.equal(driftAction(3000, 4, 5).kind, 'seek');
  assert.deepEqual(driftAction(0, 8, 7), { kind: 'step', to: 7 });
  assert.deepEqual(driftAction(0, 16, 7), { kind: 'step', to: 7 });
  assert.equal(DRIFT_DEFAULTS.stepFromSpeed, 8);
});

test('a paused tile seeks only when off by more than half a frame', () => {
  assert.equal(pausedNeedsSeek(10, 10.019, 40), false);
  assert.equal(pausedNeedsSeek(10, 10.021, 40), true);
  assert.equal(pausedNeedsSeek(10.05, 10, 40), true);
});

test('frame duration from presented media times: the shortest step (drops only lengthen steps)', () => {
  assert.equal(frameDurationMs([1, 1.04]), 40, 'too few steps: fallback');
  assert.equal(Math.round(frameDurationMs([1, 1.04, 1.08, 1.12, 1.2, 1.24])), 40);
  // At 2× on a busy machine every other frame is dropped: still 40 ms, not 80.
  assert.equal(Math.round(frameDurationMs([1, 1.08, 1.16, 1.2, 1.28, 1.36])), 40);
  assert.equal(Math.round(frameDurationMs([0, 1 / 30, 2 / 30, 3 / 30, 4 / 30])), 33);
  assert.equal(frameDurationMs([5, 5, 5, 5], 40), 40, 'repeated frames (paused) are ignored');
  assert.equal(frameDurationMs([3, 2, 1, 0], 40), 40, 'backward seeks are ignored');
});

test('master clock: play, pause, speed, seek, jump, frame step, clamp', () => {
  let now = 1000;
  const c = new MasterClock(T0, () => now);
  assert.equal(c.position(), T0);
  now += 500;
  assert.equal(c.position(), T0, 'paused: the clock stands');
  c.play();
  now += 1000;
  assert.equal(c.position(), T0 + 1000);
  assert.equal(c.setSpeed(4), 4);
  now += 500;
  assert.equal(c.position(), T0 + 3000);
  assert.equal(c.setSpeed(100), 16);
  c.setSpeed(0.25);
  now += 400;
  assert.equal(c.position(), T0 + 3100);
  c.pause();
  now += 1000;
  assert.equal(c.position(), T0 + 3100);
  c.jump(-10_000);
  assert.equal(c.position(), T0 - 6900);
  c.seek(T0);
  c.play();
  c.step(1, 40);
  assert.equal(c.playing, false, 'a frame step pauses');
  assert.equal(c.position(), T0 + 40);
  c.step(-2, 40);
  assert.equal(c.position(), T0 - 40);
  c.play();
  c.setSpeed(1);
  now += 5000;
  assert.equal(c.clamp(T0, T0 + 1000), true);
  assert.equal(c.position(), T0 + 1000);
  assert.equal(c.playing, false, 'stops at the end');
});

test('paused frame seek: the frame holding the target is kept; another frame seeks to the middle of the target frame', async () => {
  const { pausedFrameSeek } = await import('../src/core/sync.js');
  const fd = 0.04;
  // Target inside the presented frame (also right at its start and just before its end): keep it.
  for (const target of [10.0, 10.02, 10.0399]) assert.equal(pausedFrameSeek(10, target, fd).wrong, false, String(target));
  // The next frame, even when the target is a hair past the boundary: seek to that frame's middle.
  const next = pausedFrameSeek(10, 10.0401, fd);
  assert.equal(next.wrong, true);
  assert.ok(Math.abs(next.seekTo - 10.06) < 1e-9);
  // A frame before: likewise the middle of the target's frame, never its edge.
  const back = pausedFrameSeek(10, 9.9999, fd);
  assert.ok(back.wrong && Math.abs(back.seekTo - 9.98) < 1e-9);
  const far = pausedFrameSeek(10, 12.345, fd);
  assert.ok(Math.abs(far.seekTo - (10 + 58 * fd + fd / 2)) < 1e-9);
});

test('frame-locked stepping: seek, reveal when every tile shows its frame (or on timeout), hold, next', () => {
  const o = { minShowMs: 120, timeoutMs: 1500 };
  assert.deepEqual(stepAction(null, 0, 5000, false, o), { kind: 'next', target: 5000 });
  const seeking = { target: 5000, startedAt: 1000, revealedAt: null };
  assert.deepEqual(stepAction(seeking, 1100, 6600, false, o), { kind: 'wait' });
  assert.deepEqual(stepAction(seeking, 1100, 6600, true, o), { kind: 'reveal' });
  assert.deepEqual(stepAction(seeking, 2500, 6600, false, o), { kind: 'reveal' }, 'a stuck tile does not hold the others');
  const shown = { target: 5000, startedAt: 1000, revealedAt: 1200 };
  assert.deepEqual(stepAction(shown, 1250, 9000, true, o), { kind: 'wait' }, 'a step stays on screen for minShowMs');
  assert.deepEqual(stepAction(shown, 1320, 9000, true, o), { kind: 'next', target: 9000 });
  assert.deepEqual(stepAction(shown, 5000, 5000, true, o), { kind: 'wait' }, 'the clock has not moved (e.g. at the live edge)');
});
