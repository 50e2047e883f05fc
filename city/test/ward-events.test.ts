import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerWardRequest, decodeJson, WardAlertBook, wardAlertEventSchema, wardAlertOf, wardUrgentEventSchema, type WardAlert } from '@wardwall/city';
import type { HealthAlert } from '@wardwall/common';

const base: WardAlert = { id: 7, cameraId: 'gate-1', kind: 'black', state: 'open', openedAt: 1000, ackedAt: null, ackedBy: null, closedAt: null, detail: { luma: 3 } };

test('wardAlertOf: field by field (the link and anything else stay at the ward)', () => {
  const full = { ...base, link: 'https://ward.example/?mode=review&cams=gate-1', secret: 'x' } as HealthAlert & { secret: string };
  const out = wardAlertOf(full);
  assert.deepEqual(out, base);
  assert.equal(wardAlertEventSchema.safeParse({ alert: out }).success, true);
});

test('event schemas refuse extra fields, URLs in place of ids, oversized input', () => {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  assert.equal(decodeJson(enc({ alert: { ...base, link: 'rtsp://u:p@cam/' } }), wardAlertEventSchema), null, 'no extra field');
  assert.equal(decodeJson(enc({ alert: { ...base, cameraId: 'rtsp://cam' } }), wardAlertEventSchema), null, 'camera id syntax');
  assert.equal(decodeJson(enc({ alert: { ...base, kind: 'nope' } }), wardAlertEventSchema), null);
  assert.equal(decodeJson(enc({ alert: { ...base, detail: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) } }), wardAlertEventSchema), null);
  assert.equal(decodeJson(new TextEncoder().encode('{not json'), wardAlertEventSchema), null);
  const urgent = { bookmark: { id: 'b1', cameras: ['gate-1'], startMs: 1, endMs: 2, title: 'xe máy', by: 'thu', at: 3 } };
  assert.equal(wardUrgentEventSchema.safeParse(urgent).success, true);
  assert.equal(wardUrgentEventSchema.safeParse({ bookmark: { ...urgent.bookmark, note: 'stays at the ward' } }).success, false);
  assert.equal(wardUrgentEventSchema.safeParse({ bookmark: { ...urgent.bookmark, cameras: [] } }).success, false);
});

test('WardAlertBook: open, acknowledge, close; duplicates change nothing; per ward', () => {
  const book = new WardAlertBook();
  const opened = book.apply('w1', base);
  assert.deepEqual(opened.map((a) => [a.remoteId, a.state]), [['w1/gate-1', 'open']]);
  assert.deepEqual(book.apply('w1', base), [], 'the same event twice');
  assert.equal(book.apply('w2', base).length, 1, 'another ward, same id: its own alert');
  assert.equal(book.list().length, 2);
  const acked = book.apply('w1', { ...base, state: 'acknowledged', ackedAt: 2000, ackedBy: 'thu' });
  assert.deepEqual(acked.map((a) => [a.state, a.ackedBy]), [['acknowledged', 'thu']]);
  const closed = book.apply('w1', { ...base, state: 'closed', closedAt: 3000 });
  assert.deepEqual(closed.map((a) => a.state), ['closed'], 'a close is passed on once');
  assert.deepEqual(book.apply('w1', { ...base, state: 'closed', closedAt: 3000 }), [], 'and not again');
  assert.deepEqual(book.list().map((a) => a.remoteId), ['w2/gate-1']);
});

test('WardAlertBook.replaceWard: the ward\'s list after a cut closes what it no longer has and adds what was missed', () => {
  const book = new WardAlertBook();
  book.apply('w1', base);
  book.apply('w1', { ...base, id: 8, cameraId: 'alley-2', kind: 'frozen' });
  book.apply('w2', { ...base, id: 1 });
  // During the cut: alert 7 closed at the ward and alert 9 opened; the centre missed both events.
  const changed = book.replaceWard('w1', [{ ...base, id: 8, cameraId: 'alley-2', kind: 'frozen' }, { ...base, id: 9, cameraId: 'gate-1', kind: 'offline' }], 5000);
  assert.deepEqual(changed.map((a) => [a.id, a.state]).sort(), [[7, 'closed'], [9, 'open']]);
  assert.equal(changed.find((a) => a.id === 7)!.closedAt, 5000);
  assert.deepEqual(book.list().map((a) => `${a.remoteId}#${a.id}`).sort(), ['w1/alley-2#8', 'w1/gate-1#9', 'w2/gate-1#1']);
  assert.deepEqual(book.replaceWard('w1', [], 6000).map((a) => a.state), ['closed', 'closed']);
  assert.deepEqual(book.list().map((a) => a.ward), ['w2']);
});

test('alerts.list op: request and reply checked by the op\'s schemas', async () => {
  const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as { ok: boolean; body?: unknown; error?: { code: string } };
  const ok = dec(await answerWardRequest({ 'alerts.list': () => ({ alerts: [base] }) }, 'alerts.list', new TextEncoder().encode('{}')));
  assert.equal(ok.ok, true, JSON.stringify(ok));
  const bad = dec(await answerWardRequest({ 'alerts.list': () => ({ alerts: [{ ...base, url: 'rtsp://x' }] }) }, 'alerts.list', new TextEncoder().encode('{}')));
  assert.equal(bad.ok, false, 'a reply that does not fit is refused at the ward');
});
