/** Resident cameras: the pure rules (table cases) and the registry store on a real SQLite database. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyPublishPath,
  onWall,
  liveIngested,
  pushAdmitted,
  recorded,
  redactCredentials,
  resolveConfig,
  statusChangeAllowed,
  type ResidentStatus,
  type SharingMode,
} from '@wardwall/common';
import { hashSecret, ResidentDbReader, residentCameraConfig, type ResidentSourceRow } from '@wardwall/common/node';
import { decidePublish, openPublishPaths, streamPathOf } from '@wardwall/endpoint/publish-gate';
import { wallEntries } from '../src/residents/wall-sync.js';
import { ResidentStore } from '../src/residents/store.js';
import { createResidentSchema, parseBody } from '../src/residents/schema.js';
import { escapeHtml, ownerLang, renderOwnerPage } from '../src/residents/owner-page.js';
import { openAppDb } from '@wardwall/server-kit';
import { residentRoutes } from '../src/residents/routes.js';
import { createLogger } from '@wardwall/server-kit';
import { AppError } from '@wardwall/common';

const KEY = `rk_${'k'.repeat(43)}`;
const TOKEN = `rs_${'t'.repeat(32)}`;

function row(over: Partial<ResidentSourceRow> = {}): ResidentSourceRow {
  return {
    id: 'r1', name: 'R1', ownerName: 'Tư', sharing: 'live_recorded', status: 'approved', source: 'push', pullUrl: null, streamToken: TOKEN,
    retentionDays: 7, mapX: 10, mapY: 20, mapHeading: null, updatedAt: 1, ...over,
  };
}

test('which cameras are on the wall, ingested, recorded and may push (every status x sharing)', () => {
  const expect: Record<ResidentStatus, Record<SharingMode, [boolean, boolean, boolean, boolean]>> = {
    // [onWall, liveIngested, recorded, pushAdmitted]
    pending: { live_recorded: [false, false, false, false], recorded_only: [false, false, false, false], on_request: [false, false, false, false] },
    approved: { live_recorded: [true, true, true, true], recorded_only: [false, false, true, true], on_request: [false, false, false, true] },
    paused: { live_recorded: [true, false, false, false], recorded_only: [false, false, false, false], on_request: [false, false, false, false] },
    revoked: { live_recorded: [false, false, false, false], recorded_only: [false, false, false, false], on_request: [false, false, false, false] },
  };
  for (const [status, bySharing] of Object.entries(expect) as [ResidentStatus, Record<SharingMode, boolean[]>][]) {
    for (const [sharing, want] of Object.entries(bySharing) as [SharingMode, boolean[]][]) {
      const r = { status, sharing };
      assert.deepEqual([onWall(r), liveIngested(r), recorded(r), pushAdmitted(r)], want, `${status}/${sharing}`);
    }
  }
});

test('status changes: the owner only pauses and resumes; nobody goes back to pending', () => {
  const cases: [ResidentStatus, ResidentStatus, 'admin' | 'owner', boolean][] = [
    ['approved', 'paused', 'owner', true],
    ['paused', 'approved', 'owner', true],
    ['revoked', 'approved', 'owner', false],
    ['pending', 'approved', 'owner', false],
    ['approved', 'revoked', 'owner', false],
    ['pending', 'approved', 'admin', true],
    ['revoked', 'approved', 'admin', true],
    ['approved', 'pending', 'admin', false],
    ['paused', 'paused', 'owner', true],
    ['pending', 'paused', 'admin', false],
    ['revoked', 'paused', 'admin', false],
    ['approved', 'paused', 'admin', true],
  ];
  for (const [from, to, by, ok] of cases) assert.equal(statusChangeAllowed(from, to, by), ok, `${from} -> ${to} by ${by}`);
});

test('publish paths: keys, internal names and open paths', () => {
  assert.deepEqual(classifyPublishPath(`live/${KEY}`), { kind: 'key', key: KEY });
  assert.deepEqual(classifyPublishPath(`live/${TOKEN}`), { kind: 'internal' });
  assert.deepEqual(classifyPublishPath('live/demo-1'), { kind: 'plain', name: 'live/demo-1' });
  const table: [string, string][] = [
    [`/live/${KEY}/trackID=1`, `live/${KEY}`],
    [`live/${KEY}`, `live/${KEY}`],
    ['/live/demo-1?x=1', 'live/demo-1'],
    ['/other/path/', 'other/path'],
  ];
  for (const [input, want] of table) assert.equal(streamPathOf(input), want, input);

  const open = new Set(['live/demo-1']);
  const lookup = (k: string) => (k === KEY ? row() : null);
  const cases: [string, (k: string) => ResidentSourceRow | null | undefined, unknown][] = [
    [`live/${KEY}`, lookup, { allow: true, rename: TOKEN, cameraId: 'r1', streamToken: TOKEN }],
    [`live/rk_${'x'.repeat(43)}`, lookup, { allow: false, reason: 'unknown_key' }],
    [`live/${KEY}`, () => row({ status: 'paused' }), { allow: false, reason: 'camera_not_approved', cameraId: 'r1' }],
    [`live/${KEY}`, () => row({ status: 'revoked' }), { allow: false, reason: 'camera_not_approved', cameraId: 'r1' }],
    [`live/${KEY}`, () => row({ source: 'pull', streamToken: null }), { allow: false, reason: 'unknown_key' }],
    [`live/${KEY}`, () => undefined, { allow: false, reason: 'registry_unavailable' }],
    [`live/${TOKEN}`, lookup, { allow: false, reason: 'internal_path' }],
    ['live/demo-1', lookup, { allow: true, rename: null }],
    ['live/demo-2', lookup, { allow: false, reason: 'not_open' }],
  ];
  for (const [path, fn, want] of cases) assert.deepEqual(decidePublish(path, open, fn, () => 'ok'), want, path);
  // A plain (open) path needs its publish key.
  assert.deepEqual(decidePublish('live/demo-1', open, lookup), { allow: false, reason: 'key_required' });
  assert.deepEqual(decidePublish('live/demo-1', open, lookup, () => 'missing'), { allow: false, reason: 'key_required' });
  assert.deepEqual(decidePublish('live/demo-1', open, lookup, () => 'wrong'), { allow: false, reason: 'wrong_key' });
});

test('open paths are the endpoint paths the config pulls, and only those', () => {
  const config = resolveConfig({
    cameras: [
      { id: 'a', name: 'A', main: 'rtsp://127.0.0.1:8554/live/phone-1', sub: 'rtsp://127.0.0.1:8554/live/phone-1-sub' },
      { id: 'b', name: 'B', main: 'rtsp://192.0.2.5:554/stream' },
      { id: 'c', name: 'C', main: 'rtsp://localhost:9999/live/other-port' },
    ],
    demo: { enabled: true, count: 1, withSubStream: 0 },
  });
  assert.deepEqual(openPublishPaths(config).sort(), ['live/demo-1', 'live/phone-1', 'live/phone-1-sub']);
});

test('secrets are redacted from log text', () => {
  const table: [string, string][] = [
    [`publish rtmp://h:1/live/${KEY} failed`, 'publish rtmp://h:1/live/rk_*** failed'],
    [`rtsp://127.0.0.1:1/live/${TOKEN}: refused`, 'rtsp://127.0.0.1:1/live/rs_***: refused'],
    [`GET /owner/ro_${'o'.repeat(43)}`, 'GET /owner/ro_***'],
    ['rtsp://u:p@h/x', 'rtsp://***@h/x'],
    ['macro_definitions stay', 'macro_definitions stay'],
  ];
  for (const [input, want] of table) assert.equal(redactCredentials(input), want);
});

test('wall entries: resident label, hold for paused, none for the others', () => {
  const ep = { host: '127.0.0.1', rtspPort: 8554 };
  const rows = [
    row({ id: 'live' }),
    row({ id: 'paused', status: 'paused' }),
    row({ id: 'pending', status: 'pending' }),
    row({ id: 'rec', sharing: 'recorded_only' }),
    row({ id: 'pull', source: 'pull', streamToken: null, pullUrl: 'rtsp://u:p@192.0.2.1/x', mapX: null, mapY: null }),
  ];
  const entries = wallEntries(rows, ep);
  assert.deepEqual(entries.map((e) => [e.config.id, e.extras.hold ?? null]), [['live', null], ['paused', 'paused'], ['pull', null]]);
  assert.equal(entries[0]!.config.main, `rtsp://127.0.0.1:8554/live/${TOKEN}`);
  assert.deepEqual(entries[0]!.config.position, { x: 10, y: 20 });
  assert.deepEqual(entries[0]!.extras.resident, { owner: 'Tư', sharing: 'live_recorded' });
  assert.equal(entries[2]!.config.main, 'rtsp://u:p@192.0.2.1/x');
  assert.equal(entries[2]!.config.position, undefined);
  assert.equal(residentCameraConfig(row({ streamToken: null }), ep), null);
});

test('schema errors map to codes naming the field', () => {
  const base = { name: 'n', ownerName: 'o', ownerContact: 'c', address: 'a', consent: true, sharing: 'live_recorded', source: { type: 'push' } };
  const cases: [unknown, string, RegExp][] = [
    [{ ...base, source: { type: 'pull', url: 'rtmp://x/y' } }, 'BAD_URL', /^source\.url:/],
    [{ ...base, source: { type: 'pull', url: 'rtsp://x/' + 'y'.repeat(2100) } }, 'FIELD_TOO_LONG', /^source\.url: at most 2048/],
    [{ ...base, ownerContact: 'c'.repeat(201) }, 'FIELD_TOO_LONG', /^ownerContact: at most 200/],
    [{ ...base, retentionDays: 0 }, 'INVALID_FIELD', /^retentionDays:/],
    [{ ...base, source: { type: 'carrier-pigeon' } }, 'INVALID_FIELD', /^source\.type/],
    [null, 'INVALID_FIELD', /^\(body\)/],
  ];
  for (const [body, code, msg] of cases) {
    assert.throws(() => parseBody(createResidentSchema, body), (e: unknown) => e instanceof AppError && e.code === code && msg.test(e.message), JSON.stringify(body)?.slice(0, 80));
  }
});

test('the store keeps keys and owner tokens hashed, rotates them, and refuses duplicates', () => {
  const db = openAppDb(':memory:');
  const store = new ResidentStore(db, () => new Set(['cfg-cam']), { retentionDays: 5 });
  const input = parseBody(createResidentSchema, { id: 'r1', name: 'n', ownerName: 'o', ownerContact: 'c', address: 'a', consent: true, consentDate: '2026-01-02', sharing: 'live_recorded', source: { type: 'push' } });
  const { camera, secrets } = store.create(input);
  assert.equal(camera.status, 'pending');
  assert.equal(camera.retentionDays, 5);
  const raw = JSON.stringify(db.prepare('SELECT * FROM resident_cameras').all());
  assert.ok(!raw.includes(secrets.pushKey!) && !raw.includes(secrets.ownerToken!), 'secrets are not stored in clear');
  assert.ok(raw.includes(hashSecret(secrets.pushKey!)));
  assert.equal(store.byOwnerToken(secrets.ownerToken!)?.id, 'r1');
  assert.throws(() => store.create(input), (e: unknown) => e instanceof AppError && e.code === 'CONFLICT');
  assert.throws(() => store.create({ ...input, id: 'cfg-cam' }), (e: unknown) => e instanceof AppError && e.code === 'CONFLICT');
  const before = store.sourceRows()[0]!.streamToken;
  const rotated = store.rotateKey('r1');
  assert.notEqual(rotated.secrets.pushKey, secrets.pushKey);
  assert.notEqual(store.sourceRows()[0]!.streamToken, before, 'a new key also renames the internal stream');
  const link = store.rotateOwnerToken('r1');
  assert.equal(store.byOwnerToken(secrets.ownerToken!), null, 'the old owner link stops working');
  assert.equal(store.byOwnerToken(link.secrets.ownerToken!)?.id, 'r1');
  assert.equal(store.setStatus('r1', 'approved', 'admin').status, 'approved');
  assert.equal(store.setStatus('r1', 'paused', 'owner').statusBy, 'owner');
  assert.throws(() => store.setStatus('r1', 'revoked', 'owner'), (e: unknown) => e instanceof AppError && e.code === 'BAD_STATE');
  assert.equal(store.update('r1', { consent: false }).status, 'pending', 'withdrawn consent withdraws the camera');
  assert.throws(() => store.update('r1', { url: 'rtsp://x/y' }), (e: unknown) => e instanceof AppError && e.code === 'INVALID_FIELD');
  const reader = new ResidentDbReader(() => db);
  assert.equal(reader.rows()?.length, 1);
  store.remove('r1');
  assert.deepEqual(reader.rows(), []);
  db.close();
});

test('the registry reader waits for the table and survives a missing file', () => {
  const missing = new ResidentDbReader(() => openAppDb(':memory:'));
  assert.equal(missing.rows(), null, 'no table yet');
  const broken = new ResidentDbReader(() => {
    throw new Error('unable to open database file');
  });
  assert.equal(broken.rows(), null);
});

test('the owner page escapes what it shows and speaks both languages', () => {
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  assert.equal(ownerLang('en', 'vi'), 'en');
  assert.equal(ownerLang(null, 'en-US,en'), 'en');
  assert.equal(ownerLang(null, undefined), 'vi');
  const view = { id: 'r', name: '<script>', address: 'a', sharing: 'live_recorded', status: 'approved' } as Parameters<typeof renderOwnerPage>[0];
  const vi = renderOwnerPage(view, 'vi', '/owner/ro_x');
  assert.ok(!vi.includes('<script>') && vi.includes('&lt;script&gt;'));
  assert.match(vi, /Tạm dừng chia sẻ/);
  assert.match(renderOwnerPage({ ...view, status: 'paused' }, 'en', '/owner/ro_x'), /Resume sharing/);
  assert.doesNotMatch(renderOwnerPage({ ...view, status: 'revoked' }, 'en', '/owner/ro_x'), /<form/);
});

test('every registry route needs the admin permission; only the owner page is public', () => {
  const db = openAppDb(':memory:');
  const store = new ResidentStore(db, () => new Set(), { retentionDays: 7 });
  const routes = residentRoutes({ store, changed: async () => undefined, push: { host: 'h', rtmpPort: 1, rtspPort: 2 }, log: createLogger('test', 'silent') });
  for (const r of routes) {
    const path = String(r.path);
    if (path.includes('owner\\/')) assert.equal(r.access, 'public', path);
    else assert.deepEqual(r.access, { permission: 'admin' }, `${r.method} ${path}`);
  }
  assert.equal(routes.filter((r) => r.access === 'public').length, 2);
  db.close();
});
