/**
 * The health reference survives a restart, and an operator can accept a camera's new view, on the
 * real pipeline (synthetic ffmpeg camera → embedded RTSP endpoint → GStreamer → mediasoup) with
 * access control on: the camera learns its reference (saved in the SFU's SQLite); the SFU restarts
 * on the same data folder while the camera shows another scene, and "moved" is raised from the
 * saved reference instead of the new scene being learned as normal. Re-learning is refused without
 * a session (401), without the 'control' right or without the camera (403), for an unknown camera
 * (404) and with a bad body (400); an operator's re-learn closes the moved alert (pushed), is
 * audited, and after learning the new view no alert opens. With health checks off it is a coded 409.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import { FaultCamera } from '@wardwall/endpoint/demo';
import { createUser, startTestSystem, waitFor, wsClient, type TestSystem, type WsClient } from '@wardwall/testing/system';

const dir = mkdtempSync(join(tmpdir(), 'wardwall-sfu-'));
const log = createLogger('test', 'warn');
let sys: TestSystem | null = null;
let cam: FaultCamera | null = null;
let ws: WsClient | null = null;
let learnedAt = 0;
// Same endpoint ports on every restart: the stored camera list keeps the first start's URL of 'faulty'.
let ports: { rtspPort: number; rtmpPort: number; httpPort: number } | null = null;

async function start(health: Record<string, unknown> = {}): Promise<TestSystem> {
  await stop(); // a test that failed half-way left its system running
  ports ??= { rtspPort: await freeTcpPort(), rtmpPort: await freeTcpPort(), httpPort: await freeTcpPort() };
  const s = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, auth: true, sfuDataDir: dir, endpointPorts: ports, cameras: [{ id: 'faulty', name: 'Faulty', main: '{rtsp}/faulty' }], health: { settleMs: 4000, ...health } });
  sys = s;
  cam = new FaultCamera(FaultCamera.spec('faulty', s.embedded.publishUrl('faulty')), log);
  return s;
}

async function stop(): Promise<void> {
  ws?.ws.close();
  ws = null;
  await cam?.stop();
  cam = null;
  await sys?.close();
  sys = null;
}

after(stop);

const unclosed = (s: TestSystem, kind: string) => s.sfu.health.store.unclosed().find((a) => a.cameraId === 'faulty' && a.kind === kind);

async function relearn(s: TestSystem, cameraId: string, cookie?: string, body = '{}', type = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${s.url}api/cameras/${encodeURIComponent(cameraId)}/health/relearn`, { method: 'POST', headers: { 'content-type': type, ...(cookie ? { cookie } : {}) }, body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test('a camera learns its reference while healthy; it is saved in the SFU database', async () => {
  const s = await start();
  cam!.start();
  await waitFor('reference learned', () => s.sfu.health.monitor!.learned('faulty'), 60000, 200);
  const saved = s.sfu.health.references.load('faulty');
  assert.ok(saved, 'saved when learned');
  assert.equal(saved.luma.length, saved.width * saved.height);
  learnedAt = saved.learnedAt;
  assert.deepEqual(s.sfu.health.store.unclosed(), []);
  // viewer: live only (no 'control'); op: an operator; blind: an operator without the camera.
  await createUser(s, { username: 'viewer', role: 'viewer' });
  await createUser(s, { username: 'op', role: 'operator' });
  await createUser(s, { username: 'blind', role: 'operator', cameraRules: [{ camera: 'faulty', permissions: [] }] });
  await stop();
});

test('restarted while the camera shows another scene: "moved" from the saved reference, not learned as normal', async () => {
  const s = await start();
  cam!.setScene('moved'); // re-aimed while the SFU was down
  cam!.start();
  const moved = await waitFor('moved alert', () => unclosed(s, 'moved'), 40000, 200);
  assert.equal(moved.state, 'open');
  assert.ok(s.sfu.health.monitor!.learned('faulty'));
  assert.equal(s.sfu.health.references.load('faulty')!.learnedAt, learnedAt, 'the saved reference was used, not replaced');
});

test('relearn: refused without a session, without control or the camera, for unknown cameras and bad bodies', async () => {
  const s = sys!;
  const open = unclosed(s, 'moved')!;
  const anon = await relearn(s, 'faulty');
  assert.deepEqual([anon.status, anon.body.code], [401, 'UNAUTHENTICATED']);
  const viewer = await relearn(s, 'faulty', await s.signIn('viewer', 'viewer-password'));
  assert.deepEqual([viewer.status, viewer.body.code], [403, 'FORBIDDEN'], 'live on the camera is not enough');
  assert.match(String(viewer.body.message), /control/);
  const blind = await relearn(s, 'faulty', await s.signIn('blind', 'blind-password'));
  assert.deepEqual([blind.status, blind.body.code], [403, 'FORBIDDEN'], 'control without the camera is not enough');
  const op = await s.signIn('op', 'op-password');
  const unknown = await relearn(s, 'no-such-camera', op);
  assert.deepEqual([unknown.status, unknown.body.code], [404, 'UNKNOWN_CAMERA']);
  const extra = await relearn(s, 'faulty', op, '{"force":true}');
  assert.equal(extra.status, 400);
  assert.match(String(extra.body.message), /^force:/);
  const form = await relearn(s, 'faulty', op, 'x=1', 'application/x-www-form-urlencoded');
  assert.equal(form.status, 415, 'a cross-site form cannot post it');
  assert.equal(s.sfu.health.store.get(open.id)!.state, 'open', 'nothing was re-learned');
  assert.equal(s.sfu.audit.query({ action: 'health_relearn', limit: 10 }).entries.length, 0);
});

test('relearn by an operator closes the moved alert (pushed), is audited, and the new view raises nothing', async () => {
  const s = sys!;
  const open = unclosed(s, 'moved')!;
  const op = await s.signIn('op', 'op-password');
  ws = await wsClient(s.url, op);
  await ws.request({ type: 'hello' }); // pushes go to greeted sessions
  const before = Date.now();
  const r = await relearn(s, 'faulty', op);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { cameraId: 'faulty', closed: ['moved'] });
  const closed = s.sfu.health.store.get(open.id)!;
  assert.equal(closed.state, 'closed');
  assert.ok(closed.closedAt! >= before);
  assert.equal(s.sfu.health.references.load('faulty'), null, 'the saved reference is forgotten at once');
  await waitFor('closure pushed', () => ws!.pushes.some((m: ServerMessage) => m.type === 'alert' && m.alert.id === open.id && m.alert.state === 'closed'), 5000);
  const audit = s.sfu.audit.query({ action: 'health_relearn', limit: 10 }).entries;
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.user, 'op');
  assert.equal(audit[0]!.camera, 'faulty');

  await waitFor('new view learned', () => s.sfu.health.monitor!.learned('faulty'), 60000, 200);
  const saved = s.sfu.health.references.load('faulty');
  assert.ok(saved && saved.learnedAt > learnedAt, 'the new reference is saved');
  // Several keyframes of the (now accepted) scene: a moved alert would open within two.
  await new Promise((r) => setTimeout(r, 6000));
  assert.deepEqual(s.sfu.health.store.unclosed().filter((a) => a.cameraId === 'faulty'), [], 'no alert on the accepted view');
  await stop();
});

test('with health checks switched off, relearn is a coded error and the saved reference stays', async () => {
  const s = await start({ enabled: false });
  const r = await relearn(s, 'faulty', await s.signIn());
  assert.deepEqual([r.status, r.body.code], [409, 'HEALTH_DISABLED']);
  assert.match(String(r.body.message), /enabled/);
  assert.ok(s.sfu.health.references.load('faulty'), 'kept for when the checks are switched on again');
  await stop();
});
