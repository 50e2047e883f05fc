/**
 * Brute force → lockout → recovery (per user name and per client address), header injection,
 * path traversal and oversized input against the running SFU and recorder with access control on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';

// Long enough that a contended machine cannot let the lock expire between two checks; recovery is
// awaited by polling (attempts during a lock are refused without counting as failures).
const LOCK_MS = 6000;
let sys: TestSystem;
let admin: string;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: { lockout: { maxFailuresPerUser: 3, maxFailuresPerAddress: 6, windowMs: 600_000, lockoutMs: LOCK_MS } } });
  admin = await sys.signIn();
  await createUser(sys, { username: 'op', role: 'operator' });
});
after(async () => {
  await sys?.close();
});

async function login(username: string, password: string): Promise<{ status: number; body: { code?: string; retryAfterS?: number }; cookie: string | null }> {
  const r = await fetch(`${sys.url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: r.status, body: (await r.json()) as { code?: string }, cookie: r.headers.get('set-cookie') };
}

/** Sends raw bytes to the SFU's port and returns the status line and headers of the answer. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    // A server may reset the connection right after its answer while the request is still being
    // sent (Node 24 does, for an oversized request): the answer already read is what counts.
    s.on('error', (e) => (out.startsWith('HTTP/') ? resolve(out) : reject(e)));
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

test('brute force: the user name is locked after 3 failures, even for the right password, and recovers after the period', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await login('op', `guess-${i}`)).status, 401);
  const locked = await login('op', 'op-password');
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'LOCKED_OUT');
  const lockedAt = Date.now();
  assert.ok(locked.body.retryAfterS! >= 1 && locked.body.retryAfterS! <= LOCK_MS / 1000, String(locked.body.retryAfterS));
  assert.equal(locked.cookie, null);
  const users = (await (await fetch(`${sys.url}api/admin/users`, { headers: { cookie: admin } })).json()) as { users: { username: string; lockedUntil: number | null }[] };
  assert.ok(users.users.find((u) => u.username === 'op')!.lockedUntil! > Date.now(), 'admins see the lock');
  assert.equal((await login('admin', TEST_ADMIN_PASSWORD)).status, 200, 'other users are not affected');
  const ok = await waitFor('recovery', async () => {
    const r = await login('op', 'op-password');
    assert.ok(r.status === 200 || r.status === 429, String(r.status));
    return r.status === 200 ? r : undefined;
  }, LOCK_MS + 30_000, 250);
  assert.ok(ok.cookie, 'recovered after the lockout period');
  assert.ok(Date.now() - lockedAt >= LOCK_MS - 1000, 'not before the period ended');
  const actions = sys.sfu.audit.query({ user: 'op', limit: 50 }).entries.map((e) => e.action);
  assert.ok(actions.includes('login_failed') && actions.includes('lockout') && actions.includes('login_locked'), actions.join(','));
});

test('brute force across user names: the client address is locked, then recovers', async () => {
  // 3 failures so far from this address; 3 more with unknown names lock it.
  for (const u of ['ghost1', 'ghost2', 'ghost3']) assert.equal((await login(u, 'whatever-pw')).status, 401);
  const locked = await login('admin', TEST_ADMIN_PASSWORD);
  assert.equal(locked.status, 429, 'the address is locked for every name');
  await waitFor('address recovery', async () => (await login('admin', TEST_ADMIN_PASSWORD)).status === 200, LOCK_MS + 30_000, 250);
});

test('header injection: CR/LF in the user name, the cookie or a path never reaches a header', async () => {
  const r = await fetch(`${sys.url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin\r\nSet-Cookie: ww_session=evil', password: TEST_ADMIN_PASSWORD }) });
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as { message: string }).message, /username/);
  assert.equal(r.headers.get('set-cookie'), null);
  // A bare CR inside the Cookie header: Node's parser refuses the request.
  const crInCookie = await rawHttp(sys.sfu.port, `GET /api/auth/me HTTP/1.1\r\nHost: x\r\nCookie: ${admin}\rX-Evil: 1\r\nConnection: close\r\n\r\n`);
  assert.match(crInCookie, /^HTTP\/1\.1 400/);
  // An encoded CRLF in a path parameter stays data.
  const split = await fetch(`${sys.url}api/cameras/%0d%0aSet-Cookie:%20x=y/still`, { headers: { cookie: admin } });
  assert.equal(split.status, 404);
  assert.equal(split.headers.get('set-cookie'), null);
  // Two session cookies (cookie tossing): ambiguous, refused.
  assert.equal((await fetch(`${sys.url}api/auth/me`, { headers: { cookie: `${admin}; ww_session=x.1.y` } })).status, 401);
  const name = await fetch(`${sys.url}api/admin/users`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'evil', displayName: 'a\r\nb', role: 'viewer', password: 'long-enough-pw' }) });
  assert.equal(name.status, 400);
  // A page of another site cannot open the wall's socket with the user's cookie.
  const crossSite = await rawHttp(sys.sfu.port, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${sys.sfu.port}\r\nOrigin: http://evil.example\r\nCookie: ${admin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  assert.match(crossSite, /^HTTP\/1\.1 403/);
});

test('path traversal: nothing outside the client folder or the store is served, on the SFU and the recorder', async () => {
  const paths = ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd', '/api/recordings/..%2f..%2f..%2fetc/spans?from=1&to=2', '/api/recordings/demo-1/media/..%2f..%2fetc%2fpasswd.mp4', '/api/exports/..%2f..%2fetc%2fpasswd/download', '/%00/etc/passwd'];
  for (const p of paths) {
    for (const port of [sys.sfu.port, sys.recorder!.port]) {
      const out = await rawHttp(port, `GET ${p} HTTP/1.1\r\nHost: x\r\nCookie: ${admin}\r\nConnection: close\r\n\r\n`);
      assert.ok(!out.includes('root:x:0:0'), `${port} ${p} leaked /etc/passwd`);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
      if (p.startsWith('/api/')) assert.ok(status >= 400 && status < 500, `${port} ${p}: ${status}`);
      else assert.ok(status >= 400 || /<ww-app|<script/.test(out), `${port} ${p}: ${status}`);
    }
  }
});

test('oversized input: bodies, URLs and headers are refused', async () => {
  const big = (n: number) => JSON.stringify({ username: 'admin', password: 'x'.repeat(n) });
  const loginBig = await fetch(`${sys.url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big(10_000) });
  assert.equal(loginBig.status, 413);
  assert.equal(((await loginBig.json()) as { code: string }).code, 'MESSAGE_TOO_LARGE');
  const adminBig = await fetch(`${sys.url}api/admin/users`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x', displayName: 'y'.repeat(400_000), role: 'viewer', password: 'long-enough' }) });
  assert.equal(adminBig.status, 413);
  // Chunked, no Content-Length: the limit still applies while reading.
  const chunk = 'a'.repeat(64 * 1024);
  const chunked = await rawHttp(sys.sfu.port, `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(5)}0\r\n\r\n`);
  assert.match(chunked, /^HTTP\/1\.1 413/);
  assert.equal((await fetch(`${sys.url}api/audit?user=${'u'.repeat(3000)}`, { headers: { cookie: admin } })).status, 414);
  const hugeHeader = await rawHttp(sys.sfu.port, `GET /api/auth/me HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(100_000)}\r\nConnection: close\r\n\r\n`);
  assert.match(hugeHeader, /^HTTP\/1\.1 431/);
  const recBig = await fetch(`http://127.0.0.1:${sys.recorder!.port}/api/holds`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'r'.repeat(200_000), from: 1, to: 2 }) });
  assert.equal(recBig.status, 413);
  assert.equal((await fetch(`${sys.url}api/health`)).status, 200, 'still serving');
});
