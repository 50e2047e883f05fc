/**
 * The audit trail of recorded footage, against the real SFU + recorder (ffmpeg recording the demo
 * cameras) + SQLite, with access control on:
 *  - a playlist and every fragment it points to (byte-range fetches) make ONE `playback` entry;
 *  - a loop over segment ids outside any audited range is audited (one entry per segment file,
 *    however many range fetches), and so is a thumbnail outside any audited range;
 *  - an incident export and a bookmark deletion releasing its holds are recorded under the real
 *    user, not the service;
 *  - a failing audit store: /api/health (SFU and recorder) not ok with the reason, an error log
 *    line, and the actions refused with 503 AUDIT_UNAVAILABLE (playback, thumbnails, an export,
 *    an admin change); everything works again once appends do.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createUser, startTestSystem, waitFor, wsClient, type TestSystem } from '@wardwall/testing/system';

const CAM = 'demo-1';
let sys: TestSystem;
let admin: string;
const lines: string[] = [];

interface Entry { seq: number; user: string; action: string; camera: string | null; detail: Record<string, unknown> }

async function api(path: string, cookie: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const r = await fetch(new URL(path.replace(/^\//, ''), sys.url), { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  const text = await r.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* media */
  }
  return { status: r.status, body, text, headers: r.headers };
}

async function entries(q: string): Promise<Entry[]> {
  const r = await api(`/api/audit?${q}&limit=1000`, admin);
  assert.equal(r.status, 200, r.text);
  return r.body.entries as Entry[];
}

/** Closed segments of CAM with their ids, oldest first. */
function closedSegments(): { id: number; startMs: number; endMs: number }[] {
  const now = Date.now();
  return sys.recorder!.store.db.overlapping(CAM, now - 3600_000, now).filter((s) => !s.open);
}

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, workers: 1, recorder: true, auth: true, segmentSeconds: 2, logLines: lines, logLevel: 'warn' });
  admin = await sys.signIn();
  for (const u of ['viewer-a', 'viewer-b', 'viewer-c', 'investigator']) await createUser(sys, { username: u, role: 'operator' });
  await waitFor('four closed segments', () => closedSegments().length >= 4, 60000, 250);
});
after(() => sys.close());

test('a playlist and all of its fragments: one playback entry', { timeout: 60_000 }, async () => {
  const cookie = await sys.signIn('viewer-a', 'viewer-a-password');
  const segs = closedSegments();
  const from = segs[0]!.startMs + 100;
  const to = segs[segs.length - 1]!.endMs - 100;
  const pl = await api(`/api/recordings/${CAM}/playlist.m3u8?from=${from}&to=${to}`, cookie);
  assert.equal(pl.status, 200, pl.text);
  // Fetch everything the playlist points to, as hls.js would: the init section and every part by byte range.
  const fetches: { uri: string; range: string }[] = [];
  const lines_ = pl.text.split('\n');
  lines_.forEach((l, i) => {
    const map = /^#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/.exec(l);
    if (map) fetches.push({ uri: map[1]!, range: `bytes=${map[3]}-${Number(map[3]) + Number(map[2]) - 1}` });
    const br = /^#EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(l);
    if (br) fetches.push({ uri: lines_[i + 1]!, range: `bytes=${br[2]}-${Number(br[2]) + Number(br[1]) - 1}` });
  });
  assert.ok(fetches.length >= 8, `parts fetched: ${fetches.length}`);
  for (const f of fetches) {
    const r = await api(`/api/recordings/${CAM}/${f.uri}`, cookie, { headers: { range: f.range } });
    assert.equal(r.status, 206, `${f.uri} ${f.range}: ${r.status}`);
  }
  // The same playlist again (a reload): still one entry.
  assert.equal((await api(`/api/recordings/${CAM}/playlist.m3u8?from=${from}&to=${to}`, cookie)).status, 200);
  const mine = (await entries('user=viewer-a&action=playback')).filter((e) => e.camera === CAM);
  assert.equal(mine.length, 1, JSON.stringify(mine));
  assert.equal(mine[0]!.detail.via, 'playlist');
  assert.ok((mine[0]!.detail.from as number) <= from && (mine[0]!.detail.to as number) >= to, JSON.stringify(mine[0]));
});

