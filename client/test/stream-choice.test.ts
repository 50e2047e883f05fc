import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CameraInfo, StreamStatus } from '@wardwall/common';
import { effectiveStream, preferredStream } from '../src/core/stream-choice.js';

test('without a sub stream a tile always takes main', () => {
  for (const w of [0, 100, 479, 640, 4000]) {
    assert.equal(preferredStream(w, null, false), 'main');
    assert.equal(preferredStream(w, 'sub', false), 'main');
  }
});

test('first choice: main at or above 640 device px, sub below', () => {
  assert.equal(preferredStream(639, null, true), 'sub');
  assert.equal(preferredStream(640, null, true), 'main');
  assert.equal(preferredStream(1920, null, true), 'main');
  assert.equal(preferredStream(320, null, true), 'sub');
});

test('hysteresis: sub goes up only at 640, main goes down only below 480', () => {
  // A tile shrinking from main.
  assert.equal(preferredStream(600, 'main', true), 'main');
  assert.equal(preferredStream(480, 'main', true), 'main');
  assert.equal(preferredStream(479, 'main', true), 'sub');
  // A tile growing from sub.
  assert.equal(preferredStream(500, 'sub', true), 'sub');
  assert.equal(preferredStream(639, 'sub', true), 'sub');
  assert.equal(preferredStream(640, 'sub', true), 'main');
});

test('a width hovering around one threshold does not flap', () => {
  let current: 'main' | 'sub' = 'sub';
  const seen: string[] = [];
  for (const w of [630, 645, 600, 560, 650, 620, 500, 470, 520, 600, 639]) {
    current = preferredStream(w, current, true);
    seen.push(current);
  }
  assert.deepEqual(seen, ['sub', 'main', 'main', 'main', 'main', 'main', 'main', 'sub', 'sub', 'sub', 'sub']);
});

test('unknown width keeps the current choice (sub when none)', () => {
  assert.equal(preferredStream(0, 'main', true), 'main');
  assert.equal(preferredStream(Number.NaN, null, true), 'sub');
});

test('custom thresholds', () => {
  assert.equal(preferredStream(900, null, true, { upPx: 1000, downPx: 800 }), 'sub');
  assert.equal(preferredStream(850, 'main', true, { upPx: 1000, downPx: 800 }), 'main');
});

const st = (state: StreamStatus['state']): StreamStatus => ({ state, reason: state === 'live' ? null : 'no_media', since: 0 });
const cam = (main: StreamStatus['state'], sub?: StreamStatus['state']): CameraInfo => ({
  id: 'c',
  name: 'c',
  position: null,
  neighbours: [],
  streams: sub ? { main: st(main), sub: st(sub) } : { main: st(main) },
});

test('effective stream falls back to the other live stream', () => {
  assert.equal(effectiveStream('sub', cam('live', 'live')), 'sub');
  assert.equal(effectiveStream('sub', cam('live', 'offline')), 'main');
  assert.equal(effectiveStream('main', cam('offline', 'live')), 'sub');
  assert.equal(effectiveStream('main', cam('live', 'live')), 'main');
  assert.equal(effectiveStream('sub', cam('offline', 'connecting')), 'sub');
  assert.equal(effectiveStream('sub', cam('live')), 'main');
  assert.equal(effectiveStream('sub', cam('offline')), 'main');
  assert.equal(effectiveStream('sub', undefined), 'sub');
});
