/**
 * Resident cameras end to end on the server side, with the real pieces: the embedded endpoint
 * (its own process, reading the registry from the SFU's SQLite), ffmpeg publishing over RTMP and
 * RTSP, the SFU's GStreamer ingest and the recorder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { CameraInfo, ServerMessage } from '@wardwall/common';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { publish, type Publisher } from '@wardwall/testing/push-publisher';

const lines: string[] = [];
let sys: TestSystem;
const publishers: Publisher[] = [];
/** Every secret handed out during the test, to look for in the logs and in responses. */
const secrets: string[] = [];

before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, logLines: lines, logLevel: 'debug' });
});
after(async () => {
  await Promise.all(publishers.map((p) => p.close()));
  await sys?.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path, sys.sfu.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const base = { name: 'Nhà ông Tư', ownerName: 'Nguyễn Văn Tư', ownerContact: '0901 234 567', address: '12 Hẻm 45 Trần Phú', consent: true, consentDate: '2026-11-01', sharing: 'live_recorded', position: { x: 300, y: 400 } };

function camInfo(id: string): CameraInfo | undefined {
  return sys.sfu.cameras.info().find((c) => c.id === id);
}
function recorderState(id: string): string | undefined {
  return sys.recorder!.health().cameras.find((c) => c.camera === id)?.state;
}
function rtmpUrlFor(key: string): string {
  return `rtmp://127.0.0.1:${sys.config.endpoint.rtmpPort}/live/${key}`;
}
function rtspUrlFor(key: string): string {
  return `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live/${key}`;
}
function start(url: string): Publisher {
  const p = publish(url);
  publishers.push(p);
  return p;
}

test('registry input is validated with coded errors naming the field', async () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['bad URL scheme', { ...base, source: { type: 'pull', url: 'http://192.0.2.1/cam' } }, 400, 'BAD_URL', /source\.url/],
    ['URL without host', { ...base, source: { type: 'pull', url: 'rtsp:///x' } }, 400, 'BAD_URL', /source\.url/],
    ['URL with spaces', { ...base, source: { type: 'pull', url: 'rtsp://a b/x' } }, 400, 'BAD_URL', /source\.url/],
    ['oversized URL', { ...base, source: { type: 'pull', url: `rtsp://192.0.2.1/${'a'.repeat(3000)}` } }, 400, 'FIELD_TOO_LONG', /source\.url: at most 2048/],
    ['oversized name', { ...base, name: 'x'.repeat(121), source: { type: 'push' } }, 400, 'FIELD_TOO_LONG', /name: at most 120/],
    ['oversized address', { ...base, address: 'x'.repeat(301), source: { type: 'push' } }, 400, 'FIELD_TOO_LONG', /address/],
    ['empty owner', { ...base, ownerName: '  ', source: { type: 'push' } }, 400, 'INVALID_FIELD', /ownerName/],
    ['unknown field', { ...base, source: { type: 'push' }, key: 'mine' }, 400, 'INVALID_FIELD', /unknown field\(s\) key/],
    ['bad sharing', { ...base, sharing: 'always', source: { type: 'push' } }, 400, 'INVALID_FIELD', /sharing/],
    ['bad id', { ...base, id: 'Bad Id', source: { type: 'push' } }, 400, 'INVALID_FIELD', /^id:/],
    ['map out of range', { ...base, position: { x: 2000, y: 1 }, source: { type: 'push' } }, 400, 'INVALID_FIELD', /position\.x/],
    ['bad consent date', { ...base, consentDate: '2026-13-45', source: { type: 'push' } }, 400, 'INVALID_FIELD', /consentDate/],
    ['id of a config camera', { ...base, id: 'demo-1', source: { type: 'push' } }, 409, 'CONFLICT', /^id:/],
  ];
  for (const [what, body, status, code, message] of cases) {
    const r = await api('POST', '/api/residents', body);
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.code, code, what);
    assert.match(r.json.message, message, what);
  }
  const first = await api('POST', '/api/residents', { ...base, id: 'dup-a', source: { type: 'pull', url: 'rtsp://u:pw-dup@192.0.2.7/x' } });
  assert.equal(first.status, 201);
  const dupId = await api('POST', '/api/residents', { ...base, id: 'dup-a', source: { type: 'push' } });
  assert.deepEqual([dupId.status, dupId.json.code], [409, 'CONFLICT']);
  const dupUrl = await api('POST', '/api/residents', { ...base, id: 'dup-b', source: { type: 'pull', url: 'rtsp://u:pw-dup@192.0.2.7/x' } });
  assert.deepEqual([dupUrl.status, dupUrl.json.code], [409, 'CONFLICT']);
  assert.match(dupUrl.json.message, /^url:/);
  const noConsent = await api('POST', '/api/residents', { ...base, id: 'no-consent', consent: false, consentDate: null, source: { type: 'push' } });
  secrets.push(noConsent.json.pushKey, noConsent.json.ownerLink.split('/').pop());
  const approve = await api('POST', '/api/residents/no-consent/status', { status: 'approved' });
  assert.deepEqual([approve.status, approve.json.code], [409, 'BAD_STATE']);
  const missing = await api('PATCH', '/api/residents/nobody', { name: 'x' });
  assert.deepEqual([missing.status, missing.json.code], [404, 'NOT_FOUND']);
  const badPatch = await api('PATCH', '/api/residents/dup-a', { url: 'ftp://x/y' });
  assert.deepEqual([badPatch.status, badPatch.json.code], [400, 'BAD_URL']);
  assert.equal((await api('DELETE', '/api/residents/dup-a')).status, 200);
});

