// RtpRewriter: the same source's deltas pass through (gaps, reordering, wraps); a new source (SSRC,
// timestamp or sequence jump, reset) continues right after the last output, by the wall time elapsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp, parseRtp, RtpRewriter, seqDelta, tsDelta, type RebaseReason } from '@wardwall/server-kit';

interface Out {
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  marker: boolean;
}

function harness(opts: { initialSequence?: number; initialTimestamp?: number } = {}) {
  const reasons: RebaseReason[] = [];
  const rw = new RtpRewriter({ ssrc: 0x11223344, payloadType: 101, initialSequence: opts.initialSequence ?? 1000, initialTimestamp: opts.initialTimestamp ?? 50000, onRebase: (r) => reasons.push(r) });
  const send = (ssrc: number, seq: number, ts: number, nowMs: number, marker = false): Out | null => {
    const pkt = buildRtp({ marker, payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc }, Buffer.from([0x41, 1, 2]));
    const h = parseRtp(pkt)!;
    if (!rw.rewrite(pkt, h, nowMs)) return null;
    const o = parseRtp(pkt)!;
    assert.deepEqual([...pkt.subarray(12)], [0x41, 1, 2], 'payload untouched');
    return { seq: o.sequenceNumber, ts: o.timestamp, ssrc: o.ssrc, pt: o.payloadType, marker: o.marker };
  };
  return { rw, reasons, send };
}

test('same source: deltas pass through, gaps and reordering kept, marker kept', () => {
  const { send, reasons } = harness();
  const a = send(7, 500, 9000, 0, true)!;
  assert.deepEqual(a, { seq: 1000, ts: 50000, ssrc: 0x11223344, pt: 101, marker: true });
  assert.equal(send(7, 501, 12600, 40)!.seq, 1001);
  const gap = send(7, 505, 16200, 80)!; // 3 lost
  assert.equal(gap.seq, 1005);
  assert.equal(gap.ts, 50000 + 7200);
  const late = send(7, 503, 12600, 81)!; // a reordered one
  assert.equal(late.seq, 1003);
  assert.equal(late.ts, 50000 + 3600);
  assert.deepEqual(reasons, []);
});

test('same source: 16-bit sequence and 32-bit timestamp wraps pass through', () => {
  const { send, reasons } = harness({ initialSequence: 65534, initialTimestamp: 0xffffff00 });
  let seq = 65530;
  let ts = 0xfffff000;
  const outs: Out[] = [];
  for (let i = 0; i < 20; i++) {
    outs.push(send(1, seq, ts, i * 40)!);
    seq = (seq + 1) & 0xffff;
    ts = (ts + 3600) >>> 0;
  }
  for (let i = 1; i < outs.length; i++) {
    assert.equal(seqDelta(outs[i]!.seq, outs[i - 1]!.seq), 1);
    assert.equal(tsDelta(outs[i]!.ts, outs[i - 1]!.ts), 3600);
  }
  assert.ok(outs.some((o) => o.seq === 0) && outs.some((o) => o.ts < 0x1000), 'output wrapped too');
  assert.deepEqual(reasons, []);
});

test('new SSRC: continues at last+1, timestamp by the wall time elapsed; late packets of the old SSRC dropped', () => {
  const { send, reasons, rw } = harness();
  for (let i = 0; i < 10; i++) send(7, 100 + i, 1000 + i * 3600, i * 40);
  const last = rw.lastOutput;
  // The camera's encoder restarts: new SSRC, random bases (timestamp far BEHIND), 500 ms later.
  const first = send(8, 40000, 5, 360 + 500)!;
  assert.deepEqual(reasons, ['ssrc']);
  assert.equal(first.seq, (last.sequenceNumber + 1) & 0xffff);
  assert.equal(first.ts, (last.timestamp + 45000) >>> 0);
  assert.equal(send(8, 40001, 3605, 900)!.seq, (last.sequenceNumber + 2) & 0xffff);
  assert.equal(send(7, 109, 1000 + 9 * 3600, 901), null, 'a straggler of the old SSRC');
  assert.equal(rw.staleDropped, 1);
  assert.deepEqual(reasons, ['ssrc']);
  const next = send(8, 40002, 7205, 940)!;
  assert.equal(tsDelta(next.ts, first.ts), 7200);
});

