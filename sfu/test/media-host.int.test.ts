/**
 * The media host (media-host.py + media-host.ts, docs/media-host.md) with real GStreamer and real
 * H.264 (ffmpeg): stills of cameras of different sizes interleaved, a corrupt access unit, a
 * flooding camera, the GOP bridge's RTP (received on a UDP socket: first frame an IDR, a forced
 * IDR, silence after bridgeStop) and a host killed mid-request (rejected with a code, restarted).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { spawn } from 'node:child_process';
import { createWorker } from 'mediasoup';
import { createLogger, freeUdpPort } from '@wardwall/server-kit';
import { encodeTestH264, splitAccessUnits, type TestAccessUnit } from '@wardwall/testing/h264-annexb';
import { h264PayloadHasKeyframe, rtpPayload, watchProducer } from '@wardwall/testing/rtp-watch';
import { MediaHost, MediaHostError, MEDIA_HOST_SCRIPT, type BridgeEvent, type StillResult } from '../src/ingest/media-host.js';
import { INGEST_PYTHON } from '../src/ingest/pipeline-args.js';
import { ROUTER_MEDIA_CODECS, ingestRtpParameters, INGEST_PAYLOAD_TYPE } from '../src/media/codecs.js';
import { BRIDGE_PROFILE_LEVEL_ID } from '../src/media/camera-bridge.js';

const log = createLogger('test', 'silent');
/** Source size -> the still's size (at most 640 wide, aspect kept). */
const CAMERAS = [
  { w: 640, h: 360, still: [640, 360] },
  { w: 360, h: 640, still: [360, 640] },
  { w: 320, h: 240, still: [320, 240] },
  { w: 480, h: 270, still: [480, 270] },
  { w: 1280, h: 960, still: [640, 480] },
  { w: 1280, h: 1024, still: [640, 512] },
  { w: 160, h: 120, still: [160, 120] },
  { w: 256, h: 144, still: [256, 144] },
] as const;

let host: MediaHost;
const streams = new Map<string, TestAccessUnit[]>();
const keyframes = (cam: string) => streams.get(cam)!.filter((u) => u.key);

/** The size in a JPEG's SOF0/SOF2 marker. */
function jpegSize(jpeg: Buffer): [number, number] | null {
  let i = 2;
  while (i + 9 < jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xc0 || marker === 0xc2) return [jpeg.readUInt16BE(i + 7), jpeg.readUInt16BE(i + 5)];
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  return null;
}

function assertStill(r: StillResult, size: readonly [number, number], what: string): void {
  assert.equal(r.jpeg[0], 0xff, what);
  assert.equal(r.jpeg[1], 0xd8, what);
  assert.deepEqual(jpegSize(r.jpeg), size, `${what}: JPEG size`);
  assert.deepEqual([r.width, r.height], size, `${what}: reported size`);
  assert.deepEqual([r.thumb.width, r.thumb.height, r.thumb.data.length], [64, 36, 64 * 36], `${what}: thumbnail`);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof MediaHostError && e.code === code);
}

before(async () => {
  await Promise.all(CAMERAS.map(async (c) => streams.set(`cam-${c.w}x${c.h}/main`, splitAccessUnits(await encodeTestH264({ width: c.w, height: c.h, frames: 50, gop: 25 })))));
  host = new MediaHost({ log, backoffMs: [100] });
  host.start();
});
after(async () => {
  await host?.stop();
});

test('a keyframe becomes a JPEG (≤640 wide) and a 64×36 PGM thumbnail', async () => {
  const r = await host.still('cam-1280x960/main', keyframes('cam-1280x960/main')[0]!.data);
  assertStill(r, [640, 480], '1280x960');
  // The thumbnail is the picture (testsrc2 is not flat).
  const levels = new Set(r.thumb.data);
  assert.ok(levels.size > 10, `thumbnail has ${levels.size} grey levels`);
});

test('8 cameras of different sizes, interleaved, each get their own still', async () => {
  const asks: Promise<void>[] = [];
  for (let k = 0; k < 2; k++) {
    for (const c of CAMERAS) {
      const cam = `cam-${c.w}x${c.h}/main`;
      asks.push(host.still(cam, keyframes(cam)[k]!.data).then((r) => assertStill(r, c.still, `${cam} keyframe ${k}`)));
    }
  }
  await Promise.all(asks);
});

