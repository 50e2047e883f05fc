import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Device, FakeHandler, testFakeParameters as fake } from 'mediasoup-client';
import { SignalingClient, type SocketLike } from '../src/services/signaling.js';
import { SignalingError } from '../src/services/errors.js';
import { LiveMediaService, syncStreamId, type LiveState } from '../src/services/live-media.js';

/** A fake SFU behind a fake socket: answers the protocol like the server does. */
class FakeServer implements SocketLike {
  readyState = 0;
  received: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  offline = new Set<string>();
  private nextConsumer = 1;

  send(data: string): void {
    const msg = JSON.parse(data) as Record<string, unknown>;
    this.received.push(msg);
    queueMicrotask(() => this.answer(msg));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  push(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  count(type: string): number {
    return this.received.filter((m) => m.type === type).length;
  }
  private ok(id: unknown, data: unknown): void {
    this.push({ type: 'response', id, ok: true, data });
  }
  private answer(msg: Record<string, unknown>): void {
    if (this.readyState !== 1) return;
    switch (msg.type) {
      case 'hello':
        return this.ok(msg.id, { sessionId: 's', serverTime: 0, routerRtpCapabilities: fake.generateRouterRtpCapabilities(), cameras: [] });
      case 'createTransport': {
        const t = fake.generateTransportRemoteParameters();
        return this.ok(msg.id, { transportId: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters });
      }
      case 'consume': {
        if (this.offline.has(msg.cameraId as string)) {
          return this.push({ type: 'response', id: msg.id, ok: false, error: { code: 'CAMERA_OFFLINE', message: 'offline' } });
        }
        const c = fake.generateConsumerRemoteParameters({ id: `consumer-${this.nextConsumer++}`, codecMimeType: 'video/VP8' });
        return this.ok(msg.id, { consumerId: c.id, producerId: c.producerId, kind: 'video', rtpParameters: c.rtpParameters, cameraId: msg.cameraId, stream: msg.stream });
      }
      default:
        return this.ok(msg.id, {});
    }
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function setup(lingerMs = 40) {
  const servers: FakeServer[] = [];
  const signaling = new SignalingClient({
    url: 'ws://fake/ws',
    createSocket: () => {
      const s = new FakeServer();
      servers.push(s);
      return s;
    },
    pingIntervalMs: 60_000,
    backoffMs: [5],
  });
  const live = new LiveMediaService(signaling, {
    lingerMs,
    createDevice: () =>
      new Device({
        handlerFactory: FakeHandler.createFactory({
          generateNativeRtpCapabilities: fake.generateNativeRtpCapabilities,
          generateLocalDtlsParameters: fake.generateLocalDtlsParameters,
        }),
      }),
  });
  const states: LiveState[] = [];
  live.on('state', (s) => states.push(s));
  signaling.start();
  servers[0]!.open();
  for (let i = 0; i < 50 && !live.ready; i++) await tick(2);
  assert.equal(live.ready, true, `live media ready (states: ${states.join(',')}, error: ${live.error})`);
  const done = (): void => {
    live.close();
    signaling.close();
  };
  return { signaling, live, servers, states, done };
}

test('acquire consumes and resumes; leases of the same stream share one consumer', async () => {
  const { live, servers, done } = await setup();
  const s = servers[0]!;
  const [a, b] = await Promise.all([live.acquire('demo-1', 'sub'), live.acquire('demo-1', 'sub')]);
  assert.equal(s.count('consume'), 1);
  assert.equal(s.count('resumeConsumer'), 1);
  assert.equal(s.count('connectTransport'), 1);
  assert.equal(a.consumerId, b.consumerId);
  assert.equal(a.track.kind, 'video');
  const c = await live.acquire('demo-1', 'main');
  assert.notEqual(c.consumerId, a.consumerId);
  assert.equal(s.count('consume'), 2);
  assert.equal(live.consumerCount, 2);
  done();
});

test('a released consumer lingers, is picked up again, then closes on the server', async () => {
  const { live, servers, done } = await setup(40);
  const s = servers[0]!;
  const a = await live.acquire('demo-2', 'main');
  a.release();
  a.release(); // idempotent
  await tick(10);
  const again = await live.acquire('demo-2', 'main');
  assert.equal(again.consumerId, a.consumerId, 'reused while lingering');
  assert.equal(s.count('consume'), 1);
  again.release();
  await tick(80);
  assert.equal(s.count('closeConsumer'), 1);
  assert.equal(live.consumerCount, 0);
  assert.equal(again.closed, true);
  done();
});

test('release without linger closes at once', async () => {
  const { live, servers, done } = await setup(10_000);
  const a = await live.acquire('demo-3', 'main');
  a.release({ linger: false });
  await tick(5);
  assert.equal(servers[0]!.count('closeConsumer'), 1);
  done();
});

test('a consumerClosed push closes the lease (without a closeConsumer request)', async () => {
  const { live, servers, done } = await setup();
  const s = servers[0]!;
  const a = await live.acquire('demo-4', 'main');
  const reasons: string[] = [];
  a.onClosed((r) => reasons.push(r));
  s.push({ type: 'consumerClosed', consumerId: a.consumerId, reason: 'producer closed' });
  assert.deepEqual(reasons, ['producer closed']);
  assert.equal(a.closed, true);
  a.release();
  await tick(5);
  assert.equal(s.count('closeConsumer'), 0);
  const b = await live.acquire('demo-4', 'main');
  assert.notEqual(b.consumerId, a.consumerId);
  done();
});

test('server errors reach the caller with their code and leave nothing behind', async () => {
  const { live, servers, done } = await setup();
  servers[0]!.offline.add('demo-5');
  await assert.rejects(live.acquire('demo-5', 'main'), (e: unknown) => e instanceof SignalingError && e.code === 'CAMERA_OFFLINE');
  assert.equal(live.consumerCount, 0);
  servers[0]!.offline.clear();
  const a = await live.acquire('demo-5', 'main');
  assert.equal(a.closed, false);
  done();
});

test('losing the session closes every lease; the next session makes a new transport', async () => {
  const { live, servers, states, done } = await setup();
  const a = await live.acquire('demo-6', 'main');
  const reasons: string[] = [];
  a.onClosed((r) => reasons.push(r));
  servers[0]!.drop();
  assert.deepEqual(reasons, ['disconnected']);
  assert.equal(live.ready, false);
  await assert.rejects(live.acquire('demo-6', 'main'), (e: unknown) => e instanceof SignalingError && e.code === 'NOT_READY');
  for (let i = 0; i < 50 && servers.length < 2; i++) await tick(2);
  servers[1]!.open();
  for (let i = 0; i < 50 && !live.ready; i++) await tick(2);
  assert.equal(live.ready, true);
  assert.deepEqual(states, ['preparing', 'ready', 'down', 'preparing', 'ready']);
  const b = await live.acquire('demo-6', 'main');
  assert.equal(servers[1]!.count('createTransport'), 1);
  assert.equal(servers[1]!.count('consume'), 1);
  assert.equal(b.closed, false);
  done();
});

test('syncStreamId: the camera main video and its audio share one msid stream id (lip-sync), the sub stream its own; token characters only, at most 64', () => {
  assert.equal(syncStreamId('zoo-g711', 'main'), 'zoo-g711-main');
  assert.equal(syncStreamId('zoo-g711', 'sub'), 'zoo-g711-sub');
  assert.notEqual(syncStreamId('cam', 'main'), syncStreamId('cam', 'sub'));
  assert.equal(syncStreamId('ngã tư 1/2', 'main'), 'ng__t__1_2-main');
  const long = syncStreamId('x'.repeat(100), 'main');
  assert.equal(long.length, 64);
  assert.ok(long.endsWith('-main'));
  assert.match(syncStreamId('a b:c"d', 'sub'), /^[A-Za-z0-9_.-]+$/);
});
