/**
 * Pure parts of the account hardening (issue 12, items 2, 4 and 7): the attempt limiter with
 * reservations, pruning that never drops a lock, the per-address rate limiter, the Origin rule,
 * log redaction, export quota arithmetic, and the resident owner-link rules on a real SQLite store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactCredentials, redactDeep, statusChangeAllowed, resolveConfig } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { FailureLimiter } from '../src/auth/lockout.js';
import { RateLimiter } from '../src/auth/rate-limit.js';
import { originGuard, sameOrigin } from '@wardwall/server-kit';
import { quotaRefusal, type CountedExport, type ExportQuotaConfig } from '../../recorder/src/playback/export-quota.js';
import { openAppDb } from '@wardwall/server-kit';
import { ResidentStore } from '../src/residents/store.js';
import { selfSignedArgs } from '../src/http/tls.js';

test('attempts are reserved before they are evaluated: parallel ones never exceed the limit', () => {
  const l = new FailureLimiter({ maxFailures: 5, windowMs: 60_000, lockoutMs: 10_000 });
  const got = Array.from({ length: 30 }, () => l.reserve('u:admin', 0));
  assert.equal(got.filter((r) => r.ok).length, 5, 'five in flight at most');
  assert.ok(got.slice(5).every((r) => !r.ok && r.reason === 'busy'));
  for (let i = 0; i < 4; i++) assert.equal(l.settle('u:admin', 1, true), null);
  assert.equal(l.settle('u:admin', 2, true), 10_002, 'the fifth failure locks');
  const refused = [l.reserve('u:admin', 3), l.reserve('u:admin', 4), l.reserve('u:admin', 5)];
  assert.deepEqual(refused.map((r) => !r.ok && r.reason === 'locked' && r.firstRefusal), [true, false, false], 'only the first refusal is to be audited');
  assert.deepEqual(l.sweep(100), [], 'nothing reported while the lock is in force');
  assert.deepEqual(l.sweep(20_000), [{ key: 'u:admin', until: 10_002, refused: 3 }], 'one summary when it is over');
  assert.deepEqual(l.sweep(20_001), []);
  // A success frees its slot and forgets failures; a cancelled attempt is not counted.
  assert.ok(l.reserve('u:op', 0).ok);
  l.settle('u:op', 0, true);
  assert.ok(l.reserve('u:op', 1).ok);
  l.succeed('u:op');
  for (let i = 0; i < 5; i++) assert.ok(l.reserve('u:op', 2).ok);
  for (let i = 0; i < 5; i++) l.cancel('u:op');
  assert.ok(l.reserve('u:op', 3).ok, 'cancelled attempts left no trace');
});

test('pruning a full table never drops a lock in force or an attempt in flight; full of locks, new keys are refused', () => {
  const l = new FailureLimiter({ maxFailures: 1, windowMs: 1000, lockoutMs: 60_000 }, 4);
  assert.equal(l.fail('locked-1', 0), 60_000);
  assert.equal(l.fail('locked-2', 0), 60_000);
  assert.ok(l.reserve('in-flight', 0).ok);
  for (let i = 0; i < 50; i++) {
    const r = l.reserve(`idle-${i}`, 10 + i);
    if (r.ok) l.cancel(`idle-${i}`);
  }
  assert.ok(l.lockedFor('locked-1', 100) > 0 && l.lockedFor('locked-2', 100) > 0, 'locks kept');
  assert.equal(l.settle('in-flight', 100, true), 60_100, 'the attempt in flight was still counted');
  const fill = l.reserve('x', 200);
  assert.ok(fill.ok);
  assert.equal(l.settle('x', 200, true), 60_200);
  const refused = l.reserve('newcomer', 300);
  assert.ok(!refused.ok && refused.reason === 'full', JSON.stringify(refused));
  assert.ok(l.reserve('newcomer', 70_000).ok, 'room again once locks are over');
  // A restored lock is kept even when the table is full.
  l.restore('from-db', 200_000);
  assert.ok(l.lockedFor('from-db', 100_000) > 0);
});

test('rate limiter: a bucket per key, refilled over time, bounded in keys and failing closed', () => {
  const r = new RateLimiter({ perMinute: 60, burst: 3 }, 2);
  assert.deepEqual([r.take('a', 0), r.take('a', 0), r.take('a', 0)], [0, 0, 0]);
  assert.equal(r.take('a', 0), 1000, 'the next token in one second');
  assert.equal(r.take('a', 1000), 0);
  assert.equal(r.take('b', 0), 0, 'another key has its own bucket');
  assert.ok(r.take('c', 10) > 0, 'table full of buckets in use: refused');
  assert.equal(r.take('c', 10_000), 0, 'full buckets are dropped to make room');
});

test('Origin: same host, allowed origins and non-browser callers pass; other sites, "null" and same-site siblings do not', () => {
  const req = (headers: Record<string, string>) => ({ headers: { host: 'wall.local:8080', ...headers } });
  assert.equal(sameOrigin(req({})), true, 'no browser page');
  assert.equal(sameOrigin(req({ origin: 'http://wall.local:8080' })), true);
  assert.equal(sameOrigin(req({ origin: 'https://wall.local:8080' })), true, 'scheme is the proxy\'s business; the host decides');
  assert.equal(sameOrigin(req({ origin: 'http://evil.example' })), false);
  assert.equal(sameOrigin(req({ origin: 'null' })), false, 'a sandboxed frame');
  assert.equal(sameOrigin(req({ origin: 'null', 'sec-fetch-site': 'cross-site' })), false);
  assert.equal(sameOrigin(req({ origin: 'null', 'sec-fetch-site': 'same-origin' })), true, 'a no-referrer page of the wall posting a form');
  assert.equal(sameOrigin(req({ origin: 'not a url' })), false);
  assert.equal(sameOrigin(req({ 'sec-fetch-site': 'same-site' })), false);
  assert.equal(sameOrigin(req({ 'sec-fetch-site': 'cross-site' })), false);
  assert.equal(sameOrigin(req({ 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(sameOrigin(req({ origin: 'https://wall.example.org' }), ['https://wall.example.org']), true, 'an allowed origin (reverse proxy)');
  const guard = originGuard([]);
  assert.doesNotThrow(() => guard({ method: 'GET', headers: { host: 'a', origin: 'http://evil.example' } } as never));
  assert.throws(() => guard({ method: 'DELETE', headers: { host: 'a', origin: 'http://evil.example' } } as never), { code: 'BAD_ORIGIN' });
  assert.throws(() => resolveConfig({ sfu: { allowedOrigins: ['ftp://x'] } }), /sfu\.allowedOrigins/);
});

test('log redaction: nested fields at any depth, secret-named fields, passwords that contain "@", errors', () => {
  assert.equal(redactCredentials('rtsp://admin:p@ss@10.0.0.5:554/Streaming/101'), 'rtsp://***@10.0.0.5:554/Streaming/101');
  assert.equal(redactCredentials('rtsp://admin:p@ss:w@rd@cam/x?y=1 and rtmp://u:@@h/'), 'rtsp://***@cam/x?y=1 and rtmp://***@h/');
  assert.equal(redactCredentials('rtsp://cam.local/path@not-userinfo'), 'rtsp://cam.local/path@not-userinfo', 'an "@" after the host is not user-info');
  const lines: string[] = [];
  const log = createLogger('t', 'info', { write: (s: string) => void lines.push(s) });
  const err = Object.assign(new Error('cannot open rtsp://u:se@cret@cam/1'), { code: 'ECONNREFUSED' });
  log.warn({ camera: { sources: [{ url: 'rtsp://u:p@w@cam/1', nested: { deeper: { why: 'rtsp://x:y@z/' } } }] }, password: 'hunter2@', body: { token: 'abc', cookie: 'ww_session=1' }, err }, 'pull failed for rtsp://a:b@c@d/e');
  log.error(err);
  const text = lines.join('');
  for (const secret of ['p@w', 'x:y', 'hunter2', 'se@cret', 'a:b@c', 'ww_session=1', '"abc"']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const obj = JSON.parse(lines[0]!) as { password: string; err: { type: string; code: string }; camera: { sources: { nested: { deeper: { why: string } } }[] } };
  assert.equal(obj.password, '***');
  assert.equal(obj.camera.sources[0]!.nested.deeper.why, 'rtsp://***@z/');
  assert.equal(obj.err.type, 'Error');
  assert.equal(obj.err.code, 'ECONNREFUSED');
  const cyclic: Record<string, unknown> = { a: 'rtsp://q:r@s/' };
  cyclic.self = cyclic;
  assert.deepEqual(redactDeep(cyclic), { a: 'rtsp://***@s/', self: '[cycle]' });
});

test('export quotas: count and bytes per user and for everybody, with the wait until the oldest expires', () => {
  const cfg: ExportQuotaConfig = { maxPerUser: 2, maxBytesPerUser: 1000, maxTotal: 3, maxTotalBytes: 1500, expireMs: 60_000 };
  const rows: CountedExport[] = [
    { exportedBy: 'a', createdMs: 0, bytes: 100 },
    { exportedBy: 'a', createdMs: 10_000, bytes: 100 },
    { exportedBy: 'b', createdMs: 20_000, bytes: 900 },
  ];
  const userCount = quotaRefusal(rows, 'a', 1, cfg, 30_000);
  assert.equal(userCount?.code, 'EXPORT_QUOTA_USER');
  assert.equal(userCount?.status, 429);
  assert.equal((userCount as unknown as { retryAfterS: number }).retryAfterS, 30, 'a\'s oldest expires at 60 s');
  assert.equal(quotaRefusal(rows, 'b', 200, cfg, 30_000)?.code, 'EXPORT_QUOTA_USER', 'b: 900 + 200 bytes > 1000');
  assert.equal(quotaRefusal(rows, 'c', 10, cfg, 30_000)?.code, 'EXPORT_QUOTA_TOTAL', '4 > 3 exports');
  assert.equal(quotaRefusal(rows.slice(1), 'c', 550, cfg, 30_000)?.code, 'EXPORT_QUOTA_TOTAL', '1000 + 550 bytes > 1500');
  assert.equal(quotaRefusal(rows.slice(1), 'c', 400, cfg, 30_000), null);
  assert.deepEqual(quotaRefusal(rows, 'a', 1, cfg, 30_000)?.toBody().code, 'EXPORT_QUOTA_USER');
});

test('owner links expire; an owner cannot resume a camera the station paused (SQLite store)', () => {
  let now = 1_000_000;
  const db = openAppDb(':memory:');
  const store = new ResidentStore(db, () => new Set(), { retentionDays: 7, ownerLinkMs: 60_000 }, () => now);
  const { camera, secrets } = store.create({ name: 'Nhà số 5', ownerName: 'Chị Lan', ownerContact: '090', address: 'Hẻm 12', consent: true, consentDate: '2026-01-01', sharing: 'live_recorded', source: { type: 'pull', url: 'rtsp://u:p@10.0.0.9/1' } });
  assert.equal(camera.ownerLinkExpiresAt, now + 60_000);
  store.setStatus(camera.id, 'approved', 'admin');
  assert.ok(store.byOwnerToken(secrets.ownerToken!));
  store.setStatus(camera.id, 'paused', 'owner');
  assert.equal(store.setStatus(camera.id, 'approved', 'owner').status, 'approved', 'the owner resumes their own pause');
  store.setStatus(camera.id, 'paused', 'admin');
  assert.throws(() => store.setStatus(camera.id, 'approved', 'owner'), { code: 'BAD_STATE' });
  assert.equal(store.get(camera.id)!.status, 'paused');
  assert.equal(statusChangeAllowed('paused', 'approved', 'owner', 'admin'), false);
  assert.equal(statusChangeAllowed('paused', 'approved', 'admin', 'admin'), true);
  now += 60_001;
  assert.equal(store.byOwnerToken(secrets.ownerToken!), null, 'expired');
  const fresh = store.rotateOwnerToken(camera.id).secrets.ownerToken!;
  assert.ok(store.byOwnerToken(fresh), 'a new link works');
  assert.equal(store.byOwnerToken(secrets.ownerToken!), null);
});

test('the self-signed certificate is asked for as a TLS server leaf, not a CA', () => {
  const args = selfSignedArgs(resolveConfig({}));
  assert.ok(args.includes('basicConstraints=critical,CA:FALSE'));
  assert.ok(args.includes('extendedKeyUsage=serverAuth'));
});
