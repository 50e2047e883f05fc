// Restart detection, pure (docs/city.md "Restarts"): the ward's instance id in its record at the
// centre's directory, and the ward's view of the centre's heartbeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CentrePresence, DirectoryState, newInstanceId, wardRecordSchema, centreHeartbeatSchema, type WardRecord } from '../src/index.js';

const rec = (instance?: string): WardRecord => ({ ward: 'w1', name: 'Phường 1', at: 1, heartbeatMs: 1000, cameras: 2, ...(instance ? { instance } : {}) });

test('the ward record: instance optional, checked', () => {
  assert.equal(wardRecordSchema.safeParse(rec()).success, true, 'an older ward without an instance still fits');
  assert.equal(wardRecordSchema.safeParse(rec(newInstanceId())).success, true);
  assert.equal(wardRecordSchema.safeParse({ ...rec(), instance: 'a b' }).success, false);
  assert.equal(wardRecordSchema.safeParse({ ...rec(), instance: 'short' }).success, false);
  assert.match(newInstanceId(), /^[A-Za-z0-9_-]{16}$/);
  assert.notEqual(newInstanceId(), newInstanceId());
  assert.equal(centreHeartbeatSchema.safeParse({ instance: newInstanceId(), node: 'centre-1:8080', at: 5, heartbeatMs: 1000 }).success, true);
  assert.equal(centreHeartbeatSchema.safeParse({ instance: newInstanceId(), node: 'centre-1:8080', at: 5, heartbeatMs: 1000, extra: 1 }).success, false);
});

test('directory: a new ward instance is a restart; the same one, none or a first one is not', () => {
  const d = new DirectoryState();
  const a = newInstanceId();
  const b = newInstanceId();
  assert.deepEqual(d.wardPut(rec(a), 0).map((c) => c.kind), ['ward-online']);
  assert.deepEqual(d.wardPut(rec(a), 1000), []);
  assert.deepEqual(d.wardPut(rec(b), 2000), [{ kind: 'ward-restarted', ward: 'w1', at: 2000, instance: b }]);
  assert.equal(d.ward('w1')?.instance, b);
  // Back from offline with a new instance: online and restarted.
  d.tick(10_000);
  const c = newInstanceId();
  assert.deepEqual(d.wardPut(rec(c), 11_000).map((x) => x.kind), ['ward-online', 'ward-restarted']);
  // A record without an instance (an older ward) never counts as a restart.
  assert.deepEqual(d.wardPut(rec(), 12_000), []);
  const e = new DirectoryState();
  e.wardPut(rec(), 0);
  assert.deepEqual(e.wardPut(rec(a), 1000), [], 'an instance where there was none: no restart');
});

test('centre presence at the ward: a node\'s new instance kills the old one; silence kills once', () => {
  const p = new CentrePresence(30_000);
  assert.deepEqual(p.tick(100_000), [], 'nothing heard, nothing dead');
  assert.deepEqual(p.heartbeat({ node: 'c1:8080', instance: 'centre-aaaa' }, 0), []);
  assert.deepEqual(p.heartbeat({ node: 'c2:8080', instance: 'centre-cccc' }, 0), [], 'a second centre SFU is not a restart of the first');
  assert.deepEqual(p.heartbeat({ node: 'c1:8080', instance: 'centre-aaaa' }, 1000), []);
  assert.deepEqual(p.heartbeat({ node: 'c1:8080', instance: 'centre-bbbb' }, 2000), ['centre-aaaa'], 'c1 restarted');
  assert.deepEqual(Object.fromEntries(p.instances()), { 'c1:8080': 'centre-bbbb', 'c2:8080': 'centre-cccc' });
  assert.deepEqual(p.tick(29_999), []);
  assert.deepEqual(p.tick(30_000), ['centre-cccc'], 'c2 silent for 30 s');
  assert.deepEqual(p.tick(31_999), [], 'c1 heard at 2 s: not gone yet');
  assert.deepEqual(p.tick(32_000), ['centre-bbbb']);
  assert.deepEqual(p.tick(50_000), [], 'said once');
  assert.deepEqual(p.heartbeat({ node: 'c2:8080', instance: 'centre-cccc' }, 60_000), [], 'heard again after its silence: alive, nothing more to drop');
  assert.equal(centreHeartbeatSchema.safeParse({ instance: newInstanceId(), node: 'bad node', at: 5, heartbeatMs: 1000 }).success, false);
});
