import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromDateTimeInputs, fromHcm, hcmDateInput, hcmDayStart, hcmFileStamp, hcmIso, hcmParts, hcmTimeText, parseHcmTime } from '../src/core/hcm-time.js';

// 2026-11-28 14:03:05.250 in Ho Chi Minh City = 07:03:05.250 UTC.
const T = Date.UTC(2026, 10, 28, 7, 3, 5, 250);

test('calendar fields in Asia/Ho_Chi_Minh (UTC+7, no DST) and back', () => {
  assert.deepEqual(hcmParts(T), { year: 2026, month: 11, day: 28, hour: 14, minute: 3, second: 5, ms: 250 });
  assert.equal(fromHcm(hcmParts(T)), T);
  // 20:00 UTC is already the next day in Vietnam.
  assert.equal(hcmDateInput(Date.UTC(2026, 10, 28, 20, 0)), '2026-11-29');
  // Same offset in June (no daylight saving).
  assert.equal(hcmTimeText(Date.UTC(2026, 5, 1, 0, 0)), '07:00:00');
  assert.equal(hcmDayStart(T), Date.UTC(2026, 10, 27, 17, 0));
});

test('agrees with Intl for Asia/Ho_Chi_Minh', () => {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  for (const ms of [T, Date.UTC(2025, 0, 1, 0, 0, 0), Date.UTC(2027, 6, 15, 23, 59, 59)]) assert.equal(hcmTimeText(ms), f.format(ms));
});

test('invalid calendar fields are refused', () => {
  assert.equal(fromHcm({ year: 2026, month: 2, day: 31, hour: 0, minute: 0, second: 0, ms: 0 }), null);
  assert.equal(fromHcm({ year: 2026, month: 13, day: 1, hour: 0, minute: 0, second: 0, ms: 0 }), null);
  assert.equal(fromHcm({ year: 2026, month: 1, day: 1, hour: 24, minute: 0, second: 0, ms: 0 }), null);
  assert.equal(fromHcm({ year: 1999, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 }), null);
});

test('typed times: alone (on the current day), with a Vietnamese or ISO date', () => {
  const day = Date.UTC(2026, 10, 28, 1, 0); // 08:00 on the 28th in Vietnam
  assert.equal(parseHcmTime('14:03:05', day), Date.UTC(2026, 10, 28, 7, 3, 5));
  assert.equal(parseHcmTime(' 14:03 ', day), Date.UTC(2026, 10, 28, 7, 3, 0));
  assert.equal(parseHcmTime('14h03', day), Date.UTC(2026, 10, 28, 7, 3, 0));
  assert.equal(parseHcmTime('14:03:05.25', day), T);
  assert.equal(parseHcmTime('14:03:05,250', day), T);
  assert.equal(parseHcmTime('00:30', day), Date.UTC(2026, 10, 27, 17, 30), 'early morning is still the same Vietnamese day');
  assert.equal(parseHcmTime('28/11/2026 14:03:05', 0), Date.UTC(2026, 10, 28, 7, 3, 5));
  assert.equal(parseHcmTime('2026-11-28 14:03:05.250', 0), T);
  assert.equal(parseHcmTime('2026-11-28T14:03:05', 0), Date.UTC(2026, 10, 28, 7, 3, 5));
  assert.equal(parseHcmTime('1/2/2026 7:05', 0), Date.UTC(2026, 1, 1, 0, 5));
  for (const bad of ['', '25:00', '14:60', '14:03:61', 'noon', '31/02/2026 10:00', '2026-11-28', '14:03 junk extra']) assert.equal(parseHcmTime(bad, day), null, bad);
});

test('date and time inputs', () => {
  assert.equal(fromDateTimeInputs('2026-11-28', '14:03:05'), Date.UTC(2026, 10, 28, 7, 3, 5));
  assert.equal(fromDateTimeInputs('2026-11-28', '14:03'), Date.UTC(2026, 10, 28, 7, 3));
  assert.equal(fromDateTimeInputs('2026-11-28', ''), Date.UTC(2026, 10, 27, 17, 0));
  assert.equal(fromDateTimeInputs('', '14:03'), null);
});

test('formats for display, ISO and file names', () => {
  assert.equal(hcmTimeText(T, true), '14:03:05.250');
  assert.equal(hcmIso(T), '2026-11-28T14:03:05.250+07:00');
  assert.equal(hcmFileStamp(T), '20261128-140305.250+0700');
});
