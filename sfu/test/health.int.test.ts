/**
 * Camera health on the real pipeline: a synthetic camera (ffmpeg publishing to the embedded RTSP
 * endpoint, ingested by GStreamer, produced in mediasoup) is turned black, covered, frozen, moved,
 * defocused and unplugged; each raises its alert (pushed over signaling, kept in SQLite) and the
 * alert closes when the picture is restored. A healthy demo camera next to it raises nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { HealthAlert, HealthKind, ServerMessage } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { FaultCamera, type FaultScene } from '@wardwall/endpoint/demo';

let sys: TestSystem;
let cam: FaultCamera;
let ws: WebSocket;
const pushes: HealthAlert[] = [];
const waiting = new Map<number, (m: ServerMessage) => void>();
let nextId = 1;

function request(m: Record<string, unknown>): Promise<Extract<ServerMessage, { type: 'response' }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve as (m: ServerMessage) => void);
    ws.send(JSON.stringify({ id, ...m }));
  });
}

before(async () => {
  // A small storm threshold and window so a second unplug is a storm that also ages out in the test.
  sys = await startTestSystem({ demoCount: 1, withSub: 0, cameras: [{ id: 'faulty', name: 'Faulty', main: '{rtsp}/faulty' }], health: { stormReconnects: 2, stormWindowMs: 25000 } });
  cam = new FaultCamera(FaultCamera.spec('faulty', sys.embedded.publishUrl('faulty')), createLogger('test', 'warn'));
  cam.start();
  ws = new WebSocket(`${sys.sfu.url.replace('http', 'ws')}ws`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    if (m.type === 'response' && m.id !== null) waiting.get(m.id)?.(m);
    else if (m.type === 'alert') pushes.push(m.alert);
  });
  assert.equal((await request({ type: 'hello' })).ok, true);
});

after(async () => {
  ws?.close();
  await cam?.stop();
  await sys?.close();
});

const unclosed = (kind: HealthKind) => sys.sfu.health.store.unclosed().find((a) => a.cameraId === 'faulty' && a.kind === kind);
const pushed = (id: number, state: HealthAlert['state']) => pushes.find((p) => p.id === id && p.state === state);

async function faultAndRecover(scene: FaultScene, kind: HealthKind): Promise<void> {
  cam.setScene(scene);
  const open = await waitFor(`${kind} alert`, () => unclosed(kind), 30000);
  assert.equal(open.state, 'open');
  assert.ok(Object.keys(open.detail).length > 0, 'the alert keeps the measures');
  await waitFor(`${kind} alert pushed`, () => pushed(open.id, 'open'), 5000);
  cam.setScene('normal');
  await waitFor(`${kind} alert closed`, () => !unclosed(kind), 30000);
  const closed = sys.sfu.health.store.get(open.id)!;
  assert.equal(closed.state, 'closed');
  assert.ok(closed.closedAt! >= closed.openedAt);
  await waitFor(`${kind} closure pushed`, () => pushed(open.id, 'closed'), 5000);
}

test('the synthetic camera learns its reference while healthy and raises nothing', async () => {
  await waitFor('reference learned', () => sys.sfu.health.monitor!.learned('faulty'), 60000, 200);
  assert.deepEqual(sys.sfu.health.store.unclosed(), []);
});

test('black picture raises "black" and clears when restored', () => faultAndRecover('black', 'black'));
test('near-uniform picture raises "covered" and clears', () => faultAndRecover('covered', 'covered'));
test('looped still raises "frozen" and clears', () => faultAndRecover('frozen', 'frozen'));
test('another scene raises "moved" and clears', () => faultAndRecover('moved', 'moved'));
test('blurred picture raises "defocused" and clears', () => faultAndRecover('defocused', 'defocused'));

test('unplugged raises "offline"; acknowledged over signaling (who, when, once); clears when plugged in', async () => {
  await cam.stop();
  const open = await waitFor('offline alert', () => unclosed('offline'), 30000);
  const ack = await request({ type: 'alertAck', alertId: open.id });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  const acked = (ack as { data: { alert: HealthAlert } }).data.alert;
  assert.equal(acked.state, 'acknowledged');
  assert.equal(acked.ackedBy, 'local');
  assert.ok(acked.ackedAt! >= open.openedAt);
  await waitFor('acknowledgement pushed', () => pushed(open.id, 'acknowledged'), 5000);
  const again = await request({ type: 'alertAck', alertId: open.id });
  assert.equal(again.ok, false);
  assert.equal((again as { error: { code: string } }).error.code, 'CONFLICT');
  const unknown = await request({ type: 'alertAck', alertId: 987654 });
  assert.equal((unknown as { error: { code: string } }).error.code, 'NOT_FOUND');
  const bad = await request({ type: 'alertAck', alertId: 'x' });
  assert.match((bad as { error: { code: string; message: string } }).error.message, /alertId/);
  const list = (await request({ type: 'alertsList' })) as { data: { alerts: HealthAlert[] } };
  assert.ok(list.data.alerts.some((a) => a.id === open.id && a.state === 'acknowledged'));

  cam.start();
  await waitFor('offline alert closed', () => !unclosed('offline'), 30000);
  const closed = sys.sfu.health.store.get(open.id)!;
  assert.equal(closed.state, 'closed');
  assert.equal(closed.ackedBy, 'local', 'who acknowledged stays in the history');
});

test('unplugged again soon after: "reconnect_storm" as well, closed when the drops age out of the window', async () => {
  await cam.stop();
  const storm = await waitFor('storm alert', () => unclosed('reconnect_storm'), 30000);
  assert.equal(storm.detail.drops, 2);
  cam.start();
  await waitFor('offline alert closed', () => !unclosed('offline'), 30000);
  await waitFor('storm alert closed', () => !unclosed('reconnect_storm'), 40000, 200);
});

test('history over signaling and REST; errors name the field; the healthy camera raised nothing', async () => {
  const hist = (await request({ type: 'alertHistory', cameraId: 'faulty' })) as { data: { alerts: HealthAlert[] } };
  const kinds = new Set(hist.data.alerts.map((a) => a.kind));
  for (const k of ['black', 'covered', 'frozen', 'moved', 'defocused', 'offline', 'reconnect_storm'] as const) assert.ok(kinds.has(k), `history has ${k}`);
  const unknownCam = await request({ type: 'alertHistory', cameraId: 'nope' });
  assert.equal((unknownCam as { error: { code: string } }).error.code, 'UNKNOWN_CAMERA');

  const rest = (await (await fetch(`${sys.sfu.url}api/cameras/faulty/alerts?limit=100`)).json()) as { alerts: HealthAlert[] };
  assert.equal(rest.alerts.length, hist.data.alerts.length);
  const badQuery = await fetch(`${sys.sfu.url}api/cameras/faulty/alerts?from=yesterday`);
  assert.equal(badQuery.status, 400);
  assert.match(((await badQuery.json()) as { message: string }).message, /^from:/);
  const closedOne = rest.alerts.find((a) => a.state === 'closed')!;
  const ackClosed = await fetch(`${sys.sfu.url}api/alerts/${closedOne.id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(ackClosed.status, 409);
  const notJson = await fetch(`${sys.sfu.url}api/alerts/${closedOne.id}/ack`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(notJson.status, 415);

  const demo = (await (await fetch(`${sys.sfu.url}api/cameras/demo-1/alerts`)).json()) as { alerts: HealthAlert[] };
  assert.deepEqual(demo.alerts, [], 'no false alarm on the healthy moving demo camera');
});
