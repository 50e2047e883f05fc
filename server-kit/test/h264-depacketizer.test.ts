// H264Depacketizer: single NAL, STAP-A and FU-A into access units; ends at the marker or a
// timestamp change; losses inside a fragmented NAL drop it; size bound; toAnnexB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp, H264Depacketizer, packetNalTypes, packetStartsIdr, parseRtp, toAnnexB, type AccessUnit } from '@wardwall/server-kit';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const AUD = Buffer.from([0x09, 0xf0]);

function nal(type: number, size: number, fill = 0x55): Buffer {
  const b = Buffer.alloc(size, fill);
  b[0] = 0x60 | type;
  return b;
}

function stapA(...nalus: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x78])];
  for (const n of nalus) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(n.length);
    parts.push(len, n);
  }
  return Buffer.concat(parts);
}

/** FU-A payloads of one NAL unit, `chunk` bytes of its body each. */
function fuA(n: Buffer, chunk: number): Buffer[] {
  const out: Buffer[] = [];
  const body = n.subarray(1);
  for (let i = 0; i < body.length; i += chunk) {
    const s = i === 0 ? 0x80 : 0;
    const e = i + chunk >= body.length ? 0x40 : 0;
    out.push(Buffer.concat([Buffer.from([(n[0]! & 0xe0) | 28, s | e | (n[0]! & 0x1f)]), body.subarray(i, i + chunk)]));
  }
  return out;
}

class Feed {
  seq = 100;
  readonly d: H264Depacketizer;
  readonly aus: AccessUnit[] = [];
  constructor(d = new H264Depacketizer()) {
    this.d = d;
  }
  send(payload: Buffer, ts: number, marker = false, skip = 0): AccessUnit | null {
    this.seq = (this.seq + skip) & 0xffff;
    const pkt = buildRtp({ marker, payloadType: 96, sequenceNumber: this.seq, timestamp: ts, ssrc: 1 }, payload);
    this.seq = (this.seq + 1) & 0xffff;
    const au = this.d.push(pkt, parseRtp(pkt)!);
    for (let u = au; u; u = this.d.next()) this.aus.push(u);
    return au;
  }
}

test('single NAL units, STAP-A and FU-A make one keyframe access unit at the marker', () => {
  const f = new Feed();
  const idr = nal(5, 3000, 0x11);
  assert.equal(f.send(AUD, 9000), null);
  assert.equal(f.send(stapA(SPS, PPS), 9000), null);
  const frags = fuA(idr, 1000);
  assert.equal(frags.length, 3);
  for (let i = 0; i < frags.length; i++) {
    const au = f.send(frags[i]!, 9000, i === frags.length - 1);
    if (i < frags.length - 1) assert.equal(au, null);
  }
  assert.equal(f.aus.length, 1);
  const au = f.aus[0]!;
  assert.equal(au.timestamp, 9000);
  assert.equal(au.keyframe, true);
  assert.equal(au.hasParameterSets, true);
  assert.equal(au.damaged, false);
  assert.deepEqual(au.nalus.map((n) => n[0]! & 0x1f), [9, 7, 8, 5]);
  assert.ok(au.nalus[3]!.equals(idr), 'FU-A reassembled byte for byte');
  assert.equal(au.bytes, AUD.length + SPS.length + PPS.length + idr.length);
  // A P frame in 2 slices, the second one fragmented.
  f.send(nal(1, 500), 12600);
  const p2 = nal(1, 2500, 0x22);
  const fr = fuA(p2, 1200);
  f.send(fr[0]!, 12600);
  f.send(fr[1]!, 12600);
  const p = f.send(fr[2]!, 12600, true)!;
  assert.equal(p.keyframe, false);
  assert.equal(p.hasParameterSets, false);
  assert.deepEqual(p.nalus.map((n) => n.length), [500, 2500]);
});

