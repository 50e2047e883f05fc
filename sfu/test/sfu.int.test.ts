import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { ServerMessage } from '@wardwall/common';
import { connectSignaling, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { pictureMetrics } from '../src/health/picture-metrics.js';

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({
    demoCount: 2,
    withSub: 1,
    workers: 2,
    cameras: [
      { id: 'transcoded', name: 'Re-encoded', main: '{rtsp}/demo-2', transcode: true },
      { id: 'broken', name: 'Nobody publishes', main: '{rtsp}/nobody' },
    ],
  });
});
after(async () => {
  await sys?.close();
});

/** Consumes a camera stream over a PlainTransport into a UDP socket of this test; counts RTP packets. */
async function countRtp(cameraId: string, kind: 'main' | 'sub', ms: number): Promise<{ packets: number; keyframeSeen: boolean }> {
  const stream = sys.sfu.cameras.stream(cameraId, kind)!;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let packets = 0;
  let keyframeSeen = false;
  sock.on('message', (m) => {
    if (m.length < 13 || (m[0]! & 0xc0) !== 0x80) return;
    packets++;
    // Skip CSRCs and the header extension mediasoup's consumer may add.
    let off = 12 + 4 * (m[0]! & 0x0f);
    if (m[0]! & 0x10) off += 4 + 4 * m.readUInt16BE(off + 2);
    const nal = m[off]! & 0x1f;
    // IDR (5), SPS (7), or a STAP-A/FU-A carrying them
    if (nal === 5 || nal === 7 || (nal === 24 && (m[off + 3]! & 0x1f) === 7) || (nal === 28 && (m[off + 1]! & 0x1f) === 5)) keyframeSeen = true;
  });
  // Consume on the other worker's router, so pipeToRouter is exercised too.
  const other = sys.sfu.pool.slot((stream.slot.index + 1) % sys.sfu.pool.size).router;
  const producer = await stream.ensureOn(other);
  const transport = await other.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: other.rtpCapabilities, paused: true });
  await consumer.resume();
  await new Promise((r) => setTimeout(r, ms));
  transport.close();
  sock.close();
  return { packets, keyframeSeen };
}

test('a demo camera goes live through the real GStreamer pipeline and a consumer receives its RTP', async () => {
  await waitFor('demo-1 live', () => sys.sfu.cameras.info().find((c) => c.id === 'demo-1')?.streams.main.state === 'live');
  const main = await countRtp('demo-1', 'main', 2500);
  assert.ok(main.packets > 50, `main stream RTP packets: ${main.packets}`);
  assert.ok(main.keyframeSeen, 'a keyframe (with in-band SPS) arrives within 2.5 s (GOP 1 s)');
  await waitFor('demo-1 sub live', () => sys.sfu.cameras.info().find((c) => c.id === 'demo-1')?.streams.sub?.state === 'live');
  const sub = await countRtp('demo-1', 'sub', 1500);
  assert.ok(sub.packets > 10, `sub stream RTP packets: ${sub.packets}`);
});

test('a camera with transcode: true is re-encoded by ffmpeg and reaches consumers, with stills', async () => {
  await waitFor('transcoded live', () => sys.sfu.cameras.info().find((c) => c.id === 'transcoded')?.streams.main.state === 'live', 30000);
  const r = await countRtp('transcoded', 'main', 2500);
  assert.ok(r.packets > 30, `RTP packets: ${r.packets}`);
  assert.ok(r.keyframeSeen, 'keyframes with in-band SPS arrive');
  await waitFor('transcoded still', () => sys.sfu.cameras.stream('transcoded', 'main')!.still, 10000);
  const thumb = (await waitFor('transcoded thumbnail', () => sys.sfu.cameras.stream('transcoded', 'main')!.thumbnail, 10000))!;
  assert.deepEqual([thumb.image.width, thumb.image.height], [64, 36]);
});

test('an unreachable stream is offline with a reason code and keeps being retried', async () => {
  await waitFor('broken offline', () => sys.sfu.cameras.info().find((c) => c.id === 'broken')?.streams.main.state === 'offline', 20000);
  const info = sys.sfu.cameras.info().find((c) => c.id === 'broken')!;
  assert.ok(info.streams.main.reason && info.streams.main.reason !== 'starting', String(info.streams.main.reason));
  assert.ok(!JSON.stringify(info).includes('rtsp'), 'no URL in what browsers get');
});

test('the keyframe decoder keeps a JPEG still of every camera, served over HTTP without URLs', async () => {
  await waitFor('still', () => sys.sfu.cameras.stream('demo-2', 'main')!.still);
  // ... and a 64x36 grayscale thumbnail of every keyframe for camera health: a lively test picture.
  const thumb = (await waitFor('thumbnail', () => sys.sfu.cameras.stream('demo-2', 'main')!.thumbnail))!;
  assert.deepEqual([thumb.image.width, thumb.image.height], [64, 36]);
  const m = pictureMetrics(thumb.image);
  assert.ok(m.std > 20 && m.mean > 20 && m.sharpness > 5, JSON.stringify(m));
  const res = await fetch(`${sys.sfu.url}api/cameras/demo-2/still`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  const jpeg = Buffer.from(await res.arrayBuffer());
  assert.equal(jpeg.readUInt16BE(0), 0xffd8);
  const unknown = await fetch(`${sys.sfu.url}api/cameras/nope/still`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { code: string }).code, 'UNKNOWN_CAMERA');
  const list = await (await fetch(`${sys.sfu.url}api/cameras`)).text();
  assert.ok(!/rtsp:|127\.0\.0\.1:\d+\/live/.test(list), 'camera URLs never reach a browser');
});

