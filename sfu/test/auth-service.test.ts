/**
 * Sessions end to end on a real SQLite database with a controlled clock: login, expiry, logout,
 * revocation, disabled and deleted users, password change; the first admin at first start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDb } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { AuthStore } from '@wardwall/accounts';
import { AuthService } from '../src/auth/auth-service.js';
import { hashPassword } from '@wardwall/accounts';
import { loadOrCreateSecret } from '@wardwall/accounts';

const log = createLogger('test', 'silent');
const client = { address: '127.0.0.1', userAgent: 'test' };

function setup(opts: { initialAdminPassword?: string } = {}) {
  let now = 1_000_000;
  const db = openAppDb(':memory:');
  const config = resolveConfig({ auth: { sessionHours: 1, ...(opts.initialAdminPassword ? { initialAdminPassword: opts.initialAdminPassword } : {}) } });
  const audit = new AuditLog(db, log, () => now);
  const store = new AuthStore(db);
  const service = new AuthService(store, Buffer.alloc(32, 1), config, audit, log, () => now);
  return { db, store, service, audit, tick: (ms: number) => (now += ms) };
}

test('first start: admin from the config/env, or a random password handed out once', async () => {
  const a = setup();
  const first = await a.service.ensureInitialAdmin();
  assert.equal(first?.username, 'admin');
  assert.match(first!.password!, /^[a-zA-Z2-9]{18}$/);
  assert.equal(await a.service.ensureInitialAdmin(), null, 'only when no account exists');
  await a.service.login('admin', first!.password!, client);
  const b = setup({ initialAdminPassword: 'from-the-env-123' });
  assert.deepEqual(await b.service.ensureInitialAdmin(), { username: 'admin', password: null }, 'a given password is not echoed');
  await b.service.login('ADMIN', 'from-the-env-123', client);
});

test('a session lives until expiry, logout, revocation, disable, delete or a password change', async () => {
  const s = setup();
  const u = s.store.addUser({ username: 'op', displayName: 'Op', role: 'operator', passwordHash: await hashPassword('op-password') }, 0);
  const revoked: string[] = [];
  s.service.onRevoke((ids) => revoked.push(...ids));
  const login = async () => (await s.service.login('op', 'op-password', client)).token;

  const t1 = await login();
  assert.equal(s.service.verifier.fromToken(t1)?.principal.username, 'op');
  s.tick(3600_000 - 1);
  assert.ok(s.service.verifier.fromToken(t1), 'valid until the end of its life');
  s.tick(1);
  assert.equal(s.service.verifier.fromToken(t1), null, 'expired');

  const t2 = await login();
  const p2 = s.service.verifier.fromToken(t2)!.principal;
  s.service.logout(p2);
  assert.equal(s.service.verifier.fromToken(t2), null, 'logged out');
  assert.deepEqual(revoked, [p2.sessionId]);

  const t3 = await login();
  assert.equal(s.service.revokeUser(u.id), 1);
  assert.equal(s.service.verifier.fromToken(t3), null, 'revoked');

  const t4 = await login();
  s.store.updateUser(u.id, { disabled: true }, 0);
  assert.equal(s.service.verifier.fromToken(t4), null, 'user disabled');
  await assert.rejects(login(), /wrong user name or password/);
  s.store.updateUser(u.id, { disabled: false }, 0);

  const [t5, t6] = [await login(), await login()];
  const p5 = s.service.verifier.fromToken(t5)!.principal;
  await s.service.changeOwnPassword(p5, 'op-password', 'new-password');
  assert.ok(s.service.verifier.fromToken(t5), 'the changing session stays');
  assert.equal(s.service.verifier.fromToken(t6), null, 'the other one ends');
  await assert.rejects(s.service.login('op', 'op-password', client));
  await s.service.login('op', 'new-password', client);

  s.store.deleteUser(u.id);
  assert.equal(s.service.verifier.fromToken(t5), null, 'user deleted');
  const actions = s.audit.query({ limit: 100 }).entries.map((e) => e.action);
  for (const a of ['login', 'logout', 'login_failed', 'password_change']) assert.ok(actions.includes(a), a);
  const text = JSON.stringify(s.audit.query({ limit: 100 }));
  assert.ok(!text.includes('op-password') && !text.includes('new-password'), 'no password in the audit trail');
});

test('the token secret: created once with mode 0600, the same bytes for every reader', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'wardwall-secret-')), 'sub', 'auth-secret');
  const a = loadOrCreateSecret(file);
  const b = loadOrCreateSecret(file);
  assert.equal(a.length, 32);
  assert.deepEqual(a, b);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('a login lock outlives a restart (a new service on the same database) and ends on time', async () => {
  let now = 5_000_000;
  const db = openAppDb(':memory:');
  const config = resolveConfig({ auth: { lockout: { maxFailuresPerUser: 3, maxFailuresPerAddress: 100, windowMs: 60_000, lockoutMs: 120_000 } } });
  const audit = new AuditLog(db, log, () => now);
  const store = new AuthStore(db);
  store.addUser({ username: 'op', displayName: 'Op', role: 'operator', passwordHash: await hashPassword('op-password') }, 0);
  const service = () => new AuthService(store, Buffer.alloc(32, 1), config, audit, log, () => now);
  const first = service();
  for (let i = 0; i < 3; i++) await assert.rejects(first.login('op', 'wrong', client), { code: 'BAD_CREDENTIALS' });
  await assert.rejects(first.login('op', 'op-password', client), { code: 'LOCKED_OUT' });
  // "Restart": the lock is read back from the database.
  now += 60_000;
  const second = service();
  assert.equal(second.lockedUntil('op'), 5_000_000 + 120_000);
  await assert.rejects(second.login('op', 'op-password', client), { code: 'LOCKED_OUT' });
  now += 60_001;
  const third = service();
  assert.equal(third.lockedUntil('op'), null, 'an expired lock is not restored');
  await third.login('op', 'op-password', client);
  assert.deepEqual(store.activeLocks(now), []);
  // An administrator's new password lifts a lock at once.
  for (let i = 0; i < 3; i++) await assert.rejects(third.login('op', 'wrong', client), { code: 'BAD_CREDENTIALS' });
  assert.ok(service().lockedUntil('op'));
  third.unlock('OP');
  assert.equal(third.lockedUntil('op'), null);
  assert.equal(service().lockedUntil('op'), null, 'gone from the database too');
});

test('renewal: an open wall stays signed in up to the cap; older tokens stay good until their own end; revoked is final', async () => {
  let now = 10_000_000;
  const db = openAppDb(':memory:');
  const config = resolveConfig({ auth: { sessionHours: 1, maxSessionDays: 0.125 } }); // 1 h sessions, 3 h cap
  const audit = new AuditLog(db, log, () => now);
  const store = new AuthStore(db);
  store.addUser({ username: 'wall', displayName: 'Wall 1', role: 'operator', passwordHash: await hashPassword('wall-password') }, 0);
  const service = new AuthService(store, Buffer.alloc(32, 1), config, audit, log, () => now);
  const login = await service.login('wall', 'wall-password', client);
  const p = service.verifier.fromToken(login.token)!.principal;
  now += 30 * 60_000;
  const r1 = service.renew(p);
  assert.equal(r1.expiresMs, now + 3600_000, 'one hour from the renewal');
  assert.ok(service.verifier.fromToken(r1.token), 'the renewed token works');
  assert.ok(service.verifier.fromToken(login.token), 'the older token still works until its own end (another tab)');
  now += 45 * 60_000; // past the login token's end, inside the renewed one
  assert.equal(service.verifier.fromToken(login.token), null);
  assert.ok(service.verifier.stillValid(p.sessionId!), 'open sockets follow the renewed end');
  // Renewed every 30 min: capped 3 h after the login.
  let last = r1;
  for (let i = 0; i < 4; i++) {
    assert.ok(now < last.expiresMs, 'still signed in at each renewal');
    last = service.renew(p);
    now += 30 * 60_000;
  }
  assert.equal(last.expiresMs, 10_000_000 + 3 * 3600_000, 'never past the cap');
  assert.equal(last.capMs, last.expiresMs);
  now = last.expiresMs;
  assert.equal(service.verifier.fromToken(last.token), null, 'over at the cap');
  assert.throws(() => service.renew(p), { code: 'UNAUTHENTICATED' });
  // A revoked session cannot be renewed.
  const again = await service.login('wall', 'wall-password', client);
  const p2 = service.verifier.fromToken(again.token)!.principal;
  service.logout(p2);
  assert.throws(() => service.renew(p2), { code: 'UNAUTHENTICATED' });
});