test('an access unit also ends when the timestamp changes (marker lost or never set)', () => {
  const f = new Feed();
  assert.equal(f.send(nal(5, 50), 1000), null);
  const first = f.send(nal(1, 40), 4600);
  assert.ok(first);
  assert.equal(first.timestamp, 1000);
  assert.equal(first.keyframe, true);
  // The new unit's own marker in the same call: the second unit comes from next().
  const f2 = new Feed();
  f2.send(nal(1, 10), 1000);
  const a = f2.send(nal(1, 20), 4600, true)!;
  assert.equal(a.timestamp, 1000);
  assert.deepEqual(f2.aus.map((u) => u.timestamp), [1000, 4600]);
  assert.equal(f2.d.next(), null);
  const b = f2.send(nal(1, 30), 8200, true)!;
  assert.equal(b.timestamp, 8200);
  f2.send(nal(1, 30), 11800);
  assert.equal(f2.d.flush()?.timestamp, 11800);
  assert.equal(f2.d.flush(), null);
});

test('a sequence gap inside an FU drops that NAL unit (lost), the unit is damaged', () => {
  const f = new Feed();
  const big = nal(5, 4000);
  const frags = fuA(big, 1000);
  f.send(nal(7, 10), 1000);
  f.send(frags[0]!, 1000);
  f.send(frags[2]!, 1000, false, 1); // frags[1] lost
  f.send(frags[3]!, 1000, true);
  const au = f.aus[0]!;
  assert.equal(f.d.lost, 1);
  assert.equal(f.d.gaps, 1);
  assert.equal(au.damaged, true);
  assert.equal(au.keyframe, false, 'the IDR was dropped');
  assert.deepEqual(au.nalus.map((n) => n[0]! & 0x1f), [7]);
  // A fragment whose start is missing (first packets of the stream) counts one loss per NAL unit.
  const g = new Feed();
  g.send(frags[1]!, 1000);
  g.send(frags[2]!, 1000);
  g.send(frags[3]!, 1000);
  g.send(nal(1, 10), 1000, true);
  assert.equal(g.d.lost, 1);
  assert.deepEqual(g.aus[0]!.nalus.map((n) => n.length), [10]);
  // An FU interrupted by a single NAL packet (its end lost without a sequence gap, e.g. a sender bug).
  const h = new Feed();
  h.send(frags[0]!, 1000);
  h.send(nal(1, 10), 1000, true);
  assert.equal(h.d.lost, 1);
});

test('reordered and duplicated packets are dropped (late), sequence wrap is not a gap', () => {
  const f = new Feed();
  f.seq = 65534;
  f.send(nal(1, 10), 1000);
  f.send(nal(1, 10), 1000);
  f.send(nal(1, 10), 1000, true);
  assert.equal(f.seq, 1);
  assert.equal(f.d.gaps, 0);
  assert.equal(f.aus[0]!.nalus.length, 3);
  f.seq = 0; // a duplicate of the last one
  assert.equal(f.send(nal(1, 10), 1000, true), null);
  assert.equal(f.d.late, 1);
});

test('an access unit beyond the size bound is dropped whole; the next one is fine', () => {
  const f = new Feed(new H264Depacketizer({ maxAccessUnitBytes: 5000 }));
  for (const fr of fuA(nal(5, 6000), 1000)) f.send(fr, 1000, false);
  f.send(nal(1, 10), 1000, true);
  assert.equal(f.aus.length, 0);
  assert.equal(f.d.oversized, 1);
  assert.equal(f.d.lost, 0);
  f.send(nal(1, 4000), 4600, true);
  assert.equal(f.aus.length, 1);
  // Many single NAL units adding up.
  for (let i = 0; i < 6; i++) f.send(nal(1, 1000), 8200, i === 5);
  assert.equal(f.aus.length, 1);
  assert.equal(f.d.oversized, 2);
});

test('malformed and unsupported payloads are counted, nothing thrown', () => {
  const f = new Feed();
  f.send(Buffer.from([0x78, 0x00]), 1000); // STAP-A with a cut size
  f.send(Buffer.from([0x78, 0x00, 0x09, 0x67]), 1000); // STAP-A NAL beyond the end
  f.send(Buffer.from([0x7c]), 1000); // FU-A without its header
  f.send(Buffer.from([0x7c, 0x85]), 1000); // FU-A without data
  f.send(Buffer.from([0x79, 0, 0]), 1000); // STAP-B
  f.send(Buffer.from([0x7d, 0x85, 1]), 1000); // FU-B
  f.send(Buffer.alloc(0), 1000, true);
  assert.equal(f.d.malformed, 5);
  assert.equal(f.d.unsupported, 2);
  assert.equal(f.aus.length, 0);
});

