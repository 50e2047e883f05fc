/**
 * Adversarial sign-in against the real SFU and its SQLite database (issue 12, item 2 and parts of 7):
 * parallel guesses never get more evaluations than the lock allows, a flood of attempts under a lock
 * writes a bounded number of audit rows, /api/auth/* is rate-limited per client address, no
 * unauthenticated request grows the database without bound, password changes are limited, sockets
 * per user are limited, cross-site state changes are refused, and a concurrent burst of signaling
 * messages cannot pass a session's limits.
 *
 * Each scenario sends from its own loopback address (127.0.0.x: Linux routes the whole 127/8 to lo),
 * so per-address limits of one scenario do not touch another.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, wsClient, type TestSystem } from '@wardwall/testing/system';

const LOCK_MS = 12_000;
const RATE = { perMinute: 60, burst: 40 };
let sys: TestSystem;

before(async () => {
  sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    auth: { lockout: { maxFailuresPerUser: 5, maxFailuresPerAddress: 20, windowMs: 600_000, lockoutMs: LOCK_MS } },
    patch: (c) => {
      c.auth.rateLimit = RATE;
      c.sfu.maxSocketsPerUser = 3;
    },
  });
  await createUser(sys, { username: 'op', role: 'operator' });
  await createUser(sys, { username: 'sock', role: 'operator' });
  await createUser(sys, { username: 'pw', role: 'operator' });
});
after(async () => {
  await sys?.close();
});

interface Reply {
  status: number;
  body: { code?: string; retryAfterS?: number; message?: string };
  setCookie: string | undefined;
}

/** An HTTP request to the SFU from a chosen loopback address. */
function call(from: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sys.sfu.port, method, path, localAddress: from, agent: false, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }), ...headers } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          let parsed: Reply['body'] = {};
          try {
            parsed = JSON.parse(data) as Reply['body'];
          } catch {
            /* not JSON */
          }
          const sc = res.headers['set-cookie'];
          resolve({ status: res.statusCode ?? 0, body: parsed, setCookie: sc?.[0] });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const login = (from: string, username: string, password: string) => call(from, 'POST', '/api/auth/login', { username, password });

/** Rows in every table of the SFU database (what requests could make grow). */
function rowCounts(): Record<string, number> {
  const db = sys.sfu.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
}
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const auditCount = (action: string, user?: string) => sys.sfu.audit.query({ action, ...(user ? { user } : {}), limit: 1000 }).entries.length;

test('30 parallel attempts for admin (29 wrong, the right one last): at most 5 evaluated, then 429; the right password is refused while locked', async () => {
  const failedBefore = auditCount('login_failed', 'admin');
  const attempts = Array.from({ length: 30 }, (_, i) => login('127.0.0.2', 'admin', i === 29 ? TEST_ADMIN_PASSWORD : `wrong-guess-${i}`));
  const replies = await Promise.all(attempts);
  const evaluated = replies.filter((r) => r.status === 401 || r.status === 200);
  const refused = replies.filter((r) => r.status === 429);
  assert.ok(evaluated.length <= 5, `evaluated ${evaluated.length}: ${replies.map((r) => r.status).join(',')}`);
  assert.equal(evaluated.length + refused.length, 30, replies.map((r) => r.status).join(','));
  for (const r of refused) {
    assert.ok(r.body.code === 'LOCKED_OUT' || r.body.code === 'RATE_LIMITED', JSON.stringify(r.body));
    assert.ok(r.body.retryAfterS! >= 1, JSON.stringify(r.body));
    assert.equal(r.setCookie, undefined);
  }
  assert.equal(replies[29]!.status, 429, 'the right password sent last was not evaluated');
  assert.equal(auditCount('login_failed', 'admin') - failedBefore, evaluated.length, 'each evaluated failure is audited once');
  // Locked now: the right password is refused, from any address.
  const locked = await login('127.0.0.12', 'admin', TEST_ADMIN_PASSWORD);
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'LOCKED_OUT');
  assert.ok(locked.body.retryAfterS! > 1 && locked.body.retryAfterS! <= LOCK_MS / 1000);
  // Kept in the database (a restart does not lift it), and housekeeping keeps it.
  sys.sfu.auth.service!.maintain();
  const rows = sys.sfu.db.prepare("SELECT key, locked_until FROM auth_locks WHERE key = 'u:admin'").all() as { locked_until: number }[];
  assert.equal(rows.length, 1);
  assert.ok(rows[0]!.locked_until > Date.now());
  assert.ok(sys.sfu.auth.service!.lockedUntil('admin')! > Date.now(), 'pruning kept the lock in force');
});