test('a corrupt access unit gives decode_failed; the next good one works; other cameras are untouched', async () => {
  const cam = 'cam-640x360/main';
  const other = host.still('cam-360x640/main', keyframes('cam-360x640/main')[0]!.data);
  await rejectsWith(host.still(cam, Buffer.concat([Buffer.from([0, 0, 0, 1, 0x67]), Buffer.alloc(2000, 0xa5)])), 'decode_failed');
  // A delta frame: no SPS/PPS/IDR.
  await rejectsWith(host.still(cam, streams.get(cam)![3]!.data), 'decode_failed');
  // A keyframe whose slice data is garbage.
  const broken = Buffer.from(keyframes(cam)[0]!.data);
  broken.fill(0xff, broken.length - Math.floor(broken.length / 2));
  await host.still(cam, broken).then(
    (r) => assertStill(r, [640, 360], 'concealed'),
    (e: unknown) => assert.equal((e as MediaHostError).code, 'decode_failed'),
  );
  assertStill(await host.still(cam, keyframes(cam)[1]!.data), [640, 360], 'after the corrupt ones');
  assertStill(await other, [360, 640], 'the other camera');
});

test('a camera that floods loses its oldest waiting requests (superseded), the newest is answered', async () => {
  const cam = 'cam-320x240/main';
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => host.still(cam, keyframes(cam)[0]!.data)));
  const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as MediaHostError).code));
  assert.equal(codes.at(-1), 'ok');
  assert.equal(codes[0], 'ok', 'the first was in flight');
  assert.ok(codes.filter((c) => c === 'superseded').length >= 5, codes.join(','));
});

interface Received {
  packets: { payload: Uint8Array; marker: boolean; ssrc: number; pt: number; from: RemoteInfo }[];
}

test('bridge: RTP from the kept GOP starts with an IDR of "now", a forced IDR for a second viewer, ends at bridgeStop', async () => {
  const cam = 'cam-640x360/main';
  const units = streams.get(cam)!; // keyframes at 0 and 25
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got: Received = { packets: [] };
  sock.on('message', (msg, from) => {
    const payload = rtpPayload(msg);
    if (payload) got.packets.push({ payload, marker: (msg[1]! & 0x80) !== 0, pt: msg[1]! & 0x7f, ssrc: msg.readUInt32BE(8), from });
  });
  const events: BridgeEvent[] = [];
  host.on('bridge', (e) => events.push(e));
  const sourcePort = await freeUdpPort();
  const target = { host: '127.0.0.1', port: sock.address().port, sourcePort, ssrc: 0x1234567, payloadType: 96, mtu: 1200, bitrateKbps: 800, gopFrames: 250 };
  try {
    // A viewer joins at frame 10 of the GOP that starts at 0: frames 0..9 decoded, not encoded.
    const gop = units.slice(0, 11);
    host.bridgeStart(cam, target, units[10]!.pts, gop);
    await waitUntil('bridge started', () => events.some((e) => e.cam === cam && e.state === 'started'));
    await waitUntil('first frame sent', () => got.packets.some((p) => p.marker));
    host.bridgeKeyframe(cam);
    for (const u of units.slice(11, 20)) host.bridgeAu(cam, u);
    await waitUntil('all frames sent', () => got.packets.filter((p) => p.marker).length === 10);
    host.bridgeStop(cam);
    await waitUntil('bridge ended', () => events.some((e) => e.cam === cam && e.state === 'ended'));
    const ended = events.find((e) => e.state === 'ended')!;
    assert.equal(ended.frames, 10, 'frames 10..19 encoded');
    assert.equal(ended.code, undefined);
    // After the stop nothing more is sent, and AUs for an ended bridge are not forwarded.
    const count = got.packets.length;
    host.bridgeAu(cam, units[20]!);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(got.packets.length, count, 'silent after bridgeStop');

    assert.ok(h264PayloadHasKeyframe(got.packets[0]!.payload), 'the first packet carries the IDR (or its SPS)');
    let frames = 0;
    let keys = 0;
    let inKey = false;
    for (const p of got.packets) {
      if (h264PayloadHasKeyframe(p.payload) && !inKey) {
        keys++;
        inKey = true;
      }
      if (p.marker) {
        frames++;
        inKey = false;
      }
    }
    assert.equal(frames, 10);
    assert.equal(keys, 2, 'the first IDR and the one bridgeKeyframe asked for');
    for (const p of got.packets) {
      assert.equal(p.ssrc, target.ssrc);
      assert.equal(p.pt, target.payloadType);
      assert.equal(p.from.port, sourcePort, 'sent from the fixed source port (comedia)');
      assert.equal(p.from.address, '127.0.0.1');
    }
    // The stills path still works after a bridge.
    assertStill(await host.still(cam, keyframes(cam)[0]!.data), [640, 360], 'after the bridge');
  } finally {
    sock.close();
  }
});

