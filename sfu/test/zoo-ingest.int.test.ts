/**
 * The camera zoo (testing/zoo) through the real ingest (gst-ingest.py) and mediasoup: for each kind
 * the probe's decision, RTP reaching a consumer at the camera's frame rate, the encoder-restart
 * camera staying live over three restarts with no ingest restart, and no camera URL or credential on
 * any child's command line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import type { StreamStatus } from '@wardwall/common';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { CameraZoo, ZOO_KINDS, ZOO_SPECS, type ZooKind } from '@wardwall/testing/zoo';

const USER = 'zoo-viewer';
const PASSWORD = 'Zoo-Secret_42';
const RESTART_EVERY_S = 8;
/** ZOO_TEST_KINDS=restart,fps6 limits the run (debugging); default: every kind. */
const KINDS = (process.env.ZOO_TEST_KINDS?.split(',') as ZooKind[] | undefined) ?? [...ZOO_KINDS];
let zoo: CameraZoo;
let sys: TestSystem;
const history = new Map<string, StreamStatus[]>();

const EXPECTED: Record<ZooKind, { mode: string; reason: string; profileLevelId: string }> = {
  restart: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e01e' },
  bframes: { mode: 'transcode', reason: 'bframes', profileLevelId: '42e01f' },
  h265: { mode: 'transcode', reason: 'h265', profileLevelId: '42e01f' },
  g711: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e01e' },
  aac: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e01e' },
  gop10: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e01e' },
  fps6: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e016' },
  portrait: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '42e01f' },
  main1080: { mode: 'passthrough', reason: 'browser_ready', profileLevelId: '4d0028' },
};

before(async () => {
  zoo = await CameraZoo.start({ kinds: KINDS, restartEveryS: RESTART_EVERY_S, user: USER, password: PASSWORD, prerendered: true });
  sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    cameras: KINDS.map((k) => ({ id: `zoo-${k}`, name: `Zoo ${k}`, main: zoo.url(k) })),
  });
  sys.sfu.cameras.on('status', (id, _kind, status) => {
    const list = history.get(id) ?? [];
    list.push(status);
    history.set(id, list);
  });
});
after(async () => {
  await sys?.close();
  await zoo?.close();
});

/** Consumes a camera over a PlainTransport; counts RTP packets and frames (marker bits). */
async function sample(cameraId: string, ms: number): Promise<{ packets: number; frames: number }> {
  const stream = sys.sfu.cameras.stream(cameraId, 'main')!;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let packets = 0;
  let frames = 0;
  let payloadType = -1;
  let first: () => void = () => undefined;
  const started = new Promise<void>((r) => (first = r));
  sock.on('message', (m) => {
    if (m.length < 13 || (m[0]! & 0xc0) !== 0x80) return;
    // Only the consumer's media payload type counts: RTCP (200-204 with the marker bit folded in)
    // and mediasoup's padding-only probation packets are not frames.
    if ((m[1]! & 0x7f) !== payloadType) return;
    packets++;
    if (m[1]! & 0x80) frames++;
    first();
  });
  const router = stream.slot.router;
  const producer = await stream.ensureOn(router);
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  payloadType = consumer.rtpParameters.codecs[0]!.payloadType;
  await consumer.resume();
  // A new consumer starts at the camera's next keyframe (10 s away for gop10, and passthrough
  // cameras ignore keyframe requests): the window starts with the first packet.
  await Promise.race([started, new Promise((r) => setTimeout(r, 15000))]);
  packets = 0;
  frames = 0;
  await new Promise((r) => setTimeout(r, ms));
  transport.close();
  sock.close();
  return { packets, frames };
}

