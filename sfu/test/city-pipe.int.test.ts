// Ward → centre media across a shaped link (root needed): the ward's mediasoup + GStreamer camera run
// in their own process inside a network namespace (test/city/ward-fixture.ts); the centre (this
// process) opens a pipe on demand through CentrePipes, with the fixture's stdin/stdout standing in for
// the control plane's request/reply. Checks: a central viewer decodes the camera (GStreamer), ten
// viewers cost the link one copy (veth byte counters), a cut stops the packets and a restore brings
// them back on the same pipe, the last viewer leaving closes both halves after the linger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createWorker, type types } from 'mediasoup';
import { createLogger, freeUdpPort } from '@wardwall/server-kit';
import { WardNetns, DEFAULT_SHAPE } from '../../scripts/city/netns.js';
import { CentrePipes, PipeLinkError, type PipeLease, type WardRequester } from '../src/city/pipe-link.js';
import { ROUTER_MEDIA_CODECS } from '../src/media/codecs.js';

const FIXTURE = fileURLToPath(new URL('./city/ward-fixture.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WARD = 'ward-a';
const CAMERA = 'ward-cam-1';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

/** The ward process's stdin/stdout as the request/reply to ward WARD. */
function fixtureRequester(child: ChildProcess): WardRequester & { call(op: string, body: unknown): Promise<unknown>; ready: Promise<void> } {
  const waiting = new Map<number, (v: unknown) => void>();
  let next = 1;
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as { id?: number; ready?: boolean; result?: unknown; error?: unknown };
    if (msg.ready) return readyResolve();
    const done = waiting.get(msg.id!);
    waiting.delete(msg.id!);
    done?.(msg.error ? { error: msg.error } : msg.result);
  });
  const call = (op: string, body: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.stdin!.write(`${JSON.stringify({ id, op, body })}\n`);
    });
  return {
    ready,
    call,
    open: (wardId, req) => (wardId === WARD ? call('open', req) : Promise.reject(new Error(`no ward ${wardId}`))),
    close: (wardId, req) => (wardId === WARD ? call('close', req) : Promise.reject(new Error(`no ward ${wardId}`))),
  };
}

interface Viewer {
  consumer: types.Consumer;
  packets(): number;
  close(): void;
}

/** A central viewer: a consumer of the pipe producer sent to a local UDP socket that counts RTP packets. */
/** Everything a test started, closed by t.after even when an assertion failed half-way. */
const open = new Set<() => void>();