test('200 attempts while locked: a bounded number of audit rows (one, then one summary with the count when the lock ends)', async () => {
  assert.ok(sys.sfu.auth.service!.lockedUntil('admin'), 'still locked from the previous test');
  const before = total(rowCounts());
  const auditBefore = sys.sfu.audit.query({ limit: 1 }).entries[0]!.seq;
  // 10 addresses × 20 attempts (within each address's rate bucket), all for the locked name.
  const replies: Reply[] = [];
  for (let wave = 0; wave < 4; wave++) {
    replies.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => login(`127.0.1.${1 + ((wave * 50 + i) % 10)}`, 'admin', i % 2 ? TEST_ADMIN_PASSWORD : `x-${wave}-${i}`)))));
  }
  assert.equal(replies.length, 200);
  assert.ok(replies.every((r) => r.status === 429 && r.body.code === 'LOCKED_OUT'), [...new Set(replies.map((r) => `${r.status} ${r.body.code}`))].join(','));
  const newAudit = sys.sfu.audit.query({ limit: 1000 }).entries.filter((e) => e.seq > auditBefore);
  assert.ok(newAudit.length <= 1, `audit rows written under the lock: ${newAudit.map((e) => e.action).join(',')}`);
  assert.ok(total(rowCounts()) - before <= 1, 'the database did not grow');
  // When the lock is over, one summary row carries the count; the right password works again.
  await waitFor('the lock to end', () => sys.sfu.auth.service!.lockedUntil('admin') === null, LOCK_MS + 30_000, 200);
  sys.sfu.auth.service!.maintain();
  const summary = sys.sfu.audit.query({ action: 'login_locked_summary', user: 'admin', limit: 10 }).entries;
  assert.equal(summary.length, 1, JSON.stringify(summary));
  assert.ok((summary[0]!.detail.refused as number) >= 200, JSON.stringify(summary[0]!.detail));
  assert.equal((await login('127.0.0.12', 'admin', TEST_ADMIN_PASSWORD)).status, 200);
});

test('/api/auth/* is rate-limited per client address: 429 RATE_LIMITED with retryAfterS; other addresses are not affected', async () => {
  const replies = await Promise.all(Array.from({ length: RATE.burst + 10 }, () => call('127.0.0.4', 'GET', '/api/auth/me')));
  const limited = replies.filter((r) => r.status === 429);
  assert.ok(limited.length >= 10 && limited.length <= 11, `limited ${limited.length}`); // the bucket refills 1/s meanwhile
  assert.equal(replies.filter((r) => r.status === 401).length + limited.length, replies.length);
  assert.equal(limited[0]!.body.code, 'RATE_LIMITED');
  assert.ok(limited[0]!.body.retryAfterS! >= 1);
  // A login from the limited address is refused before it is evaluated (no audit row).
  const failed = auditCount('login_failed', 'op');
  assert.equal((await login('127.0.0.4', 'op', 'wrong-password')).status, 429);
  assert.equal(auditCount('login_failed', 'op'), failed);
  assert.equal((await call('127.0.0.5', 'GET', '/api/auth/me')).status, 401, 'another address');
  assert.equal((await call('127.0.0.4', 'GET', '/api/health')).status, 200, 'other routes are not limited');
});

