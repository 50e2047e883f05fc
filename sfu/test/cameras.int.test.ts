/**
 * Cameras managed live, with the real SFU (GStreamer ingest, mediasoup), the real recorder and the
 * embedded endpoint's demo cameras: a camera is tested, added, renamed, re-pointed, disabled and
 * removed through the admin API; each change restarts only that camera's ingest and recording,
 * while another camera's consumer keeps receiving RTP from the same producer. No reply and no log
 * line carries the camera's password; every change is in the audit trail.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createUser, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

const PASSWORD = 'Qz7-station-Secr3t';
let sys: TestSystem;
let admin: string;
const lines: string[] = [];
const replies: string[] = [];

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 0, recorder: true, auth: true, logLines: lines, logLevel: 'info', cameras: [{ id: 'gate', name: 'Gate', main: '{rtsp}/demo-1' }] });
  admin = await sys.signIn();
});
after(async () => {
  await sys?.close();
});

async function call(method: string, path: string, body?: unknown, cookie = admin): Promise<{ status: number; body: any }> {
  const r = await fetch(`${sys.url}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  replies.push(text);
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** A consumer of `cameraId`'s main stream on another worker's router, counting RTP packets until stopped. */
async function keepConsuming(cameraId: string) {
  const stream = sys.sfu.cameras.stream(cameraId, 'main')!;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let packets = 0;
  sock.on('message', () => packets++);
  const other = sys.sfu.pool.slot((stream.slot.index + 1) % sys.sfu.pool.size).router;
  const producer = await stream.ensureOn(other);
  const transport = await other.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: other.rtpCapabilities, paused: true });
  await consumer.resume();
  return {
    producerId: producer.id,
    consumer,
    packets: () => packets,
    /** Waits until more packets arrived than `since` (the stream still flows). */
    flowing: (since: number) => waitFor(`${cameraId} RTP beyond ${since}`, () => packets > since + 20, 10000),
    stop() {
      transport.close();
      sock.close();
    },
  };
}

const state = (id: string) => sys.sfu.cameras.info().find((c) => c.id === id)?.streams.main.state;
const writer = (id: string) => sys.recorder!.health().cameras.find((c) => c.camera === id);

