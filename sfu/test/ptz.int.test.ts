/**
 * PTZ on the real SFU with accounts, against the ONVIF responder on loopback (WS-Security checked):
 * moves, stops, presets and the dead-man's stop reach the camera; a viewer without `control` gets
 * 403 and the camera nothing; a camera without ONVIF is a coded 409; bad bodies 400; every action
 * audited; the ONVIF account never reaches a browser or a log line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, signIn, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { startOnvifResponder, type OnvifResponder } from '@wardwall/testing/onvif';

const PASSWORD = 'ptz-Secret-91';
let sys: TestSystem;
let cam: OnvifResponder;
let bad: OnvifResponder;
let admin: string;
let viewer: string;
const lines: string[] = [];

before(async () => {
  cam = await startOnvifResponder({ user: 'onvif-op', password: PASSWORD });
  bad = await startOnvifResponder({ user: 'onvif-op', password: 'another-one' });
  sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    auth: true,
    logLines: lines,
    logLevel: 'info',
    cameras: [
      { id: 'ptz-1', name: 'Ngã tư PTZ', main: '{rtsp}/demo-1', onvif: { url: cam.url, user: 'onvif-op', password: PASSWORD } },
      { id: 'ptz-bad', name: 'PTZ sai mật khẩu', main: '{rtsp}/demo-1', onvif: { url: bad.url, user: 'onvif-op', password: PASSWORD } },
    ],
  });
  admin = await sys.signIn();
  await createUser(sys, { username: 'xem', role: 'viewer' });
  viewer = await signIn(sys.url, 'xem', 'xem-password');
});

after(async () => {
  await sys?.close();
  await cam?.close();
  await bad?.close();
});

const call = async (cookie: string | null, method: string, path: string, body?: unknown) => {
  const r = await fetch(new URL(path, sys.url), {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as any };
};

test('the camera list says ptz, and never carries the ONVIF account', async () => {
  const r = await fetch(new URL('api/cameras', sys.url), { headers: { cookie: admin } });
  const text = await r.text();
  const list = JSON.parse(text).cameras as { id: string; ptz?: boolean }[];
  assert.equal(list.find((c) => c.id === 'ptz-1')?.ptz, true);
  assert.equal(list.find((c) => c.id === 'demo-1')?.ptz, undefined);
  for (const secret of [PASSWORD, 'onvif-op', String(cam.port), 'onvif/device_service']) assert.ok(!text.includes(secret), `${secret} not in /api/cameras`);
});

test('moves, stop, presets and the dead-man stop reach the camera; all audited', async () => {
  const info = await call(admin, 'GET', 'api/cameras/ptz-1/ptz');
  assert.equal(info.status, 200);
  assert.deepEqual(info.body, { available: true, control: true, presets: [{ token: '1', name: 'Cổng chính' }, { token: '2', name: 'Ngã tư' }] });
  const before = cam.commands.length;
  assert.equal((await call(admin, 'POST', 'api/cameras/ptz-1/ptz/move', { pan: 0.5, tilt: 0.25 })).status, 200);
  assert.equal((await call(admin, 'POST', 'api/cameras/ptz-1/ptz/move', { pan: 0.6, tilt: 0.25 })).status, 200);
  assert.equal((await call(admin, 'POST', 'api/cameras/ptz-1/ptz/stop', {})).status, 200);
  const got = cam.commands.slice(before).filter((c) => c.ok).map((c) => c.op);
  assert.deepEqual(got, ['ContinuousMove', 'ContinuousMove', 'Stop']);
  const mv = cam.ops('ContinuousMove').at(-1)!;
  assert.deepEqual([mv.pan, mv.tilt, mv.zoom], [0.6, 0.25, 0]);

  // A move nobody renews is stopped by the SFU (and by the camera's own ONVIF timeout).
  const stops = cam.ops('Stop').length;
  assert.equal((await call(admin, 'POST', 'api/cameras/ptz-1/ptz/move', { zoom: -0.4 })).status, 200);
  await waitFor('dead-man stop', () => cam.ops('Stop').length > stops, 5000, 50);

  const go = await call(admin, 'POST', 'api/cameras/ptz-1/ptz/preset', { preset: '2' });
  assert.deepEqual([go.status, go.body], [200, { preset: '2', name: 'Ngã tư' }]);
  assert.equal(cam.ops('GotoPreset').at(-1)!.preset, '2');
  const nope = await call(admin, 'POST', 'api/cameras/ptz-1/ptz/preset', { preset: '9' });
  assert.deepEqual([nope.status, nope.body.code], [404, 'NOT_FOUND']);

  const moves = sys.sfu.audit.query({ action: 'ptz_move', limit: 10 }).entries;
  assert.equal(moves.length, 2, 'one entry per movement, not per renewal');
  assert.equal(moves.at(-1)!.camera, 'ptz-1');
  assert.equal(moves.at(-1)!.user, 'admin');
  assert.deepEqual(moves.map((m) => m.detail.direction).sort(), ['up+right', 'zoom-out']);
  assert.equal(sys.sfu.audit.query({ action: 'ptz_stop', limit: 10 }).entries.length, 1);
  assert.deepEqual(sys.sfu.audit.query({ action: 'ptz_preset', limit: 10 }).entries.map((e) => [e.detail.preset, e.detail.name]), [['2', 'Ngã tư']]);
});

test('without the control right: 403, and the camera gets nothing', async () => {
  const before = cam.commands.length;
  const info = await call(viewer, 'GET', 'api/cameras/ptz-1/ptz');
  assert.equal(info.status, 200);
  assert.equal(info.body.control, false);
  for (const [path, body] of [['move', { pan: 1 }], ['stop', {}], ['preset', { preset: '1' }]] as const) {
    const r = await call(viewer, 'POST', `api/cameras/ptz-1/ptz/${path}`, body);
    assert.deepEqual([r.status, r.body.code], [403, 'FORBIDDEN'], path);
  }
  const anon = await call(null, 'POST', 'api/cameras/ptz-1/ptz/move', { pan: 1 });
  assert.deepEqual([anon.status, anon.body.code], [401, 'UNAUTHENTICATED']);
  assert.equal(cam.commands.slice(before).filter((c) => c.op !== 'GetPresets').length, 0);
});

test('coded refusals: no ONVIF, unknown camera, bad bodies, a camera refusing the account (no secret in the logs)', async () => {
  const none = await call(admin, 'POST', 'api/cameras/demo-1/ptz/move', { pan: 1 });
  assert.deepEqual([none.status, none.body.code], [409, 'PTZ_UNAVAILABLE']);
  assert.deepEqual((await call(admin, 'GET', 'api/cameras/demo-1/ptz')).body, { available: false, presets: [], control: true });
  const unknown = await call(admin, 'POST', 'api/cameras/nope/ptz/move', { pan: 1 });
  assert.ok([403, 404].includes(unknown.status), String(unknown.status));
  for (const body of [{ pan: 5 }, { pan: 'x' }, { spin: 1 }]) {
    const r = await call(admin, 'POST', 'api/cameras/ptz-1/ptz/move', body);
    assert.deepEqual([r.status, r.body.code], [400, 'BAD_REQUEST'], JSON.stringify(body));
  }
  assert.equal((await call(admin, 'POST', 'api/cameras/ptz-1/ptz/preset', { preset: '<x>' })).status, 400);
  const refused = await call(admin, 'POST', 'api/cameras/ptz-bad/ptz/move', { pan: 1 });
  assert.deepEqual([refused.status, refused.body.code], [502, 'PTZ_FAILED']);
  assert.ok(bad.commands.some((c) => !c.ok && c.reason === 'wrong password digest'));
  const logs = lines.join('\n');
  assert.match(logs, /PTZ command failed/);
  assert.ok(!logs.includes(PASSWORD), 'the ONVIF password is in no log line');
});