test('packetStartsIdr and packetNalTypes', () => {
  const check = (payload: Buffer): [boolean, number] => {
    const pkt = buildRtp({ payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1 }, payload);
    const h = parseRtp(pkt)!;
    return [packetStartsIdr(pkt, h), packetNalTypes(pkt, h)];
  };
  const idr = nal(5, 3000);
  const frags = fuA(idr, 1000);
  assert.deepEqual(check(nal(5, 10)), [true, 1 << 5]);
  assert.deepEqual(check(frags[0]!), [true, 1 << 5]);
  assert.deepEqual(check(frags[1]!), [false, 0]);
  assert.deepEqual(check(stapA(SPS, PPS)), [false, (1 << 7) | (1 << 8)]);
  assert.deepEqual(check(stapA(SPS, PPS, nal(5, 20))), [true, (1 << 7) | (1 << 8) | (1 << 5)]);
  assert.deepEqual(check(fuA(nal(1, 3000), 1000)[0]!), [false, 1 << 1]);
  assert.deepEqual(check(Buffer.from([0x78, 0, 50, 0x65])), [false, 0]);
});

test('toAnnexB: start codes, SPS/PPS put in front (after an AUD) only when absent', () => {
  const idr = nal(5, 20);
  const au: AccessUnit = { timestamp: 0, nalus: [AUD, idr], keyframe: true, hasParameterSets: false, bytes: AUD.length + idr.length, damaged: false };
  const sc = Buffer.from([0, 0, 0, 1]);
  assert.ok(toAnnexB(au).equals(Buffer.concat([sc, AUD, sc, idr])));
  assert.ok(toAnnexB(au, { sps: SPS, pps: PPS }).equals(Buffer.concat([sc, AUD, sc, SPS, sc, PPS, sc, idr])));
  const withPs: AccessUnit = { ...au, nalus: [SPS, PPS, idr], hasParameterSets: true };
  assert.ok(toAnnexB(withPs, { sps: Buffer.from([0x67, 1, 2, 3]), pps: PPS }).equals(Buffer.concat([sc, SPS, sc, PPS, sc, idr])));
});

test('a new source (another SSRC, or numbering far away) starts over instead of looking late', () => {
  const d = new H264Depacketizer();
  const aus: AccessUnit[] = [];
  const send = (ssrc: number, seq: number, ts: number, payload: Buffer, marker: boolean): void => {
    const pkt = buildRtp({ marker, payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc }, payload);
    for (let au = d.push(pkt, parseRtp(pkt)!); au; au = d.next()) aus.push(au);
  };
  send(1, 5000, 100, nal(1, 10), true);
  send(1, 5001, 3700, nal(1, 10), false); // its marker packet never comes: the encoder restarted
  send(2, 4000, 9, nal(5, 10), true); // new SSRC, sequence "behind"
  send(2, 4001, 3609, nal(1, 10), true);
  assert.deepEqual(aus.map((u) => [u.timestamp, u.keyframe]), [[100, false], [3700, false], [9, true], [3609, false]]);
  assert.equal(d.late, 0);
  assert.equal(d.sources, 1);
  send(2, 4002 + 20000, 7209, nal(1, 10), true); // same SSRC, far jump
  assert.equal(aus.length, 5);
  assert.equal(aus[4]!.damaged, false);
  assert.equal(d.sources, 2);
  assert.equal(d.gaps, 0);
  // reset (a new RTSP session): the unit in progress is dropped, any numbering accepted.
  send(2, 30000, 10809, nal(1, 10), false);
  d.reset();
  send(2, 29000, 10809, nal(1, 20), true);
  assert.equal(aus.length, 6);
  assert.deepEqual(aus[5]!.nalus.map((n) => n.length), [20]);
});
