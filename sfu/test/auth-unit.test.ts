/** Pure pieces of the SFU's sign-in (lockout, user CLI, TLS names, camera changes): table cases. The accounts' own are in accounts/test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '@wardwall/common';
import { FailureLimiter } from '../src/auth/lockout.js';
import { parseUserArgs } from '../src/auth/cli-args.js';
import { altNames } from '../src/http/tls.js';
import { cameraDiff } from '../src/audit/camera-changes.js';

test('failed logins: lockout after N in the window, recovery after the lockout period', () => {
  const l = new FailureLimiter({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000 });
  assert.equal(l.fail('u', 0), null);
  assert.equal(l.fail('u', 10), null);
  assert.equal(l.lockedFor('u', 20), 0);
  assert.equal(l.fail('u', 20), 5020, 'third failure locks');
  assert.equal(l.lockedFor('u', 1000), 4020);
  assert.equal(l.lockedFor('u', 5020), 0, 'recovered');
  assert.equal(l.fail('u', 5100), null, 'a fresh count after the lock');
  // Failures spread beyond the window never lock.
  const slow = new FailureLimiter({ maxFailures: 2, windowMs: 100, lockoutMs: 1000 });
  for (let t = 0; t < 1000; t += 150) assert.equal(slow.fail('k', t), null);
  l.clear('u');
  assert.equal(l.lockedUntil('u', 0), null);
});

test('camera set changes', () => {
  const a = { id: 'a', name: 'A', sub: false, transcode: false };
  const b = { id: 'b', name: 'B', sub: true, transcode: false };
  assert.deepEqual(cameraDiff([], [a, b]), { added: ['a', 'b'], removed: [], changed: [] });
  assert.deepEqual(cameraDiff([a, b], [a, b]), { added: [], removed: [], changed: [] });
  assert.deepEqual(cameraDiff([a, b], [{ ...a, name: 'A2' }]), { added: [], removed: ['b'], changed: ['a'] });
});

test('user CLI arguments', () => {
  const cases: [string[], unknown][] = [
    [['list'], { cmd: 'list' }],
    [['add', 'Bob', '--role', 'viewer', '--name', 'Bob B'], { cmd: 'add', username: 'bob', role: 'viewer', displayName: 'Bob B', passwordStdin: false }],
    [['add', 'bob', '--password-stdin', '--config', 'x.json'], { cmd: 'add', username: 'bob', role: 'operator', displayName: 'bob', passwordStdin: true }],
    [['role', 'bob', 'commander'], { cmd: 'role', username: 'bob', role: 'commander' }],
    [['disable', 'bob'], { cmd: 'disable', username: 'bob' }],
    [['revoke', 'bob'], { cmd: 'revoke', username: 'bob' }],
  ];
  for (const [argv, want] of cases) assert.deepEqual(parseUserArgs(argv), want, argv.join(' '));
  for (const argv of [[], ['frob'], ['add'], ['add', 'bad name'], ['add', 'bob\r\nx'], ['role', 'bob', 'god'], ['add', 'bob', '--role'], ['add', 'bob', '--evil'], ['add', 'bob', '--name', 'a\u0007']]) {
    assert.ok('error' in (parseUserArgs(argv) as object), argv.join(' '));
  }
});

test('config: auth keys with defaults and the TLS certificate names', () => {
  const c = resolveConfig({});
  assert.equal(c.auth.enabled, true);
  assert.equal(c.auth.sessionHours, 12);
  assert.equal(c.auth.lockout.maxFailuresPerUser, 5);
  assert.equal(c.sfu.tls, null);
  assert.equal(resolveConfig({}, { WARDWALL_ADMIN_PASSWORD: 'from-the-env' }).auth.initialAdminPassword, 'from-the-env');
  assert.throws(() => resolveConfig({ auth: { lockout: { maxFailuresPerUser: 0 } } }), /auth\.lockout\.maxFailuresPerUser/);
  assert.throws(() => resolveConfig({ sfu: { tls: 'yes' } }), /sfu\.tls/);
  assert.equal(altNames(resolveConfig({ sfu: { host: '0.0.0.0', webrtc: { announcedAddress: 'wall.ward.local' } } })), 'DNS:localhost,IP:127.0.0.1,IP:::1,DNS:wall.ward.local');
  assert.equal(altNames(resolveConfig({ sfu: { host: '192.168.1.5' } })), 'DNS:localhost,IP:127.0.0.1,IP:::1,IP:192.168.1.5');
});

test('access control off: /api/auth/me answers the anonymous local admin', async () => {
  const { authRoutes } = await import('../src/auth/auth-routes.js');
  const { ANONYMOUS_OPERATOR } = await import('@wardwall/accounts');
  const me = authRoutes({ service: null, cameras: () => ['a', 'b'], secureCookie: false }).find((r) => r.path === '/api/auth/me')!;
  const body = (await me.handle({ principal: ANONYMOUS_OPERATOR } as never)) as { me: { username: string; role: string; cameras: Record<string, string[]>; lookbackDays: number | null; system: string[] } };
  assert.equal(body.me.username, 'local');
  assert.equal(body.me.role, 'admin');
  assert.deepEqual(body.me.cameras, { a: ['live', 'playback', 'export'], b: ['live', 'playback', 'export'] });
  assert.equal(body.me.lookbackDays, null);
  assert.equal(body.me.system.length, 4);
});