test('no unauthenticated request grows the database without bound', async () => {
  const before = rowCounts();
  const junk: Promise<unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    const from = `127.0.2.${1 + (i % 3)}`;
    junk.push(login(from, `ghost-${i}`, 'whatever-password'));
    junk.push(call(from, 'POST', `/owner/ro_${'A'.repeat(43)}`, undefined, { 'content-type': 'application/x-www-form-urlencoded' }));
    junk.push(call(from, 'POST', '/api/bookmarks', { x: 1 }));
    junk.push(call(from, 'POST', '/api/incidents/abc/export', {}));
    junk.push(call(from, 'POST', '/api/holds', { camera: 'demo-1', from: 1, to: 2, reason: 'r' }));
    junk.push(call(from, 'POST', '/api/exports', { cameras: ['demo-1'], from: 1, to: 2 }));
    junk.push(call(from, 'POST', '/api/admin/users', { username: `u${i}` }));
    junk.push(call(from, 'GET', '/api/audit'));
  }
  // A request refused before its body was read may see its connection reset instead of the answer
  // (the server closes a non-keep-alive socket with unread data): what counts here is what was written.
  await Promise.all(junk.map((p) => p.catch((e: NodeJS.ErrnoException) => assert.ok(['ECONNRESET', 'EPIPE'].includes(String(e.code)), String(e)))));
  // And unauthenticated WebSocket upgrades.
  for (let i = 0; i < 20; i++) await assert.rejects(wsClient(sys.url), /401/);
  const after = rowCounts();
  const grew = Object.fromEntries(Object.keys(after).map((t) => [t, after[t]! - (before[t] ?? 0)]).filter(([, d]) => (d as number) !== 0));
  // 3 addresses × at most 20 evaluated failures, each failure one audit row, plus per address its
  // lock (one lock row, one lockout row, one first-refusal row).
  assert.ok((grew.audit_log ?? 0) <= 3 * (20 + 2), JSON.stringify(grew));
  assert.ok((grew.auth_locks ?? 0) <= 3, JSON.stringify(grew));
  for (const [t, d] of Object.entries(grew)) assert.ok(t === 'audit_log' || t === 'auth_locks', `table ${t} grew by ${d}`);
});

test('changing a password: wrong current passwords are limited like logins (locked after 5), also for the right one then', async () => {
  const cookie = await sys.signIn('pw', 'pw-password');
  const change = (current: string) => call('127.0.0.6', 'POST', '/api/auth/password', { current, next: 'a-new-password-1' }, { cookie });
  const parallel = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`wrong-${i}`)));
  assert.ok(parallel.filter((r) => r.status === 401).length <= 5, parallel.map((r) => r.status).join(','));
  assert.ok(parallel.every((r) => r.status === 401 || r.status === 429), parallel.map((r) => r.status).join(','));
  const locked = await change('pw-password');
  assert.equal(locked.status, 429);
  assert.equal(locked.body.code, 'LOCKED_OUT');
  assert.equal((await sys.signIn('pw', 'pw-password')).length > 0, true, 'the old password still signs in: nothing changed');
});

test('sockets per user are limited (sfu.maxSocketsPerUser = 3): the 4th upgrade gets 429, a closed one frees its slot', async () => {
  const cookie = await sys.signIn('sock', 'sock-password');
  const open = await Promise.all([wsClient(sys.url, cookie), wsClient(sys.url, cookie), wsClient(sys.url, cookie)]);
  await assert.rejects(wsClient(sys.url, cookie), /429/);
  // A second login of the same user counts too.
  const other = await sys.signIn('sock', 'sock-password');
  await assert.rejects(wsClient(sys.url, other), /429/);
  open[0]!.ws.close();
  await open[0]!.closed;
  const again = await waitFor('a free slot', async () => wsClient(sys.url, cookie).catch(() => undefined), 10_000, 100);
  again.ws.close();
  for (const c of open.slice(1)) c.ws.close();
});