test('bridge into mediasoup: a PlainTransport (comedia) + bridge producer gets the IDR first, a consumer decodes from it', async () => {
  const cam = 'cam-1280x960/main';
  const units = streams.get(cam)!;
  const worker = await createWorker({ logLevel: 'warn', rtcMinPort: 43600, rtcMaxPort: 43699, disableLiburing: true });
  try {
    const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const ssrc = 0x2345678;
    const producer = await transport.produce({ kind: 'video', rtpParameters: ingestRtpParameters(ssrc, BRIDGE_PROFILE_LEVEL_ID) });
    const watch = await watchProducer(router, producer);
    const events: BridgeEvent[] = [];
    const listener = (e: BridgeEvent) => void (e.cam === cam && events.push(e));
    host.on('bridge', listener);
    try {
      const target = { host: '127.0.0.1', port: transport.tuple.localPort, sourcePort: await freeUdpPort(), ssrc, payloadType: INGEST_PAYLOAD_TYPE, mtu: 1200, bitrateKbps: 1500, gopFrames: 250 };
      // Join near the end of the GOP (frames 0..23 decoded, 23 and 24 encoded).
      host.bridgeStart(cam, target, units[23]!.pts, units.slice(0, 24));
      host.bridgeAu(cam, units[24]!);
      await watch.keyframe;
      await waitUntil('both frames through mediasoup', () => watch.frames === 2);
      host.bridgeStop(cam);
      await waitUntil('ended', () => events.some((e) => e.state === 'ended'));
      assert.equal(events.find((e) => e.state === 'ended')!.frames, 2);
      assert.equal(watch.keyframes, 1);
      const stats = await producer.getStats();
      assert.ok(stats.some((s) => s.packetCount > 0), 'the producer received the RTP');
      assert.equal(transport.tuple.remotePort, target.sourcePort, 'comedia learned the fixed source port');
    } finally {
      host.off('bridge', listener);
      watch.close();
    }
  } finally {
    worker.close();
  }
});

test('bridge: a bad target is refused with an ended event, the host goes on', async () => {
  const events: BridgeEvent[] = [];
  const listener = (e: BridgeEvent) => events.push(e);
  host.on('bridge', listener);
  try {
    host.bridgeStart('cam-bad/main', { host: '10.0.0.1', port: 5000, sourcePort: 5001, ssrc: 1, payloadType: 96, mtu: 1200, bitrateKbps: 800, gopFrames: 250 }, 0, []);
    await waitUntil('ended', () => events.some((e) => e.cam === 'cam-bad/main' && e.state === 'ended'));
    assert.deepEqual(events.find((e) => e.cam === 'cam-bad/main'), { cam: 'cam-bad/main', state: 'ended', frames: 0, code: 'bad_request' });
    assertStill(await host.still('cam-bad/main', keyframes('cam-160x120/main')[0]!.data), [160, 120], 'after a refused bridge');
  } finally {
    host.off('bridge', listener);
  }
});

