/**
 * A restarted ingest pipeline continues the producer's RTP stream: the camera (a demo camera on the
 * embedded endpoint) goes away and comes back, the ingest restarts, and the first packets of the new
 * run are ahead of the last packets of the old one in RTP time and sequence. A viewer keeps its
 * consumer across the outage; a jump back in RTP time makes Chromium drop every frame as too old
 * (e2e/wall.e2e.test.ts: "an unplugged camera … live again"). Without media/rtp-continuity.ts the
 * payloader starts at random: about every other run is behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { types } from 'mediasoup';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1 });
  await waitFor('demo-1 live', () => sys.sfu.cameras.info()[0]?.streams.main.state === 'live', 30000);
});
after(async () => {
  await sys?.close();
});

interface Packet {
  seq: number;
  ts: number;
}

/** Forward distance from a to b on a wrapping counter of `modulus` (negative when b is behind a). */
function ahead(a: number, b: number, modulus: number): number {
  const d = (((b - a) % modulus) + modulus) % modulus;
  return d < modulus / 2 ? d : d - modulus;
}

test('after the camera comes back, the restarted ingest continues RTP time and sequence (twice)', async () => {
  const producer = sys.sfu.cameras.stream('demo-1', 'main')!.producer as types.Producer;
  assert.ok(producer, 'the camera has a producer');
  const packets: Packet[] = [];
  await producer.enableTraceEvent(['rtp']);
  producer.on('trace', (trace) => {
    const p = (trace.info as { rtpPacket?: { sequenceNumber: number; timestamp: number } } | undefined)?.rtpPacket;
    if (trace.type === 'rtp' && p) packets.push({ seq: p.sequenceNumber, ts: p.timestamp });
  });
  for (let round = 1; round <= 2; round++) {
    await waitFor('packets flowing', () => packets.length > 50, 10000, 100);
    await sys.embedded.demo!.stop('demo-1');
    await waitFor('demo-1 offline', () => sys.sfu.cameras.info()[0]!.streams.main.state === 'offline', 20000, 100);
    const last = packets.at(-1)!;
    const before = packets.length;
    sys.embedded.demo!.start('demo-1');
    await waitFor('demo-1 live again', () => sys.sfu.cameras.info()[0]!.streams.main.state === 'live' && packets.length > before + 10, 30000, 100);
    const first = packets[before]!;
    // The producer object survived the restart (the viewer's consumer is still attached to it).
    assert.equal(sys.sfu.cameras.stream('demo-1', 'main')!.producer, producer);
    const dt = ahead(last.ts, first.ts, 2 ** 32);
    const dseq = ahead(last.seq, first.seq, 2 ** 16);
    console.log(`# round ${round}: RTP time +${(dt / 90).toFixed(0)} ms, sequence +${dseq} across the restart`);
    assert.ok(dt > 0, `round ${round}: RTP time jumped back by ${-dt} ticks`);
    assert.ok(dseq > 0 && dseq < 3000, `round ${round}: sequence moved by ${dseq} (mediasoup accepts a forward jump under 3000)`);
    packets.length = 0;
  }
});
