import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveBookmarkDraft, liveBookmarkInstant, MAX_URGENT_NOTICES, withoutNotice, withUrgentNotice } from '../src/core/live-bookmark.js';

test('a live bookmark stands for the frame on screen, on the server clock', () => {
  // The browser is 2.5 s behind the server: the frame shown at 10 000 (browser) is 12 500 on the server.
  assert.equal(liveBookmarkInstant(10_000, 11_000, 13_500), 12_500);
  // The browser is ahead: the offset is negative.
  assert.equal(liveBookmarkInstant(10_000, 11_000, 9_000), 8_000);
  // No frame yet: the current time, on the server clock.
  assert.equal(liveBookmarkInstant(null, 11_000, 13_500), 13_500);
  // Whole milliseconds (a video frame's time has fractions).
  assert.equal(liveBookmarkInstant(10_000.6, 11_000, 11_000), 10_001);
});

test('the draft of a live tile bookmark is one camera at one instant, urgent as asked', () => {
  assert.deepEqual(liveBookmarkDraft('cam-a', 10_000, false, { now: 11_000, serverNow: 11_200 }), {
    cameras: ['cam-a'],
    startMs: 10_200,
    endMs: 10_200,
    noFrame: false,
    urgent: false,
  });
  const noFrame = liveBookmarkDraft('cam-b', null, true, { now: 11_000, serverNow: 11_000 });
  assert.equal(noFrame.noFrame, true);
  assert.equal(noFrame.urgent, true);
  assert.equal(noFrame.startMs, 11_000);
});

test('urgent notices: newest first, a repeat moves to the top once, at most three', () => {
  const b = (id: string) => ({ id });
  let list = withUrgentNotice([], b('1'));
  list = withUrgentNotice(list, b('2'));
  assert.deepEqual(list.map((x) => x.id), ['2', '1']);
  list = withUrgentNotice(list, b('1'));
  assert.deepEqual(list.map((x) => x.id), ['1', '2']);
  list = withUrgentNotice(withUrgentNotice(list, b('3')), b('4'));
  assert.equal(MAX_URGENT_NOTICES, 3);
  assert.deepEqual(list.map((x) => x.id), ['4', '3', '1']);
  assert.deepEqual(withoutNotice(list, '3').map((x) => x.id), ['4', '1']);
  assert.deepEqual(withoutNotice(list, 'none').map((x) => x.id), ['4', '3', '1']);
});
