/**
 * Central users and recordings through the centre (docs/city.md, "Central users" and "Recordings
 * through the centre"), on loopback: a real NATS hub and one ward leaf (`@wardwall/testing/city`), a
 * ward system with its recorder and accounts on (`city.role: 'ward'`, the centre's key pinned in
 * `city.centreKey`, its address published as `city.httpUrl`), and a centre SFU with accounts on.
 *
 * Checks: a central user with rights on w1 gets the ward's spans, an HLS playlist (with
 * PROGRAM-DATE-TIME) and a segment (range) and a thumbnail through the centre; a central user without
 * rights on w1 gets 403 at the centre (HTTP and live); at the ward, no / forged / expired / another
 * ward's / another request's / replayed assertions are refused 401/403, and an assertion without the
 * camera's right 403 (HTTP and the `watch` request over NATS); a central user with a 2-day
 * look-back gets 403 for a 3-day-old segment fetched by its id (and for an export of it), 200 for a
 * recent one (the floor rides in the ward's service token: the recorder checks it); the ward's audit names
 * `centre:<user>` for a live watch and for a playback.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@wardwall/common';
import { requestWard } from '@wardwall/city';
import { passwordFile, startCity, type TestCity } from '@wardwall/testing/city';
import { linkSegments, makeSegment } from '@wardwall/testing/synthetic-footage';
import { createUser, startTestSystem, waitFor, wsClient, type TestSignaling, type TestSystem } from '@wardwall/testing/system';
import { ASSERTION_HEADER, privateKeyFromPem, signAssertion, type AssertionInput } from '../src/city/assertion.js';
import { ASSERTION_KEY_FILE } from '../src/city/assertion-key.js';
import { watchUse } from '../src/city/ward-link.js';

const WARD = 'w1';
const CAM = 'demo-1';

let city: TestCity | null = null;
let ward: TestSystem | null = null;
let centre: TestSystem | null = null;
const sockets: TestSignaling[] = [];

after(async () => {
  for (const s of sockets) s.ws.terminate();
  await centre?.close().catch(() => undefined);
  await ward?.close().catch(() => undefined);
  await city?.stop();
});


interface Entry { seq: number; user: string; action: string; camera: string | null; detail: Record<string, unknown> }

test('central users: rights per ward, the signed assertion, recordings through the centre, audit at the ward', { timeout: 300_000 }, async () => {
  city = await startCity([WARD]);
  const w = city.wards.get(WARD)!;
  const secrets = mkdtempSync(join(tmpdir(), 'wardwall-city-review-'));
  const logLines: string[] = [];
  centre = await startTestSystem({
    workers: 1,
    auth: true,
    logLines,
    patch: (raw) => {
      raw.demo = { enabled: false };
      raw.city = { role: 'centre', nats: { url: `nats://127.0.0.1:${city!.hubClientPort}`, user: city!.centreUser.user, passwordFile: passwordFile(secrets, 'centre', city!.centreUser.password) }, lingerMs: 1000 };
    },
  });
  const link = centre.sfu.city.centre!;
  assert.match(link.publicKey, /^ed25519:[A-Za-z0-9_-]{43}$/);
  // The test plays a forger with the centre's real key only where it needs a validly signed but wrong assertion.
  const centreKey = privateKeyFromPem(readFileSync(join(centre.config.sfu.dataDir, ASSERTION_KEY_FILE), 'utf8'));
  assert.ok(!logLines.some((l) => l.includes('PRIVATE KEY')), 'the private key is never logged');

  ward = await startTestSystem({
    demoCount: 2,
    withSub: 0,
    workers: 1,
    recorder: true,
    auth: true,
    segmentSeconds: 2,
    logLines,
    patch: (raw) => {
      raw.city = {
        role: 'ward',
        ward: { id: WARD, name: 'Phường 1' },
        nats: { url: `nats://127.0.0.1:${w.clientPort}`, user: w.local.user, passwordFile: passwordFile(secrets, 'ward', w.local.password) },
        centreKey: link.publicKey,
        httpUrl: `http://127.0.0.1:${raw.sfu.port}`,
      };
    },
  });
  const wardAdmin = await ward.signIn();

  // Central users: thu may watch and play back every camera of w1; nam has no right on w1 (but on everything else).
  await createUser(centre, { username: 'thu', role: 'viewer', cameraRules: [{ camera: 'w1/*', permissions: ['live', 'playback', 'export'] }] });
  await createUser(centre, { username: 'lan', role: 'operator' });
  await createUser(centre, { username: 'nam', role: 'operator', cameraRules: [{ camera: 'w1/*', permissions: [] }] });
  const thu = await centre.signIn('thu', 'thu-password');
  const nam = await centre.signIn('nam', 'nam-password');
  const lan = await centre.signIn('lan', 'lan-password');

  const at = (sys: TestSystem, path: string, headers: Record<string, string> = {}) => fetch(new URL(path.replace(/^\//, ''), sys.url), { headers });
  await waitFor('the ward online at the centre with its cameras live', async () => {
    const r = await at(centre!, '/api/city/cameras', { cookie: thu });
    const wards = ((await r.json()) as { wards: { ward: string; online: boolean; cameras: { state: string }[] }[] }).wards;
    return wards.some((x) => x.ward === WARD && x.online && x.cameras.length === 2 && x.cameras.every((c) => c.state === 'live'));
  }, 60_000, 200);

  // 1. Recordings through the centre (thu): spans, a playlist, a segment by range, a thumbnail.
  const to = Date.now() + 60_000;
  const from = Date.now() - 10 * 60_000;
  const base = `/api/city/${WARD}/recordings/${CAM}`;
  const spans = await waitFor('recorded spans of the ward camera through the centre', async () => {
    const r = await at(centre!, `${base}/spans?from=${from}&to=${Date.now()}`, { cookie: thu });
    assert.equal(r.status, 200, await r.clone().text());
    const b = (await r.json()) as { camera: string; spans: { startMs: number; endMs: number }[] };
    return b.spans.some((s) => s.endMs - s.startMs >= 4000) ? b : false;
  }, 60_000, 500);
  assert.equal(spans.camera, CAM);
  const found = spans.spans.find((s) => s.endMs - s.startMs >= 4000)!;
  // A closed part of the span (the newest seconds may still be written).
  const span = { from: found.startMs, to: found.endMs - 1000 };
  const playlist = await at(centre, `${base}/playlist.m3u8?from=${span.from}&to=${span.to}`, { cookie: thu });
  assert.equal(playlist.status, 200);
  const m3u8 = await playlist.text();
  assert.match(m3u8, /^#EXTM3U/);
  assert.match(m3u8, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d{2}-\d{2}T/);
  const uri = /^(media\/[^\s?]+\.mp4)/m.exec(m3u8)?.[1];
  const range = /#EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(m3u8);
  assert.ok(uri && range, m3u8.slice(0, 500));
  const [len, off] = [Number(range[1]), Number(range[2])];
  const seg = await at(centre, `${base}/${uri}`, { cookie: thu, range: `bytes=${off}-${off + len - 1}` });
  assert.equal(seg.status, 206, 'the range passes through the centre and the ward');
  const bytes = Buffer.from(await seg.arrayBuffer());
  assert.equal(bytes.length, len);
  assert.ok(bytes.includes(Buffer.from('moof')), 'an fMP4 fragment');
  // Measured (printed, no threshold): the same segment range through the centre (two hops, an assertion signed and checked) and at the ward itself.
  const timeIt = async (fn: () => Promise<Response>) => {
    const ms: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const r = await fn();
      await r.arrayBuffer();
      assert.equal(r.status, 206);
      ms.push(performance.now() - t);
    }
    return ms.sort((a, b) => a - b)[3]!.toFixed(1);
  };
  const viaCentre = await timeIt(() => at(centre!, `${base}/${uri}`, { cookie: thu, range: `bytes=${off}-${off + len - 1}` }));
  const direct = await timeIt(() => at(ward!, `/api/recordings/${CAM}/${uri}`, { cookie: wardAdmin, range: `bytes=${off}-${off + len - 1}` }));
  console.log(`[city-review] a ${len}-byte segment range, median of 7: ${viaCentre} ms through the centre, ${direct} ms at the ward`);
  const thumb = await at(centre, `${base}/thumbnail?at=${Math.round((span.from + span.to) / 2)}`, { cookie: thu });
  assert.equal(thumb.status, 200, await thumb.clone().text());
  assert.match(thumb.headers.get('content-type') ?? '', /^image\//);
  const img = Buffer.from(await thumb.arrayBuffer());
  assert.ok(img.length > 500 && img[0] === 0xff && img[1] === 0xd8, 'a JPEG');

  // 1b. Look-back on what is named by id: hoa (2 days) asks for a 3-day-old segment by its id
  // (`media/<id>.mp4` carries no time the centre or the ward could check): the ward's recorder
  // refuses it with the floor the service token carries; a recent segment plays; thu (no limit) gets both.
  const root = ward.recorder!.store.root;
  const oldSeg = join(secrets, 'old.mp4');
  await makeSegment(oldSeg, { seconds: 4, width: 320, height: 180, noise: false });
  const old = linkSegments(root, oldSeg, CAM, Math.floor((Date.now() - 3 * 86400_000) / 1000) * 1000, 2, 4);
  await ward.recorder!.store.reconcile();
  const oldList = await at(ward, `/api/recordings/${CAM}/playlist.m3u8?from=${old.from}&to=${old.to}`, { cookie: wardAdmin });
  assert.equal(oldList.status, 200, await oldList.clone().text());
  const oldUri = /^(media\/[^\s?]+\.mp4)/m.exec(await oldList.text())?.[1];
  assert.ok(oldUri, 'the old segment is indexed at the ward');
  await createUser(centre, { username: 'hoa', role: 'viewer', lookbackDays: 2, cameraRules: [{ camera: 'w1/*', permissions: ['playback', 'export'] }] });
  const hoa = await centre.signIn('hoa', 'hoa-password');
  const oldByName = await at(centre, `${base}/${oldUri}`, { cookie: hoa });
  assert.equal(oldByName.status, 403, 'a segment older than the look-back, fetched by its id');
  assert.equal(((await oldByName.json()) as { code: string }).code, 'FORBIDDEN');
  const recentByName = await at(centre, `${base}/${uri}`, { cookie: hoa });
  assert.equal(recentByName.status, 200, await recentByName.clone().text());
  assert.ok(Buffer.from(await recentByName.arrayBuffer()).includes(Buffer.from('moof')));
  const oldForThu = await at(centre, `${base}/${oldUri}`, { cookie: thu });
  assert.equal(oldForThu.status, 200, 'no look-back limit: the old segment plays');
  await oldForThu.arrayBuffer();
  const oldExport = await fetch(new URL(`api/city/${WARD}/exports`, centre.url), { method: 'POST', headers: { cookie: hoa, 'content-type': 'application/json' }, body: JSON.stringify({ cameras: [CAM], from: old.from, to: old.to }) });
  assert.equal(oldExport.status, 403, `an export before the look-back: ${await oldExport.clone().text()}`);
  assert.equal(((await oldExport.json()) as { code: string }).code, 'FORBIDDEN');

  // 2. Refused at the centre: without a session, and a central user without rights on w1.
  assert.equal((await at(centre, `${base}/spans?from=${from}&to=${to}`)).status, 401);
  const refused = await at(centre, `${base}/spans?from=${from}&to=${to}`, { cookie: nam });
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { code: string }).code, 'FORBIDDEN');
  assert.equal((await at(centre, `/api/city/w9/recordings/${CAM}/spans?from=${from}&to=${to}`, { cookie: thu })).status, 403, 'no rule on w9: the viewer role has no playback');

  // 3. At the ward: its own route refuses what the centre did not sign for this request.
  const wpath = `/api/city-ward/recordings/${CAM}/spans?from=${span.from}&to=${span.to}`;
  const claims = (over: Partial<AssertionInput> = {}): AssertionInput => ({ sub: 'thu', name: 'Thu', aud: WARD, rights: { '*': ['live', 'playback'] }, floor: null, use: `GET ${wpath}`, ...over });
  const atWard = async (token: string | null, path = wpath) => {
    const r = await at(ward!, path, token ? { [ASSERTION_HEADER]: token } : {});
    return { status: r.status, code: ((await r.json().catch(() => ({}))) as { code?: string }).code };
  };
  const { generateKeyPairSync } = await import('node:crypto');
  const forger = generateKeyPairSync('ed25519').privateKey;
  assert.deepEqual(await atWard(null), { status: 401, code: 'CENTRE_ASSERTION' }, 'no assertion');
  assert.deepEqual(await atWard(signAssertion(forger, claims(), Date.now())), { status: 401, code: 'CENTRE_ASSERTION' }, 'forged: another key');
  assert.deepEqual(await atWard(signAssertion(centreKey, claims(), Date.now() - 10 * 60_000)), { status: 401, code: 'CENTRE_ASSERTION' }, 'expired');
  assert.deepEqual(await atWard(signAssertion(centreKey, claims({ aud: 'w2' }), Date.now())), { status: 403, code: 'FORBIDDEN' }, "another ward's");
  assert.deepEqual(await atWard(signAssertion(centreKey, claims({ use: `GET /api/city-ward/recordings/demo-2/spans?from=${span.from}&to=${span.to}` }), Date.now())), { status: 403, code: 'FORBIDDEN' }, "another request's");
  assert.deepEqual(await atWard(signAssertion(centreKey, claims({ rights: { 'demo-2': ['playback'], '*': [] } }), Date.now())), { status: 403, code: 'FORBIDDEN' }, "the camera's right is missing");
  assert.deepEqual(await atWard(signAssertion(centreKey, claims({ rights: { '*': ['playback'] }, floor: span.to }), Date.now())), { status: 403, code: 'FORBIDDEN' }, 'before the look-back floor');
  const good = signAssertion(centreKey, claims(), Date.now());
  assert.equal((await atWard(good)).status, 200, 'a valid assertion');
  assert.deepEqual(await atWard(good), { status: 401, code: 'CENTRE_ASSERTION' }, 'replayed');
  assert.equal((await at(ward, `/api/recordings/${CAM}/spans?from=${span.from}&to=${span.to}`, { [ASSERTION_HEADER]: signAssertion(centreKey, claims(), Date.now()) })).status, 401, "the ward's own recorder routes still need a session");

  // 4. Live: thu watches w1/demo-1 at the centre; nam is refused at the centre; the ward refuses a watch without `live`.
  const consume = async (cookie: string, cameraId: string) => {
    const s = await wsClient(centre!.url, cookie);
    sockets.push(s);
    const hello = (await s.request({ type: 'hello' })) as Extract<ServerMessage, { ok: true }>;
    const caps = (hello.data as { routerRtpCapabilities: Record<string, unknown> }).routerRtpCapabilities;
    const t = (await s.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
    return (await s.request({ type: 'consume', transportId: (t.data as { transportId: string }).transportId, cameraId, stream: 'main', rtpCapabilities: caps })) as { ok: boolean; error?: { code: string } };
  };
  const watched = await consume(thu, `${WARD}/${CAM}`);
  assert.equal(watched.ok, true, JSON.stringify(watched));
  const namLive = await consume(nam, `${WARD}/${CAM}`);
  assert.equal(namLive.ok, false);
  assert.equal(namLive.error?.code, 'FORBIDDEN');
  const noLive = await requestWard(link.nc, WARD, 'watch', { cameraId: CAM, stream: 'main', assertion: signAssertion(centreKey, claims({ sub: 'nam', rights: { '*': ['playback'] }, use: watchUse(CAM, 'main') }), Date.now()) });
  assert.ok('refused' in noLive && noLive.refused.status === 403, `the ward refuses the camera: ${JSON.stringify(noLive)}`);
  const forgedLive = await requestWard(link.nc, WARD, 'watch', { cameraId: CAM, stream: 'main', assertion: signAssertion(forger, claims({ use: watchUse(CAM, 'main') }), Date.now()) });
  assert.ok('refused' in forgedLive && forgedLive.refused.status === 401, JSON.stringify(forgedLive));

  // 5. An export made at the ward for thu, followed and downloaded through the centre; another central user cannot take it.
  const post = await fetch(new URL(`api/city/${WARD}/exports`, centre.url), { method: 'POST', headers: { cookie: thu, 'content-type': 'application/json' }, body: JSON.stringify({ cameras: [CAM], from: span.from, to: span.to }) });
  assert.equal(post.status, 202, await post.clone().text());
  const { id } = (await post.json()) as { id: string };
  const job = await waitFor('the export done at the ward', async () => {
    const r = await at(centre!, `/api/city/${WARD}/exports/${id}`, { cookie: thu });
    assert.equal(r.status, 200, await r.clone().text());
    const b = (await r.json()) as { state: string; exportedBy: string; bytes: number | null };
    assert.notEqual(b.state, 'failed');
    return b.state === 'done' ? b : false;
  }, 60_000, 500);
  assert.equal(job.exportedBy, 'centre:thu', 'signed with the central user, whatever the body says');
  const dl = await at(centre, `/api/city/${WARD}/exports/${id}/download`, { cookie: thu });
  assert.equal(dl.status, 200);
  const pkg = Buffer.from(await dl.arrayBuffer());
  assert.ok(pkg.length > 1000 && pkg.includes(Buffer.from('manifest.json')), 'a package with its manifest');
  assert.equal((await at(centre, `/api/city/${WARD}/exports/${id}/download`, { cookie: lan })).status, 403, "another central user's download refused at the ward");
  // The ward recorder's own check of the package, and the ward's station key, through the centre (the export panel's).
  const verified = (await (await at(centre, `/api/city/${WARD}/exports/${id}/verify`, { cookie: thu })).json()) as { ok: boolean; stationFingerprint: string; signature: { state: string } };
  assert.equal(verified.ok, true, JSON.stringify(verified));
  assert.equal(verified.signature.state, 'valid');
  const wardKey = (await (await at(centre, `/api/city/${WARD}/station-key`, { cookie: thu })).json()) as { fingerprint: string };
  assert.equal(wardKey.fingerprint, verified.stationFingerprint, "the ward's key, not the centre's");
  assert.equal((await at(centre, `/api/city/${WARD}/exports/${id}/verify`, { cookie: lan })).status, 403, "another central user's export");
  assert.equal((await at(centre, `/api/city/${WARD}/station-key`, { cookie: nam })).status, 403, 'no export right on w1');
  assert.equal((await at(centre, `/api/city/${WARD}/exports/${id}`, { cookie: nam })).status, 403, 'no export right on w1: refused at the centre');
  const badExport = await fetch(new URL(`api/city/${WARD}/exports`, centre.url), { method: 'POST', headers: { cookie: nam, 'content-type': 'application/json' }, body: JSON.stringify({ cameras: [CAM], from: span.from, to: span.to }) });
  assert.equal(badExport.status, 403);

  // 6. The ward's audit names the central user: the live watch and the playback (the playlist served).
  const audit = async (q: string): Promise<Entry[]> => {
    const r = await at(ward!, `/api/audit?${q}&limit=1000`, { cookie: wardAdmin });
    assert.equal(r.status, 200);
    return ((await r.json()) as { entries: Entry[] }).entries;
  };
  const live = (await audit('action=live_start')).filter((e) => e.user === 'centre:thu');
  assert.equal(live.length, 1, JSON.stringify(live));
  assert.equal(live[0]!.camera, CAM);
  assert.equal(live[0]!.detail.via, 'centre');
  assert.ok(!(await audit('action=live_start')).some((e) => e.user === 'centre:nam'), 'a refused viewer is not audited as watching');
  // thu stops watching (the socket closes): the ward audits the end too.
  for (const s of sockets) s.ws.terminate();
  const stopped = await waitFor('live_stop by centre:thu at the ward', async () => {
    const e = (await audit('action=live_stop')).filter((x) => x.user === 'centre:thu' && x.camera === CAM);
    return e.length ? e : false;
  }, 15_000, 200);
  assert.equal(stopped.length, 1);
  const playback = await waitFor('the playback audited under the central user', async () => {
    const e = (await audit('action=playback')).filter((x) => x.user === 'centre:thu' && x.camera === CAM);
    return e.length ? e : false;
  }, 10_000, 200);
  assert.ok(playback.length >= 1);
  const exports = (await audit('')).filter((e) => e.user === 'centre:thu' && (e.action === 'export_create' || e.action === 'export_download')).map((e) => e.action);
  assert.deepEqual([...new Set(exports)].sort(), ['export_create', 'export_download']);
  // The centre's own trail has what its user asked of the ward (by login, on the remote id).
  const centreAdmin = await centre.signIn();
  const centreTrail = ((await (await at(centre, '/api/audit?user=thu&limit=1000', { cookie: centreAdmin })).json()) as { entries: Entry[] }).entries;
  assert.ok(centreTrail.some((e) => e.action === 'playback' && e.camera === `${WARD}/${CAM}` && e.detail.via === 'ward'), JSON.stringify(centreTrail.map((e) => [e.action, e.camera])));
  assert.ok(centreTrail.some((e) => e.action === 'live_start' && e.camera === `${WARD}/${CAM}`));
  assert.ok(centreTrail.some((e) => e.action === 'export_download'));
  console.log(`[city-review] audit at the ward: ${live.length} live_start, ${playback.length} playback entries by centre:thu`);
});