/** A minimal signaling client for tests. */
const connect = () => connectSignaling(sys.sfu.url);

test('signaling: hello, transport, consume paused, resume; camera state pushed; errors have codes', async () => {
  const c = await connect();
  const hello = (await c.request({ type: 'hello' })) as Extract<ServerMessage, { ok: true }>;
  assert.equal(hello.ok, true);
  const data = hello.data as { cameras: { id: string }[]; routerRtpCapabilities: Record<string, unknown> };
  assert.deepEqual(data.cameras.map((x) => x.id).sort(), ['broken', 'demo-1', 'demo-2', 'transcoded']);
  const t = (await c.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
  const transportId = (t.data as { transportId: string }).transportId;
  const consumed = (await c.request({ type: 'consume', transportId, cameraId: 'demo-2', stream: 'main', rtpCapabilities: data.routerRtpCapabilities })) as Extract<ServerMessage, { ok: true }>;
  assert.equal(consumed.ok, true, JSON.stringify(consumed));
  const consumerId = (consumed.data as { consumerId: string }).consumerId;
  const session = [...(sys.sfu.signaling as unknown as { sessions: Set<{ consumers: Map<string, { consumer: { paused: boolean } }> }> }).sessions][0]!;
  assert.equal(session.consumers.get(consumerId)!.consumer.paused, true, 'consumers start paused');
  assert.equal(((await c.request({ type: 'resumeConsumer', consumerId })) as { ok: boolean }).ok, true);
  assert.equal(session.consumers.get(consumerId)!.consumer.paused, false);

  const expectError = async (m: Record<string, unknown> | string, code: string) => {
    const r = typeof m === 'string' ? await c.raw(m) : await c.request(m);
    assert.equal(r.type, 'response');
    assert.equal((r as { ok: boolean }).ok, false);
    assert.equal((r as { error: { code: string } }).error.code, code, JSON.stringify(r));
  };
  await expectError({ type: 'consume', transportId, cameraId: 'nope', stream: 'main', rtpCapabilities: {} }, 'UNKNOWN_CAMERA');
  await expectError({ type: 'consume', transportId, cameraId: 'demo-2', stream: 'sub', rtpCapabilities: data.routerRtpCapabilities }, 'UNKNOWN_STREAM');
  await expectError({ type: 'consume', transportId: 'x', cameraId: 'demo-2', stream: 'main', rtpCapabilities: {} }, 'UNKNOWN_TRANSPORT');
  await expectError({ type: 'consume', transportId, cameraId: 'demo-2', stream: 'main', rtpCapabilities: { codecs: 'no' } }, 'CANNOT_CONSUME');
  await expectError({ type: 'resumeConsumer', consumerId: 'nope' }, 'UNKNOWN_CONSUMER');
  await expectError('garbage', 'BAD_MESSAGE');
  await expectError(JSON.stringify({ id: 99, type: 'ping', pad: 'x'.repeat(70000) }), 'MESSAGE_TOO_LARGE');
  await expectError({ type: 'teleport' }, 'UNKNOWN_TYPE');
  assert.equal(((await c.request({ type: 'ping' })) as { ok: boolean }).ok, true, 'the session still works');

  // Unplug demo-2: its state goes offline (pushed), then live again after re-plugging.
  await sys.embedded.demo!.stop('demo-2');
  await waitFor('offline push', () => c.pushes.find((p) => p.type === 'cameraState' && p.cameraId === 'demo-2' && p.status.state === 'offline'), 15000);
  sys.embedded.demo!.start('demo-2');
  await waitFor('live push', () => c.pushes.find((p) => p.type === 'cameraState' && p.cameraId === 'demo-2' && p.status.state === 'live'), 20000);
  assert.ok(session.consumers.has(consumerId), 'the consumer survives a camera outage (same producer)');
  c.ws.close();
  await waitFor('session closed', () => sys.sfu.signaling.sessionCount === 0);
});

test('a peer that stops answering heartbeats is dropped', async () => {
  const { connect: tcp } = await import('node:net');
  const port = Number(new URL(sys.sfu.url).port);
  const before = sys.sfu.signaling.sessionCount;
  const sock = tcp(port, '127.0.0.1');
  let closed = false;
  sock.on('close', () => (closed = true));
  sock.on('error', () => undefined);
  sock.resume(); // read (and discard) the server's frames, so its close is seen
  sock.write(['GET /ws HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'));
  await waitFor('session opened', () => sys.sfu.signaling.sessionCount === before + 1, 5000);
  // Never answer the server's pings: it must drop us within two heartbeats (5 s each here).
  await waitFor(`dead peer dropped (before ${before})`, () => closed && sys.sfu.signaling.sessionCount === before, 15000, 200).catch((e) => {
    throw new Error(`${(e as Error).message}: closed=${closed} sessions=${sys.sfu.signaling.sessionCount}`);
  });
});

test('a killed mediasoup worker is replaced and its cameras are produced again', async () => {
  const stream = sys.sfu.cameras.stream('demo-1', 'main')!;
  const index = stream.slot.index;
  const oldPid = sys.sfu.pool.slot(index).worker.pid;
  process.kill(oldPid, 'SIGKILL');
  await waitFor('replacement worker', () => sys.sfu.pool.slot(index).worker.pid !== oldPid, 15000);
  await waitFor('demo-1 producer re-created and live', () => stream.producer && !stream.producer.closed && stream.status.state === 'live', 20000);
  const again = await countRtp('demo-1', 'main', 1500);
  assert.ok(again.packets > 20, `RTP after worker replacement: ${again.packets}`);
});