test('a clock that did not move (or stepped back) still advances the timestamp by one tick', () => {
  const { send } = harness();
  const a = send(7, 1, 1000, 100)!;
  const b = send(9, 2, 1000, 50)!;
  assert.equal(tsDelta(b.ts, a.ts), 1);
  assert.equal(seqDelta(b.seq, a.seq), 1);
});

test('same SSRC, timestamp or sequence jump beyond the bounds: rebased; within: passed through', () => {
  const { send, reasons } = harness();
  const a = send(7, 10, 1000, 0)!;
  const b = send(7, 11, 1000 + 9 * 90000, 9000)!; // 9 s jump: a pause, same source
  assert.equal(tsDelta(b.ts, a.ts), 9 * 90000);
  assert.deepEqual(reasons, []);
  const c = send(7, 12, 1000 + 9 * 90000 - 11 * 90000, 9040)!; // 11 s back
  assert.deepEqual(reasons, ['timestamp']);
  assert.equal(tsDelta(c.ts, b.ts), 40 * 90);
  assert.equal(seqDelta(c.seq, b.seq), 1);
  const d = send(7, 12 + 3001, 1000 + 9 * 90000 - 11 * 90000 + 3600, 9080)!;
  assert.deepEqual(reasons, ['timestamp', 'sequence']);
  assert.equal(seqDelta(d.seq, c.seq), 1);
  assert.equal(tsDelta(d.ts, c.ts), 40 * 90);
  const e = send(7, 12 + 3001 - 2999, 1000, 9120); // back by 2999: a reorder within the bound
  assert.ok(e);
  assert.equal(seqDelta(e.seq, d.seq), -2999);
  assert.deepEqual(reasons, ['timestamp', 'sequence']);
});

test('reset (a new RTSP session) rebases even with the same SSRC and close numbers', () => {
  const { send, reasons, rw } = harness();
  send(7, 10, 1000, 0);
  const a = send(7, 11, 4600, 40)!;
  rw.reset();
  const b = send(7, 5, 0, 1040)!;
  assert.deepEqual(reasons, ['reset']);
  assert.equal(seqDelta(b.seq, a.seq), 1);
  assert.equal(tsDelta(b.ts, a.ts), 90000);
  assert.equal(rw.rebases, 1);
});

test('insertBefore: the extra packet takes the next sequence, the following ones shift by one', () => {
  const { send, rw } = harness();
  const a = send(7, 10, 1000, 0)!;
  const h = parseRtp(buildRtp({ payloadType: 96, sequenceNumber: 11, timestamp: 4600, ssrc: 7 }, Buffer.from([0x65])))!;
  const slot = rw.insertBefore(h, 40)!;
  assert.equal(seqDelta(slot.sequenceNumber, a.seq), 1);
  assert.equal(tsDelta(slot.timestamp, a.ts), 3600);
  const b = send(7, 11, 4600, 40)!;
  assert.equal(seqDelta(b.seq, slot.sequenceNumber), 1);
  assert.equal(b.ts, slot.timestamp);
  // Before a new source, the inserted packet is already on the new base.
  const h2 = parseRtp(buildRtp({ payloadType: 96, sequenceNumber: 900, timestamp: 77, ssrc: 8 }, Buffer.from([0x65])))!;
  const slot2 = rw.insertBefore(h2, 1040)!;
  assert.equal(seqDelta(slot2.sequenceNumber, b.seq), 1);
  assert.equal(tsDelta(slot2.timestamp, b.ts), 90000);
  const c = send(8, 900, 77, 1040)!;
  assert.equal(seqDelta(c.seq, slot2.sequenceNumber), 1);
  assert.equal(c.ts, slot2.timestamp);
  assert.equal(rw.rebases, 1);
});
