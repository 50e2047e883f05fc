/**
 * The station's default wall and wall settings (sfu/src/displays/wall-settings.ts) on SQLite behind
 * the real route table over HTTP: the first wall per viewer (filtered to their cameras, automatic
 * without a station default), admin-only changes with coded refusals, audit entries, persistence
 * across a reopen of the database, a damaged row ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, ErrorCode, resolveConfig } from '@wardwall/common';
import { Router, sendJson } from '@wardwall/server-kit';
import { openAppDb, type AppDb } from '@wardwall/server-kit';
import { installWallSettings } from '../src/displays/wall-settings.js';
import type { AccessPolicy, Principal } from '@wardwall/accounts';
import type { AuditLog } from '../src/audit/index.js';

const CAMS = ['demo-1', 'demo-2', 'demo-3', 'demo-4', 'demo-5'];
const people: Record<string, Principal> = {
  admin: { userId: 'u1', name: 'Quản trị', role: 'admin', sessionId: 's1', username: 'admin' },
  lan: { userId: 'u2', name: 'Lan', role: 'operator', sessionId: 's2', username: 'lan' },
};
const policy: AccessPolicy = {
  can: (p, perm, cam) => !!p && (p.role === 'admin' || (perm === 'live' && (cam === 'demo-2' || cam === 'demo-4'))),
  require(p, perm, cam) {
    if (!p) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    if (!this.can(p, perm, cam)) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: ${perm}`, 403);
    return p;
  },
  playbackFloorMs: () => -Infinity,
};

async function serve(db: AppDb, audit: unknown[][], wall: Record<string, unknown> = { watermark: { style: 'corner', opacity: 0.5 } }): Promise<{ server: Server; call: (who: string, method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }> }> {
  const router = new Router();
  router.guard((ctx, access) => {
    const p = people[String(ctx.req.headers['x-user'] ?? '')] ?? null;
    ctx.principal = p;
    if (!p) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    if (access !== 'session' && access !== 'public') policy.require(p, access.permission as 'admin');
  });
  installWallSettings({
    db, router, access: policy, config: resolveConfig({ wall }).wall,
    cameraIds: () => CAMS, cameraExists: (id) => CAMS.includes(id),
    audit: { append: (...a: unknown[]) => (audit.push(a), 1) } as unknown as AuditLog,
    now: () => 1_700_000_000_000,
  });
  const server = createServer((req, res) => {
    void router.handle(req, res, new URL(req.url!, 'http://x')).then(
      (done) => done || sendJson(res, 404, { code: 'NOT_FOUND', message: 'no route' }),
      (e: unknown) => (e instanceof AppError ? sendJson(res, e.status, { code: e.code, message: e.message }) : sendJson(res, 500, { code: 'INTERNAL', message: String(e) })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'x-user': who, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { server, call };
}

test('default wall: automatic per viewer, set by an admin (filtered per viewer), refusals coded, audited, kept across a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-wall-'));
  const audit: unknown[][] = [];
  let db = openAppDb(dir);
  let { server, call } = await serve(db, audit);
  try {
    let r = await call('lan', 'GET', '/api/wall');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.watermark, { style: 'corner', opacity: 0.5, density: 2 });
    assert.deepEqual(r.json.defaultWall, { layout: '2x2', tiles: ['demo-2', 'demo-4'], source: 'automatic' });
    assert.deepEqual((await call('admin', 'GET', '/api/wall')).json.defaultWall, { layout: '2x2', tiles: ['demo-1', 'demo-2', 'demo-3', 'demo-4'], source: 'automatic' });
    assert.equal((await call('', 'GET', '/api/wall')).status, 401);

    // Only an administrator changes it; bad input names the field.
    assert.equal((await call('lan', 'PUT', '/api/wall/default', { layout: '1', tiles: ['demo-2'] })).status, 403);
    assert.equal((await call('lan', 'DELETE', '/api/wall/default')).status, 403);
    r = await call('admin', 'PUT', '/api/wall/default', { layout: '9x9', tiles: [] });
    assert.deepEqual([r.status, r.json.code], [400, 'BAD_REQUEST']);
    assert.match(String(r.json.message), /^layout/);
    r = await call('admin', 'PUT', '/api/wall/default', { layout: '2x2', tiles: ['demo-1', 'nope'] });
    assert.deepEqual([r.status, r.json.code], [400, 'UNKNOWN_CAMERA']);
    assert.match(String(r.json.message), /^tiles\.1/);
    r = await call('admin', 'PUT', '/api/wall/default', { layout: '2x2', tiles: ['DROP TABLE'] });
    assert.equal(r.status, 400);
    r = await call('admin', 'PUT', '/api/wall/default', { layout: '2x2', tiles: [], extra: 1 });
    assert.equal(r.status, 400, 'unknown fields refused');
    assert.equal(audit.length, 0, 'nothing audited for refusals');

    r = await call('admin', 'PUT', '/api/wall/default', { layout: '1+5', tiles: ['demo-4', 'demo-1', null, 'demo-2'] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.defaultWall, { layout: '1+5', tiles: ['demo-4', 'demo-1', null, 'demo-2'], updatedBy: 'Quản trị', updatedAt: 1_700_000_000_000 });
    assert.deepEqual(audit[0]?.slice(1), ['wall_default_set', null, { layout: '1+5', tiles: ['demo-4', 'demo-1', null, 'demo-2'] }]);
    assert.deepEqual((await call('lan', 'GET', '/api/wall')).json.defaultWall, { layout: '1+5', tiles: ['demo-4', null, null, 'demo-2'], source: 'station' });

    // Kept in SQLite: the same after reopening the database.
    server.close();
    db.close();
    db = openAppDb(dir);
    ({ server, call } = await serve(db, audit));
    assert.deepEqual((await call('admin', 'GET', '/api/wall/default')).json.defaultWall, { layout: '1+5', tiles: ['demo-4', 'demo-1', null, 'demo-2'], updatedBy: 'Quản trị', updatedAt: 1_700_000_000_000 });
    // A damaged row (an older build, a hand edit) is ignored: automatic again.
    db.prepare("UPDATE wall_default SET tiles_json = '{not json'").run();
    assert.equal((await call('lan', 'GET', '/api/wall')).json.defaultWall && ((await call('lan', 'GET', '/api/wall')).json.defaultWall as { source: string }).source, 'automatic');
    r = await call('admin', 'DELETE', '/api/wall/default');
    assert.deepEqual(r.json, { defaultWall: null });
    assert.equal(audit.at(-1)?.[1], 'wall_default_clear');
    assert.equal((await call('admin', 'GET', '/api/wall/default')).json.defaultWall, null);
  } finally {
    server.close();
    db.close();
  }
});

test('wall.firstWall off: no first wall (an empty grid), the watermark settings still sent', async () => {
  const db = openAppDb(mkdtempSync(join(tmpdir(), 'wardwall-wall-')));
  const { server, call } = await serve(db, [], { firstWall: false });
  try {
    const r = await call('lan', 'GET', '/api/wall');
    assert.deepEqual(r.json, { watermark: { style: 'sparse', opacity: 0.18, density: 2 }, defaultWall: null });
  } finally {
    server.close();
    db.close();
  }
});
