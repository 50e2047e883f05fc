import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeVideoStats, extractVideoSample, type VideoSample } from '../src/core/stats.js';

/** A getStats()-like report as Chrome produces for a receiver. */
function report(o: { t: number; bytes: number; frames: number; jbd: number; jbe: number; dec: number; fps?: number; rtt?: number }): unknown[] {
  return [
    { id: 'T01', type: 'transport', timestamp: o.t, selectedCandidatePairId: 'CP1' },
    { id: 'CP0', type: 'candidate-pair', state: 'failed', currentRoundTripTime: 9 },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: o.rtt },
    { id: 'CO1', type: 'codec', mimeType: 'video/H264' },
    {
      id: 'IT01V',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: o.t,
      transportId: 'T01',
      bytesReceived: o.bytes,
      framesDecoded: o.frames,
      jitterBufferDelay: o.jbd,
      jitterBufferEmittedCount: o.jbe,
      totalDecodeTime: o.dec,
      framesPerSecond: o.fps,
      frameWidth: 640,
      frameHeight: 360,
      packetsLost: 2,
    },
  ];
}

const near = (a: number | null, b: number, eps = 1e-6): void => {
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≉ ${b}`);
};

test('extracts the video inbound-rtp sample and the selected pair RTT', () => {
  const s = extractVideoSample(report({ t: 1000, bytes: 5000, frames: 10, jbd: 0.5, jbe: 10, dec: 0.03, fps: 25, rtt: 0.004 }))!;
  assert.equal(s.bytesReceived, 5000);
  assert.equal(s.framesDecoded, 10);
  assert.equal(s.rttSeconds, 0.004);
  assert.equal(s.framesPerSecond, 25);
  assert.equal(s.frameWidth, 640);
  assert.equal(s.packetsLost, 2);
});

test('no video inbound-rtp: null', () => {
  assert.equal(extractVideoSample([{ type: 'inbound-rtp', kind: 'audio' }, null, 3]), null);
  assert.equal(extractVideoSample([]), null);
});

test('falls back to a succeeded nominated pair when the transport names none', () => {
  const entries = report({ t: 1, bytes: 1, frames: 1, jbd: 0, jbe: 1, dec: 0, rtt: 0.01 }).filter((e) => (e as { type: string }).type !== 'transport');
  assert.equal(extractVideoSample(entries)!.rttSeconds, 0.01);
});

test('first sample: lifetime averages, no bitrate', () => {
  const s = extractVideoSample(report({ t: 1000, bytes: 5000, frames: 10, jbd: 0.5, jbe: 10, dec: 0.03, rtt: 0.004 }))!;
  const st = computeVideoStats(null, s);
  assert.equal(st.bitrateKbps, null);
  assert.equal(st.fps, null);
  near(st.jitterBufferMs, 50);
  near(st.decodeMs, 3);
  near(st.rttMs, 4);
  near(st.latencyMs, 50 + 3 + 2);
});

test('interval stats from two samples', () => {
  const a = extractVideoSample(report({ t: 1000, bytes: 100_000, frames: 100, jbd: 4, jbe: 100, dec: 0.2, rtt: 0.002 }))!;
  const b = extractVideoSample(report({ t: 2000, bytes: 225_000, frames: 125, jbd: 4.75, jbe: 125, dec: 0.25, rtt: 0.002 }))!;
  const st = computeVideoStats(a, b);
  near(st.bitrateKbps, 1000); // 125000 bytes in 1 s
  near(st.fps, 25);
  near(st.jitterBufferMs, 30); // 0.75 s over 25 frames
  near(st.decodeMs, 2); // 0.05 s over 25 frames
  near(st.latencyMs, 30 + 2 + 1);
  assert.equal(st.width, 640);
  assert.equal(st.height, 360);
});

test("the browser's framesPerSecond wins over the computed rate", () => {
  const a = extractVideoSample(report({ t: 0, bytes: 0, frames: 0, jbd: 0, jbe: 0, dec: 0 }))!;
  const b = extractVideoSample(report({ t: 1000, bytes: 0, frames: 20, jbd: 0.2, jbe: 20, dec: 0, fps: 24 }))!;
  assert.equal(computeVideoStats(a, b).fps, 24);
});

test('without RTT the latency is jitter buffer plus decode', () => {
  const a = extractVideoSample(report({ t: 0, bytes: 0, frames: 0, jbd: 0, jbe: 0, dec: 0 }))!;
  const b = extractVideoSample(report({ t: 1000, bytes: 0, frames: 10, jbd: 0.1, jbe: 10, dec: 0.01 }))!;
  const st = computeVideoStats(a, b);
  assert.equal(st.rttMs, null);
  near(st.latencyMs, 10 + 1);
});

test('no emitted frames yet: no latency', () => {
  const s: VideoSample = {
    timestamp: 1,
    bytesReceived: 10,
    framesDecoded: 0,
    jitterBufferDelay: 0,
    jitterBufferEmittedCount: 0,
    totalDecodeTime: 0,
    framesPerSecond: null,
    frameWidth: null,
    frameHeight: null,
    packetsLost: null,
    rttSeconds: null,
  };
  const st = computeVideoStats(null, s);
  assert.equal(st.latencyMs, null);
  assert.equal(st.decodeMs, null);
});

test('counters going backwards (a new receiver) restart from lifetime figures', () => {
  const a = extractVideoSample(report({ t: 1000, bytes: 900_000, frames: 900, jbd: 9, jbe: 900, dec: 1 }))!;
  const b = extractVideoSample(report({ t: 2000, bytes: 1000, frames: 10, jbd: 0.2, jbe: 10, dec: 0.02 }))!;
  const st = computeVideoStats(a, b);
  assert.equal(st.bitrateKbps, null);
  near(st.jitterBufferMs, 20);
});
