// The RTP/H.264 tools against real payloader output: GStreamer's rtph264pay (openh264 640×360,
// default and zero-latency aggregation; libx264 1080p high profile for FU-A) sends to a UDP socket
// on 127.0.0.1; the packets are depacketized (access units, keyframes, SPS/PPS, spsInfo against the
// caps), written as Annex B and decoded by ffprobe; two runs (two SSRCs) go through the rewriter and
// come out as one continuous stream that still decodes. Also prints a micro-bench (ns per packet).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from '@wardwall/testing/recorder';
import {
  buildRtp,
  emptyRtpHeader,
  H264Depacketizer,
  ParameterSetGate,
  parameterSetsStapA,
  packetStartsIdr,
  ParameterSetTracker,
  parseRtp,
  RtpRewriter,
  seqDelta,
  spropParameterSets,
  spsInfo,
  toAnnexB,
  tsDelta,
  type AccessUnit,
  type RebaseReason,
} from '@wardwall/server-kit';

const execFileP = promisify(execFile);
const FRAMES = 75;
const BIG_FRAMES = 30;

interface Capture {
  packets: Buffer[];
  /** performance.now() at each packet's arrival. */
  at: number[];
  /** The payloader's src caps (from gst-launch -v). */
  caps: string;
}

let dir = '';
const runs: Record<'plain' | 'zeroLatency' | 'big', Capture> = {} as never;

