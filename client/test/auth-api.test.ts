import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthApi, AuthError } from '../src/services/auth-api.js';

/** A small HTTP server speaking the contract's shapes (the real one is tested in sfu/ and e2e/). */
let server: Server;
let base = '';
let signedIn = false;
const ME = { id: 1, username: 'op', displayName: 'Op', role: 'operator', system: [], cameras: { '*': ['live'] }, lookbackDays: 7 };
const seen: { method: string; url: string; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url === '/api/auth/login') {
        const b = JSON.parse(body) as { username: string; password: string };
        if (b.username === 'locked') return send(429, { code: 'LOCKED_OUT', message: 'locked', retryAfterS: 42 });
        if (b.password !== 'right') return send(401, { code: 'BAD_CREDENTIALS', message: 'no' });
        signedIn = true;
        return send(200, { me: ME });
      }
      if (!signedIn) return send(401, { code: 'UNAUTHENTICATED', message: 'sign in first' });
      if (req.url === '/api/auth/me') return send(200, { me: ME });
      if (req.url === '/api/auth/logout') {
        signedIn = false;
        return send(200, { ok: true });
      }
      if (req.url === '/api/auth/password') {
        const b = JSON.parse(body) as { current: string };
        return b.current === 'right' ? send(200, { ok: true }) : send(401, { code: 'BAD_CREDENTIALS', message: 'current password is wrong' });
      }
      if (req.url === '/api/admin/users') return send(403, { code: 'FORBIDDEN', message: 'not allowed: admin' });
      if (req.url?.startsWith('/api/audit')) return send(200, { entries: [], next: null });
      if (req.url === '/api/bad') return send(200, { me: { id: 1 } });
      return send(404, { code: 'NOT_FOUND', message: 'no route' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('sign-in errors carry the code (and the lock time); they do not count as a lost session', async () => {
  const api = new AuthApi(base);
  let lost = 0;
  api.on('unauthorized', () => lost++);
  assert.equal(await api.me(), null, 'no session: me is null');
  await assert.rejects(api.login('op', 'wrong'), (e: unknown) => e instanceof AuthError && e.code === 'BAD_CREDENTIALS' && e.status === 401);
  await assert.rejects(api.login('locked', 'x'), (e: unknown) => e instanceof AuthError && e.code === 'LOCKED_OUT' && e.retryAfterS === 42);
  assert.equal(lost, 0);
  const me = await api.login('op', 'right');
  assert.equal(me.displayName, 'Op');
  assert.deepEqual(me.cameras, { '*': ['live'] });
  assert.deepEqual(await api.me(), me);
  // A wrong current password is 401 too, but the session stands.
  await assert.rejects(api.changePassword('wrong', 'new password'), (e: unknown) => e instanceof AuthError && e.code === 'BAD_CREDENTIALS');
  await api.changePassword('right', 'new password');
  assert.equal(lost, 0);
  // 403 is not a lost session.
  await assert.rejects(api.users(), (e: unknown) => e instanceof AuthError && e.code === 'FORBIDDEN' && e.status === 403);
  assert.equal(lost, 0);
  const audit = seen.length;
  await api.audit({ user: 'op', limit: '5' });
  assert.equal(seen[audit]!.url, '/api/audit?user=op&limit=5');
  await api.logout();
  signedIn = false;
});

test('a 401 on a signed-in call, or through the fetch handed to other services, ends the session once', async () => {
  const api = new AuthApi(base);
  let lost = 0;
  api.on('unauthorized', () => lost++);
  await api.login('op', 'right');
  signedIn = false; // revoked on the server
  const res = await api.fetch(`${base}/api/recordings/demo-1/spans`);
  assert.equal(res.status, 401);
  assert.equal(lost, 1);
  await assert.rejects(api.audit({}), (e: unknown) => e instanceof AuthError && e.code === 'UNAUTHENTICATED');
  assert.equal(lost, 1, 'fired once per sign-in');
  await api.login('op', 'right');
  api.sessionEnded(); // e.g. the socket closed with 4401
  assert.equal(lost, 2);
  // A request of the previous sign-in answered 401 after a new sign-in does not end the new one.
  signedIn = false;
  let release: () => void = () => undefined;
  const slow = new AuthApi(base, async (input, init) => {
    const res = await fetch(input, init);
    if (String(input).includes('/spans')) await new Promise<void>((r) => (release = r));
    return res;
  });
  let slowLost = 0;
  slow.on('unauthorized', () => slowLost++);
  await slow.login('op', 'right');
  signedIn = false;
  const late = slow.fetch(`${base}/api/recordings/demo-1/spans`);
  await new Promise((r) => setTimeout(r, 50));
  slow.sessionEnded();
  await slow.login('op', 'right');
  release();
  assert.equal((await late).status, 401);
  assert.equal(slowLost, 1, 'only the first sign-in ended');
  signedIn = false;
});

test('an unreachable server and a malformed reply are errors with codes', async () => {
  await assert.rejects(new AuthApi('http://127.0.0.1:1').me(), (e: unknown) => e instanceof AuthError && e.code === 'DISCONNECTED');
  signedIn = true;
  const api = new AuthApi(base);
  // Point `me` at a route that answers a malformed body.
  const bad = new AuthApi(base, (input, init) => fetch(String(input).replace('/api/auth/me', '/api/bad'), init));
  await assert.rejects(bad.me(), (e: unknown) => e instanceof AuthError && e.code === 'BAD_REPLY' && /me\.cameras/.test(e.message));
  assert.ok(await api.me());
  signedIn = false;
});
