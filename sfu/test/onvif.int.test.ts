/**
 * ONVIF discovery with the real SFU (GStreamer ingest, mediasoup) and the loopback ONVIF responder
 * (testing/onvif/responder.ts): the admin API discovers the responder by a unicast WS-Discovery
 * probe (multicast may not route on loopback), reads its media profiles with a wrong and the right
 * password, and adds the camera from the suggested main and sub profiles; the new camera, whose
 * stream URIs point at demo cameras of the embedded endpoint, goes live. The ONVIF password never
 * appears in a reply, a log line or the audit trail; only administrators may do any of it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnvifResponder, type OnvifResponder } from '@wardwall/testing/onvif';
import { createUser, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

const PASSWORD = 'Onvif-Secr3t-9xq';
let sys: TestSystem;
let cam: OnvifResponder;
let admin: string;
const lines: string[] = [];
const replies: string[] = [];

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, auth: true, logLines: lines, logLevel: 'info' });
  const rtsp = `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live`;
  cam = await startOnvifResponder({ user: 'onvif-admin', password: PASSWORD, noPtz: true, streams: { main: `${rtsp}/demo-1`, sub: `${rtsp}/demo-2` }, discovery: { name: 'Cổng chính', hardware: 'WW-ONVIF', location: 'phuong/5' } });
  admin = await sys.signIn();
});
after(async () => {
  await cam?.close();
  await sys?.close();
});

async function call(method: string, path: string, body?: unknown, cookie = admin): Promise<{ status: number; body: any }> {
  const r = await fetch(`${sys.url}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  replies.push(text);
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

test('discover, read profiles (wrong then right password), Add: the camera goes live; no password leaks', async () => {
  const rtspHost = `127.0.0.1:${sys.config.endpoint.rtspPort}`;
  const target = { host: '127.0.0.1', port: cam.discoveryPort };

  // Discover by unicast.
  const found = await call('POST', 'api/admin/onvif/discover', { multicast: false, targets: [target], waitMs: 1500 });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.deepEqual(found.body.devices, [{ endpoint: cam.endpoint, xaddrs: [cam.url], types: ['dn:NetworkVideoTransmitter', 'tds:Device'], from: '127.0.0.1', name: 'Cổng chính', hardware: 'WW-ONVIF', location: 'phuong/5' }]);
  assert.ok(cam.discoveryStats.answered >= 1);

  // Refusals: not an admin, bad fields.
  await createUser(sys, { username: 'duty', role: 'operator' });
  const duty = await sys.signIn('duty', 'duty-password');
  assert.equal((await call('POST', 'api/admin/onvif/discover', { multicast: false, targets: [target], waitMs: 500 }, duty)).status, 403);
  assert.equal((await call('POST', 'api/admin/onvif/profiles', { xaddr: cam.url, username: 'onvif-admin', password: PASSWORD }, duty)).status, 403);
  assert.equal((await call('POST', 'api/admin/onvif/discover', { targets: [{ host: 'camera.example' }] })).body.code, 'INVALID_FIELD');
  assert.equal((await call('POST', 'api/admin/onvif/discover', { waitMs: 60_000 })).body.code, 'INVALID_FIELD');
  assert.equal((await call('POST', 'api/admin/onvif/profiles', { xaddr: 'file:///etc/passwd', username: 'a', password: 'b' })).body.code, 'INVALID_FIELD');

  // Wrong password: the device's fault, coded.
  const wrong = await call('POST', 'api/admin/onvif/profiles', { xaddr: cam.url, username: 'onvif-admin', password: 'not-it' });
  assert.deepEqual([wrong.status, wrong.body.code], [502, 'ONVIF_AUTH']);
  const gone = await call('POST', 'api/admin/onvif/profiles', { xaddr: 'http://127.0.0.1:1/onvif/device_service', username: 'onvif-admin', password: 'x' });
  assert.deepEqual([gone.status, gone.body.code], [502, 'ONVIF_UNREACHABLE']);

  // Right password: profiles with encodings, sizes, rates and masked URIs; a suggestion; a grant.
  const read = await call('POST', 'api/admin/onvif/profiles', { xaddr: cam.url, username: 'onvif-admin', password: PASSWORD });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.deepEqual(
    read.body.profiles.map((p: any) => [p.token, p.encoding, p.width, p.height, p.fps, p.uri]),
    [
      ['prof-sub', 'H264', 640, 360, 15, `rtsp://onvif-admin:***@${rtspHost}/live/demo-2`],
      ['prof-main', 'H264', 1920, 1080, 25, `rtsp://onvif-admin:***@${rtspHost}/live/demo-1`],
      ['prof-jpeg', 'JPEG', 640, 480, 5, 'rtsp://onvif-admin:***@127.0.0.1:554/prof-jpeg'],
    ],
  );
  assert.deepEqual(read.body.suggested, { main: 'prof-main', sub: 'prof-sub' });
  assert.match(read.body.grant, /^og_/);
  assert.ok(cam.ops('GetStreamUri').length >= 3);

  // Add: another user's or an unknown grant, an unknown profile are refused.
  const grant = read.body.grant as string;
  assert.equal((await call('POST', 'api/admin/onvif/add', { grant, name: 'Cổng chính', main: 'prof-main' }, duty)).status, 403);
  assert.deepEqual([(await call('POST', 'api/admin/onvif/add', { grant: 'og_nope', name: 'X', main: 'prof-main' })).body.code], ['ONVIF_EXPIRED']);
  assert.equal((await call('POST', 'api/admin/onvif/add', { grant, name: 'X', main: 'prof-none' })).body.code, 'INVALID_FIELD');
  const added = await call('POST', 'api/admin/onvif/add', { grant, name: 'Cổng chính', main: read.body.suggested.main, sub: read.body.suggested.sub });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.body.camera.id, 'cong-chinh');
  assert.equal(added.body.camera.main, `rtsp://onvif-admin:***@${rtspHost}/live/demo-1`);
  assert.equal(added.body.camera.sub, `rtsp://onvif-admin:***@${rtspHost}/live/demo-2`);
  assert.equal((await call('POST', 'api/admin/onvif/add', { grant, name: 'Again', main: 'prof-main' })).body.code, 'ONVIF_EXPIRED', 'a grant is used up by its Add');

  // Stored with the real account; live; listed.
  const row = sys.sfu.db.prepare('SELECT main, sub FROM station_cameras WHERE id = ?').get('cong-chinh') as { main: string; sub: string };
  assert.equal(row.main, `rtsp://onvif-admin:${PASSWORD}@${rtspHost}/live/demo-1`);
  assert.equal(row.sub, `rtsp://onvif-admin:${PASSWORD}@${rtspHost}/live/demo-2`);
  await waitFor('cong-chinh live', () => sys.sfu.cameras.info().find((c) => c.id === 'cong-chinh')?.streams.main.state === 'live', 30000);
  const list = await call('GET', 'api/admin/cameras');
  assert.ok(list.body.cameras.some((c: { id: string; source: string }) => c.id === 'cong-chinh' && c.source === 'station'));

  // Audited; the password nowhere.
  const entries = sys.sfu.audit.query({ limit: 50 }).entries;
  assert.ok(entries.some((e) => e.action === 'camera_add' && e.camera === 'cong-chinh'));
  assert.ok(!JSON.stringify(entries).includes(PASSWORD), 'not in the audit trail');
  assert.equal(replies.filter((r) => r.includes(PASSWORD)).length, 0, 'no API reply carries the password');
  assert.ok(lines.some((l) => l.includes('ONVIF profiles read')), 'the reads were logged');
  assert.deepEqual(lines.filter((l) => l.includes(PASSWORD)), [], 'no log line carries the password');
});

test('a PTZ camera added by ONVIF steers at once with the account that read it; a fixed one has no PTZ', async () => {
  // The fixed camera added above: no PTZ.
  assert.equal((await call('GET', 'api/cameras/cong-chinh/ptz')).body.available, false);
  assert.equal((await call('POST', 'api/cameras/cong-chinh/ptz/move', { pan: 0.5 })).body.code, 'PTZ_UNAVAILABLE');

  const rtsp = `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live`;
  const ptzCam = await startOnvifResponder({ user: 'onvif-ptz', password: PASSWORD, streams: { main: `${rtsp}/demo-2` } });
  try {
    const read = await call('POST', 'api/admin/onvif/profiles', { xaddr: ptzCam.url, username: 'onvif-ptz', password: PASSWORD });
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.ok(read.body.profiles.some((p: { ptz: boolean }) => p.ptz), 'a profile can be steered');
    const added = await call('POST', 'api/admin/onvif/add', { grant: read.body.grant, name: 'Ngã ba quay', main: read.body.suggested.main });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const id = added.body.camera.id as string;
    assert.equal(added.body.camera.ptz, true);
    // No restart: PTZ answers for the new camera, and a move reaches the device with its account.
    const ptz = await call('GET', `api/cameras/${id}/ptz`);
    assert.equal(ptz.body.available, true, JSON.stringify(ptz.body));
    const moved = await call('POST', `api/cameras/${id}/ptz/move`, { pan: 0.5 });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await call('POST', `api/cameras/${id}/ptz/stop`, {});
    const moves = ptzCam.ops('ContinuousMove');
    assert.equal(moves.length, 1);
    assert.deepEqual([moves[0]!.ok, moves[0]!.user, moves[0]!.pan], [true, 'onvif-ptz', 0.5]);
    // The account is kept server-side only; audited as a PTZ camera.
    const listed = await call('GET', 'api/admin/cameras');
    assert.ok(!JSON.stringify(listed.body).includes(PASSWORD));
    assert.ok(sys.sfu.audit.query({ limit: 50 }).entries.some((e) => e.action === 'camera_add' && e.camera === id && (e.detail as { ptz?: boolean }).ptz === true));
    // Removed in the admin page: its PTZ goes with it.
    assert.equal((await call('DELETE', `api/admin/cameras/${id}`)).status, 200);
    assert.equal((await call('GET', `api/cameras/${id}/ptz`)).status, 404);
  } finally {
    await ptzCam.close();
  }
  assert.deepEqual(lines.filter((l) => l.includes(PASSWORD)), [], 'no log line carries the password');
  assert.equal(replies.filter((r) => r.includes(PASSWORD)).length, 0, 'no API reply carries the password');
});
