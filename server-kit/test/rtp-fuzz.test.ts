// Seeded fuzz (bounded): random and mutated packets through every RTP/H.264 tool; nothing throws,
// the depacketizer's access units stay within its bound, the rewriter's output stays parseable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp, emptyRtpHeader, GopKeeper, H264Depacketizer, packetNalTypes, packetStartsIdr, ParameterSetGate, ParameterSetTracker, parseRtp, RtpRewriter, spropParameterSets, spsInfo, toAnnexB } from '@wardwall/server-kit';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 20000 random/mutated packets, nothing throws', () => {
  const rand = rng(20261207);
  const int = (n: number): number => Math.floor(rand() * n);
  const depay = new H264Depacketizer({ maxAccessUnitBytes: 64 * 1024 });
  const rw = new RtpRewriter({ ssrc: 1234, payloadType: 102 });
  const gate = new ParameterSetGate();
  const tracker = new ParameterSetTracker();
  const gop = new GopKeeper(256 * 1024);
  const h = emptyRtpHeader();
  let seq = int(65536);
  let ts = int(2 ** 32);
  let parsed = 0;
  let units = 0;
  for (let i = 0; i < 20000; i++) {
    let pkt: Buffer;
    const kind = int(10);
    if (kind === 0) {
      pkt = Buffer.alloc(int(40));
      for (let j = 0; j < pkt.length; j++) pkt[j] = int(256);
    } else {
      // A plausible H.264 packet: single NAL, STAP-A or FU-A, then mutated.
      const type = [1, 5, 7, 8, 24, 28, 28, 28, 25, 0][int(10)]!;
      const payload = Buffer.alloc(1 + int(1500));
      for (let j = 0; j < payload.length; j++) payload[j] = int(256);
      payload[0] = 0x60 | type;
      seq = (seq + (int(20) === 0 ? int(5000) - 2500 : 1)) & 0xffff;
      if (int(8) === 0) ts = (ts + 3600) >>> 0;
      if (int(500) === 0) ts = int(2 ** 32);
      pkt = buildRtp({ marker: int(6) === 0, payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc: int(200) === 0 ? int(5) : 77 }, payload);
      const flips = int(4);
      for (let j = 0; j < flips; j++) pkt[int(pkt.length)] = int(256);
      if (int(10) === 0) pkt = pkt.subarray(0, int(pkt.length));
    }
    const hdr = parseRtp(pkt, h);
    if (!hdr) continue;
    parsed++;
    assert.ok(hdr.payloadOffset <= hdr.payloadEnd && hdr.payloadEnd <= pkt.length);
    packetStartsIdr(pkt, hdr);
    packetNalTypes(pkt, hdr);
    gate.before(pkt, hdr);
    if (int(3000) === 0) rw.reset();
    const first = depay.push(pkt, hdr);
    if (rw.rewrite(pkt, hdr, i)) assert.ok(parseRtp(pkt), 'still an RTP packet after the rewrite');
    for (let au = first; au; au = depay.next()) {
      units++;
      assert.ok(au.bytes <= 64 * 1024);
      tracker.observe(au);
      gop.push(au);
      toAnnexB(au, tracker.get());
      for (const n of au.nalus) if ((n[0]! & 0x1f) === 7) spsInfo(n);
    }
  }
  assert.ok(parsed > 10000 && units > 100, `exercised: ${parsed} parsed, ${units} units`);
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(int(60));
    for (let j = 0; j < b.length; j++) b[j] = int(256);
    b[0] = 0x67;
    spsInfo(b);
    spropParameterSets(`sprop-parameter-sets=${b.toString('base64')},${b.subarray(int(b.length)).toString('base64')}`);
  }
});