test('every zoo camera: probed, decided as expected, live, RTP at its frame rate', async () => {
  for (const kind of KINDS) {
    const id = `zoo-${kind}`;
    await waitFor(`${id} live`, () => sys.sfu.cameras.info().find((c) => c.id === id)?.streams.main.state === 'live', 60000);
    const plan = sys.sfu.cameras.stream(id, 'main')!.plan!;
    const want = EXPECTED[kind];
    assert.equal(plan.mode, want.mode, `${kind}: mode (${JSON.stringify(plan.info)})`);
    assert.equal(plan.reason, want.reason, `${kind}: reason`);
    if (want.mode === 'passthrough') assert.equal(plan.profileLevelId, want.profileLevelId, `${kind}: declared profile-level-id`);
    const spec = ZOO_SPECS[kind];
    assert.equal(plan.info.width, spec.width, `${kind}: width`);
    assert.equal(plan.info.height, spec.height, `${kind}: height`);
    assert.equal(plan.info.bframes, spec.bframes > 0, `${kind}: reordering`);
    assert.deepEqual(plan.info.audio, spec.audio === 'AAC' ? ['MPEG4-GENERIC'] : spec.audio ? [spec.audio] : [], `${kind}: audio`);
    assert.ok(plan.info.fps !== null && Math.abs(plan.info.fps - spec.fps) <= spec.fps * 0.1, `${kind}: probed fps ${plan.info.fps}`);
    // The camera info pushed to browsers carries the decision (and never the URL).
    const info = sys.sfu.cameras.info().find((c) => c.id === id)!;
    assert.equal(info.streams.main.ingest?.mode, want.mode);
    assert.ok(!JSON.stringify(info).includes('rtsp://'), 'no URL in the camera info');
    // The zoo plays pre-rendered clips (no encoder on our cores): every kind, transcoded or not, at
    // its camera's rate ±10 % over 5 s (one frame of slack for the window's edges), in one of up to
    // three windows (on 2 shared cores a starved transcoder stalls, then sends the held frames in a burst).
    const seconds = 5;
    const expected = spec.fps * seconds;
    const seen: number[] = [];
    let s = { packets: 0, frames: 0 };
    for (let w = 0; w < 3; w++) {
      s = await sample(id, seconds * 1000);
      seen.push(s.frames);
      if (s.frames >= expected * 0.9 - 1 && s.frames <= expected * 1.1 + 1) break;
    }
    console.log(`# ${kind}: ${plan.mode} (${plan.reason}), ${seen.map((n) => (n / seconds).toFixed(1)).join(' / ')} frames/s of ${spec.fps} at the consumer`);
    assert.ok(s.frames >= expected * 0.9 - 1 && s.frames <= expected * 1.1 + 1, `${kind}: ${seen.join(', ')} frames in windows of ${seconds} s at ${spec.fps} fps (${s.packets} packets in the last)`);
  }
});

test('the encoder-restart camera stays live over three restarts: no offline, no ingest restart', async () => {
  const id = 'zoo-restart';
  const stream = sys.sfu.cameras.stream(id, 'main')!;
  await waitFor('restart camera live', () => stream.status.state === 'live', 60000);
  const pid = stream.ingestPid;
  const before = zoo.restartEvents.length;
  history.set(id, []);
  await waitFor('three encoder restarts', () => zoo.restartEvents.filter((e) => e.kind === 'restart').length >= before + 3, (RESTART_EVERY_S + 4) * 4 * 1000, 500);
  const s = await sample(id, 2000);
  console.log(`# restart: ${(s.frames / 2).toFixed(1)} frames/s after ${zoo.restartEvents.length - before} encoder restarts`);
  assert.deepEqual((history.get(id) ?? []).filter((st) => st.state !== 'live'), [], 'never left live');
  assert.equal(stream.ingestPid, pid, 'the ingest process was not restarted');
  // The rate depends on the (shared) CPU: here only that frames still flow after the third restart.
  assert.ok(s.frames > 0, `frames after the restarts: ${s.frames}`);
});

test('no camera URL or credential on the command line of any process the SFU started', async () => {
  const children = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(process.pid);
    } catch {
      return false;
    }
  });
  // The GStreamer engine's processes (the relay's streams run inside this process: no pid).
  const ingestPids = sys.sfu.cameras.allStreams().flatMap((s) => (s.ingestPid === undefined ? [] : [String(s.ingestPid)]));
  assert.ok(ingestPids.length > 0, 'some streams run a GStreamer ingest (transcoded, audio)');
  assert.ok(ingestPids.every((p) => children.includes(p)), 'the ingest processes are children of this process');
  for (const pid of children) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    assert.ok(!cmdline.includes(PASSWORD) && !cmdline.includes(USER), `pid ${pid}: ${cmdline.slice(0, 200)}`);
    if (ingestPids.includes(pid)) assert.ok(!cmdline.includes('rtsp://'), `ingest pid ${pid} has no URL on its command line`);
  }
});
