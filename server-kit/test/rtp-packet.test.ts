// RTP header parsing (padding, extension, CSRCs, malformed packets) and building.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp, emptyRtpHeader, parseRtp, seqDelta, tsDelta } from '@wardwall/server-kit';

test('parseRtp: a plain packet, fields and payload bounds', () => {
  const pkt = buildRtp({ marker: true, payloadType: 96, sequenceNumber: 65535, timestamp: 0xfffffffe, ssrc: 0xdeadbeef }, Buffer.from([1, 2, 3]));
  const h = parseRtp(pkt);
  assert.ok(h);
  assert.equal(h.version, 2);
  assert.equal(h.marker, true);
  assert.equal(h.payloadType, 96);
  assert.equal(h.sequenceNumber, 65535);
  assert.equal(h.timestamp, 0xfffffffe);
  assert.equal(h.ssrc, 0xdeadbeef);
  assert.equal(h.payloadOffset, 12);
  assert.equal(h.payloadEnd, 15);
  assert.deepEqual([...pkt.subarray(h.payloadOffset, h.payloadEnd)], [1, 2, 3]);
});

test('parseRtp: CSRCs, a header extension and padding are skipped; fills a given header', () => {
  // V=2 P=1 X=1 CC=2, PT 100, seq 7, ts 9, ssrc 5; 2 CSRCs; extension 0xBEDE with 2 words; payload 4 bytes; 3 bytes padding.
  const pkt = Buffer.concat([
    Buffer.from([0x80 | 0x20 | 0x10 | 2, 100, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5]),
    Buffer.alloc(8, 0xaa),
    Buffer.from([0xbe, 0xde, 0, 2]),
    Buffer.alloc(8, 0xbb),
    Buffer.from([9, 8, 7, 6]),
    Buffer.from([0, 0, 3]),
  ]);
  const out = emptyRtpHeader();
  const h = parseRtp(pkt, out);
  assert.equal(h, out);
  assert.equal(out.csrcCount, 2);
  assert.equal(out.extension, true);
  assert.equal(out.padding, true);
  assert.equal(out.marker, false);
  assert.equal(out.payloadOffset, 12 + 8 + 4 + 8);
  assert.deepEqual([...pkt.subarray(out.payloadOffset, out.payloadEnd)], [9, 8, 7, 6]);
});

test('parseRtp: malformed packets give null', () => {
  const good = buildRtp({ payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1 }, Buffer.from([5]));
  assert.equal(parseRtp(good.subarray(0, 11)), null, 'too short');
  assert.equal(parseRtp(Buffer.alloc(0)), null, 'empty');
  const v1 = Buffer.from(good);
  v1[0] = 0x40;
  assert.equal(parseRtp(v1), null, 'version 1');
  const cc = Buffer.from(good);
  cc[0] = 0x80 | 1; // one CSRC, but only 1 byte after the header
  assert.equal(parseRtp(cc), null, 'CSRC beyond the end');
  const ext = Buffer.concat([Buffer.from([0x90]), good.subarray(1, 12), Buffer.from([0xbe, 0xde, 0, 5])]);
  assert.equal(parseRtp(ext), null, 'extension words beyond the end');
  const extHead = Buffer.concat([Buffer.from([0x90]), good.subarray(1, 12), Buffer.from([0xbe, 0xde])]);
  assert.equal(parseRtp(extHead), null, 'extension header cut');
  const pad = Buffer.concat([Buffer.from([0xa0]), good.subarray(1, 12), Buffer.from([1, 2, 9])]);
  assert.equal(parseRtp(pad), null, 'padding beyond the payload');
  const pad0 = Buffer.concat([Buffer.from([0xa0]), good.subarray(1, 12), Buffer.from([1, 2, 0])]);
  assert.equal(parseRtp(pad0), null, 'padding count 0');
  const padAll = Buffer.concat([Buffer.from([0xa0]), good.subarray(1, 12), Buffer.from([0, 0, 3])]);
  const h = parseRtp(padAll);
  assert.ok(h, 'padding that takes the whole payload is valid');
  assert.equal(h.payloadEnd, h.payloadOffset);
});

test('seqDelta and tsDelta: the shortest signed distance across wraps', () => {
  assert.equal(seqDelta(0, 65535), 1);
  assert.equal(seqDelta(65535, 0), -1);
  assert.equal(seqDelta(100, 90), 10);
  assert.equal(tsDelta(5, 0xfffffffb), 10);
  assert.equal(tsDelta(0xfffffffb, 5), -10);
});
