import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, backoffSchedule, RECONNECT_STEPS_MS } from '../src/core/backoff.js';

test('reconnect back-off steps 0.5, 1, 2, 5 s and then stays at 5 s', () => {
  assert.deepEqual([...RECONNECT_STEPS_MS], [500, 1000, 2000, 5000]);
  assert.deepEqual(backoffSchedule(8), [500, 1000, 2000, 5000, 5000, 5000, 5000, 5000]);
});

test('attempt numbers outside the schedule are clamped', () => {
  assert.equal(backoffDelay(-3), 500);
  assert.equal(backoffDelay(1e9), 5000);
  assert.equal(backoffDelay(1.7), 1000);
  assert.equal(backoffDelay(2, [100]), 100);
  assert.equal(backoffDelay(0, []), 0);
});
