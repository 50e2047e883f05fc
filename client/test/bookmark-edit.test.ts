import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedFields, typedWindow, windowTexts } from '../src/core/bookmark-edit.js';

// 2026-11-28 14:05:06.789 in Vietnam (UTC+7).
const T = Date.UTC(2026, 10, 28, 7, 5, 6, 789);

test('a typed window: unchanged texts keep the milliseconds; changed ones are read in Vietnam time; bad input named', () => {
  const w = { startMs: T, endMs: T + 10_000 };
  const shown = windowTexts(w);
  assert.deepEqual(shown, { startDate: '2026-11-28', startTime: '14:05:06.789', endDate: '2026-11-28', endTime: '14:05:16.789' });
  assert.deepEqual(typedWindow(w, shown), w);
  assert.deepEqual(typedWindow(w, { ...shown, endTime: '14:06' }), { startMs: T, endMs: Date.UTC(2026, 10, 28, 7, 6) });
  assert.deepEqual(typedWindow(w, { ...shown, startDate: '2026-11-27' }), { startMs: T - 86_400_000, endMs: T + 10_000 });
  assert.deepEqual(typedWindow(w, { ...shown, startTime: '25:00' }), { error: 'badTime' });
  assert.deepEqual(typedWindow(w, { ...shown, endTime: '14:00' }), { error: 'badRange' });
});

test('the patch holds only what the operator changed (so a concurrent edit of another field is not overwritten)', () => {
  const cur = { cameras: ['a', 'b'], startMs: 1, endMs: 2, title: 't', note: 'n', tags: ['x'], urgent: false };
  assert.deepEqual(changedFields(cur, { ...cur }), {});
  assert.deepEqual(changedFields(cur, { ...cur, cameras: ['a', 'b'], tags: ['x'] }), {}, 'equal arrays are unchanged');
  assert.deepEqual(changedFields(cur, { ...cur, title: 'T', urgent: true }), { title: 'T', urgent: true });
  assert.deepEqual(changedFields(cur, { ...cur, cameras: ['a'], endMs: 5 }), { cameras: ['a'], endMs: 5 });
  assert.deepEqual(changedFields({ ...cur, urgent: undefined as unknown as boolean }, { ...cur, urgent: false }), {}, 'an old record without urgent is not urgent');
});
