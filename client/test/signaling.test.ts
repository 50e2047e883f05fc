import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingClient, signalingUrl, type ConnectionState, type SocketLike } from '../src/services/signaling.js';
import { SignalingError } from '../src/services/errors.js';

/** Manual clock and timers. */
class Clock {
  now = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  set = (fn: () => void, ms: number): number => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };
  clear = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  push(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  last(type: string): Record<string, unknown> {
    const m = [...this.sent].reverse().find((s) => s.type === type);
    assert.ok(m, `no ${type} sent`);
    return m;
  }
  respond(type: string, data: unknown): void {
    this.push({ type: 'response', id: this.last(type).id, ok: true, data });
  }
}

const HELLO = { sessionId: 's1', serverTime: 0, routerRtpCapabilities: { codecs: [] }, cameras: [] };

function setup() {
  const clock = new Clock();
  const sockets: FakeSocket[] = [];
  const states: ConnectionState[] = [];
  const client = new SignalingClient({
    url: 'ws://127.0.0.1:1/ws',
    lang: () => 'en',
    createSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    now: () => clock.now,
    setTimer: clock.set,
    clearTimer: clock.clear,
  });
  client.on('state', (s) => states.push(s));
  return { clock, sockets, states, client };
}

async function openSession(sock: FakeSocket): Promise<void> {
  sock.open();
  assert.deepEqual(sock.last('hello'), { type: 'hello', lang: 'en', id: sock.last('hello').id });
  sock.respond('hello', HELLO);
  await flush();
}

test('signaling URL follows the page origin', () => {
  assert.equal(signalingUrl({ protocol: 'http:', host: '127.0.0.1:8080' }), 'ws://127.0.0.1:8080/ws');
  assert.equal(signalingUrl({ protocol: 'https:', host: 'wall.example' }), 'wss://wall.example/ws');
});