async function viewer(router: types.Router, lease: PipeLease): Promise<Viewer> {
  const sock: Socket = createSocket('udp4');
  let n = 0;
  // The camera's RTP only: the consumer also sends RTCP and mediasoup's probation packets (PT 127,
  // SSRC 1234) with or without media.
  let pt = -1;
  sock.on('message', (m: Buffer) => {
    if (m.length > 12 && (m[1]! & 0x7f) === pt && m[1]! < 192) n++;
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
  const consumer = await transport.consume({ producerId: lease.producer.id, rtpCapabilities: router.rtpCapabilities });
  pt = consumer.rtpParameters.codecs[0]!.payloadType;
  await consumer.requestKeyFrame();
  const close = (): void => {
    if (!open.delete(close)) return;
    transport.close();
    sock.close();
    lease.release();
  };
  open.add(close);
  return { consumer, packets: () => n, close };
}

/** A central viewer that decodes: RTP to GStreamer (depay, avdec_h264), one JPEG per decoded frame. */
async function decodingViewer(router: types.Router, lease: PipeLease, dir: string): Promise<{ frames(): number; close(): void }> {
  const port = await freeUdpPort();
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port });
  const consumer = await transport.consume({ producerId: lease.producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  const pt = consumer.rtpParameters.codecs[0]!.payloadType;
  const gst = spawn('gst-launch-1.0', ['-q', 'udpsrc', `port=${port}`, 'address=127.0.0.1', `caps=application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=${pt}`, '!', 'rtpjitterbuffer', 'latency=100', '!', 'rtph264depay', '!', 'h264parse', '!', 'avdec_h264', '!', 'videoconvert', '!', 'jpegenc', '!', 'multifilesink', `location=${join(dir, 'f%06d.jpg')}`], { stdio: 'ignore' });
  const close = (): void => {
    if (!open.delete(close)) return;
    gst.kill('SIGKILL');
    transport.close();
    lease.release();
  };
  open.add(close);
  await sleep(300); // udpsrc bound
  await consumer.resume();
  await consumer.requestKeyFrame();
  return { frames: () => readdirSync(dir).length, close };
}

test('city media: a ward camera piped to the centre across a shaped link in a network namespace', { timeout: 180000 }, async (t) => {
  const log = createLogger('test', 'warn');
  const ward = await WardNetns.create(`wwp${randomBytes(2).toString('hex')}`, 150 + Math.floor(Math.random() * 40), DEFAULT_SHAPE);
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-city-'));
  const { command, args } = ward.execArgs(process.execPath, ['--import', 'tsx', FIXTURE, ward.plan.wardIp, CAMERA]);
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const worker = await createWorker({ logLevel: 'warn', rtcMinPort: 41000, rtcMaxPort: 41999, disableLiburing: true });
  t.after(async () => {
    for (const close of [...open]) close();
    child.stdin?.end();
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    worker.close();
    await ward.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const requester = fixtureRequester(child);
  await Promise.race([requester.ready, new Promise((_, reject) => child.once('exit', (c) => reject(new Error(`ward fixture exited ${c}`))))]);
  const s = ward.shaping!;
  t.diagnostic(`link ${ward.plan.hostIp} <-> ${ward.plan.wardIp}: ${s.method} rate ${s.shape.rateMbit} Mbit/s, delay ${s.delayEmulated ? `${s.shape.delayMs} ms` : 'NOT emulated (no netem in this kernel)'}, loss ${s.lossEmulated ? `${s.shape.lossPct} %` : 'NOT emulated'}`);

  const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
  const centre = new CentrePipes({ router, listen: { ip: ward.plan.hostIp }, requester, lingerMs: 1500, log });

  // A camera the ward does not have: a coded refusal, nothing left open.
  await assert.rejects(centre.acquire(WARD, 'no-such-camera', 'main'), (e: unknown) => e instanceof PipeLinkError && e.code === 'PIPE_UNKNOWN_CAMERA');
  assert.equal(centre.size, 0);

  // First central viewer: opens the pipe, decodes frames.
  const t0 = performance.now();
  const firstLease = await centre.acquire(WARD, CAMERA, 'main');
  t.diagnostic(`pipe opened in ${(performance.now() - t0).toFixed(0)} ms`);
  const decoder = await decodingViewer(router, firstLease, dir);
  await until('10 decoded frames at the centre', () => decoder.frames() >= 10, 30000);
  t.diagnostic(`decoded frames at the centre: ${decoder.frames()}`);

  // WAN bytes with one viewer, then with ten, over equal windows. The camera's own bitrate varies (the
  // encoder shares two cores with everything else), so each window is also divided by what the ward's
  // pipe consumer sent in it: `copies` = bytes on the ward's veth / bytes of one copy of the stream.
  const pipeSent = async (): Promise<number> => ((await requester.call('stats', { pipeId: firstLease.pipeId })) as { bytes: number }).bytes;
  const window = async (): Promise<{ veth: number; sent: number; copies: number }> => {
    const [a, sa] = [await ward.counters(), await pipeSent()];
    await sleep(4000);
    const [b, sb] = [await ward.counters(), await pipeSent()];
    const veth = b.fromWardBytes - a.fromWardBytes;
    return { veth, sent: sb - sa, copies: veth / (sb - sa) };
  };
  const one = await window();
  const viewers: Viewer[] = [];
  for (let i = 0; i < 9; i++) viewers.push(await viewer(router, await centre.acquire(WARD, CAMERA, 'main')));
  assert.equal(centre.size, 1, 'one pipe for the camera');
  assert.equal(centre.refs(WARD, CAMERA, 'main'), 10);
  await until('every viewer receives RTP', () => viewers.every((v) => v.packets() > 20));
  const ten = await window();
  const ratio = ten.copies / one.copies;
  t.diagnostic(`ward veth bytes per 4 s: 1 viewer ${one.veth} (${one.copies.toFixed(3)} copies of the stream), 10 viewers ${ten.veth} (${ten.copies.toFixed(3)} copies); ratio 10/1 ${ratio.toFixed(3)} (raw bytes ${(ten.veth / one.veth).toFixed(3)}); ${((one.veth * 8) / 4 / 1e6).toFixed(2)} Mbit/s on the WAN for one camera`);
  assert.ok(one.sent > 100_000, 'the camera crosses the link');
  assert.ok(ten.copies < 1.5, `ten viewers cost ${ten.copies.toFixed(2)} copies of the stream on the WAN`);
  assert.ok(ratio < 1.5, `ten viewers cost ${ratio.toFixed(2)} x one viewer's WAN bytes per stream byte`);
  const wardStats = (await requester.call('stats', { pipeId: firstLease.pipeId })) as { pipes: number; packets: number };
  assert.equal(wardStats.pipes, 1, 'the ward holds one pipe');

  // Cut: packets stop reaching the viewers. Restore: they come back on the same pipe.
  await ward.cut();
  await sleep(1000); // whatever was on the wire or in the viewers' sockets is through
  const atCut = viewers[0]!.packets();
  const framesAtCut = decoder.frames();
  await sleep(3000);
  assert.equal(viewers[0]!.packets(), atCut, 'no packets while the link is cut');
  t.diagnostic(`cut: ${atCut} packets before, ${viewers[0]!.packets()} after 3 s`);
  const restoredAt = performance.now();
  await ward.restore();
  await until('packets after restore', () => viewers[0]!.packets() > atCut + 50);
  await until('frames decoded after restore', () => decoder.frames() > framesAtCut + 10, 30000);
  t.diagnostic(`restore: packets again after ${(performance.now() - restoredAt).toFixed(0)} ms; same pipe, nothing rebuilt`);
  assert.equal(centre.size, 1);
  assert.equal(((await requester.call('stats', { pipeId: firstLease.pipeId })) as { pipes: number }).pipes, 1, 'still the one pipe at the ward');
  assert.ok(!firstLease.producer.closed);

  // Viewers leave: the pipe lingers, a viewer coming back within the linger gets the same pipe.
  for (const v of viewers) v.close();
  decoder.close();
  assert.equal(centre.refs(WARD, CAMERA, 'main'), 0);
  assert.equal(centre.size, 1, 'lingering');
  const again = await centre.acquire(WARD, CAMERA, 'main');
  assert.equal(again.pipeId, firstLease.pipeId, 'a returning viewer within the linger reuses the pipe');
  again.release();
  await until('the centre closes the pipe after the linger', () => centre.size === 0, 10000);
  await until('the ward closes its half', async () => ((await requester.call('stats', { pipeId: firstLease.pipeId })) as { pipes: number }).pipes === 0, 10000);
  // The camera stops crossing the link (packets still held by a user-space delay drain first).
  let lastSecond = -1;
  const closedAt = performance.now();
  await until('the link goes quiet', async () => {
    const a = await ward.counters();
    await sleep(1000);
    lastSecond = (await ward.counters()).fromWardBytes - a.fromWardBytes;
    return lastSecond < 2000;
  }, 20000);
  t.diagnostic(`after the last viewer: the ward's veth quiet (${lastSecond} B in a second) ${((performance.now() - closedAt) / 1000).toFixed(1)} s after both halves closed`);
  await centre.closeAll();
});
