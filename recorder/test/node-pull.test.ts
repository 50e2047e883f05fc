/** The Node pull's pure parts: RTCP sender reports, RTP time, record building, engine choice, faults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp } from '@wardwall/server-kit';
import { buildSenderReport, parseSenderReports, NTP_UNIX_OFFSET_S } from '../src/writer/node-pull/rtcp-sender-report.js';
import { captureTimeMs, rtpDelta, RtpUnwrapper, ticksToNs } from '../src/writer/node-pull/rtp-clock.js';
import { PullRecords } from '../src/writer/node-pull/pull-records.js';
import { choosePullEngine } from '../src/writer/node-pull/pull-engine.js';
import { pullErrorCode } from '../src/writer/node-pull/pull-faults.js';
import { pullHeaderSchema, type PullRecord } from '../src/writer/pull-protocol.js';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0, 0);
const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const IDR = Buffer.from([0x65, 0x88, 0x84, 0x00, 0x33]);
const P = Buffer.from([0x41, 0x9a, 0x02, 0x03]);

test('sender reports: SR fields read, NTP to epoch ms, compound packets walked, truncation tolerated', () => {
  const sr = buildSenderReport(0xdeadbeef, T0 + 250.5, 123456);
  const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 7]); // an empty receiver report first
  const got = parseSenderReports(Buffer.concat([rr, sr]));
  assert.equal(got.length, 1);
  assert.equal(got[0]!.ssrc, 0xdeadbeef);
  assert.equal(got[0]!.rtpTimestamp, 123456);
  assert.ok(Math.abs(got[0]!.ntpMs - (T0 + 250.5)) < 0.001, String(got[0]!.ntpMs - T0));
  // NTP seconds by hand: era 0, 1 s past the epoch, half a second of fraction.
  const b = Buffer.from(sr);
  b.writeUInt32BE(NTP_UNIX_OFFSET_S + 1, 8);
  b.writeUInt32BE(2 ** 31, 12);
  assert.equal(parseSenderReports(b)[0]!.ntpMs, 1500);
  // A time before 1970 (camera without a clock) is no report.
  b.writeUInt32BE(5, 8);
  assert.deepEqual(parseSenderReports(b), []);
  // Cut short, a length beyond the packet, another version, empty: nothing, no throw.
  assert.deepEqual(parseSenderReports(sr.subarray(0, 20)), []);
  const long = Buffer.from(sr);
  long.writeUInt16BE(200, 2);
  assert.deepEqual(parseSenderReports(long), []);
  const v1 = Buffer.from(sr);
  v1[0] = 0x40;
  assert.deepEqual(parseSenderReports(v1), []);
  assert.deepEqual(parseSenderReports(Buffer.alloc(0)), []);
  // The reports before a damaged part are kept.
  assert.equal(parseSenderReports(Buffer.concat([sr, Buffer.from([0x80, 200, 0xff, 0xff])])).length, 1);
});

test('sender reports: random bytes never throw', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(rnd() % 80);
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    if (b.length > 0 && i % 2 === 0) b[0] = 0x80 | (b[0]! & 0x3f);
    parseSenderReports(b);
  }
});

test('RTP time: signed deltas, unwrap across the 32-bit wrap, ns, capture time by a report', () => {
  assert.equal(rtpDelta(10, 5), 5);
  assert.equal(rtpDelta(5, 10), -5);
  assert.equal(rtpDelta(3, 0xfffffffe), 5);
  assert.equal(rtpDelta(0xfffffffe, 3), -5);
  const u = new RtpUnwrapper();
  const start = 0xffffffff - 3000 * 2;
  assert.equal(u.unwrap(start), 0);
  assert.equal(u.unwrap((start + 3000) >>> 0), 3000);
  assert.equal(u.unwrap((start + 9000) >>> 0), 9000); // past the wrap
  assert.equal(u.unwrap((start + 12000) >>> 0), 12000);
  assert.equal(u.unwrap((start + 6000) >>> 0), 6000); // back (reordered) is negative progress
  u.reset();
  assert.equal(u.unwrap(42), 0);
  assert.equal(ticksToNs(90000, 90000), 1e9);
  assert.equal(ticksToNs(3003, 90000), 33366667);
  assert.ok(Number.isInteger(ticksToNs(1, 90000)));
  assert.equal(captureTimeMs(90000 + 45000, { ntpMs: T0, rtpTimestamp: 90000 }, 90000), T0 + 500);
  assert.equal(captureTimeMs(4500, { ntpMs: T0, rtpTimestamp: 0xffffffff - 4499 }, 90000), T0 + 100);
  assert.equal(captureTimeMs(0, { ntpMs: T0, rtpTimestamp: 9000 }, 90000), T0 - 100);
});

/** A scripted camera: RTP packets of one H.264 stream. */
function camera(ssrc: number, ts0: number, seq0 = 1000) {
  let seq = seq0;
  return {
    /** One access unit as single-NAL packets, the marker on the last. */
    unit(ts: number, nalus: Buffer[], marker = true): Buffer[] {
      return nalus.map((n, i) => buildRtp({ payloadType: 96, sequenceNumber: seq++ & 0xffff, timestamp: (ts0 + ts) >>> 0, ssrc, marker: marker && i === nalus.length - 1 }, n));
    },
  };
}

