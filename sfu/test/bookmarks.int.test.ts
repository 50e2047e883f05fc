/**
 * Bookmarks end to end on the server side, with real components: the SFU (SQLite, signaling), the
 * embedded endpoint with ffmpeg demo cameras and the real recorder with a tiny retention quota.
 *  - push/pull/live broadcast to a second session, per-field LWW by server time, tombstones;
 *  - bad input (oversized note, unknown camera, bad times, unknown field) answered per change with
 *    a code naming the field, while the good changes of the same push are applied;
 *  - evidence holds created although the recorder starts after the SFU (retry), released on delete;
 *  - retention with a tiny quota keeps the footage inside a bookmark's window and removes the rest;
 *  - an incident exports as ONE package whose files match its manifest (verified like the browser does).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Bookmark, ChangeResult, Incident, ServerMessage } from '@wardwall/common';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPackageFile } from '../../recorder/src/playback/export-verify.js';

let sys: TestSystem;
const SEG_S = 2;

before(async () => {
  sys = await startTestSystem({
    demoCount: 2,
    withSub: 0,
    recorder: true,
    segmentSeconds: SEG_S,
    retention: { maxBytes: 1, minFreeBytes: 0 },
    retentionIntervalMs: 500,
    bookmarks: { holdMarginMs: 500, exportPadMs: 2000, holdRetryMs: [200, 400], reconcileEveryMs: 2000 },
  });
});
after(async () => {
  await sys?.close();
});

type Reply = Extract<ServerMessage, { type: 'response' }>;
interface Client {
  ws: WebSocket;
  request: (m: Record<string, unknown>) => Promise<Reply>;
  pushes: ServerMessage[];
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(`${sys.sfu.url.replace('http', 'ws')}ws`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const pushes: ServerMessage[] = [];
  const waiting = new Map<number, (m: Reply) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'response' && typeof m.id === 'number') waiting.get(m.id)?.(m);
    else pushes.push(m);
  });
  let n = 1;
  const request = (m: Record<string, unknown>) =>
    new Promise<Reply>((r) => {
      const id = n++;
      waiting.set(id, r);
      ws.send(JSON.stringify({ id, ...m }));
    });
  const hello = await request({ type: 'hello' });
  assert.equal(hello.ok, true);
  return { ws, request, pushes };
}

async function push(c: Client, changes: unknown[]): Promise<ChangeResult[]> {
  const r = await c.request({ type: 'bookmarksPush', changes });
  assert.equal(r.ok, true, JSON.stringify(r));
  return (r as unknown as { data: { results: ChangeResult[] } }).data.results;
}

const api = (path: string, init?: RequestInit) => fetch(new URL(path, sys.sfu.url), init).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const recorderHolds = async () => ((await api('/api/holds')).body.holds as { id: number; camera: string; startMs: number; endMs: number; reason: string }[]);

test('sync: push, pull, live push to another session, per-field LWW by server time, tombstone', async () => {
  const a = await connect();
  const b = await connect();
  const id = randomUUID();
  const t0 = Date.now();
  const [created] = await push(a, [{ entity: 'bookmark', id, fields: { cameras: ['demo-1'], startMs: t0 - 5000, endMs: t0 - 5000, title: 'Người lạ', note: 'áo đỏ', tags: ['trộm'] }, times: {} }]);
  assert.equal(created!.ok, true);
  const rec = (created as { record: Bookmark }).record;
  assert.equal(rec.author, 'local');
  assert.equal(rec.hold, true);
  await waitFor('live push to b', () => b.pushes.some((m) => m.type === 'bookmarkChanged' && m.bookmark.id === id));

  // Per field: a's title edit made earlier (offline) loses to b's later one; a's note edit wins (b did not touch it).
  const editA = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  const [rb] = await push(b, [{ entity: 'bookmark', id, fields: { title: 'B title' }, times: { title: Date.now() } }]);
  assert.equal(rb!.ok, true);
  const [ra] = await push(a, [{ entity: 'bookmark', id, fields: { title: 'A title', note: 'A note' }, times: { title: editA, note: editA } }]);
  const merged = (ra as { record: Bookmark }).record;
  assert.equal(merged.title, 'B title');
  assert.equal(merged.note, 'A note');
  // A time in the future is clamped to the server's now.
  const [rf] = await push(a, [{ entity: 'bookmark', id, fields: { tags: ['x'] }, times: { tags: Date.now() + 3600_000 } }]);
  assert.ok((rf as { record: Bookmark }).record.times.tags! <= Date.now());

  // Pull from 0 gives the latest state; pull from the latest seq gives nothing.
  const pulled = (await a.request({ type: 'bookmarksPull', since: 0 })) as { data: { bookmarks: Bookmark[]; seq: number } };
  const mine = pulled.data.bookmarks.find((x) => x.id === id)!;
  assert.equal(mine.title, 'B title');
  const none = (await a.request({ type: 'bookmarksPull', since: pulled.data.seq })) as { data: { bookmarks: Bookmark[] } };
  assert.equal(none.data.bookmarks.length, 0);

  // Delete: a tombstone that syncs and stays (an older undelete does not revive it).
  const [rd] = await push(b, [{ entity: 'bookmark', id, fields: { deleted: true }, times: {} }]);
  assert.equal((rd as { record: Bookmark }).record.deleted, true);
  const [ru] = await push(a, [{ entity: 'bookmark', id, fields: { deleted: false, title: 'late' }, times: { deleted: Date.now() } }]);
  assert.equal((ru as { record: Bookmark }).record.deleted, true);
  const after = (await b.request({ type: 'bookmarksPull', since: pulled.data.seq })) as { data: { bookmarks: Bookmark[] } };
  assert.equal(after.data.bookmarks.find((x) => x.id === id)?.deleted, true);
  const search = await api(`/api/bookmarks?text=late`);
  assert.equal((search.body.bookmarks as Bookmark[]).length, 0, 'a deleted bookmark is not listed');
  a.ws.close();
  b.ws.close();
});

test('bad input: coded errors naming the field; the good change of the same push is applied', async () => {
  const c = await connect();
  const now = Date.now();
  const good = randomUUID();
  const base = { cameras: ['demo-1'], startMs: now - 1000, endMs: now - 1000 };
  const results = await push(c, [
    { entity: 'bookmark', id: randomUUID(), fields: { ...base, note: 'x'.repeat(5000) }, times: {} },
    { entity: 'bookmark', id: randomUUID(), fields: { ...base, cameras: ['nope'] }, times: {} },
    { entity: 'bookmark', id: randomUUID(), fields: { ...base, startMs: now, endMs: now - 60_000 }, times: {} },
    { entity: 'bookmark', id: randomUUID(), fields: { ...base, startMs: 12, endMs: 12 }, times: {} },
    { entity: 'bookmark', id: randomUUID(), fields: { ...base, colour: 'red' }, times: {} },
    { entity: 'bookmark', id: randomUUID(), fields: { title: 'no cameras' }, times: {} },
    { entity: 'incident', id: randomUUID(), fields: { title: 't', kind: 'party' }, times: {} },
    { entity: 'bookmark', id: good, fields: { ...base, title: 'ok' }, times: {} },
  ]);
  const errs = results.map((r) => (r.ok ? 'ok' : `${r.error.code} ${r.error.message}`));
  assert.match(errs[0]!, /^BAD_BOOKMARK changes\.0\.fields\.note: at most 4000/);
  assert.match(errs[1]!, /^UNKNOWN_CAMERA changes\.1\.fields\.cameras\.0: unknown camera "nope"/);
  assert.match(errs[2]!, /^BAD_BOOKMARK endMs: must not be before startMs/);
  assert.match(errs[3]!, /^BAD_BOOKMARK changes\.3\.fields\.startMs: is before 2000/);
  assert.match(errs[4]!, /^BAD_BOOKMARK changes\.4\.fields: unknown field\(s\) colour/);
  assert.match(errs[5]!, /^BAD_BOOKMARK cameras: required for a new bookmark/);
  assert.match(errs[6]!, /^BAD_BOOKMARK changes\.6\.fields\.kind/);
  assert.equal(errs[7], 'ok');
  const list = await api(`/api/bookmarks?text=ok&camera=demo-1`);
  assert.ok((list.body.bookmarks as Bookmark[]).some((b) => b.id === good));
  // A malformed frame is refused as a whole with a code; the REST search validates its query.
  const r = await c.request({ type: 'bookmarksPush', changes: [] });
  assert.equal(r.ok, false);
  assert.equal((r as { error: { code: string } }).error.code, 'BAD_MESSAGE');
  const q = await api('/api/bookmarks?from=yesterday');
  assert.equal(q.status, 400);
  assert.match(String(q.body.message), /^query\.from/);
  c.ws.close();
});

test('holds: made despite the recorder starting after the SFU, retention keeps only held footage, incident exports as one verified package', { timeout: 120_000 }, async () => {
  const c = await connect();
  // Recording has started on both cameras.
  await waitFor('recording', async () => (await api('/api/recorder/health')).body.cameras && ((await api('/api/recorder/health')).body.cameras as { state: string }[]).every((x) => x.state === 'recording'), 30000, 500);
  const t0 = Date.now();
  const incidentId = randomUUID();
  const a = randomUUID();
  const b = randomUUID();
  const cc = randomUUID();
  const res = await push(c, [
    { entity: 'incident', id: incidentId, fields: { title: 'Mất trộm tượng Phật', status: 'investigating' }, times: {} },
    { entity: 'bookmark', id: a, fields: { cameras: ['demo-1'], startMs: t0 + 1000, endMs: t0 + 5000, title: 'vào', incidentId }, times: {} },
    { entity: 'bookmark', id: b, fields: { cameras: ['demo-2'], startMs: t0 + 3000, endMs: t0 + 3000, title: 'qua', incidentId }, times: {} },
    { entity: 'bookmark', id: cc, fields: { cameras: ['demo-1'], startMs: t0 + 7000, endMs: t0 + 9000, title: 'ra', incidentId }, times: {} },
  ]);
  assert.ok(res.every((r) => r.ok), JSON.stringify(res));
  // Holds appear in the recorder (first rounds may have failed while it started).
  const holds = await waitFor('holds', async () => {
    const h = await recorderHolds();
    return h.filter((x) => x.reason.startsWith('bookmark ')).length >= 3 ? h : false;
  });
  const ha = holds.find((h) => h.reason === `bookmark ${a} camera demo-1`)!;
  assert.equal(ha.startMs, t0 + 1000 - 500);
  assert.equal(ha.endMs, t0 + 5000 + 500);
  const status = (await api('/api/bookmarks/holds')).body;
  assert.ok(typeof status.lastOkMs === 'number');

  // Let footage after the held windows be recorded and then deleted by the tiny quota.
  const checkFrom = t0 + 9500 + 2 * SEG_S * 1000;
  await waitFor('footage past the windows to be recorded', () => Date.now() > checkFrom + 4 * SEG_S * 1000, 60000, 500);
  await waitFor('retention to run', () => sys.recorder!.health().disk.deletedTotal > 4, 30000, 500);
  const spans = async (cam: string, from: number, to: number) => (await api(`/api/recordings/${cam}/spans?from=${from}&to=${to}`)).body as { spans: { startMs: number; endMs: number }[]; recordedMs: number };
  const inA = await spans('demo-1', t0 + 1000, t0 + 5000);
  assert.ok(inA.recordedMs >= 3500, `bookmark a's window kept (${inA.recordedMs} ms recorded)`);
  const inB = await spans('demo-2', t0 + 3000 - 400, t0 + 3000 + 400);
  assert.ok(inB.recordedMs >= 700, 'the instant of bookmark b kept');
  const outside = await spans('demo-1', checkFrom, checkFrom + 2 * SEG_S * 1000);
  assert.equal(outside.recordedMs, 0, 'footage outside every held window is removed by the quota');
  const before0 = await spans('demo-2', t0 + 5000 + 2 * SEG_S * 1000, t0 + 5000 + 4 * SEG_S * 1000);
  assert.equal(before0.recordedMs, 0, 'demo-2 outside its instant is removed');

  // Incident export: one package, one manifest, every file verified.
  const exp = await api(`/api/incidents/${incidentId}/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(exp.status, 202, JSON.stringify(exp.body));
  const job = await waitFor('export done', async () => {
    const j = (await api(`/api/exports/${String(exp.body.id)}`)).body;
    if (j.state === 'failed') throw new Error(String(j.error));
    return j.state === 'done' ? j : false;
  }, 60000, 300);
  assert.equal((job.ranges as unknown[]).length, 3);
  const tar = new Uint8Array(await (await fetch(new URL(`/api/exports/${String(exp.body.id)}/download`, sys.sfu.url))).arrayBuffer());
  // Checked the way a copy is checked: streamed, every file against the signed manifest.
  const pkgDir = mkdtempSync(join(tmpdir(), 'ww-incident-export-'));
  const pkg = join(pkgDir, 'package.tar');
  writeFileSync(pkg, tar);
  const verdict = await verifyPackageFile(pkg, null);
  rmSync(pkgDir, { recursive: true, force: true });
  assert.equal(verdict.error, null);
  assert.ok(verdict.ok, JSON.stringify(verdict.files));
  assert.equal(verdict.signature.state, 'valid');
  assert.deepEqual(verdict.files.map((f) => f.file).filter((f) => f.endsWith('.mp4')), ['01-demo-1.mp4', '02-demo-2.mp4', '03-demo-1.mp4']);

  // Deleting ends a bookmark's hold; a released bookmark stays held while its incident holds it.
  await push(c, [
    { entity: 'bookmark', id: a, fields: { deleted: true }, times: {} },
    { entity: 'bookmark', id: cc, fields: { hold: false }, times: {} },
    { entity: 'bookmark', id: b, fields: { hold: false }, times: {} },
  ]);
  await waitFor('hold of the deleted bookmark released', async () => !(await recorderHolds()).some((x) => x.reason === `bookmark ${a} camera demo-1`));
  await sys.sfu.bookmarks.holds.reconcileNow();
  const still = await recorderHolds();
  assert.ok(still.some((x) => x.reason === `bookmark ${b} camera demo-2`) && still.some((x) => x.reason === `bookmark ${cc} camera demo-1`), 'the incident still holds its bookmarks');
  await push(c, [{ entity: 'incident', id: incidentId, fields: { hold: false }, times: {} }]);
  await waitFor('incident released', async () => !(await recorderHolds()).some((x) => x.reason === `bookmark ${b} camera demo-2` || x.reason === `bookmark ${cc} camera demo-1`));
  const incidents = (await api('/api/incidents')).body.incidents as (Incident & { bookmarks: number })[];
  assert.equal(incidents.find((i) => i.id === incidentId)?.bookmarks, 2);
  c.ws.close();
});