test('hello opens a session; requests are matched to responses by id', async () => {
  const { client, sockets } = setup();
  const sessions: unknown[] = [];
  client.on('session', (h) => sessions.push(h));
  client.start();
  await openSession(sockets[0]!);
  assert.equal(client.connected, true);
  assert.deepEqual(sessions, [HELLO]);
  assert.equal(client.state.phase, 'open');

  const a = client.request({ type: 'createTransport' });
  const b = client.request({ type: 'resumeConsumer', consumerId: 'c1' });
  const s = sockets[0]!;
  s.push({ type: 'response', id: s.last('resumeConsumer').id, ok: true, data: {} });
  s.push({ type: 'response', id: s.last('createTransport').id, ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  assert.deepEqual(await b, {});
  await assert.rejects(a, (e: unknown) => e instanceof SignalingError && e.code === 'INTERNAL' && e.message === 'boom');
});

test('push messages become typed events; junk is ignored', async () => {
  const { client, sockets } = setup();
  const seen: string[] = [];
  client.on('cameraState', (e) => seen.push(`${e.cameraId}/${e.stream}/${e.status.state}`));
  client.on('consumerClosed', (e) => seen.push(`closed ${e.consumerId} ${e.reason}`));
  client.on('cameras', (c) => seen.push(`cameras ${c.length}`));
  client.start();
  await openSession(sockets[0]!);
  const s = sockets[0]!;
  s.onmessage?.({ data: 'not json' });
  s.push({ type: 'cameraState', cameraId: 'a', stream: 'bogus', status: {} });
  s.push({ type: 'cameraState', cameraId: 'a', stream: 'sub', status: { state: 'live', reason: null, since: 1 } });
  s.push({ type: 'consumerClosed', consumerId: 'k', reason: 'producer closed' });
  s.push({ type: 'cameras', cameras: [HELLO] });
  s.push({ type: 'whatever' });
  assert.deepEqual(seen, ['a/sub/live', 'closed k producer closed', 'cameras 1']);
});

test('requests without a session fail at once with DISCONNECTED', async () => {
  const { client } = setup();
  await assert.rejects(client.request({ type: 'ping' }), (e: unknown) => e instanceof SignalingError && e.code === 'DISCONNECTED');
});

test('reconnects with stepped back-off 0.5, 1, 2, 5, 5 s while the server is down', async () => {
  const { client, sockets, clock } = setup();
  client.start();
  const starts: number[] = [];
  for (let i = 0; i < 6; i++) {
    assert.equal(sockets.length, i + 1);
    starts.push(clock.now);
    sockets[i]!.serverClose(); // connection refused
    await clock.advance(i < 4 ? [500, 1000, 2000, 5000][i]! - 1 : 4999);
    assert.equal(sockets.length, i + 1, `no early retry after attempt ${i}`);
    await clock.advance(1);
  }
  assert.deepEqual(starts, [0, 500, 1500, 3500, 8500, 13500]);
  assert.equal(client.state.phase, 'connecting');
  // A session resets the schedule.
  await openSession(sockets.at(-1)!);
  sockets.at(-1)!.serverClose();
  assert.equal(client.state.phase, 'waiting');
  assert.equal((client.state as { retryAt: number }).retryAt, clock.now + 500);
  client.close();
});

test('losing a session fails pending requests and emits lost', async () => {
  const { client, sockets } = setup();
  let lost = 0;
  client.on('lost', () => lost++);
  client.start();
  await openSession(sockets[0]!);
  const p = client.request({ type: 'createTransport' });
  sockets[0]!.serverClose();
  await assert.rejects(p, (e: unknown) => e instanceof SignalingError && e.code === 'DISCONNECTED');
  assert.equal(lost, 1);
  assert.equal(client.connected, false);
});

test('pings every 5 s; no pong within 10 s drops the socket and reconnects', async () => {
  const { client, sockets, clock } = setup();
  client.start();
  await openSession(sockets[0]!);
  const s = sockets[0]!;
  await clock.advance(5000);
  assert.equal(s.sent.filter((m) => m.type === 'ping').length, 1);
  s.respond('ping', { serverTime: 1 });
  await clock.advance(5000);
  assert.equal(s.sent.filter((m) => m.type === 'ping').length, 2);
  // The server stops answering.
  await clock.advance(9999);
  assert.equal(s.closed, false);
  await clock.advance(1);
  assert.equal(s.closed, true, 'socket dropped after 10 s without pong');
  assert.equal(client.state.phase, 'waiting');
  await clock.advance(500);
  assert.equal(sockets.length, 2, 'reconnected after the first back-off step');
  client.close();
});

test('a socket that never opens is dropped after the connect timeout', async () => {
  const { client, sockets, clock } = setup();
  client.start();
  await clock.advance(10000);
  assert.equal(sockets[0]!.closed, true);
  assert.equal(client.state.phase, 'waiting');
  client.close();
});

test('retryNow skips the back-off wait; close stops everything', async () => {
  const { client, sockets, states } = setup();
  client.start();
  sockets[0]!.serverClose();
  assert.equal(client.state.phase, 'waiting');
  client.retryNow();
  assert.equal(sockets.length, 2);
  client.close();
  assert.equal(sockets[1]!.closed, true);
  assert.equal(states.at(-1)?.phase, 'closed');
  client.retryNow();
  assert.equal(sockets.length, 2);
});

test('a server close reports its code and whether the socket had opened (4401 = session revoked)', async () => {
  const { client, sockets, clock } = setup();
  const closes: { code: number; opened: boolean }[] = [];
  client.on('socketClosed', (c) => closes.push(c));
  client.start();
  // Refused at the upgrade (HTTP 401): the socket closes without ever opening.
  sockets[0]!.onclose?.({ code: 1006 });
  assert.deepEqual(closes, [{ code: 1006, opened: false }]);
  while (sockets.length < 2) await clock.advance(100);
  await openSession(sockets[1]!);
  sockets[1]!.readyState = 3;
  sockets[1]!.onclose?.({ code: 4401 });
  assert.deepEqual(closes[1], { code: 4401, opened: true });
  assert.equal(client.connected, false);
  client.close();
});