function collect() {
  const out: PullRecord[] = [];
  const r = new PullRecords({ payloadType: 96, clockRate: 90000, paramSets: { sps: SPS, pps: PPS }, emit: (x) => out.push(x) });
  return { r, out, video: () => out.filter((x) => x.header.k === 'v').map((x) => x.header as Extract<PullRecord['header'], { k: 'v' }>) };
}

const annexB = (...n: Buffer[]) => Buffer.concat(n.flatMap((x) => [Buffer.from([0, 0, 0, 1]), x]));

test('records: caps, ssrc, wall at the last packet, pts/dts in ns from 0, SPS/PPS before keyframes, valid for the writer', () => {
  const { r, out, video } = collect();
  r.caps();
  const cam = camera(0x1111, 0xfffff000); // wraps after a few units
  const walls = [T0, T0 + 40, T0 + 80, T0 + 120];
  // Keyframe in two packets (arrivals T0-5 and T0), then three P-frames, 3600 ticks apart (25 fps).
  const [a, b] = cam.unit(0, [IDR, IDR]);
  assert.equal(r.rtp(a!, T0 - 5), null);
  assert.equal(r.rtp(b!, T0), null);
  for (let i = 1; i < 4; i++) for (const p of cam.unit(3600 * i, [P])) r.rtp(p, walls[i]!);
  for (const rec of out) assert.ok(pullHeaderSchema.safeParse(rec.header).success, JSON.stringify(rec.header));
  assert.deepEqual(out[0]!.header, { k: 'ev', ev: 'caps', media: 'video', codec: 'h264' });
  assert.deepEqual(out[1]!.header, { k: 'ev', ev: 'ssrc', media: 'video', ssrc: 0x1111 });
  const v = video();
  assert.deepEqual(v.map((x) => x.pts), [0, 40e6, 80e6, 120e6]);
  assert.deepEqual(v.map((x) => x.dts), [0, 40e6, 80e6, 120e6]);
  assert.deepEqual(v.map((x) => x.wall), walls);
  assert.deepEqual(v.map((x) => x.key), [true, false, false, false]);
  assert.deepEqual(v.map((x) => x.disc), [false, false, false, false]);
  assert.deepEqual(v.map((x) => x.ntp), [null, null, null, null]);
  assert.deepEqual(out[2]!.payload, annexB(SPS, PPS, IDR, IDR));
  assert.deepEqual(out[3]!.payload, annexB(P));
});

test('records: without markers a unit ends at the next timestamp, stamped with its own last packet', () => {
  const { r, video } = collect();
  const cam = camera(7, 1000);
  for (const p of cam.unit(0, [SPS, PPS, IDR], false)) r.rtp(p, T0);
  for (const p of cam.unit(3000, [P], false)) r.rtp(p, T0 + 33);
  for (const p of cam.unit(6000, [P], false)) r.rtp(p, T0 + 70);
  const v = video();
  assert.deepEqual(v.map((x) => x.wall), [T0, T0 + 33]);
  assert.deepEqual(v.map((x) => x.pts), [0, ticksToNs(3000, 90000)]);
});

test('records: a packet that completes two units (the first lost its marker) gives both, each with its own arrival', () => {
  const { r, video } = collect();
  const cam = camera(8, 0);
  for (const p of cam.unit(0, [IDR], true)) r.rtp(p, T0);
  for (const p of cam.unit(3600, [P], false)) r.rtp(p, T0 + 40); // its marker packet lost
  for (const p of cam.unit(7200, [P], true)) r.rtp(p, T0 + 80); // ends the unit before it and itself
  assert.deepEqual(video().map((x) => [x.pts, x.wall]), [[0, T0], [40e6, T0 + 40], [80e6, T0 + 80]]);
});