test('a pushed camera: refused until approved, live on the wall and recorded once approved; wrong keys refused', async () => {
  const created = await api('POST', '/api/residents', { ...base, id: 'res-push', source: { type: 'push' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { pushKey, pushUrls, ownerLink } = created.json;
  assert.match(pushKey, /^rk_[A-Za-z0-9_-]{43}$/);
  assert.equal(pushUrls.rtmp, `rtmp://127.0.0.1:${sys.config.endpoint.rtmpPort}/live/${pushKey}`);
  assert.match(ownerLink, /^\/owner\/ro_/);
  secrets.push(pushKey, ownerLink.split('/').pop());
  const listed = JSON.stringify((await api('GET', '/api/residents')).json);
  assert.ok(!listed.includes(pushKey) && !listed.includes('rs_') && !listed.includes('rtsp:'), 'the list carries no key, stream name or URL');

  // Pending: the endpoint refuses the key, nothing on the wall.
  const early = start(rtmpUrlFor(pushKey));
  assert.notEqual(await early.exited, 0, 'a publish before approval is refused');
  assert.equal(camInfo('res-push'), undefined);

  // The wall learns about the approval over the WebSocket, without a reload.
  const ws = new WebSocket(sys.sfu.url.replace('http', 'ws') + 'ws');
  const pushed: CameraInfo[][] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'cameras') pushed.push(m.cameras);
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'hello', id: 1 }));
  await waitFor('hello answered', () => ws.readyState === WebSocket.OPEN);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await api('POST', '/api/residents/res-push/status', { status: 'approved' })).status, 200);
  const seen = await waitFor('cameras pushed with the resident camera', () => pushed.flat().find((c) => c.id === 'res-push'));
  assert.deepEqual(seen.resident, { owner: base.ownerName, sharing: 'live_recorded' });
  assert.deepEqual(seen.position, base.position);
  ws.close();

  const pub = start(rtmpUrlFor(pushKey));
  await waitFor('pushed camera live in the SFU', () => camInfo('res-push')?.streams.main.state === 'live', 30000);
  await waitFor('pushed camera recorded', () => recorderState('res-push') === 'recording', 30000);
  await waitFor('footage indexed', () => (sys.recorder!.health().cameras.find((c) => c.camera === 'res-push')?.lastFootageMs ?? 0) > 0, 30000);

  // A wrong key and the internal name are refused; the good publisher is unaffected.
  const wrong = start(rtmpUrlFor(`rk_${'A'.repeat(43)}`));
  assert.notEqual(await wrong.exited, 0, 'an unknown key is refused');
  const wrongRtsp = start(rtspUrlFor(`rk_${'B'.repeat(43)}`));
  assert.notEqual(await wrongRtsp.exited, 0, 'an unknown key over RTSP is refused');
  const notOpen = start(rtspUrlFor('somewhere'));
  assert.notEqual(await notOpen.exited, 0, 'a path no camera pulls is refused');
  assert.ok(lines.some((l) => /publish refused/.test(l) && /unknown_key/.test(l)), 'refusals are logged');
  assert.equal(pub.proc.exitCode, null, 'the valid publisher still runs');
  assert.deepEqual(sys.sfu.cameras.info().map((c) => c.id).sort(), ['demo-1', 'res-push']);
});

