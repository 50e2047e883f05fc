/**
 * Live stats of a received video stream, computed from two successive getStats() samples: pure.
 *
 * Latency estimate = jitter buffer delay per emitted frame + decode time per frame + half the RTT
 * of the selected ICE candidate pair (when known). Deltas between the two samples are used so the
 * figures describe the last interval, falling back to lifetime averages on the first sample.
 */
export interface VideoSample {
  /** Stats timestamp in ms. */
  timestamp: number;
  bytesReceived: number;
  framesDecoded: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  totalDecodeTime: number;
  framesPerSecond: number | null;
  frameWidth: number | null;
  frameHeight: number | null;
  packetsLost: number | null;
  /** Current RTT of the selected candidate pair in seconds, null when unknown. */
  rttSeconds: number | null;
}

export interface VideoStats {
  bitrateKbps: number | null;
  fps: number | null;
  latencyMs: number | null;
  jitterBufferMs: number | null;
  decodeMs: number | null;
  rttMs: number | null;
  width: number | null;
  height: number | null;
  packetsLost: number | null;
}

type Entry = Record<string, unknown>;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Picks the video inbound-rtp entry and the RTT of the selected candidate pair from stats entries. */
export function extractVideoSample(entries: Iterable<unknown>): VideoSample | null {
  const all: Entry[] = [];
  for (const e of entries) if (typeof e === 'object' && e !== null) all.push(e as Entry);
  const inbound = all.find((e) => e.type === 'inbound-rtp' && (e.kind ?? e.mediaType) === 'video');
  if (!inbound) return null;

  const byId = new Map<string, Entry>();
  for (const e of all) if (typeof e.id === 'string') byId.set(e.id, e);
  let pair: Entry | undefined;
  const transport =
    (typeof inbound.transportId === 'string' ? byId.get(inbound.transportId) : undefined) ?? all.find((e) => e.type === 'transport');
  if (transport && typeof transport.selectedCandidatePairId === 'string') pair = byId.get(transport.selectedCandidatePairId);
  pair ??= all.find((e) => e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated === true);
  pair ??= all.find((e) => e.type === 'candidate-pair' && (e.selected === true || e.state === 'succeeded'));

  return {
    timestamp: num(inbound.timestamp) ?? 0,
    bytesReceived: num(inbound.bytesReceived) ?? 0,
    framesDecoded: num(inbound.framesDecoded) ?? 0,
    jitterBufferDelay: num(inbound.jitterBufferDelay) ?? 0,
    jitterBufferEmittedCount: num(inbound.jitterBufferEmittedCount) ?? 0,
    totalDecodeTime: num(inbound.totalDecodeTime) ?? 0,
    framesPerSecond: num(inbound.framesPerSecond),
    frameWidth: num(inbound.frameWidth),
    frameHeight: num(inbound.frameHeight),
    packetsLost: num(inbound.packetsLost),
    rttSeconds: pair ? num(pair.currentRoundTripTime) : null,
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 && numerator >= 0 ? numerator / denominator : null;
}

/** Stats over the interval from `prev` (null on the first sample) to `cur`. */
export function computeVideoStats(prev: VideoSample | null, cur: VideoSample): VideoStats {
  // A counter going backwards means a new receiver: treat as a first sample.
  const usable =
    prev !== null &&
    cur.timestamp > prev.timestamp &&
    cur.bytesReceived >= prev.bytesReceived &&
    cur.framesDecoded >= prev.framesDecoded &&
    cur.jitterBufferEmittedCount >= prev.jitterBufferEmittedCount;
  const p = usable ? prev : null;

  const dtMs = p ? cur.timestamp - p.timestamp : 0;
  const bitrateKbps = p ? ((cur.bytesReceived - p.bytesReceived) * 8) / dtMs : null;

  const dFrames = p ? cur.framesDecoded - p.framesDecoded : 0;
  const fps = cur.framesPerSecond ?? (p ? (dFrames * 1000) / dtMs : null);

  const dEmitted = p ? cur.jitterBufferEmittedCount - p.jitterBufferEmittedCount : 0;
  const jb =
    p && dEmitted > 0
      ? ratio(cur.jitterBufferDelay - p.jitterBufferDelay, dEmitted)
      : ratio(cur.jitterBufferDelay, cur.jitterBufferEmittedCount);
  const decode =
    p && dFrames > 0 ? ratio(cur.totalDecodeTime - p.totalDecodeTime, dFrames) : ratio(cur.totalDecodeTime, cur.framesDecoded);

  const rttMs = cur.rttSeconds !== null ? cur.rttSeconds * 1000 : null;
  const jitterBufferMs = jb !== null ? jb * 1000 : null;
  const decodeMs = decode !== null ? decode * 1000 : null;
  const latencyMs = jitterBufferMs !== null ? jitterBufferMs + (decodeMs ?? 0) + (rttMs !== null ? rttMs / 2 : 0) : null;

  return {
    bitrateKbps,
    fps,
    latencyMs,
    jitterBufferMs,
    decodeMs,
    rttMs,
    width: cur.frameWidth,
    height: cur.frameHeight,
    packetsLost: cur.packetsLost,
  };
}