test('records: ntp from the latest sender report of the same SSRC', () => {
  const { r, video } = collect();
  const cam = camera(0xabc, 500000);
  r.rtcp(buildSenderReport(0x999, T0 - 9000, 500000)); // another stream's report: ignored
  for (const p of cam.unit(0, [IDR])) r.rtp(p, T0 + 120);
  r.rtcp(buildSenderReport(0xabc, T0, 500000 + 9000)); // the report is 100 ms after the first unit
  for (const p of cam.unit(9000 + 4500, [P])) r.rtp(p, T0 + 170);
  const v = video();
  assert.equal(v[0]!.ntp, null);
  assert.ok(Math.abs(v[1]!.ntp! - (T0 + 50)) < 0.001, String(v[1]!.ntp! - T0));
});

test('records: a new SSRC (encoder restart) gives an ssrc event, disc on its first unit, media time going on by arrival; the old stream is ignored', () => {
  const { r, out, video } = collect();
  const a = camera(1, 10);
  const b = camera(2, 777777, 5);
  for (const p of a.unit(0, [IDR])) r.rtp(p, T0);
  for (const p of a.unit(9000, [P])) r.rtp(p, T0 + 100);
  for (const p of b.unit(0, [IDR])) r.rtp(p, T0 + 1100);
  for (const p of a.unit(18000, [P])) r.rtp(p, T0 + 1110); // late packet of the old stream
  for (const p of b.unit(9000, [P])) r.rtp(p, T0 + 1200);
  const v = video();
  assert.deepEqual(v.map((x) => x.disc), [false, false, true, false]);
  assert.deepEqual(v.map((x) => x.pts), [0, 100e6, 1100e6, 1200e6]);
  assert.deepEqual(v.map((x) => x.key), [true, false, true, false]);
  assert.deepEqual(out.filter((x) => x.header.k === 'ev' && x.header.ev === 'ssrc').map((x) => (x.header as { ssrc: number }).ssrc), [1, 2]);
  assert.equal(r.dropped, 1);
});

test('records: RTP timestamps going back (B-frames) stop the pull with "reordered"', () => {
  const { r, video } = collect();
  const cam = camera(3, 0);
  for (const p of cam.unit(0, [IDR])) assert.equal(r.rtp(p, T0), null);
  for (const p of cam.unit(9000, [P])) assert.equal(r.rtp(p, T0 + 40), null);
  for (const p of cam.unit(3000, [P])) assert.equal(r.rtp(p, T0 + 80), null); // one step back: not yet
  for (const p of cam.unit(18000, [P])) assert.equal(r.rtp(p, T0 + 120), null);
  let stop = null;
  for (const p of cam.unit(12000, [P])) stop = r.rtp(p, T0 + 160);
  assert.equal(stop?.code, 'reordered');
  assert.deepEqual(video().map((x) => x.pts), [0, 100e6, 200e6]);
});

test('records: steps back far apart, or in a baseline stream (no B-frames by its SPS), are strays, not reordering', () => {
  const far = collect();
  const cam = camera(3, 0);
  let ts = 0;
  const next = (r: PullRecords, step: number, wall: number) => {
    ts += step;
    let stop = null;
    for (const p of cam.unit(ts, [P])) stop = r.rtp(p, wall);
    return stop;
  };
  for (const p of cam.unit(0, [IDR])) far.r.rtp(p, T0);
  assert.equal(next(far.r, 3600, T0), null);
  assert.equal(next(far.r, -1800, T0), null); // one step back
  for (let i = 0; i < 60; i++) assert.equal(next(far.r, 3600, T0), null);
  assert.equal(next(far.r, -1800, T0), null); // another, 60 units later: still not B-frames
  const out: PullRecord[] = [];
  const base = new PullRecords({ payloadType: 96, clockRate: 90000, reorderPossible: false, emit: (x) => out.push(x) });
  ts = 0;
  for (const p of cam.unit(0, [IDR])) base.rtp(p, T0);
  for (let i = 0; i < 5; i++) {
    assert.equal(next(base, 7200, T0), null);
    assert.equal(next(base, -3600, T0), null); // a stray: written at the newest time
  }
  assert.equal(out.filter((x) => x.header.k === 'v').length, 11);
});