test('Origin: state-changing REST requests and the WebSocket from another site are refused; same-origin ones pass', async () => {
  const cookie = await sys.signIn('op', 'op-password');
  const host = `127.0.0.1:${sys.sfu.port}`;
  const evil = await call('127.0.0.7', 'POST', '/api/auth/logout', undefined, { cookie, origin: 'http://evil.example' });
  assert.equal(evil.status, 403);
  assert.equal(evil.body.code, 'BAD_ORIGIN');
  const sameSite = await call('127.0.0.7', 'POST', '/api/bookmarks/x', undefined, { cookie, 'sec-fetch-site': 'same-site' });
  assert.equal(sameSite.status, 403);
  assert.equal(((await call('127.0.0.7', 'GET', '/api/auth/me', undefined, { cookie, origin: 'http://evil.example' })).status), 200, 'reads are guarded by the cookie and SameSite');
  const ws = await rawUpgrade(sys.sfu.port, `Origin: http://evil.example\r\nCookie: ${cookie}\r\n`);
  assert.match(ws, /^HTTP\/1\.1 403/);
  const ok = await call('127.0.0.7', 'POST', '/api/auth/logout', undefined, { cookie, origin: `http://${host}` });
  assert.equal(ok.status, 200);
});

test('a burst of concurrent signaling messages cannot pass the session limits (4 transports, 64 consumers)', async () => {
  const cookie = await sys.signIn('op', 'op-password');
  const c = await wsClient(sys.url, cookie);
  const hello = (await c.request({ type: 'hello' })) as { ok: boolean; data: { routerRtpCapabilities: unknown } };
  assert.ok(hello.ok);
  // Sent without waiting for answers: the responses come back in any order, so count them by id.
  const burst = async (msgs: Record<string, unknown>[]) => {
    const answers = new Map<number, { ok: boolean; data?: Record<string, unknown>; error?: { code: string } }>();
    const done = new Promise<void>((resolve) => {
      c.ws.on('message', function on(d) {
        const m = JSON.parse(String(d)) as { type: string; id: number; ok: boolean };
        if (m.type !== 'response' || m.id < 1000) return;
        answers.set(m.id, m as never);
        if (answers.size === msgs.length) {
          c.ws.off('message', on);
          resolve();
        }
      });
    });
    msgs.forEach((m, i) => c.ws.send(JSON.stringify({ id: 1000 + burstId * 1000 + i, ...m })));
    burstId++;
    await done;
    return [...answers.values()];
  };
  let burstId = 0;
  const transports = await burst(Array.from({ length: 12 }, () => ({ type: 'createTransport' })));
  assert.equal(transports.filter((a) => a.ok).length, 4, JSON.stringify(transports.filter((a) => !a.ok).map((a) => a.error)));
  const session = sys.sfu.signaling.openSessions().find((s) => s.principal?.username === 'op')!;
  assert.equal(session.transports.size, 4);
  const transportId = transports.find((a) => a.ok)!.data!.transportId as string;
  await waitFor('demo-1 live', () => sys.sfu.cameras.stream('demo-1', 'main')?.producer, 60_000);
  const caps = hello.data.routerRtpCapabilities;
  let ok = 0;
  for (let wave = 0; wave < 3; wave++) {
    const answers = await burst(Array.from({ length: 30 }, () => ({ type: 'consume', transportId, cameraId: 'demo-1', stream: 'main', rtpCapabilities: caps })));
    ok += answers.filter((a) => a.ok).length;
    for (const a of answers) if (!a.ok) assert.ok(['BAD_REQUEST', 'RATE_LIMITED'].includes(a.error!.code), JSON.stringify(a.error));
  }
  assert.equal(ok, 64, 'exactly the limit');
  assert.equal(session.consumers.size, 64);
  // More messages at once than may be in progress: the rest are answered RATE_LIMITED, none is lost.
  const flood = await burst(Array.from({ length: 100 }, () => ({ type: 'restartIce', transportId })));
  assert.equal(flood.length, 100);
  assert.ok(flood.some((a) => !a.ok && a.error!.code === 'RATE_LIMITED'), 'some were refused as too many in progress');
  c.ws.close();
});

function rawUpgrade(port: number, headers: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}
