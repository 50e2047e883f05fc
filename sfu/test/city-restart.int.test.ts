/**
 * Restarts in the city (docs/city.md "Restarts"), on loopback: a real NATS hub and ward leaf, a
 * ward SFU and a centre SFU. (1) The ward's SFU restarts while a central viewer watches one of its
 * cameras: the new instance id in the ward's record makes the centre drop that ward's pipes (the
 * viewer's consumer closes, pushed, so its tile consumes again), and a new consume works. (2) A
 * centre node announces a new instance (what a restarted centre SFU does): the ward drops the pipes
 * the old instance opened and tells the centre, whose viewer's consumer closes. Times printed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@wardwall/common';
import { CENTRE_HEARTBEAT_SUBJECT, encodeJson, newInstanceId, type CentreHeartbeat } from '@wardwall/city';
import { startCity, type TestCity } from '@wardwall/testing/city';
import { startTestSystem, waitFor, wsClient, type TestSignaling, type TestSystem, type TestSystemOptions } from '@wardwall/testing/system';

const WARD = 'w1';
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

type Consumed = { ok: boolean; data?: { consumerId: string; producerId: string }; error?: { code: string } };

async function viewer(sys: TestSystem): Promise<{ ws: TestSignaling; consume(cameraId: string): Promise<Consumed> }> {
  const ws = await wsClient(sys.url);
  sockets.push(ws);
  const hello = (await ws.request({ type: 'hello' })) as Extract<ServerMessage, { ok: true }>;
  const caps = (hello.data as { routerRtpCapabilities: Record<string, unknown> }).routerRtpCapabilities;
  return {
    ws,
    async consume(cameraId) {
      const t = (await ws.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
      return (await ws.request({ type: 'consume', transportId: (t.data as { transportId: string }).transportId, cameraId, stream: 'main', rtpCapabilities: caps })) as Consumed;
    },
  };
}

const closedPush = (ws: TestSignaling, consumerId: string) => ws.pushes.some((p) => p.type === 'consumerClosed' && p.consumerId === consumerId);

test('city restarts: a ward SFU restart drops the centre\'s pipes; a centre instance change drops the ward\'s', { timeout: 240_000 }, async () => {
  city = await startCity([WARD]);
  const w = city.wards.get(WARD)!;
  const secrets = mkdtempSync(join(tmpdir(), 'wardwall-city-restart-'));
  const file = (name: string, pw: string) => {
    writeFileSync(join(secrets, name), `${pw}\n`, { mode: 0o600 });
    return join(secrets, name);
  };
  const centrePassword = file('centre', city.centreUser.password);
  const wardPassword = file('ward', w.local.password);
  centre = await startTestSystem({
    workers: 1,
    patch: (raw) => {
      raw.demo = { enabled: false };
      raw.city = { role: 'centre', nats: { url: `nats://127.0.0.1:${city!.hubClientPort}`, user: city!.centreUser.user, passwordFile: centrePassword }, lingerMs: 1000 };
    },
  });
  const wardOptions: TestSystemOptions = {
    demoCount: 1,
    withSub: 0,
    workers: 1,
    patch: (raw) => {
      raw.city = { role: 'ward', ward: { id: WARD, name: 'Phường 1' }, nats: { url: `nats://127.0.0.1:${w.clientPort}`, user: w.local.user, passwordFile: wardPassword } };
    },
  };
  ward = await startTestSystem(wardOptions);
  const link = centre.sfu.city.centre!;
  const live = () => {
    const x = link.wards(null).find((v) => v.ward === WARD);
    return !!x && x.online && x.cameras.length === 1 && x.cameras[0]!.state === 'live';
  };
  await waitFor('the ward camera live at the centre', live, 60_000);
  const firstInstance = ward.sfu.city.ward!.instance;
  assert.match(firstInstance, /^[A-Za-z0-9_-]{16}$/);

  // (1) The ward's SFU restarts under a central viewer.
  const v = await viewer(centre);
  const first = await v.consume(`${WARD}/demo-1`);
  assert.equal(first.ok, true, JSON.stringify(first));
  assert.equal(link.pipeCount(), 1);
  await ward.close();
  const restarted = Date.now();
  ward = await startTestSystem(wardOptions);
  assert.notEqual(ward.sfu.city.ward!.instance, firstInstance, 'a new instance id at each start');
  await waitFor('the centre dropping the restarted ward\'s pipe', () => link.pipeCount() === 0, 30_000, 50);
  await waitFor('the viewer told its consumer closed', () => closedPush(v.ws, first.data!.consumerId), 10_000, 50);
  console.log(`[city-restart] ward SFU restarted → centre pipe dropped, viewer told, ${Date.now() - restarted} ms after the old SFU closed (includes the new SFU's start)`);
  await waitFor('the restarted ward camera live at the centre', live, 60_000);
  const again = await v.consume(`${WARD}/demo-1`);
  assert.equal(again.ok, true, JSON.stringify(again));
  assert.equal(ward.sfu.city.ward!.pipes.size, 1, 'a new pipe at the restarted ward');
  assert.notEqual(again.data!.producerId, first.data!.producerId, 'the new ward producer');

  // (2) The centre's node announces another instance (a restarted centre SFU does): the ward drops
  // the pipes of the old instance and tells the centre, whose viewer's consumer closes.
  const node = `${hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100)}:${centre.config.sfu.port}`;
  await waitFor('the ward hearing the centre\'s heartbeat', () => ward!.sfu.city.ward!.centre.instances().get(node) === link.instance, 10_000, 50);
  const nc = await city.connectCentre();
  const hb: CentreHeartbeat = { instance: newInstanceId(), node, at: Date.now(), heartbeatMs: 1000 };
  const announced = Date.now();
  nc.publish(CENTRE_HEARTBEAT_SUBJECT, encodeJson(hb));
  await nc.flush();
  await waitFor('the ward dropping the old centre instance\'s pipe', () => ward!.sfu.city.ward!.pipes.size === 0, 10_000, 20);
  await waitFor('the centre half closed (the ward told it)', () => link.pipeCount() === 0, 10_000, 20);
  await waitFor('the viewer told its consumer closed', () => closedPush(v.ws, again.data!.consumerId), 10_000, 20);
  console.log(`[city-restart] centre instance changed → ward pipe dropped and the centre's half closed: ${Date.now() - announced} ms`);
  await nc.close();
  // A pipe opened by the live centre instance afterwards stays (its heartbeats keep it alive).
  const third = await v.consume(`${WARD}/demo-1`);
  assert.equal(third.ok, true, JSON.stringify(third));
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(ward.sfu.city.ward!.pipes.size, 1, 'the live instance\'s pipe is kept');
});