test('records: a unit far behind the newest is a stray written at the newest time; ten in a row are the clock jumping back (a discontinuity)', () => {
  const { r, video } = collect();
  const cam = camera(4, 900000);
  for (const p of cam.unit(0, [IDR])) r.rtp(p, T0);
  for (const p of cam.unit(3600, [P])) r.rtp(p, T0 + 40);
  for (const p of cam.unit(3600 - 90000, [P])) r.rtp(p, T0 + 60); // a stray 1 s behind
  for (const p of cam.unit(7200, [P])) r.rtp(p, T0 + 80);
  assert.deepEqual(video().map((x) => x.pts), [0, 40e6, 40e6, 80e6]);
  assert.deepEqual(video().map((x) => x.disc), [false, false, false, false]);
  // The clock jumps back 10 s and stays there.
  for (let i = 0; i < 12; i++) for (const p of cam.unit(-900000 + 3600 * i, [i === 0 ? IDR : P])) assert.equal(r.rtp(p, T0 + 120 + 40 * i), null);
  const v = video().slice(4);
  assert.deepEqual(v.map((x) => x.disc), [...Array<boolean>(9).fill(false), true, false, false]);
  assert.deepEqual(v.map((x) => x.pts), [...Array<number>(9).fill(80e6), 120e6, 160e6, 200e6]);
});

test('records: malformed packets and other payload types are dropped without a throw', () => {
  const { r, video } = collect();
  const bad = [Buffer.alloc(0), Buffer.alloc(11), Buffer.from([0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x65]), buildRtp({ payloadType: 97, sequenceNumber: 1, timestamp: 1, ssrc: 1, marker: true }, IDR)];
  for (const b of bad) assert.equal(r.rtp(b, T0), null);
  // Random payloads of a valid header: FU-A/STAP-A garbage.
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
  for (let i = 0; i < 3000; i++) {
    const payload = Buffer.alloc(rnd() % 40);
    for (let j = 0; j < payload.length; j++) payload[j] = rnd();
    r.rtp(buildRtp({ payloadType: 96, sequenceNumber: i, timestamp: 3000 * (i >> 2), ssrc: 9, marker: rnd() > 200 }, payload), T0 + i);
  }
  r.rtcp(Buffer.from([0x80, 200, 0, 0]));
  for (const v of video()) assert.ok(pullHeaderSchema.safeParse(v).success);
});

test('engine choice: node for RTSP H.264 without recorded audio, pull.py for the rest and when configured or remembered', () => {
  const v264 = { media: 'video', encodingName: 'H264' };
  const base = { setting: 'auto' as const, url: 'rtsp://u:p@10.0.0.5/s', recordAudio: false, tracks: [v264] };
  assert.equal(choosePullEngine(base).engine, 'node');
  assert.equal(choosePullEngine({ ...base, tracks: null }).engine, 'node');
  assert.equal(choosePullEngine({ ...base, profileIdc: 66 }).reason, 'baseline');
  assert.equal(choosePullEngine({ ...base, profileIdc: 100 }).engine, 'node');
  assert.equal(choosePullEngine({ ...base, setting: 'gstreamer' }).engine, 'gstreamer');
  assert.equal(choosePullEngine({ ...base, remembered: 'gstreamer' }).engine, 'gstreamer');
  assert.equal(choosePullEngine({ ...base, url: 'rtmp://10.0.0.5/live/x' }).engine, 'gstreamer');
  assert.equal(choosePullEngine({ ...base, tracks: [{ media: 'video', encodingName: 'H265' }] }).engine, 'gstreamer');
  assert.equal(choosePullEngine({ ...base, tracks: [{ media: 'audio', encodingName: 'PCMA' }] }).engine, 'gstreamer');
  const withAudio = [v264, { media: 'audio', encodingName: 'PCMA' }];
  assert.equal(choosePullEngine({ ...base, tracks: withAudio }).engine, 'node');
  assert.equal(choosePullEngine({ ...base, tracks: withAudio, recordAudio: true }).engine, 'gstreamer');
  assert.equal(choosePullEngine({ ...base, tracks: [v264], recordAudio: true }).engine, 'node');
});

test('faults: RTSP client errors in pull.py’s words (the writer maps them to its fault codes)', () => {
  assert.equal(pullErrorCode('connect_failed'), 'connect-failed');
  assert.equal(pullErrorCode('refused'), 'connect-failed');
  assert.equal(pullErrorCode('auth_failed'), 'unauthorized');
  assert.equal(pullErrorCode('not_found'), 'not-found');
  assert.equal(pullErrorCode('timeout'), 'timeout');
  assert.equal(pullErrorCode('unsupported'), null);
  assert.equal(pullErrorCode('protocol'), 'protocol');
});