/** Runs `gst-launch-1.0 -v <elements> ! udpsink` to a fresh UDP socket on 127.0.0.1 and collects every packet. */
async function capture(elements: string[]): Promise<Capture> {
  const sock = createSocket('udp4');
  const packets: Buffer[] = [];
  const at: number[] = [];
  let lastAt = performance.now();
  sock.on('message', (m) => {
    packets.push(m);
    at.push((lastAt = performance.now()));
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  try {
    sock.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    /* capped by the system */
  }
  const port = sock.address().port;
  const gst = spawn('gst-launch-1.0', ['-v', ...elements, '!', 'udpsink', 'host=127.0.0.1', `port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  gst.stdout.on('data', (d: Buffer) => (out += d.toString()));
  gst.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => gst.on('exit', resolve));
  assert.equal(code, 0, `gst-launch failed: ${out.slice(-2000)}`);
  // Loopback packets sent before the exit: wait until the socket has been quiet for a moment.
  while (performance.now() - lastAt < 200) await sleep(50);
  sock.close();
  const caps = /rtph264pay\d*\.GstPad:src: caps = (application\/x-rtp[^\n]*)/.exec(out)?.[1] ?? '';
  assert.ok(caps, 'the payloader printed its caps');
  return { packets, at, caps };
}

const openh264 = (extra: string[], ssrc: number): string[] => [
  'videotestsrc', `num-buffers=${FRAMES}`, 'pattern=ball', '!', 'video/x-raw,width=640,height=360,framerate=25/1', '!',
  'openh264enc', 'gop-size=25', '!', 'h264parse', '!', 'rtph264pay', 'mtu=1200', 'config-interval=-1', `ssrc=${ssrc}`, ...extra,
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rtp-tools-'));
  runs.plain = await capture(openh264([], 111111));
  runs.zeroLatency = await capture(openh264(['aggregate-mode=zero-latency'], 222222));
  // Big frames (FU-A): libx264 1080p high profile at 8 Mbit/s, GOP 25, through the same payloader.
  const big = join(dir, 'big.h264');
  await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-frames:v', String(BIG_FRAMES), '-c:v', 'libx264', '-profile:v', 'high', '-x264-params', 'keyint=25:min-keyint=25:scenecut=0', '-bf', '0', '-b:v', '8M', big], { timeout: 120000 });
  runs.big = await capture(['filesrc', `location=${big}`, '!', 'h264parse', '!', 'rtph264pay', 'mtu=1200', 'config-interval=-1', 'ssrc=333333']);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Depacketized {
  units: AccessUnit[];
  depay: H264Depacketizer;
  types: Map<number, number>;
}

function depacketize(packets: Buffer[]): Depacketized {
  const depay = new H264Depacketizer();
  const units: AccessUnit[] = [];
  const types = new Map<number, number>();
  const h = emptyRtpHeader();
  for (const p of packets) {
    assert.ok(parseRtp(p, h), 'a valid RTP packet');
    const t = p[h.payloadOffset]! & 0x1f;
    types.set(t, (types.get(t) ?? 0) + 1);
    for (let au = depay.push(p, h); au; au = depay.next()) units.push(au);
  }
  const rest = depay.flush();
  if (rest) units.push(rest);
  return { units, depay, types };
}

/** No sequence gap from the payloader to the socket (loopback): else the counts below would not hold. */
function assertNoLoss(c: Capture): void {
  for (let i = 1; i < c.packets.length; i++) assert.equal(seqDelta(c.packets[i]!.readUInt16BE(2), c.packets[i - 1]!.readUInt16BE(2)), 1, `packet ${i} lost or reordered`);
}

/** The NAL units of an Annex B byte stream (3- or 4-byte start codes). */
function splitAnnexB(b: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) starts.push(i + 3);
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : b.length;
    while (end > s && b[end - 1] === 0) end--;
    return b.subarray(s, end);
  });
}

/** The caps' sprop-parameter-sets (`(string)"a\\,b"`) as an SDP fmtp. */
function fmtpOf(caps: string): string {
  const v = /sprop-parameter-sets=\(string\)"([^"]*)"/.exec(caps)?.[1] ?? '';
  return `packetization-mode=1;sprop-parameter-sets=${v.replace(/\\/g, '')}`;
}

async function decodedFrames(units: AccessUnit[], name: string): Promise<number> {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(units.map((u) => toAnnexB(u))));
  return (await probe(file)).frames;
}

function checkOpenh264(c: Capture): Depacketized {
  assertNoLoss(c);
  const d = depacketize(c.packets);
  assert.equal(d.units.length, FRAMES);
  assert.deepEqual(d.units.flatMap((u, i) => (u.keyframe ? [i] : [])), [0, 25, 50], 'a keyframe every 25 frames');
  for (const u of d.units) {
    assert.equal(u.hasParameterSets, u.keyframe, 'SPS/PPS with every keyframe (config-interval=-1), not elsewhere');
    assert.equal(u.damaged, false);
  }
  assert.equal(d.depay.lost + d.depay.malformed + d.depay.unsupported + d.depay.late + d.depay.oversized, 0);
  const tracker = new ParameterSetTracker(spropParameterSets(fmtpOf(c.caps)));
  assert.ok(tracker.get(), 'sprop-parameter-sets of the caps');
  tracker.observe(d.units[0]!);
  assert.equal(tracker.changes, 0, 'the in-band SPS/PPS are the SDP ones');
  const info = spsInfo(tracker.get()!.sps)!;
  assert.equal(info.width, 640);
  assert.equal(info.height, 360);
  assert.equal(info.profileLevelId, /profile-level-id=\(string\)([0-9a-f]{6})/.exec(c.caps)![1]);
  // Every access unit's timestamp advances by 1/25 s.
  for (let i = 1; i < d.units.length; i++) assert.equal(tsDelta(d.units[i]!.timestamp, d.units[i - 1]!.timestamp), 3600);
  // The relay's per-packet test: one packet starts the IDR of each keyframe (single-slice encoder).
  const h = emptyRtpHeader();
  assert.equal(c.packets.filter((p) => packetStartsIdr(p, parseRtp(p, h)!)).length, 3);
  return d;
}

test('openh264 → rtph264pay (default aggregation): 75 access units, keyframes every 25, SPS/PPS, 640×360, decodes', async () => {
  const d = checkOpenh264(runs.plain);
  assert.ok((d.types.get(7) ?? 0) >= 3 && (d.types.get(8) ?? 0) >= 3 && !d.types.has(24), `SPS and PPS as single NAL packets: ${JSON.stringify([...d.types])}`);
  assert.equal(await decodedFrames(d.units, 'plain.h264'), FRAMES);
});

test('openh264 → rtph264pay aggregate-mode=zero-latency: SPS/PPS in STAP-A, same access units, decodes', async () => {
  const d = checkOpenh264(runs.zeroLatency);
  assert.ok((d.types.get(24) ?? 0) >= 3, `STAP-A packets: ${JSON.stringify([...d.types])}`);
  assert.equal(await decodedFrames(d.units, 'zl.h264'), FRAMES);
});

test('libx264 1080p high → rtph264pay: FU-A reassembled byte for byte, spsInfo 1920×1080 25 fps, decodes', async () => {
  const c = runs.big;
  assertNoLoss(c);
  const d = depacketize(c.packets);
  assert.ok((d.types.get(28) ?? 0) > 100, `FU-A packets: ${JSON.stringify([...d.types])}`);
  assert.equal(d.units.length, BIG_FRAMES);
  assert.deepEqual(d.units.flatMap((u, i) => (u.keyframe ? [i] : [])), [0, 25]);
  assert.equal(d.depay.lost, 0);
  const ps = spropParameterSets(fmtpOf(c.caps))!;
  assert.deepEqual(spsInfo(ps.sps), { profileIdc: 100, constraintFlags: 0, levelIdc: 40, profileLevelId: '640028', chromaFormatIdc: 1, width: 1920, height: 1080, frameRate: 25 });
  // The NAL units are the encoder's (the file's), in order.
  const file = readFileSync(join(dir, 'big.h264'));
  const isSlice = (n: Buffer): boolean => [1, 5].includes(n[0]! & 0x1f);
  const fileSlices = splitAnnexB(file).filter(isSlice);
  const slices = d.units.flatMap((u) => u.nalus.filter(isSlice));
  assert.equal(slices.length, fileSlices.length);
  for (let i = 0; i < slices.length; i++) assert.ok(slices[i]!.equals(fileSlices[i]!), `slice ${i} differs`);
  const sliceBytes = d.units.reduce((s, u) => s + u.nalus.filter((n) => [1, 5].includes(n[0]! & 0x1f)).reduce((a, n) => a + n.length, 0), 0);
  assert.ok(sliceBytes > 500_000, `slice bytes ${sliceBytes}`);
  assert.equal(await decodedFrames(d.units, 'big-out.h264'), BIG_FRAMES);
});

test('two runs (two SSRCs) through the rewriter: one continuous output stream that decodes', async () => {
  const a = runs.plain;
  const b = runs.zeroLatency;
  const reasons: RebaseReason[] = [];
  const rw = new RtpRewriter({ ssrc: 0xabcdef01, payloadType: 101, onRebase: (r) => reasons.push(r) });
  const h = emptyRtpHeader();
  const out: Buffer[] = [];
  const feed = (c: Capture): void => {
    c.packets.forEach((p, i) => {
      const copy = Buffer.from(p);
      assert.ok(rw.rewrite(copy, parseRtp(copy, h)!, c.at[i]!));
      out.push(copy);
    });
  };
  feed(a);
  feed(b);
  assert.deepEqual(reasons, ['ssrc']);
  const o = out.map((p) => parseRtp(p)!);
  for (const x of o) {
    assert.equal(x.ssrc, 0xabcdef01);
    assert.equal(x.payloadType, 101);
  }
  for (let i = 1; i < o.length; i++) assert.equal(seqDelta(o[i]!.sequenceNumber, o[i - 1]!.sequenceNumber), 1, `output sequence at ${i}`);
  // Within a run the input's timestamp deltas pass through; at the switch, the wall time between the two packets.
  const n = a.packets.length;
  const inTs = (c: Capture, i: number): number => c.packets[i]!.readUInt32BE(4);
  for (let i = 1; i < n; i++) assert.equal(tsDelta(o[i]!.timestamp, o[i - 1]!.timestamp), tsDelta(inTs(a, i), inTs(a, i - 1)));
  const jump = tsDelta(o[n]!.timestamp, o[n - 1]!.timestamp);
  assert.equal(jump, Math.max(1, Math.round((b.at[0]! - a.at[n - 1]!) * 90)));
  assert.ok(jump > 0);
  for (let i = n + 1; i < o.length; i++) assert.equal(tsDelta(o[i]!.timestamp, o[i - 1]!.timestamp), tsDelta(inTs(b, i - n), inTs(b, i - n - 1)));
  // The output is one H.264 stream of both runs' frames.
  const d = depacketize(out);
  assert.equal(d.units.length, 2 * FRAMES);
  assert.equal(await decodedFrames(d.units, 'rewritten.h264'), 2 * FRAMES);
});

test('a camera without in-band SPS/PPS: the relay flow (gate + insertBefore + STAP-A from the SDP) makes the output decodable', async () => {
  const c = runs.plain;
  const ps = spropParameterSets(fmtpOf(c.caps))!;
  // The camera: the same stream without its SPS/PPS packets (sequence renumbered: nothing lost).
  const h = emptyRtpHeader();
  let seq = 500;
  const camera = c.packets
    .filter((p) => ![7, 8].includes(p[parseRtp(p, h)!.payloadOffset]! & 0x1f))
    .map((p) => {
      const copy = Buffer.from(p);
      copy.writeUInt16BE(seq++, 2);
      return copy;
    });
  const without = depacketize(camera.map((p) => Buffer.from(p)));
  assert.ok(without.units.every((u) => !u.hasParameterSets));
  assert.equal(await decodedFrames(without.units, 'no-ps.h264').catch(() => 0), 0, 'undecodable as it is');
  const gate = new ParameterSetGate();
  const rw = new RtpRewriter({ ssrc: 42, payloadType: 101 });
  const out: Buffer[] = [];
  camera.forEach((p, i) => {
    parseRtp(p, h);
    if (gate.before(p, h)) {
      const slot = rw.insertBefore(h, i)!;
      out.push(buildRtp({ payloadType: 101, ssrc: 42, sequenceNumber: slot.sequenceNumber, timestamp: slot.timestamp }, parameterSetsStapA(ps.sps, ps.pps)));
    }
    assert.ok(rw.rewrite(p, h, i));
    out.push(p);
  });
  assert.equal(gate.inserted, 3);
  const o = out.map((p) => parseRtp(p)!);
  for (let i = 1; i < o.length; i++) assert.equal(seqDelta(o[i]!.sequenceNumber, o[i - 1]!.sequenceNumber), 1);
  const d = depacketize(out);
  assert.deepEqual(d.units.flatMap((u, i) => (u.hasParameterSets ? [i] : [])), [0, 25, 50]);
  assert.equal(await decodedFrames(d.units, 'with-ps.h264'), FRAMES);
});

test('micro-bench: ns per packet for parse + rewrite (forwarding) and parse + rewrite + depacketize, on the real packets', (t) => {
  const all = [runs.plain, runs.zeroLatency, runs.big];
  const base = all.flatMap((c) => c.packets);
  const bytes = base.reduce((a, p) => a + p.length, 0);
  const WARMUP = 10;
  const ROUNDS = 20;
  // One long-lived rewriter and depacketizer per mode (as in the relay); each round gets fresh copies
  // of the packets (the rewrite is in place) renumbered to continue the previous round, made before
  // the clock starts.
  let seq = 0;
  const round = (): Buffer[] =>
    base.map((p) => {
      const c = Buffer.from(p);
      c.writeUInt16BE(seq++ & 0xffff, 2);
      return c;
    });
  const h = emptyRtpHeader();
  const measure = (withDepay: boolean): number[] => {
    const rw = new RtpRewriter({ ssrc: 1, payloadType: 101 });
    const depay = new H264Depacketizer();
    const nsPerPacket: number[] = [];
    let units = 0;
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const pkts = round();
      const now = r * 1000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < pkts.length; i++) {
        const p = pkts[i]!;
        if (!parseRtp(p, h)) continue;
        if (withDepay) for (let au = depay.push(p, h); au; au = depay.next()) units++;
        rw.rewrite(p, h, now);
      }
      const ns = Number(process.hrtime.bigint() - t0) / pkts.length;
      if (r >= WARMUP) nsPerPacket.push(ns);
    }
    assert.ok(!withDepay || units >= (WARMUP + ROUNDS) * (2 * FRAMES + BIG_FRAMES) - 1, `access units: ${units}`);
    return nsPerPacket;
  };
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const forward = measure(false);
  const full = measure(true);
  const result = { packets: base.length, avgPacketBytes: Math.round(bytes / base.length), rounds: ROUNDS, nsPerPacketParseRewrite: Math.round(median(forward)), nsPerPacketParseRewriteDepacketize: Math.round(median(full)) };
  t.diagnostic(JSON.stringify(result));
  console.log(JSON.stringify({ bench: 'rtp-tools', ...result }));
});
