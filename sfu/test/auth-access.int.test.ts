/**
 * Access control against a running system (SFU + recorder + a demo camera, auth on): every route of
 * the route table and every signaling message type is refused without a session (401) and without
 * the right (403) — iterated generically, so routes and messages added later are covered too — the
 * recorder refuses on its own port as well and enforces the look-back; sessions are revocable and
 * one user cannot touch another's transports or consumers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CLIENT_MESSAGE_TYPES, type ServerMessage } from '@wardwall/common';
import type { Route } from '@wardwall/server-kit';
import { isRecorderPath, recorderPath } from '../src/http/recorder-proxy.js';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, wsClient, type TestSystem } from '@wardwall/testing/system';

let sys: TestSystem;
let recorderBase: string;
const CAM = 'demo-1';
const root = fileURLToPath(new URL('../..', import.meta.url));

before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true });
  recorderBase = `http://127.0.0.1:${sys.recorder!.port}`;
  // nobody: signed in, but no right at all; viewer: live only; op: operator (7 days look-back);
  // noexport: live + playback only; cmd: commander (unlimited look-back).
  await createUser(sys, { username: 'nobody', role: 'viewer', cameraRules: [{ camera: '*', permissions: [] }] });
  await createUser(sys, { username: 'viewer', role: 'viewer' });
  await createUser(sys, { username: 'op', role: 'operator' });
  await createUser(sys, { username: 'noexport', role: 'operator', cameraRules: [{ camera: '*', permissions: ['live', 'playback'] }] });
  await createUser(sys, { username: 'cmd', role: 'commander' });
});
after(async () => {
  await sys?.close();
});

const login = (u: string) => (u === 'admin' ? sys.signIn() : sys.signIn(u, `${u}-password`));

/** A concrete path for a route: its pattern with the camera parameter set to a real camera, others to "1". */
function samplePath(route: Route): string {
  if (typeof route.path === 'string') return route.path;
  const cameraParam = typeof route.access === 'object' ? route.access.camera : undefined;
  let src = route.path.source.replace(/^\^/, '').replace(/\$$/, '');
  src = src.replace(/\(\?<(\w+)>[^)]*\)/g, (_m, name: string) => (name === cameraParam ? CAM : '1'));
  src = src.replace(/\(\?:([^|)]*)(?:\|[^)]*)?\)\??/g, '$1');
  src = src.replace(/\.\+/g, 'spans').replace(/\[\^\/\]\+/g, '1');
  src = src.replace(/\\(.)/g, '$1');
  assert.ok(route.path.test(src), `sample ${src} matches ${route.path}`);
  return src;
}

async function call(base: string, method: string, path: string, cookie?: string): Promise<{ status: number; code?: string }> {
  const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT';
  const r = await fetch(new URL(path.replace(/^\//, ''), base), {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody ? { body: '{}' } : {}),
  });
  const text = await r.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    /* not JSON (media, HTML) */
  }
  return { status: r.status, code };
}

test('every route: 401 without a session, 403 with a session lacking the right, allowed for admin', async () => {
  const routes = sys.sfu.router.list();
  assert.ok(routes.length >= 20, `routes: ${routes.length}`);
  const rows: string[] = [];
  for (const route of routes) {
    if (route.access === 'public') continue;
    const path = samplePath(route);
    const anon = await call(sys.url, route.method, path);
    assert.equal(anon.status, 401, `${route.method} ${path} without a session`);
    assert.equal(anon.code, 'UNAUTHENTICATED');
    const garbage = await call(sys.url, route.method, path, 'ww_session=abc.123.def');
    assert.equal(garbage.status, 401, `${route.method} ${path} with a forged token`);
    // A fresh session per call: some routes end sessions (logout, revoke).
    const lacking = await call(sys.url, route.method, path, await login('nobody'));
    if (route.access === 'session') assert.ok(lacking.status !== 401 && lacking.status !== 403, `${route.method} ${path} needs only a session: ${lacking.status}`);
    else assert.equal(lacking.status, 403, `${route.method} ${path} needs ${JSON.stringify(route.access)}`);
    const admin = await call(sys.url, route.method, path, await login('admin'));
    assert.ok(admin.status !== 401 && admin.status !== 403, `${route.method} ${path} as admin: ${admin.status} ${admin.code}`);
    rows.push(`${route.method} ${path}`);
  }
  assert.ok(rows.some((r) => r.startsWith('GET /api/recordings/')), 'recorder routes are in the table');
});

