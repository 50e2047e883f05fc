import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batches, isPermanentRejection, localView, mergeEdit, outboxKey } from '../src/core/bookmark-sync.js';
import { parseTags } from '../src/core/text.js';

test('outbox: edits of one record coalesce, keep their queue order, bump the revision and clear a rejection', () => {
  const a = mergeEdit(undefined, 'bookmark', 'id000001', { title: 'a', note: 'n' }, 100, 7);
  assert.equal(a.key, outboxKey('bookmark', 'id000001'));
  assert.deepEqual(a.times, { title: 100, note: 100 });
  const rejected = { ...a, rejected: { code: 'BAD_BOOKMARK', message: 'note: too long' } };
  const b = mergeEdit(rejected, 'bookmark', 'id000001', { note: 'short' }, 200, 9);
  assert.deepEqual(b.fields, { title: 'a', note: 'short' });
  assert.deepEqual(b.times, { title: 100, note: 200 });
  assert.equal(b.order, 7);
  assert.equal(b.rev, 2);
  assert.equal(b.rejected, null);
});

test('local view: unsent edits on top, with the sync mark', () => {
  const rec = { id: 'x', title: 'server', note: 'n' };
  assert.deepEqual(localView(rec, undefined), { ...rec, sync: 'synced', syncError: null });
  const e = mergeEdit(undefined, 'bookmark', 'x', { title: 'mine' }, 1, 1);
  assert.deepEqual(localView(rec, e), { ...rec, title: 'mine', sync: 'pending', syncError: null });
  const err = { code: 'UNKNOWN_CAMERA', message: 'x' };
  assert.equal(localView(rec, { ...e, rejected: err }).sync, 'rejected');
});

test('batches: queue order, size and count limits, rejected entries stay home, an oversized entry goes alone', () => {
  const mk = (i: number, note = '') => mergeEdit(undefined, 'bookmark', `id00000${i}`, { note }, 1, i);
  const entries = [mk(3), mk(1), { ...mk(2), rejected: { code: 'X', message: '' } }, mk(4, 'x'.repeat(500)), mk(5)];
  assert.deepEqual(batches(entries, 10_000, 2).map((b) => b.map((e) => e.id)), [['id000001', 'id000003'], ['id000004', 'id000005']]);
  assert.deepEqual(batches(entries, 300, 50).map((b) => b.map((e) => e.id)), [['id000001', 'id000003'], ['id000004'], ['id000005']]);
});

test('rejections: validation is permanent, transport trouble is retried', () => {
  for (const c of ['BAD_BOOKMARK', 'UNKNOWN_CAMERA', 'FORBIDDEN', 'MESSAGE_TOO_LARGE']) assert.equal(isPermanentRejection(c), true, c);
  for (const c of ['INTERNAL', 'RATE_LIMITED', 'DISCONNECTED', 'TIMEOUT']) assert.equal(isPermanentRejection(c), false, c);
});

test('tags: split on commas, trimmed, distinct', () => {
  assert.deepEqual(parseTags(' trộm, xe máy,,trộm , '), ['trộm', 'xe máy']);
  assert.deepEqual(parseTags(''), []);
});
