/**
 * City mode wired into the SFU (docs/city.md), on loopback: a real nats-server hub and one ward leaf
 * node, a ward SFU (demo cameras, `city.role: 'ward'`) on the leaf and a centre SFU (no cameras,
 * `city.role: 'centre'`) on the hub. Checks the centre's list of ward cameras (grouped by ward, live
 * state), consumption of a ward camera at the centre through the signaling `consume` (a leased pipe),
 * RTP of the piped camera at the centre (a PlainTransport consumer counting packets), ten central
 * viewers on one pipe, the pipe closed after the last viewer's linger, and the ward offline at the
 * centre while its leaf node is stopped, back after it restarts (times printed, no thresholds).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import type { ServerMessage } from '@wardwall/common';
import { passwordFile, startCity, type TestCity } from '@wardwall/testing/city';
import { createUser, startTestSystem, waitFor, wsClient, type TestSignaling, type TestSystem } from '@wardwall/testing/system';
import type { RemoteWard } from '../src/city/centre-link.js';

const WARD = 'w1';
const LINGER_MS = 1000;

let city: TestCity | null = null;
let ward: TestSystem | null = null;
let centre: TestSystem | null = null;
const clients: TestSignaling[] = [];
/** Sockets that outlive the viewers (closed at the end). */
const others: TestSignaling[] = [];

after(async () => {
  const t = Date.now();
  for (const c of [...clients, ...others]) c.ws.terminate();
  await centre?.close().catch(() => undefined);
  await ward?.close().catch(() => undefined);
  await city?.stop();
  console.log(`[city-wire] teardown: ${Date.now() - t} ms`);
});


/** The centre runs with accounts on: the wall's requests carry this session cookie (an operator). */
let cookie = '';
const connectSignaling = (url: string): Promise<TestSignaling> => wsClient(url, cookie);

async function cityCameras(sys: TestSystem, as = cookie): Promise<RemoteWard[]> {
  const r = await fetch(new URL('api/city/cameras', sys.url), { headers: { cookie: as } });
  assert.equal(r.status, 200);
  return ((await r.json()) as { wards: RemoteWard[] }).wards;
}

