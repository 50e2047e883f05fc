/**
 * Evidence holds, export quotas and expiry, and owner links, against the real SFU, recorder (with
 * demo cameras recording) and SQLite (issue 12, items 3, 4 and 7): who may hold which camera, for
 * how long and how far ahead, who may release a hold, who sees which holds; per-user and global
 * export quotas with coded refusals; expired exports lose their package and their own holds while
 * footage someone else holds stays held; owner links expire and cannot resume a station's pause.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createUser, startTestSystem, TEST_ADMIN_PASSWORD, waitFor, type TestSystem } from '@wardwall/testing/system';

const EXPIRE_MS = 15_000;
let sys: TestSystem;
const cookies: Record<string, string> = {};
let recorderBase = '';

before(async () => {
  sys = await startTestSystem({
    demoCount: 2,
    withSub: 0,
    workers: 1,
    recorder: true,
    auth: true,
    segmentSeconds: 2,
    patch: (c) => {
      c.recorder.holds = { maxSpanDays: 0.01, maxFutureHours: 0.1, maxActivePerUser: 3 };
      c.recorder.exports = { maxPerUser: 2, maxTotal: 3, expireHours: EXPIRE_MS / 3600_000, expiryCheckMs: 300 };
      c.residents.ownerLinkDays = 15 / 86400;
    },
  });
  recorderBase = `http://127.0.0.1:${sys.config.recorder.port}`;
  await createUser(sys, { username: 'opa', role: 'operator', cameraRules: [{ camera: '*', permissions: [] }, { camera: 'demo-1', permissions: ['live', 'playback', 'export'] }] });
  await createUser(sys, { username: 'opb', role: 'operator' });
  cookies.admin = await sys.signIn('admin', TEST_ADMIN_PASSWORD);
  cookies.opa = await sys.signIn('opa', 'opa-password');
  cookies.opb = await sys.signIn('opb', 'opb-password');
});
after(async () => {
  await sys?.close();
});

type Body = { code?: string; message?: string; retryAfterS?: number; id?: number | string; holds?: Hold[]; state?: string; holdIds?: number[] };
interface Hold {
  id: number;
  camera: string | null;
  startMs: number;
  endMs: number;
  createdByUser?: string | null;
}

/** Through the SFU (its guard, then the recorder's own checks), as a user. */
async function api(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const r = await fetch(new URL(path.slice(1), sys.url), { method, headers: { cookie: cookies[who]!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Body) : {} };
}

/** The SFU's own service calls (as the bookmarks feature makes them), on the recorder's port. */
async function service(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const r = await fetch(`${recorderBase}${path}`, { method, headers: { ...sys.sfu.auth.serviceHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Body };
}

const hold = (who: string, camera: string | null, from: number, to: number) => api(who, 'POST', '/api/holds', { camera, from, to, reason: `test ${who}` });

test('holds: playback right on the camera, every camera only for the service, bounded span and future reach, a per-user limit', async () => {
  const now = Date.now();
  const other = await hold('opa', 'demo-2', now - 60_000, now - 50_000);
  assert.equal(other.status, 403, JSON.stringify(other.body));
  assert.equal(other.body.code, 'FORBIDDEN');
  const all = await hold('opa', null, now - 60_000, now - 50_000);
  assert.equal(all.status, 403);
  assert.equal((await hold('admin', null, now - 60_000, now - 50_000)).status, 403, 'not even an administrator: only the system holds every camera');
  const long = await hold('opa', 'demo-1', now - 20 * 60_000, now);
  assert.equal(long.status, 400);
  assert.equal(long.body.code, 'HOLD_TOO_LONG');
  const ahead = await hold('opa', 'demo-1', now + 30 * 60_000, now + 31 * 60_000);
  assert.equal(ahead.status, 400);
  assert.equal(ahead.body.code, 'HOLD_TOO_LONG');
  assert.match(ahead.body.message!, /future/);
  const far = await hold('opa', 'demo-1', now + 3 * 86_400_000, now + 3 * 86_400_000 + 1000);
  assert.equal(far.status, 400, 'a window starting days ahead');
  for (let i = 0; i < 3; i++) assert.equal((await hold('opa', 'demo-1', now - 60_000 + i, now - 1000)).status, 201);
  const fourth = await hold('opa', 'demo-1', now - 60_000, now - 1000);
  assert.equal(fourth.status, 429);
  assert.equal(fourth.body.code, 'HOLD_QUOTA');
  const svc = await service('POST', '/api/holds', { camera: null, from: now - 60_000, to: now + 2 * 86_400_000, reason: 'system test', createdBy: 'system' });
  assert.equal(svc.status, 201, 'the service may hold every camera, beyond the users\' bounds');
});

test('holds: only the creator, the service or an administrator may release one; the list shows only cameras the user may play back', async () => {
  const now = Date.now();
  const b2 = await hold('opb', 'demo-2', now - 30_000, now - 20_000);
  const b1 = await hold('opb', 'demo-1', now - 30_000, now - 20_000);
  assert.equal(b2.status, 201);
  assert.equal(b1.status, 201);
  const listA = (await api('opa', 'GET', '/api/holds')).body.holds!;
  assert.ok(listA.length >= 4);
  assert.ok(listA.every((h) => h.camera === 'demo-1'), JSON.stringify(listA));
  const listB = (await api('opb', 'GET', '/api/holds')).body.holds!;
  assert.ok(listB.some((h) => h.camera === 'demo-2') && listB.every((h) => h.camera !== null), 'an operator sees every camera\'s holds but not the system\'s all-camera hold');
  const listAdmin = (await api('admin', 'GET', '/api/holds')).body.holds!;
  const systemHold = listAdmin.find((h) => h.camera === null)!;
  assert.ok(systemHold, 'the administrator sees every hold');
  const aHold = listA.find((h) => h.createdByUser !== 'service' && h.id !== b1.body.id)!;
  // Someone else's hold: refused; the creator's own: released.
  const refused = await api('opb', 'DELETE', `/api/holds/${aHold.id}`);
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal((await api('opa', 'DELETE', `/api/holds/${b1.body.id}`)).status, 403, 'opa may see it but did not make it');
  assert.equal((await api('opa', 'DELETE', `/api/holds/${aHold.id}`)).status, 200);
  assert.equal((await api('opb', 'DELETE', `/api/holds/${systemHold.id}`)).status, 403, 'the system\'s hold');
  assert.equal((await api('admin', 'DELETE', `/api/holds/${b2.body.id}`)).status, 200, 'an administrator releases anyone\'s');
  assert.equal((await service('DELETE', `/api/holds/${b1.body.id}`)).status, 200, 'the service releases');
  assert.equal((await api('admin', 'DELETE', `/api/holds/${systemHold.id}`)).status, 200);
  const audit = sys.sfu.audit.query({ action: 'hold_release', limit: 20 }).entries;
  assert.ok(audit.some((e) => e.user === 'opa') && audit.some((e) => e.user === 'admin') && audit.some((e) => e.user === 'system'), JSON.stringify(audit.map((e) => e.user)));
});

test('exports: per-user and global quotas with coded refusals; expiry deletes the package and releases its own holds, footage held by others stays held', async () => {
  // Footage to export: a few closed segments of both cameras.
  const db = sys.recorder!.store.db;
  await waitFor('recorded footage', () => ['demo-1', 'demo-2'].every((c) => db.overlapping(c, Date.now() - 60_000, Date.now()).filter((s) => !s.open).length >= 2), 90_000, 250);
  const seg = db.overlapping('demo-1', Date.now() - 60_000, Date.now()).filter((s) => !s.open)[0]!;
  const win = { from: seg.startMs, to: seg.endMs };
  // A hold of opa's on the same footage: it must outlive the exports' expiry.
  const keep = await hold('opa', 'demo-1', win.from, win.to);
  assert.equal(keep.status, 201, JSON.stringify(keep.body));
  const exportAs = (who: string, cameras: string[]) => api(who, 'POST', '/api/exports', { cameras, ...win });
  const e1 = await exportAs('opb', ['demo-1']);
  const e2 = await exportAs('opb', ['demo-1', 'demo-2']);
  assert.equal(e1.status, 202, JSON.stringify(e1.body));
  assert.equal(e2.status, 202);
  const e3 = await exportAs('opb', ['demo-2']);
  assert.equal(e3.status, 429, JSON.stringify(e3.body));
  assert.equal(e3.body.code, 'EXPORT_QUOTA_USER');
  assert.ok(e3.body.retryAfterS! >= 1 && e3.body.retryAfterS! <= EXPIRE_MS / 1000 + 1, JSON.stringify(e3.body));
  assert.equal((await exportAs('admin', ['demo-2'])).status, 202);
  const total = await exportAs('opa', ['demo-1']);
  assert.equal(total.status, 429);
  assert.equal(total.body.code, 'EXPORT_QUOTA_TOTAL');
  const job = (await api('opb', 'GET', `/api/exports/${e1.body.id}`)).body;
  assert.ok(job.holdIds!.length >= 1);
  await waitFor('exports finished', async () => ['done', 'failed'].includes((await api('opb', 'GET', `/api/exports/${e1.body.id}`)).body.state!), 60_000, 250);
  const done = sys.recorder!.store.db.export(String(e1.body.id))!;
  assert.equal(done.state, 'done', done.error ?? '');
  const pkg = sys.recorder!.store.abs(done.file!);
  assert.ok(existsSync(pkg));
  assert.equal((await fetch(new URL(`api/exports/${e1.body.id}/download`, sys.url), { headers: { cookie: cookies.opb! } })).status, 200);
  // Expiry.
  await waitFor('export expired', () => sys.recorder!.store.db.export(String(e1.body.id))!.state === 'expired', EXPIRE_MS + 60_000, 250);
  assert.ok(!existsSync(pkg), 'the package is deleted');
  const gone = await fetch(new URL(`api/exports/${e1.body.id}/download`, sys.url), { headers: { cookie: cookies.opb! } });
  assert.equal(gone.status, 410);
  assert.equal(((await gone.json()) as Body).code, 'EXPORT_EXPIRED');
  const active = (await api('admin', 'GET', '/api/holds')).body.holds!;
  for (const id of job.holdIds!) assert.ok(!active.some((h) => h.id === id), `export hold ${id} released`);
  const kept = active.find((h) => h.id === keep.body.id);
  assert.ok(kept && kept.startMs <= win.from && kept.endMs >= win.to, 'the footage is still held by opa\'s hold');
  assert.ok(sys.recorder!.store.db.segment(seg.id), 'the footage is still there');
  assert.ok(sys.sfu.audit.query({ action: 'export_expired', limit: 10 }).entries.some((e) => (e.detail as { export?: string }).export === e1.body.id));
  // Quota freed once opb's exports expired.
  await waitFor('opb\'s second export expired', () => sys.recorder!.store.db.export(String(e2.body.id))!.state === 'expired', EXPIRE_MS + 60_000, 250);
  assert.equal((await exportAs('opb', ['demo-2'])).status, 202);
});

test('owner links expire, and the owner cannot resume a camera the station paused', async () => {
  const created = await api('admin', 'POST', '/api/residents', {
    name: 'Nhà 5 hẻm 12', ownerName: 'Chị Lan', ownerContact: '0900000000', address: '5 hẻm 12', consent: true, consentDate: '2026-01-01',
    sharing: 'on_request', source: { type: 'pull', url: 'rtsp://u:p@127.0.0.1:9/x' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const body = created.body as unknown as { camera: { id: string }; ownerLink: string; ownerLinkExpiresAt: number };
  assert.ok(body.ownerLinkExpiresAt > Date.now());
  const id = body.camera.id;
  const owner = (action: 'pause' | 'resume') => fetch(new URL(body.ownerLink.slice(1), sys.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `action=${action}` });
  assert.equal((await api('admin', 'POST', `/api/residents/${id}/status`, { status: 'approved' })).status, 200);
  assert.equal((await owner('pause')).status, 303);
  assert.equal((await owner('resume')).status, 303, 'the owner resumes their own pause');
  assert.equal((await api('admin', 'POST', `/api/residents/${id}/status`, { status: 'paused' })).status, 200);
  const refused = await owner('resume');
  assert.equal(refused.status, 409);
  assert.equal(((await refused.json()) as Body).code, 'BAD_STATE');
  const page = await (await fetch(new URL(body.ownerLink.slice(1), sys.url))).text();
  assert.match(page, /data-paused-by="admin"/);
  assert.doesNotMatch(page, /data-action="resume"/);
  await waitFor('the owner link to expire', async () => (await fetch(new URL(body.ownerLink.slice(1), sys.url))).status === 404, 60_000, 250);
  assert.equal((await owner('pause')).status, 404);
});