test('a loop over segment ids is not a silent export: one entry per segment file; thumbnails outside a range are audited', { timeout: 60_000 }, async () => {
  const cookie = await sys.signIn('viewer-b', 'viewer-b-password');
  const segs = closedSegments().slice(0, 3);
  for (const s of segs) {
    // Each file in two range requests, then whole: a fragment loop.
    const size = Number((await fetch(new URL(`api/recordings/${CAM}/media/${s.id}.mp4`, sys.url), { method: 'HEAD', headers: { cookie } })).headers.get('content-length'));
    assert.ok(size > 1000);
    for (const range of [`bytes=0-${Math.floor(size / 2)}`, `bytes=${Math.floor(size / 2) + 1}-${size - 1}`]) {
      assert.equal((await api(`/api/recordings/${CAM}/media/${s.id}.mp4`, cookie, { headers: { range } })).status, 206);
    }
    assert.equal((await api(`/api/recordings/${CAM}/media/${s.id}.mp4`, cookie)).status, 200);
  }
  const mine = (await entries('user=viewer-b&action=playback')).filter((e) => e.camera === CAM).reverse();
  // HEAD requests count as fetches too, so a loop cannot probe unaudited either; still one entry per file.
  assert.deepEqual(mine.map((e) => e.detail.segment), segs.map((s) => s.id), JSON.stringify(mine));
  assert.ok(mine.every((e) => e.detail.via === 'segment'));

  // A thumbnail inside an audited segment adds nothing; one in another segment is audited itself.
  const inside = await api(`/api/recordings/${CAM}/thumbnail?at=${segs[0]!.startMs + 500}`, cookie);
  assert.equal(inside.status, 200, inside.text);
  assert.equal((await entries('user=viewer-b&action=playback')).length, segs.length);
  const later = closedSegments().find((x) => x.id > segs[2]!.id)!;
  const outside = await api(`/api/recordings/${CAM}/thumbnail?at=${later.startMs + 500}`, cookie);
  assert.equal(outside.status, 200, outside.text);
  const after_ = await entries('user=viewer-b&action=playback');
  assert.equal(after_.length, segs.length + 1, JSON.stringify({ after_, later, segs, all: closedSegments().map((x) => [x.id, x.startMs, x.endMs]) }));
  assert.equal(after_[0]!.detail.via, 'thumbnail');
});