test('the recorder on its own port: 401 without a session, 403 without the right, for every recorder route', async () => {
  const recorderRoutes = sys.sfu.router.list().filter((r) => r.access !== 'public' && isRecorderPath(samplePath(r)));
  assert.ok(recorderRoutes.length >= 6);
  const nobody = await login('nobody');
  for (const route of recorderRoutes) {
    const path = recorderPath(samplePath(route));
    const anon = await call(recorderBase, route.method, path);
    assert.equal(anon.status, 401, `recorder ${route.method} ${path} without a session`);
    const lacking = await call(recorderBase, route.method, path, nobody);
    if (route.access === 'session') assert.ok(lacking.status !== 401 && lacking.status !== 403, `recorder ${route.method} ${path}: ${lacking.status}`);
    else assert.equal(lacking.status, 403, `recorder ${route.method} ${path} needs ${JSON.stringify(route.access)}`);
  }
});

test('playback, export and look-back per user: both layers refuse, the recorder on its own port too', async () => {
  const now = Date.now();
  const recent = `from=${now - 60_000}&to=${now}`;
  const old = `from=${now - 8 * 86400000}&to=${now - 8 * 86400000 + 60_000}`;
  const [viewer, op, noexport, cmd] = [await login('viewer'), await login('op'), await login('noexport'), await login('cmd')];
  for (const base of [sys.url, `${recorderBase}/`]) {
    // viewer: live only
    assert.equal((await call(base, 'GET', `/api/recordings/${CAM}/spans?${recent}`, viewer)).status, 403);
    // operator: 7 days back
    assert.equal((await call(base, 'GET', `/api/recordings/${CAM}/spans?${recent}`, op)).status, 200);
    const before = await call(base, 'GET', `/api/recordings/${CAM}/spans?${old}`, op);
    assert.equal(before.status, 403, 'before the operator\'s look-back floor');
    assert.equal(before.code, 'FORBIDDEN');
    assert.equal((await call(base, 'GET', `/api/recordings/${CAM}/thumbnail?at=${now - 8 * 86400000}`, op)).status, 403);
    assert.equal((await call(base, 'GET', `/api/recordings/${CAM}/playlist.m3u8?${old}`, op)).status, 403);
    // commander: unlimited look-back (nothing recorded then: 200 with no spans)
    assert.equal((await call(base, 'GET', `/api/recordings/${CAM}/spans?${old}`, cmd)).status, 200);
  }
  const exportBody = (from: number, to: number) => JSON.stringify({ cameras: [CAM], from, to });
  const post = (base: string, cookie: string, body: string) => fetch(new URL('api/exports', base), { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
  for (const base of [sys.url, `${recorderBase}/`]) {
    assert.equal((await post(base, noexport, exportBody(now - 30_000, now - 20_000))).status, 403, 'export needs the export right');
    assert.equal((await post(base, op, exportBody(now - 8 * 86400000, now - 8 * 86400000 + 10_000))).status, 403, 'export before the look-back floor');
  }
  // Something is recorded by now: the operator plays it back and exports it; both are audited.
  await waitFor('recorded span', async () => {
    const r = await fetch(`${sys.url}api/recordings/${CAM}/spans?from=${now - 60_000}&to=${Date.now()}`, { headers: { cookie: op } });
    return r.status === 200 && ((await r.json()) as { spans: unknown[] }).spans.length > 0;
  }, 30000, 500);
  await waitFor('playlist', async () => (await fetch(`${sys.url}api/recordings/${CAM}/playlist.m3u8?from=${now - 60_000}&to=${Date.now()}`, { headers: { cookie: op } })).status === 200, 20000, 500);
  const ex = await post(sys.url, op, exportBody(Date.now() - 6000, Date.now() - 2000));
  assert.equal(ex.status, 202);
  const { id } = (await ex.json()) as { id: string };
  assert.equal((await call(sys.url, 'GET', `/api/exports/${id}`, noexport)).status, 403, 'another user without export cannot read it');
  const job = await waitFor('export done', async () => {
    const j = (await (await fetch(`${sys.url}api/exports/${id}`, { headers: { cookie: op } })).json()) as { state: string; exportedBy: string };
    return j.state === 'done' || j.state === 'failed' ? j : undefined;
  }, 30000, 300);
  assert.equal(job.state, 'done');
  assert.equal(job.exportedBy, 'op', 'the export is signed by the session\'s user, not by the body');
  const tar = await fetch(`${sys.url}api/exports/${id}/download`, { headers: { cookie: op } });
  assert.equal(tar.status, 200);
  await tar.arrayBuffer();
  const configured = sys.sfu.audit.query({ action: 'cameras_configured', limit: 1 }).entries[0];
  assert.deepEqual(configured?.detail.added, [CAM], 'the camera set at first start is audited');
  const actions = sys.sfu.audit.query({ user: 'op', limit: 100 }).entries.map((e) => e.action);
  for (const a of ['login', 'playback', 'export_create', 'export_download']) assert.ok(actions.includes(a), `audited: ${a} in ${actions.join(',')}`);
});

test('every signaling message type: no socket without a session (401), 403 without the right', async () => {
  await assert.rejects(wsClient(sys.url), (e: { status?: number }) => e.status === 401);
  await assert.rejects(wsClient(sys.url, 'ww_session=forged.1.x'), (e: { status?: number }) => e.status === 401);
  const nobody = await wsClient(sys.url, await login('nobody'));
  const admin = await wsClient(sys.url, await login('admin'));
  let permissioned = 0;
  for (const type of CLIENT_MESSAGE_TYPES) {
    const access = sys.sfu.signaling.accessOf(type);
    const msg = { type, cameraId: CAM };
    const r = (await nobody.request(msg)) as Extract<ServerMessage, { type: 'response' }>;
    const code = r.ok ? null : r.error.code;
    if (access === 'session') assert.ok(code !== 'FORBIDDEN' && code !== 'UNAUTHENTICATED', `${type}: ${code}`);
    else {
      permissioned++;
      assert.equal(code, 'FORBIDDEN', `${type} needs ${JSON.stringify(access)}`);
    }
    const a = (await admin.request(msg)) as Extract<ServerMessage, { type: 'response' }>;
    assert.ok(a.ok || (a.error.code !== 'FORBIDDEN' && a.error.code !== 'UNAUTHENTICATED'), `${type} as admin: ${JSON.stringify(a)}`);
  }
  assert.ok(permissioned >= 1, 'consume at least needs a right');
  // Cameras a user has no right on are not even listed.
  const helloNobody = (await nobody.request({ type: 'hello' })) as { ok: true; data: { cameras: unknown[] } };
  assert.deepEqual(helloNobody.data.cameras, []);
  const helloAdmin = (await admin.request({ type: 'hello' })) as { ok: true; data: { cameras: { id: string }[] } };
  assert.deepEqual(helloAdmin.data.cameras.map((c) => c.id), [CAM]);
  const listNobody = (await (await fetch(`${sys.url}api/cameras`, { headers: { cookie: await login('nobody') } })).json()) as { cameras: unknown[] };
  assert.deepEqual(listNobody.cameras, []);
  // The recorder's list of recorded cameras too (review's picker): only what one may play back.
  const recorded = async (user: string) => ((await (await fetch(`${sys.url}api/recorder/cameras`, { headers: { cookie: await login(user) } })).json()) as { cameras: { id: string }[] }).cameras.map((c) => c.id);
  assert.deepEqual(await recorded('nobody'), []);
  assert.deepEqual(await recorded('op'), [CAM]);
  nobody.ws.close();
  admin.ws.close();
});

async function consumeAs(cookie: string, cameraId = CAM) {
  const c = await wsClient(sys.url, cookie);
  const hello = (await c.request({ type: 'hello' })) as { ok: true; data: { routerRtpCapabilities: Record<string, unknown> } };
  const t = (await c.request({ type: 'createTransport' })) as { ok: true; data: { transportId: string } };
  await waitFor('camera live', () => sys.sfu.cameras.info().find((x) => x.id === cameraId)?.streams.main.state === 'live', 30000);
  const r = (await c.request({ type: 'consume', transportId: t.data.transportId, cameraId, stream: 'main', rtpCapabilities: hello.data.routerRtpCapabilities })) as Extract<ServerMessage, { type: 'response' }>;
  return { c, transportId: t.data.transportId, rtpCapabilities: hello.data.routerRtpCapabilities, r };
}

test('consume of a camera without live is refused (403); one user cannot act on another\'s transports or consumers', async () => {
  const pb = await createUser(sys, { username: 'pbonly', role: 'operator', cameraRules: [{ camera: CAM, permissions: ['playback'] }] });
  assert.ok(pb);
  const denied = await consumeAs(await login('pbonly'));
  assert.equal(denied.r.ok, false);
  assert.equal(!denied.r.ok && denied.r.error.code, 'FORBIDDEN');
  denied.c.ws.close();

  const a = await consumeAs(await login('op'));
  assert.equal(a.r.ok, true, JSON.stringify(a.r));
  const consumerId = (a.r as { ok: true; data: { consumerId: string } }).data.consumerId;
  const b = await wsClient(sys.url, await login('cmd'));
  await b.request({ type: 'hello' });
  const tries = [
    { type: 'connectTransport', transportId: a.transportId, dtlsParameters: { role: 'client', fingerprints: [] } },
    { type: 'restartIce', transportId: a.transportId },
    { type: 'consume', transportId: a.transportId, cameraId: CAM, stream: 'main', rtpCapabilities: a.rtpCapabilities },
    { type: 'resumeConsumer', consumerId },
    { type: 'pauseConsumer', consumerId },
    { type: 'closeConsumer', consumerId },
  ];
  for (const m of tries) {
    const r = (await b.request(m)) as Extract<ServerMessage, { type: 'response' }>;
    assert.equal(r.ok, false, m.type);
    assert.match(!r.ok ? r.error.code : '', /^UNKNOWN_(TRANSPORT|CONSUMER)$/, m.type);
  }
  const mine = sys.sfu.signaling.openSessions().find((s) => s.principal?.username === 'op' && s.consumers.has(consumerId));
  assert.ok(mine, 'the consumer is still there, in its owner\'s session');
  assert.equal(mine.consumers.get(consumerId)!.consumer.closed, false);
  b.ws.close();

  // Logout closes the owner's socket with 4401 and the cookie stops working.
  const cookie = await login('op');
  const s = await wsClient(sys.url, cookie);
  assert.equal((await fetch(`${sys.url}api/auth/logout`, { method: 'POST', headers: { cookie } })).status, 200);
  assert.equal(await s.closed, 4401);
  assert.equal((await fetch(`${sys.url}api/auth/me`, { headers: { cookie } })).status, 401);
  await assert.rejects(wsClient(sys.url, cookie), (e: { status?: number }) => e.status === 401);
  a.c.ws.close();
  const stops = sys.sfu.audit.query({ user: 'op', action: 'live_start', limit: 10 }).entries;
  assert.ok(stops.length >= 1 && stops[0]!.camera === CAM, 'live view start audited');
  await waitFor('live stop audited', () => sys.sfu.audit.query({ user: 'op', action: 'live_stop', limit: 10 }).entries.length >= 1, 5000);
});

test('login, me, own password, admin user management with revocation of sockets', async () => {
  const admin = await login('admin');
  const me = (await (await fetch(`${sys.url}api/auth/me`, { headers: { cookie: admin } })).json()) as { me: { role: string; system: string[]; cameras: Record<string, string[]>; lookbackDays: number | null } };
  assert.deepEqual(me.me.system.sort(), ['admin', 'audit', 'bookmark', 'control']);
  assert.deepEqual(me.me.cameras[CAM], ['live', 'playback', 'export']);
  // Renewal: a new cookie for a later end; the old cookie keeps working until its own end.
  const renewed = await fetch(`${sys.url}api/auth/renew`, { method: 'POST', headers: { cookie: admin, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(renewed.status, 200);
  const r = (await renewed.json()) as { expiresMs: number; capMs: number };
  assert.ok(r.expiresMs > Date.now() && r.expiresMs <= r.capMs);
  const newCookie = (renewed.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(newCookie, /^ww_session=/);
  for (const c of [newCookie, admin]) assert.equal((await fetch(`${sys.url}api/auth/me`, { headers: { cookie: c } })).status, 200);
  assert.equal((await fetch(`${sys.url}api/auth/renew`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
  const bad = await fetch(`${sys.url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password' }) });
  assert.equal(bad.status, 401);
  assert.equal(((await bad.json()) as { code: string }).code, 'BAD_CREDENTIALS');
  const ok = await fetch(`${sys.url}api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
  const setCookie = ok.headers.get('set-cookie')!;
  assert.match(setCookie, /^ww_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/, 'cookie flags (no Secure over plain HTTP)');

  const j = (method: string, path: string, body?: unknown, cookie = admin) =>
    fetch(`${sys.url}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const created = await j('POST', 'api/admin/users', { username: 'Duty.Officer', displayName: 'Trực ban', role: 'viewer', password: 'first-password', cameraRules: [{ camera: CAM, permissions: ['live'] }] });
  assert.equal(created.status, 201);
  const user = ((await created.json()) as { user: { id: string; username: string } }).user;
  assert.equal(user.username, 'duty.officer');
  assert.equal((await j('POST', 'api/admin/users', { username: 'duty.officer', displayName: 'x', role: 'viewer', password: 'first-password' })).status, 409);
  const list = (await (await j('GET', 'api/admin/users')).json()) as { users: Record<string, unknown>[] };
  assert.ok(list.users.every((u) => !('passwordHash' in u) && !JSON.stringify(u).includes('scrypt')), 'no hashes leave the server');
  const roles = (await (await j('GET', 'api/admin/roles')).json()) as { roles: { name: string; lookbackDays: number | null }[] };
  assert.deepEqual(roles.roles.map((r) => [r.name, r.lookbackDays]), [['admin', null], ['operator', 7], ['commander', null], ['viewer', null]]);

  // Own password change: the other logins of the user end, this one stays.
  const duty1 = await sys.signIn('duty.officer', 'first-password');
  const duty2 = await sys.signIn('duty.officer', 'first-password');
  const sock2 = await wsClient(sys.url, duty2);
  assert.equal((await j('POST', 'api/auth/password', { current: 'nope-nope', next: 'second-password' }, duty1)).status, 401);
  assert.equal((await j('POST', 'api/auth/password', { current: 'first-password', next: 'short' }, duty1)).status, 400);
  assert.equal((await j('POST', 'api/auth/password', { current: 'first-password', next: 'second-password' }, duty1)).status, 200);
  assert.equal(await sock2.closed, 4401);
  assert.equal((await j('GET', 'api/auth/me', undefined, duty1)).status, 200);
  assert.equal((await j('GET', 'api/auth/me', undefined, duty2)).status, 401);

  // Admin revoke and disable end sessions and close sockets; a disabled user cannot log in.
  const sock1 = await wsClient(sys.url, duty1);
  assert.equal((await j('POST', `api/admin/users/${user.id}/revoke`)).status, 200);
  assert.equal(await sock1.closed, 4401);
  const duty3 = await sys.signIn('duty.officer', 'second-password');
  assert.equal((await j('PATCH', `api/admin/users/${user.id}`, { disabled: true })).status, 200);
  assert.equal((await j('GET', 'api/auth/me', undefined, duty3)).status, 401);
  await assert.rejects(sys.signIn('duty.officer', 'second-password'));
  assert.equal((await j('PATCH', `api/admin/users/${user.id}`, { disabled: false, lookbackDays: 2, role: 'operator' })).status, 200);
  const duty4 = await sys.signIn('duty.officer', 'second-password');
  const meDuty = (await (await j('GET', 'api/auth/me', undefined, duty4)).json()) as { me: { lookbackDays: number; cameras: Record<string, string[]> } };
  assert.equal(meDuty.me.lookbackDays, 2);
  assert.deepEqual(meDuty.me.cameras[CAM], ['live'], 'the camera rule still refines the role');
  // The last admin cannot be removed or demoted.
  const adminId = list.users.find((u) => u.username === 'admin')!.id as string;
  assert.equal((await j('DELETE', `api/admin/users/${adminId}`)).status, 409);
  assert.equal((await j('PATCH', `api/admin/users/${adminId}`, { role: 'viewer' })).status, 409);
  assert.equal((await j('DELETE', `api/admin/users/${user.id}`)).status, 200);
  assert.equal((await j('GET', 'api/auth/me', undefined, duty4)).status, 401, 'a deleted user\'s session ends');
  const audit = (await (await j('GET', 'api/audit?action=user_create&limit=5')).json()) as { entries: { user: string; detail: { user: string } }[] };
  assert.ok(audit.entries.some((e) => e.user === 'admin' && e.detail.user === 'duty.officer'));
  assert.equal((await j('GET', 'api/audit', undefined, await login('op'))).status, 403, 'operators have no audit right');
  const cmdAudit = await j('GET', 'api/audit?limit=2', undefined, await login('cmd'));
  assert.equal(cmdAudit.status, 200, 'commanders read the audit trail');
  const page = (await cmdAudit.json()) as { entries: { seq: number }[]; next: number | null };
  assert.equal(page.entries.length, 2);
  assert.equal(page.next, page.entries[1]!.seq);
  assert.equal((await j('GET', 'api/audit?limit=0')).status, 400);
});

test('npm run user works on the running system\'s database: a user added there signs in; disabled there, their socket closes', async () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'sfu/src/auth/cli.ts', ...args], { cwd: root, encoding: 'utf8', input: 'cli-password-1\n', env: { ...process.env, WARDWALL_SFU_DATA_DIR: sys.config.sfu.dataDir }, timeout: 60000 });
  const add = run('add', 'cliuser', '--role', 'viewer', '--name', 'Từ dòng lệnh', '--password-stdin');
  assert.equal(add.status, 0, add.stderr);
  const cookie = await sys.signIn('cliuser', 'cli-password-1');
  const sock = await wsClient(sys.url, cookie);
  assert.match(run('list').stdout, /cliuser\s+viewer\s+enabled/);
  assert.equal(run('disable', 'cliuser').status, 0);
  assert.equal(await sock.closed, 4401, 'the SFU notices within its sweep');
  assert.equal((await fetch(`${sys.url}api/auth/me`, { headers: { cookie } })).status, 401);
  assert.equal(run('disable', 'admin').status, 1, 'the last admin stays');
  assert.ok(sys.sfu.audit.query({ user: `cli:${userInfo().username}`, limit: 10 }).entries.length >= 2, 'CLI changes are audited');
});