test('cameras are added, tested, edited, disabled and removed live; the other camera keeps playing', async () => {
  const rtsp = `rtsp://127.0.0.1:${sys.config.endpoint.rtspPort}/live`;
  // Seeded from the config at first start; demo cameras listed, not editable.
  const list0 = await call('GET', 'api/admin/cameras');
  assert.equal(list0.status, 200);
  assert.deepEqual(list0.body.cameras.map((c: { id: string; source: string }) => `${c.id}:${c.source}`), ['gate:station', 'demo-1:demo', 'demo-2:demo']);
  assert.equal((await call('PATCH', 'api/admin/cameras/demo-1', { name: 'x' })).body.code, 'BAD_STATE');

  await waitFor('demo-1 live', () => state('demo-1') === 'live', 30000);
  const other = await keepConsuming('demo-1');
  await other.flowing(0);

  // Test: reachable, codec, decision, snapshot.
  const url = `rtsp://station:${PASSWORD}@${rtsp.slice('rtsp://'.length)}/demo-2`;
  const t = await call('POST', 'api/admin/cameras/test', { url });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.reachable, true);
  assert.equal(t.body.authentication, 'ok');
  assert.equal(t.body.ingest.codec, 'H264');
  assert.equal(t.body.ingest.mode, 'passthrough');
  assert.equal(t.body.ingest.reason, 'browser_ready');
  assert.equal(t.body.ingest.bframes, false);
  assert.ok(t.body.ingest.width > 0 && t.body.ingest.height > 0 && t.body.ingest.fps > 0, JSON.stringify(t.body.ingest));
  assert.match(t.body.snapshot, /^data:image\/jpeg;base64,\/9j\//, 'a JPEG snapshot');
  const bad = await call('POST', 'api/admin/cameras/test', { url: `rtsp://127.0.0.1:1/none` });
  assert.equal(bad.body.reachable, false);
  assert.equal(bad.body.error, 'unreachable');

  // Refusals with codes: bad URL, unknown field, duplicate id, not an admin.
  assert.equal((await call('POST', 'api/admin/cameras', { name: 'X', main: 'http://x/y' })).body.code, 'BAD_URL');
  assert.equal((await call('POST', 'api/admin/cameras', { name: 'X', main: url, extra: 1 })).body.code, 'INVALID_FIELD');
  assert.equal((await call('POST', 'api/admin/cameras', { id: 'gate', name: 'X', main: url })).status, 409);
  await createUser(sys, { username: 'duty', role: 'operator' });
  const duty = await sys.signIn('duty', 'duty-password');
  assert.equal((await call('POST', 'api/admin/cameras', { name: 'X', main: url }, duty)).status, 403);
  assert.equal((await call('GET', 'api/admin/cameras', undefined, duty)).status, 403);

  // Add (the id from the Vietnamese name): live, recorded.
  let since = other.packets();
  const added = await call('POST', 'api/admin/cameras', { name: 'Cổng sau', main: url });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.body.camera.id, 'cong-sau');
  assert.equal(added.body.camera.main, `rtsp://station:***@${rtsp.slice('rtsp://'.length)}/demo-2`);
  await waitFor('cong-sau live', () => state('cong-sau') === 'live', 30000);
  await waitFor('cong-sau recorded', () => (writer('cong-sau')?.lastFootageMs ?? null) !== null, 40000);
  await other.flowing(since);

  // Rename: no restart of the ingest or the recording (the same stream: the relay engine has no
  // process of its own, so the stream object, not a pid, says whether the ingest restarted).
  const streamBefore = sys.sfu.cameras.stream('cong-sau', 'main')!;
  const recPids = sys.recorder!.writerPids();
  const renamed = await call('PATCH', 'api/admin/cameras/cong-sau', { name: 'Cổng sau (mới)' });
  assert.equal(renamed.body.camera.name, 'Cổng sau (mới)');
  assert.equal(sys.sfu.cameras.stream('cong-sau', 'main'), streamBefore);
  assert.equal(sys.sfu.cameras.info().find((c) => c.id === 'cong-sau')?.name, 'Cổng sau (mới)');

  // Re-point with the password mask: the stored password is kept; only this camera restarts.
  since = other.packets();
  const gateStream = sys.sfu.cameras.stream('gate', 'main')!;
  const moved = await call('PATCH', 'api/admin/cameras/cong-sau', { main: `rtsp://station:***@${rtsp.slice('rtsp://'.length)}/demo-1` });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const row = sys.sfu.db.prepare('SELECT main FROM station_cameras WHERE id = ?').get('cong-sau') as { main: string };
  assert.equal(row.main, `rtsp://station:${PASSWORD}@${rtsp.slice('rtsp://'.length)}/demo-1`, 'the stored password is kept');
  await waitFor('cong-sau live again', () => state('cong-sau') === 'live' && sys.sfu.cameras.stream('cong-sau', 'main') !== streamBefore, 30000);
  assert.equal(sys.sfu.cameras.stream('gate', 'main'), gateStream, 'the other cameras keep their ingest');
  await waitFor('recorder follows the new URL', () => {
    const now = sys.recorder!.writerPids();
    return recPids.some((p) => !now.includes(p)) && (writer('cong-sau')?.state === 'recording');
  }, 40000);
  await other.flowing(since);

  // Disable: the ingest and the recording stop; the camera stays listed in the admin page.
  since = other.packets();
  const disabled = await call('PATCH', 'api/admin/cameras/cong-sau', { enabled: false });
  assert.equal(disabled.body.camera.enabled, false);
  assert.equal(sys.sfu.cameras.has('cong-sau'), false);
  await waitFor('recorder stops cong-sau', () => writer('cong-sau') === undefined, 20000);
  await other.flowing(since);
  const reenabled = await call('PATCH', 'api/admin/cameras/cong-sau', { enabled: true });
  assert.equal(reenabled.body.camera.enabled, true);
  await waitFor('cong-sau live after enable', () => state('cong-sau') === 'live', 30000);

  // Remove.
  since = other.packets();
  assert.equal((await call('DELETE', 'api/admin/cameras/cong-sau')).status, 200);
  assert.equal(sys.sfu.cameras.has('cong-sau'), false);
  assert.equal((await call('DELETE', 'api/admin/cameras/cong-sau')).body.code, 'UNKNOWN_CAMERA');
  await waitFor('recorder drops cong-sau', () => writer('cong-sau') === undefined, 20000);
  await other.flowing(since);

  // The other camera played throughout: same producer, its consumer never closed.
  assert.equal(sys.sfu.cameras.stream('demo-1', 'main')!.producer?.id, other.producerId);
  assert.equal(other.consumer.closed, false);
  other.stop();

  // Audited, without URLs.
  const actions = sys.sfu.audit.query({ limit: 100 }).entries.filter((e) => e.action.startsWith('camera_')).map((e) => `${e.action}:${e.camera}`);
  assert.deepEqual(actions.sort(), ['camera_add:cong-sau', 'camera_disable:cong-sau', 'camera_edit:cong-sau', 'camera_edit:cong-sau', 'camera_enable:cong-sau', 'camera_remove:cong-sau'].sort());
  const trail = JSON.stringify(sys.sfu.audit.query({ limit: 100 }).entries);
  assert.ok(!trail.includes(PASSWORD) && !trail.includes('station:'), 'no URL credentials in the audit trail');

  // No reply and no log line shows the password.
  assert.ok(replies.length > 10);
  assert.equal(replies.filter((r) => r.includes(PASSWORD)).length, 0, 'no API reply carries the password');
  assert.ok(lines.some((l) => l.includes('camera list applied')), 'the changes were logged');
  assert.deepEqual(lines.filter((l) => l.includes(PASSWORD)), [], 'no log line carries the password');
});