test('the owner pauses: shown as paused, publisher cut, not recorded; resume brings it back', async () => {
  const ownerPath = `/owner/${secrets[3]}`;
  const page = await fetch(new URL(ownerPath, sys.sfu.url));
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /data-status="approved"/);
  assert.match(html, /Tạm dừng chia sẻ/);
  assert.match(await (await fetch(new URL(`${ownerPath}?lang=en`, sys.sfu.url))).text(), /Pause sharing/);
  assert.equal((await fetch(new URL('/owner/ro_' + 'x'.repeat(43), sys.sfu.url))).status, 404);

  // The publisher that is live now (taken before the pause: the gate cuts it within residents.syncMs).
  const running = publishers.find((p) => p.proc.exitCode === null && p.proc.signalCode === null);
  assert.ok(running, 'a publisher is live before the pause');
  const pause = await fetch(new URL(ownerPath, sys.sfu.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pause', redirect: 'manual' });
  assert.equal(pause.status, 303);
  const held = camInfo('res-push')!;
  assert.deepEqual([held.streams.main.state, held.streams.main.reason], ['offline', 'paused']);
  await waitFor('recording stopped', () => recorderState('res-push') === undefined);
  await waitFor('publisher disconnected', () => running.proc.exitCode !== null || running.proc.signalCode !== null, 10000);
  const again = start(rtmpUrlFor(secrets[2]!));
  assert.notEqual(await again.exited, 0, 'a paused camera may not publish');
  assert.match(await (await fetch(new URL(ownerPath, sys.sfu.url))).text(), /data-status="paused"/);

  const resume = await fetch(new URL(ownerPath, sys.sfu.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=resume', redirect: 'manual' });
  assert.equal(resume.status, 303);
  start(rtmpUrlFor(secrets[2]!));
  await waitFor('live again', () => camInfo('res-push')?.streams.main.state === 'live', 30000);
  await waitFor('recorded again', () => recorderState('res-push') === 'recording', 30000);
});

test('rotating the key cuts the old publisher; RTSP push with the new key goes live; revoke removes it', async () => {
  const rotated = await api('POST', '/api/residents/res-push/rotate-key');
  assert.equal(rotated.status, 200);
  const newKey: string = rotated.json.pushKey;
  secrets.push(newKey);
  assert.notEqual(newKey, secrets[2]);
  await waitFor('old publishers cut', () => publishers.every((p) => p.proc.exitCode !== null || p.proc.signalCode !== null), 10000);
  const old = start(rtmpUrlFor(secrets[2]!));
  assert.notEqual(await old.exited, 0, 'the old key no longer works');
  const rtsp = start(rtspUrlFor(newKey));
  await waitFor('live over RTSP push', () => camInfo('res-push')?.streams.main.state === 'live', 30000);
  await waitFor('recorded', () => recorderState('res-push') === 'recording', 30000);

  assert.equal((await api('POST', '/api/residents/res-push/status', { status: 'revoked' })).status, 200);
  assert.equal(camInfo('res-push'), undefined, 'a revoked camera leaves the wall');
  await waitFor('revoked publisher cut', () => rtsp.proc.exitCode !== null || rtsp.proc.signalCode !== null, 10000);
  await waitFor('not recorded', () => recorderState('res-push') === undefined);
  const owner = await fetch(new URL(`/owner/${secrets[3]}`, sys.sfu.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=resume' });
  assert.equal(owner.status, 409, 'the owner cannot resume a revoked camera');
  // Every registry change is in the audit trail: by the admin, and by the owner's link.
  const actions = sys.sfu.audit.query({ camera: 'res-push', limit: 100 }).entries.map((e) => [e.action, e.detail.status ?? e.detail.by ?? null]).reverse();
  for (const want of [['resident_create', 'pending'], ['resident_status', 'approved'], ['resident_owner_pause', 'owner link'], ['resident_owner_resume', 'owner link'], ['resident_rotate_key', null], ['resident_status', 'revoked']]) {
    assert.ok(actions.some((a) => a[0] === want[0] && a[1] === want[1]), `audited ${want.join(' ')}: ${JSON.stringify(actions)}`);
  }
  assert.ok(!JSON.stringify(sys.sfu.audit.query({ limit: 1000 }).entries).includes(secrets[2]!), 'no push key in the audit trail');
});

test('a pulled camera with credentials is ingested; its URL never reaches a response or a log line', async () => {
  const url = `rtsp://viewer:pull-secret-pw@127.0.0.1:${sys.config.endpoint.rtspPort}/live/demo-1`;
  const created = await api('POST', '/api/residents', { ...base, id: 'res-pull', sharing: 'recorded_only', source: { type: 'pull', url } });
  assert.equal(created.status, 201);
  assert.equal(created.json.camera.pullHost, `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}`);
  secrets.push(created.json.ownerLink.split('/').pop());
  await api('POST', '/api/residents/res-pull/status', { status: 'approved' });
  assert.equal(camInfo('res-pull'), undefined, 'recorded only: not on the live wall');
  await waitFor('recorded only camera recorded', () => recorderState('res-pull') === 'recording', 30000);
  // Review can open it: the recorder lists it with the recorded cameras (the live list does not).
  const recordedList = (await (await fetch(new URL('/api/recorder/cameras', sys.sfu.url))).json()) as { cameras: { id: string; name: string }[] };
  assert.ok(recordedList.cameras.some((c) => c.id === 'res-pull'), JSON.stringify(recordedList));
  await api('PATCH', '/api/residents/res-pull', { sharing: 'on_request' });
  await waitFor('on request: not recorded', () => recorderState('res-pull') === undefined);

  const responses = [await api('GET', '/api/residents'), await api('GET', '/api/cameras'), await api('GET', '/api/residents/res-pull')].map((r) => JSON.stringify(r.json)).join('\n');
  for (const s of ['pull-secret-pw', ...secrets]) assert.ok(!responses.includes(s), 'no secret in API responses');
  const log = lines.join('');
  assert.ok(log.length > 10000, 'the logs were captured');
  assert.ok(/publish refused/.test(log));
  for (const s of ['pull-secret-pw', ...secrets]) assert.ok(!log.includes(s), `a secret (${s.slice(0, 3)}…) reached the logs`);
  assert.ok(!/\brs_[A-Za-z0-9_-]{32}/.test(log), 'no internal stream name in the logs');
});
