import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditQuery, detailText, EMPTY_AUDIT_FILTER, hashPrefix, parseAuditPage, type AuditFilter } from '../src/core/audit-query.js';
import { fromHcm } from '../src/core/hcm-time.js';

const now = fromHcm({ year: 2026, month: 11, day: 28, hour: 15, minute: 0, second: 0, ms: 0 })!;
const at = (h: number, m: number, day = 28) => fromHcm({ year: 2026, month: 11, day, hour: h, minute: m, second: 0, ms: 0 })!;
const f = (over: Partial<AuditFilter>): AuditFilter => ({ ...EMPTY_AUDIT_FILTER, ...over });

test('audit query: non-empty filters, HCM times as ms, before cursor, limit', () => {
  const cases: [AuditFilter, number | null, unknown][] = [
    [f({}), null, { ok: true, query: { limit: '50' } }],
    [f({ user: ' admin ', camera: 'demo-1', action: 'login' }), null, { ok: true, query: { user: 'admin', camera: 'demo-1', action: 'login', limit: '50' } }],
    [f({ fromText: '08:30', toText: '28/11/2026 09:00' }), null, { ok: true, query: { from: String(at(8, 30)), to: String(at(9, 0)), limit: '50' } }],
    [f({ fromText: '2026-11-27 23:00' }), 120, { ok: true, query: { from: String(at(23, 0, 27)), before: '120', limit: '50' } }],
    [f({ fromText: 'yesterday' }), null, { ok: false, field: 'from', code: 'BAD_TIME' }],
    [f({ toText: '25:00' }), null, { ok: false, field: 'to', code: 'BAD_TIME' }],
    [f({ fromText: '10:00', toText: '09:00' }), null, { ok: false, field: 'to', code: 'BAD_TIME_RANGE' }],
  ];
  for (const [filter, before, want] of cases) assert.deepEqual(auditQuery(filter, now, before), want, JSON.stringify(filter));
  assert.deepEqual(auditQuery(f({}), now, null, 10), { ok: true, query: { limit: '10' } });
});

test('audit page parsing names the offending field', () => {
  const entry = { seq: 3, at: 1000, user: 'admin', action: 'login', camera: null, detail: { address: '127.0.0.1' }, hash: 'ab'.repeat(32), prevHash: 'cd'.repeat(32) };
  assert.deepEqual(parseAuditPage({ entries: [entry], next: 2 }), { entries: [entry], next: 2 });
  assert.deepEqual(parseAuditPage({ entries: [], next: null }).next, null);
  assert.throws(() => parseAuditPage({ entries: [{ ...entry, seq: 'x' }], next: null }), /entries\.0\.seq/);
  assert.throws(() => parseAuditPage({ entries: [{ ...entry, hash: 1 }], next: null }), /entries\.0\.hash/);
  assert.throws(() => parseAuditPage({ next: null }), /entries: a list/);
  assert.throws(() => parseAuditPage({ entries: [], next: 'x' }), /next/);
});

test('hash prefix and detail line', () => {
  assert.equal(hashPrefix('0123456789abcdef'), '0123456789ab');
  assert.equal(detailText({ user: 'op', role: 'viewer', rules: [1] }), 'user=op role=viewer rules=[1]');
  assert.equal(detailText({ long: 'x'.repeat(300) }, 20).length, 20);
});