test('killing the host mid-request rejects it with host_exited (bridges end too); the next request works after the restart', async () => {
  const cam = 'cam-1280x1024/main';
  const pid = host.pid!;
  const events: BridgeEvent[] = [];
  const listener = (e: BridgeEvent) => events.push(e);
  host.on('bridge', listener);
  try {
    const sourcePort = await freeUdpPort();
    host.bridgeStart('cam-640x360/main', { host: '127.0.0.1', port: 9, sourcePort, ssrc: 5, payloadType: 96, mtu: 1200, bitrateKbps: 800, gopFrames: 250 }, 0, []);
    const pending = host.still(cam, keyframes(cam)[0]!.data);
    process.kill(pid, 'SIGKILL');
    await rejectsWith(pending, 'host_exited');
    assert.ok(events.some((e) => e.cam === 'cam-640x360/main' && e.state === 'ended' && e.code === 'host_exited'), JSON.stringify(events));
    await waitUntil('restarted', () => host.pid !== undefined && host.pid !== pid);
    assertStill(await host.still(cam, keyframes(cam)[1]!.data), [640, 512], 'after the restart');
  } finally {
    host.off('bridge', listener);
  }
});

test('drop: the stills waiting for a camera fail with dropped', async () => {
  const cam = 'cam-480x270/main';
  const key = keyframes(cam)[0]!.data;
  const asks = [host.still(cam, key), host.still(cam, key), host.still(cam, key)];
  host.drop(cam);
  const codes = (await Promise.allSettled(asks)).map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as MediaHostError).code));
  assert.deepEqual(codes.slice(1), ['dropped', 'dropped']);
  assertStill(await host.still(cam, key), [480, 270], 'after the drop');
});

test('the host dies with its parent (PR_SET_PDEATHSIG), even with its stdin still open', async () => {
  // A shell parent starts the host with its stdin on a pipe from a `sleep` that outlives the shell
  // (so no EOF ends the host), prints both pids and waits; then the shell is killed.
  const script = `exec 3>&1; { echo "sleep $BASHPID" >&3; exec sleep 60; } | { exec ${INGEST_PYTHON} ${MEDIA_HOST_SCRIPT} >/dev/null 2>&1; } & echo "host $!"; wait`;
  const parent = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pids: Record<string, number> = {};
  parent.stdout.setEncoding('utf8');
  parent.stdout.on('data', (text: string) => {
    for (const m of text.matchAll(/(sleep|host) (\d+)/g)) pids[m[1]!] = Number(m[2]);
  });
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    await waitUntil('both pids', () => pids['sleep'] !== undefined && pids['host'] !== undefined);
    await new Promise((r) => setTimeout(r, 1000)); // past its prctl
    assert.equal(alive(pids['host']!), true, 'the host runs');
    process.kill(parent.pid!, 'SIGKILL');
    await waitUntil('the host exited', () => !alive(pids['host']!), 10000);
    assert.equal(alive(pids['sleep']!), true, 'its stdin was still open');
  } finally {
    if (pids['sleep'] && alive(pids['sleep'])) process.kill(pids['sleep'], 'SIGTERM');
    if (pids['host'] && alive(pids['host'])) process.kill(pids['host'], 'SIGKILL');
  }
});

test('a camera idle past idleSeconds is dropped in the host: its bridge ends', async () => {
  const h = new MediaHost({ log, idleSeconds: 1 });
  h.start();
  try {
    const events: BridgeEvent[] = [];
    h.on('bridge', (e) => events.push(e));
    const units = streams.get('cam-160x120/main')!;
    h.bridgeStart('cam-idle/main', { host: '127.0.0.1', port: 9, sourcePort: await freeUdpPort(), ssrc: 7, payloadType: 96, mtu: 1200, bitrateKbps: 300, gopFrames: 250 }, units[0]!.pts, units.slice(0, 3));
    await waitUntil('started', () => events.some((e) => e.state === 'started'));
    await waitUntil('ended by the idle sweep', () => events.some((e) => e.state === 'ended'), 10000);
    assert.equal(events.find((e) => e.state === 'ended')!.frames, 3);
  } finally {
    await h.stop();
  }
});

test('a stopped host rejects with a code at once', async () => {
  const h = new MediaHost({ log });
  await rejectsWith(h.still('cam/main', keyframes('cam-160x120/main')[0]!.data), 'host_unavailable');
});

async function waitUntil(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
