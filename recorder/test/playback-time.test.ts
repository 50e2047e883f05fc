/** Time parsing and windows (playback/time.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInstant, checkWindow, isoHoChiMinh, MIN_TIME_MS } from '../src/playback/time.js';

const T = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

test('time parsing: epoch ms or ISO with a zone, nothing else', () => {
  assert.equal(parseInstant(String(T)), T);
  assert.equal(parseInstant(T), T);
  assert.equal(parseInstant('2025-01-02T03:04:05.678Z'), T);
  assert.equal(parseInstant('2025-01-02T10:04:05.678+07:00'), T);
  assert.equal(parseInstant('2025-01-02T10:04:05.678+0700'), T);
  for (const bad of ['', 'yesterday', '2025-01-02', '2025-01-02T03:04:05', '1e12', '-5', '12.5', '../../etc/passwd', '2025-13-02T03:04:05Z', 'x'.repeat(100), null, undefined, {}, 1.5, Number.NaN]) {
    assert.equal(parseInstant(bad), null, String(bad));
  }
  assert.equal(isoHoChiMinh(T), '2025-01-02T10:04:05.678+07:00');
  const now = T;
  assert.equal(checkWindow(T, T + 1000, { maxSpanMs: 3600000, now }), null);
  assert.match(checkWindow(T, T, { maxSpanMs: 3600000, now }) ?? '', /after/);
  assert.match(checkWindow(T + 1, T, { maxSpanMs: 3600000, now }) ?? '', /after/);
  assert.match(checkWindow(T, T + 7200000, { maxSpanMs: 3600000, now }) ?? '', /at most/);
  assert.match(checkWindow(T + 3 * 86400000, T + 3 * 86400000 + 1, { maxSpanMs: 3600000, now }) ?? '', /future/);
  assert.ok(MIN_TIME_MS < T);
});
