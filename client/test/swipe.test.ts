import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phoneLayout, swipeDirection, swipeTiles } from '../src/core/swipe.js';

test('phoneLayout keeps one or four tiles', () => {
  assert.deepEqual((['1', '2x2', '3x3', '4x4', '1+5'] as const).map(phoneLayout), ['1', '2x2', '2x2', '2x2', '2x2']);
});

test('swipeDirection: horizontal and long enough', () => {
  const cases: [number, number, string | null][] = [
    [-80, 10, 'next'],
    [90, -20, 'prev'],
    [30, 0, null],
    [-80, 70, null],
    [0, 200, null],
  ];
  for (const [dx, dy, want] of cases) assert.equal(swipeDirection(dx, dy), want, `${dx},${dy}`);
});

test('swipeTiles pages through the cameras and wraps', () => {
  const cams = ['a', 'b', 'c', 'd', 'e'];
  const cases: [(string | null)[], number, 'next' | 'prev', (string | null)[]][] = [
    [['a'], 1, 'next', ['b']],
    [['e'], 1, 'next', ['a']],
    [['a'], 1, 'prev', ['e']],
    [[null], 1, 'next', ['a']],
    [['a', 'b', 'c', 'd'], 4, 'next', ['e', null, null, null]],
    [['e', null, null, null], 4, 'next', ['a', 'b', 'c', 'd']],
    [['a', 'b', 'c', 'd'], 4, 'prev', ['e', null, null, null]],
    [['b', 'x', null, null, 'keep'], 4, 'next', ['e', null, null, null, 'keep']],
  ];
  for (const [tiles, per, dir, want] of cases) assert.deepEqual(swipeTiles(cams, tiles, per, dir), want, `${tiles.join()} ${dir}`);
  assert.deepEqual(swipeTiles([], ['a'], 1, 'next'), ['a']);
});