test('city wiring: ward cameras at the centre, a central consumer through one pipe, ward offline and back', { timeout: 240_000 }, async () => {
  city = await startCity([WARD]);
  const w = city.wards.get(WARD)!;
  const secrets = mkdtempSync(join(tmpdir(), 'wardwall-city-secrets-'));
  const centrePassword = passwordFile(secrets, 'centre', city.centreUser.password);
  const wardPassword = passwordFile(secrets, 'ward', w.local.password);
  const logLines: string[] = [];

  // The centre first: it creates the hub's buckets, which a ward only binds to.
  centre = await startTestSystem({
    workers: 1,
    auth: true,
    logLines,
    logLevel: 'info',
    patch: (raw) => {
      raw.demo = { enabled: false };
      raw.city = { role: 'centre', nats: { url: `nats://127.0.0.1:${city!.hubClientPort}`, user: city!.centreUser.user, passwordFile: centrePassword }, lingerMs: LINGER_MS };
    },
  });
  ward = await startTestSystem({
    demoCount: 2,
    withSub: 0,
    workers: 1,
    logLines,
    logLevel: 'info',
    patch: (raw) => {
      raw.city = { role: 'ward', ward: { id: WARD, name: 'Phường 1' }, nats: { url: `nats://127.0.0.1:${w.clientPort}`, user: w.local.user, passwordFile: wardPassword } };
    },
  });
  assert.ok(ward.sfu.city.ward && !ward.sfu.city.centre, 'the ward runs the ward link only');
  assert.ok(centre.sfu.city.centre && !centre.sfu.city.ward, 'the centre runs the centre link only');
  assert.equal(centre.sfu.cameras.ids().length, 0, 'the centre has no station cameras of its own');
  // Central users: an operator (live on every camera by its role) and one whose rule takes every right away.
  await createUser(centre, { username: 'op', role: 'operator' });
  await createUser(centre, { username: 'blind', role: 'operator', cameraRules: [{ camera: '*', permissions: [] }] });
  cookie = await centre.signIn('op', 'op-password');
  const blindCookie = await centre.signIn('blind', 'blind-password');

  // 1. The centre lists the ward's cameras, grouped by ward, with their live state.
  const listed = await waitFor('the ward cameras live at the centre', async () => {
    const wards = await cityCameras(centre!);
    const one = wards.find((x) => x.ward === WARD);
    return one && one.online && one.cameras.length === 2 && one.cameras.every((c) => c.state === 'live') ? wards : false;
  }, 60_000, 200);
  assert.deepEqual(listed.map((x) => x.ward), [WARD]);
  assert.equal(listed[0]!.name, 'Phường 1');
  assert.deepEqual(listed[0]!.cameras.map((c) => c.remoteId).sort(), ['w1/demo-1', 'w1/demo-2']);
  assert.ok(listed[0]!.cameras.every((c) => c.linkDown === false));
  assert.ok(!JSON.stringify(listed).includes('rtsp://'), 'no camera URL reaches the centre');
  // Access: the central user's rights apply to the remote ids.
  assert.deepEqual((await cityCameras(centre, blindCookie))[0]!.cameras, [], 'a user without rights on the cameras sees none of them');
  assert.equal((await fetch(new URL('api/city/cameras', centre.url))).status, 401, 'the list needs a session');

  // A wall at the centre gets the wards pushed over its socket when they change.
  const watcher = await connectSignaling(centre.url);
  others.push(watcher);
  await watcher.request({ type: 'hello' });
  const cityPushes = () => watcher.pushes.filter((p): p is Extract<ServerMessage, { type: 'cityWards' }> => p.type === 'cityWards');

  // 2. A central viewer consumes a ward camera through the signaling socket: the pipe opens.
  const viewer = await connectSignaling(centre.url);
  clients.push(viewer);
  const hello = (await viewer.request({ type: 'hello' })) as Extract<ServerMessage, { ok: true }>;
  const caps = (hello.data as { routerRtpCapabilities: Record<string, unknown> }).routerRtpCapabilities;
  const consumeOn = async (c: TestSignaling, cameraId: string) => {
    const t = (await c.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
    assert.equal(t.ok, true, JSON.stringify(t));
    return c.request({ type: 'consume', transportId: (t.data as { transportId: string }).transportId, cameraId, stream: 'main', rtpCapabilities: caps });
  };
  const t0 = Date.now();
  const first = (await consumeOn(viewer, 'w1/demo-1')) as { ok: boolean; data?: { producerId: string } };
  assert.equal(first.ok, true, JSON.stringify(first));
  console.log(`[city-wire] first central consume of a ward camera (pipe open through NATS): ${Date.now() - t0} ms`);
  const wardPipes = ward.sfu.city.ward!.pipes;
  assert.equal(wardPipes.size, 1, 'one pipe at the ward');
  assert.equal(centre.sfu.city.centre!.pipeCount(), 1, 'one pipe at the centre');
  const wardProducer = ward.sfu.cameras.stream('demo-1', 'main')!.producer!;
  assert.equal(first.data!.producerId, wardProducer.id, 'the piped producer keeps the ward producer id');

  // Unknown ward camera, unknown ward: coded refusals.
  const unknown = (await consumeOn(viewer, 'w1/nope')) as { ok: boolean; error?: { code: string } };
  assert.equal(unknown.error?.code, 'UNKNOWN_CAMERA');
  const unknownWard = (await consumeOn(viewer, 'w9/demo-1')) as { ok: boolean; error?: { code: string } };
  assert.equal(unknownWard.error?.code, 'UNKNOWN_CAMERA');
  const blind = await wsClient(centre.url, blindCookie);
  others.push(blind);
  await blind.request({ type: 'hello' });
  const forbidden = (await consumeOn(blind, 'w1/demo-1')) as { ok: boolean; error?: { code: string } };
  assert.equal(forbidden.error?.code, 'FORBIDDEN', 'no live right on the remote id: refused before any pipe');
  blind.ws.close();
  const t1 = (await viewer.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
  const tid = (t1.data as { transportId: string }).transportId;
  const noSub = (await viewer.request({ type: 'consume', transportId: tid, cameraId: 'w1/demo-1', stream: 'sub', rtpCapabilities: caps })) as { ok: boolean; error?: { code: string } };
  assert.equal(noSub.error?.code, 'UNKNOWN_STREAM', 'the ward camera has no sub stream: the ward refuses the pipe, coded');
  const noAudio = (await viewer.request({ type: 'consume', transportId: tid, cameraId: 'w1/demo-1', stream: 'main', media: 'audio', rtpCapabilities: caps })) as { ok: boolean; error?: { code: string } };
  assert.equal(noAudio.error?.code, 'UNKNOWN_STREAM');
  assert.equal(wardPipes.size, 1, 'a refused pipe leaves nothing at the ward');
  assert.equal(centre.sfu.city.centre!.pipeCount(), 1, 'a refused pipe leaves nothing at the centre');

  // 3. RTP of the ward camera at the centre: a PlainTransport consumer of the piped producer.
  const router = centre.sfu.pool.edge().router;
  const lease = await centre.sfu.city.centre!.acquire('w1/demo-1', 'main', router);
  const sink = createSocket('udp4');
  let packets = 0;
  sink.on('message', (m) => {
    // Camera RTP only (mediasoup also sends RTCP and probation packets, PT 127, to plain consumers).
    if (m.length > 12 && (m[0]! & 0xc0) === 0x80 && (m[1]! & 0x7f) !== 127 && !((m[1]! >= 200 && m[1]! <= 207))) packets++;
  });
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await plain.connect({ ip: '127.0.0.1', port: sink.address().port });
  const consumer: types.Consumer = await plain.consume({ producerId: lease.producer.id, rtpCapabilities: router.rtpCapabilities });
  await consumer.requestKeyFrame().catch(() => undefined);
  await waitFor('RTP of the ward camera at the centre', () => packets > 50, 30_000);
  const stats = await consumer.getStats();
  const sent = stats.filter((s) => s.type === 'outbound-rtp').reduce((n, s) => n + (s.packetCount ?? 0), 0);
  console.log(`[city-wire] centre consumer: ${packets} RTP packets received, ${sent} sent by the consumer (mediasoup stats)`);
  assert.ok(sent > 0);
  assert.equal(wardPipes.size, 1, 'the server-side consumer shares the pipe');

  // 4. Ten central viewers (ten sockets): still one pipe at the ward and at the centre.
  for (let i = 0; i < 9; i++) {
    const c = await connectSignaling(centre.url);
    clients.push(c);
    await c.request({ type: 'hello' });
    const r = (await consumeOn(c, 'w1/demo-1')) as { ok: boolean };
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  assert.equal(wardPipes.size, 1, 'ten central viewers, one pipe at the ward');
  assert.equal(centre.sfu.city.centre!.pipeCount(), 1, 'ten central viewers, one pipe at the centre');

  // The viewers leave: after the linger, the pipe closes at both ends.
  consumer.close();
  plain.close();
  sink.close();
  lease.release();
  for (const c of clients.splice(0)) {
    c.ws.close();
    await c.closed;
  }
  const left = Date.now();
  await waitFor('the pipe closed at the ward after the linger', () => wardPipes.size === 0, 20_000);
  console.log(`[city-wire] pipe closed at the ward ${Date.now() - left} ms after the last viewer left (linger ${LINGER_MS} ms)`);
  assert.equal(centre.sfu.city.centre!.pipeCount(), 0);

  // The ward's camera producer goes away while a central viewer watches it (camera removed at the
  // ward): the ward closes its pipe and tells the centre, which closes its half; the viewer's
  // consumer closes (pushed), and the camera leaves the centre's list.
  const holder = await connectSignaling(centre.url);
  others.push(holder);
  await holder.request({ type: 'hello' });
  const held = (await consumeOn(holder, 'w1/demo-2')) as { ok: boolean; data?: { consumerId: string } };
  assert.equal(held.ok, true, JSON.stringify(held));
  assert.equal(wardPipes.size, 1);
  const removedAt = Date.now();
  await ward.sfu.cameras.remove('demo-2');
  await waitFor('the centre half closed after the ward dropped its pipe', () => centre!.sfu.city.centre!.pipeCount() === 0, 10_000);
  console.log(`[city-wire] ward camera removed → centre pipe closed: ${Date.now() - removedAt} ms`);
  await waitFor('the viewer told its consumer closed', () => holder.pushes.some((p) => p.type === 'consumerClosed' && p.consumerId === held.data!.consumerId), 10_000);
  assert.equal(wardPipes.size, 0);
  await waitFor('the removed camera gone from the centre list', async () => {
    const one = (await cityCameras(centre!)).find((x) => x.ward === WARD);
    return one && one.cameras.length === 1 && one.cameras[0]!.remoteId === 'w1/demo-1';
  }, 10_000);
  const gone = (await consumeOn(holder, 'w1/demo-2')) as { ok: boolean; error?: { code: string } };
  assert.equal(gone.error?.code, 'UNKNOWN_CAMERA');

  // 5. The ward's leaf node stops: the centre marks the ward offline, its cameras linkDown.
  const cut = Date.now();
  await w.leaf.stop();
  const down = await waitFor('the ward offline at the centre', async () => {
    const one = (await cityCameras(centre!)).find((x) => x.ward === WARD);
    return one && !one.online ? one : false;
  }, 30_000, 100);
  const offlineS = (Date.now() - cut) / 1000;
  assert.ok(down.cameras.every((c) => c.linkDown && c.state === 'offline'), JSON.stringify(down.cameras));
  await waitFor('the ward offline pushed to the wall', () => cityPushes().some((p) => p.wards.some((x) => x.ward === WARD && !x.online && x.cameras.every((c) => c.linkDown))), 10_000);
  const refused = (await consumeOn((clients[0] = await connectSignaling(centre.url)), 'w1/demo-1')) as { ok: boolean; error?: { code: string } };
  assert.equal(refused.error?.code, 'CAMERA_OFFLINE', 'a camera of an offline ward is refused with a code');

  // Restarted: the ward's SFU reconnects by itself and the centre shows it back, cameras live.
  const restart = Date.now();
  await w.leaf.start();
  await waitFor('the ward back at the centre', async () => {
    const one = (await cityCameras(centre!)).find((x) => x.ward === WARD);
    return one && one.online && one.cameras.length === 1 && one.cameras.every((c) => !c.linkDown && c.state === 'live');
  }, 60_000, 100);
  const backS = (Date.now() - restart) / 1000;
  await waitFor('the ward back pushed to the wall', () => {
    const last = cityPushes().at(-1);
    return last?.wards.some((x) => x.ward === WARD && x.online && x.cameras.length === 1 && x.cameras.every((c) => !c.linkDown && c.state === 'live'));
  }, 10_000);
  console.log(`[city-wire] leaf stopped → ward offline at the centre: ${offlineS.toFixed(2)} s; leaf restarted → back online: ${backS.toFixed(2)} s`);
  const again = (await consumeOn(clients[0]!, 'w1/demo-1')) as { ok: boolean };
  assert.equal(again.ok, true, 'a ward camera can be consumed again after the ward is back');
  assert.equal(wardPipes.size, 1);

  // Nothing in the logs carries a NATS password.
  const all = logLines.join('\n');
  assert.ok(!all.includes(city.centreUser.password) && !all.includes(w.local.password), 'no NATS password in a log line');
});