test('incident export and bookmark deletion are recorded under the real user, not the service', { timeout: 90_000 }, async () => {
  const cookie = await sys.signIn('investigator', 'investigator-password');
  const c = await wsClient(sys.url, cookie);
  const push = async (changes: unknown[]) => {
    const r = (await c.request({ type: 'bookmarksPush', changes })) as unknown as { ok: boolean; data?: { results: { ok: boolean }[] }; error?: unknown };
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(r.data!.results.every((x) => x.ok), JSON.stringify(r));
  };
  const segs = closedSegments();
  const t0 = segs[1]!.startMs;
  const incidentId = randomUUID();
  const bm = randomUUID();
  await push([
    { entity: 'incident', id: incidentId, fields: { title: 'Trộm xe', status: 'investigating', hold: false }, times: {} },
    { entity: 'bookmark', id: bm, fields: { cameras: [CAM], startMs: t0, endMs: t0 + 1000, title: 'xe', incidentId }, times: {} },
  ]);
  await waitFor('the bookmark hold', async () => (await entries('action=hold_add')).some((e) => e.detail.bookmark === bm || String(e.detail.reason ?? '').includes(bm)), 20000, 200);
  const adds = (await entries('action=hold_add')).filter((e) => e.detail.bookmark === bm || String(e.detail.reason ?? '').includes(bm));
  assert.ok(adds.length >= 1 && adds.every((e) => e.user === 'investigator'), JSON.stringify(adds));

  const exp = await api(`/api/incidents/${incidentId}/export`, cookie, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(exp.status, 202, exp.text);
  const created = (await entries('action=export_create')).find((e) => e.detail.export === exp.body.id);
  assert.ok(created, 'export audited');
  assert.equal(created.user, 'investigator');
  assert.equal(created.detail.via, 'sfu');

  // Deleting the bookmark releases its hold: the release names who deleted it.
  await push([{ entity: 'bookmark', id: bm, fields: { deleted: true }, times: {} }]);
  const releases = await waitFor('the hold released', async () => {
    const r = (await entries('action=hold_release')).filter((e) => e.detail.bookmark === bm || String(e.detail.reason ?? '').includes(bm));
    return r.length >= 2 ? r : false;
  }, 20000, 200);
  assert.ok(releases.every((e) => e.user === 'investigator'), JSON.stringify(releases));
  assert.ok(!releases.some((e) => e.user === 'system'));
  c.ws.close();
});

test('a failing audit store: health not ok with the reason, an error logged, audited actions refused; then recovery', { timeout: 60_000 }, async () => {
  const cookie = await sys.signIn('viewer-c', 'viewer-c-password');
  const segs = closedSegments();
  assert.equal(((await api('/api/health', cookie)).body as { ok: boolean }).ok, true);
  // The audit table refuses inserts (as a full or broken disk would).
  sys.sfu.db.exec("CREATE TRIGGER test_audit_fail BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END");
  try {
    const pl = await api(`/api/recordings/${CAM}/playlist.m3u8?from=${segs[0]!.startMs}&to=${segs[2]!.endMs}`, cookie);
    assert.equal(pl.status, 503, pl.text);
    assert.equal(pl.body.code, 'AUDIT_UNAVAILABLE');
    const media = await api(`/api/recordings/${CAM}/media/${segs[1]!.id}.mp4`, cookie);
    assert.equal(media.status, 503);
    assert.equal(media.body.code, 'AUDIT_UNAVAILABLE');
    const thumb = await api(`/api/recordings/${CAM}/thumbnail?at=${segs[2]!.startMs + 200}`, cookie);
    assert.equal(thumb.status, 503);
    const exp = await api('/api/exports', cookie, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameras: [CAM], from: segs[0]!.startMs, to: segs[1]!.endMs }) });
    assert.equal(exp.status, 503, exp.text);
    assert.equal(exp.body.code, 'AUDIT_UNAVAILABLE');
    const before = sys.sfu.auth.service!.store.users().length;
    const add = await api('/api/admin/users', admin, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'unaudited', displayName: 'x', role: 'viewer', password: 'unaudited-password' }) });
    assert.equal(add.status, 503, add.text);
    assert.equal(sys.sfu.auth.service!.store.users().length, before, 'the user was not created');
    assert.equal(sys.sfu.auth.service!.store.userByName('unaudited'), null);

    // Live view: the consumer is refused (and closed) before any video flows.
    const ws = await wsClient(sys.url, cookie);
    const hello = (await ws.request({ type: 'hello' })) as unknown as { data: { routerRtpCapabilities: Record<string, unknown> } };
    const tr = (await ws.request({ type: 'createTransport' })) as unknown as { data: { transportId: string } };
    const consumers = () => sys.sfu.signaling.openSessions().reduce((n, x) => n + x.consumers.size, 0);
    const before_ = consumers();
    const live = (await ws.request({ type: 'consume', transportId: tr.data.transportId, cameraId: CAM, stream: 'main', rtpCapabilities: hello.data.routerRtpCapabilities })) as unknown as { ok: boolean; error?: { code: string } };
    assert.equal(live.ok, false, JSON.stringify(live));
    assert.equal(live.error?.code, 'AUDIT_UNAVAILABLE');
    assert.equal(consumers(), before_, 'no consumer kept');
    ws.ws.close();

    const health = (await api('/api/health', cookie)).body as { ok: boolean; reasons?: string[]; audit?: { ok: boolean; lastError: string } };
    assert.equal(health.ok, false);
    assert.match(health.reasons!.join(' '), /audit trail: append failed \(disk I\/O error \(test\)\)/);
    const rh = (await api('/api/recorder/health', cookie)).body as { ok: boolean; audit: { ok: boolean; lastError: string } };
    assert.equal(rh.ok, false);
    assert.equal(rh.audit.ok, false);
    assert.match(rh.audit.lastError, /503 AUDIT_UNAVAILABLE/);
    assert.ok(lines.some((l) => /"level":50/.test(l) && /audit append failed/.test(l)), 'an error log line');
  } finally {
    sys.sfu.db.exec('DROP TRIGGER test_audit_fail');
  }
  const ok = await api(`/api/recordings/${CAM}/playlist.m3u8?from=${segs[0]!.startMs}&to=${segs[2]!.endMs}`, cookie);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(((await api('/api/health', cookie)).body as { ok: boolean }).ok, true);
  assert.equal(((await api('/api/recorder/health', cookie)).body as { audit: { ok: boolean } }).audit.ok, true);
  // Nothing was done unaudited: no export job, and the chain is intact.
  assert.deepEqual(sys.sfu.audit.verify().broken, null);
});
