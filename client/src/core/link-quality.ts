/**
 * Bandwidth-aware viewing: pure decisions, no DOM. From periodic samples of the receive link (the
 * browser's WebRTC stats and the server's consumer scores) decide whether the link is `good` or
 * `poor`, with hysteresis: it turns poor after a few bad samples in a row (or one very bad one) and
 * good again only after it stayed good for a while, so a wall on a shaky link does not flap.
 * On a poor link tiles take the sub stream and only a few stay live; the others show stills.
 *
 * A busy machine is not a slow network. A duty-room PC decoding 16 tiles, or a box whose SFU and
 * ingests are starved, shows several of the same signs as a slow link (packets arriving in bursts,
 * so jitter; a receive socket overflowing, so loss; no packet for a whole interval; freezes). Going
 * to stills then helps nobody on a LAN. So each sample also carries the browser's own signs of being
 * busy (its timers firing late, slow decoding, frames it dropped) and the path's round-trip time;
 * a sample taken while the browser is busy never counts against the link (it is `busy`, neutral),
 * except for the browser's bandwidth estimate, which only the network moves; and jitter counts only
 * with loss or a long round trip (a starved ingest sends in bursts on a fast link, too).
 */

export type LinkLevel = 'good' | 'poor';

/** One observation over the last sampling interval. Null = not known. */
export interface LinkSample {
  at: number;
  /** The browser's estimate of the bandwidth towards it (bits/s), when it has one. */
  availableIncomingBitrate: number | null;
  /** Packets lost / (lost + received) over the interval, 0..1. */
  lossRate: number | null;
  /** The worst receive jitter of the live consumers (ms). */
  jitterMs: number | null;
  /** Video freezes the browser counted over the interval. */
  freezes: number;
  /** The lowest consumer score the server reported (0..10; 10 = perfect). */
  minScore: number | null;
  /** Bits/s received over the interval. */
  receivedBitrate: number | null;
  /** Live consumers exist but no packet arrived over the interval (the path is gone). */
  starved: boolean;
  /** The page's worst timer lateness over the interval (ms): its main thread was busy. Null = not measured. */
  pageLagMs?: number | null;
  /** Mean decode time per decoded video frame over the interval (ms). */
  decodeMsPerFrame?: number | null;
  /** Frames the browser dropped / frames received over the interval, 0..1. */
  droppedFrameRate?: number | null;
  /** The transport's current round-trip time (ms), from the ICE candidate pair. */
  rttMs?: number | null;
}

export interface LinkPolicy {
  /** A sample is bad at or above this loss rate, good below `goodLoss`. */
  badLoss: number;
  goodLoss: number;
  /** Very bad: one such sample turns the link poor at once. */
  severeLoss: number;
  badJitterMs: number;
  /** Consumer scores at or below this are bad; at or above `goodScore` good. */
  badScore: number;
  goodScore: number;
  /** A bandwidth estimate below this (bits/s) is bad. */
  minBitrate: number;
  /** Video freezes within one sample that make it bad, together with some loss (≥ goodLoss). */
  badFreezes: number;
  /** Bad samples in a row that make the link poor. */
  badSamples: number;
  /** How long the link must stay good before upgrading again (ms). */
  recoverAfterMs: number;
  /** Live tiles allowed on a poor link (the others show refreshed stills). */
  poorLiveTiles: number;
  /** Refresh interval of the stills of the tiles that are not live on a poor link (ms). */
  stillRefreshMs: number;
  /** The browser counts as busy when its timers were this late (ms)… */
  busyLagMs: number;
  /** …or decoding took this long per frame on average (ms)… */
  busyDecodeMs: number;
  /** …or it dropped this share of the frames it received. */
  busyDropRate: number;
  /** A round trip this long (ms) makes jitter count without loss (a queue building up on a slow link). */
  slowRttMs: number;
}

export const DEFAULT_LINK_POLICY: LinkPolicy = {
  badLoss: 0.03,
  goodLoss: 0.01,
  severeLoss: 0.15,
  badJitterMs: 80,
  badScore: 6,
  goodScore: 9,
  minBitrate: 800_000,
  badFreezes: 2,
  badSamples: 2,
  recoverAfterMs: 10_000,
  poorLiveTiles: 4,
  stillRefreshMs: 3000,
  busyLagMs: 200,
  busyDecodeMs: 25,
  busyDropRate: 0.1,
  slowRttMs: 150,
};

/** `busy`: the browser was too busy for the sample to say anything about the link (neutral). */
export type SampleVerdict = 'severe' | 'bad' | 'good' | 'neutral' | 'busy';

/** Whether the browser itself was busy over the sample (its timers, its decoder). */
export function browserBusy(s: LinkSample, p: LinkPolicy = DEFAULT_LINK_POLICY): boolean {
  // Dropped frames say "busy" only without loss: a lossy link drops the frames it could not complete.
  const dropping = (s.droppedFrameRate ?? 0) >= p.busyDropRate && (s.lossRate ?? 0) < p.goodLoss;
  return (s.pageLagMs ?? 0) >= p.busyLagMs || (s.decodeMsPerFrame ?? 0) >= p.busyDecodeMs || dropping;
}

/** How one sample looks on its own. */
export function judgeSample(s: LinkSample, p: LinkPolicy = DEFAULT_LINK_POLICY): SampleVerdict {
  // The bandwidth estimate is the network's own sign, busy or not.
  const lowEstimate = s.availableIncomingBitrate !== null && s.availableIncomingBitrate < p.minBitrate;
  if (browserBusy(s, p)) return lowEstimate ? 'bad' : 'busy';
  if (s.starved || (s.lossRate !== null && s.lossRate >= p.severeLoss)) return 'severe';
  const jitterCounts = (s.lossRate ?? 0) >= p.goodLoss || (s.rttMs ?? 0) >= p.slowRttMs;
  const bad =
    (s.lossRate !== null && s.lossRate >= p.badLoss) ||
    (s.jitterMs !== null && s.jitterMs >= p.badJitterMs && jitterCounts) ||
    (s.minScore !== null && s.minScore <= p.badScore) ||
    lowEstimate ||
    // Freezes count when packets are being lost too: alone they are more often the machine (a busy
    // CPU, a stream with uneven frame timing) than the link.
    (s.freezes >= p.badFreezes && (s.lossRate ?? 0) >= p.goodLoss);
  if (bad) return 'bad';
  const good = (s.lossRate === null || s.lossRate < p.goodLoss) && (s.minScore === null || s.minScore >= p.goodScore);
  return good ? 'good' : 'neutral';
}

export interface LinkState {
  level: LinkLevel;
  /** Bad samples in a row. */
  badStreak: number;
  /** Since when the samples are good without interruption (ms), or null. */
  goodSince: number | null;
}

export const INITIAL_LINK_STATE: LinkState = { level: 'good', badStreak: 0, goodSince: null };

/** The link state after one more sample. */
export function nextLinkState(state: LinkState, s: LinkSample, p: LinkPolicy = DEFAULT_LINK_POLICY): LinkState {
  const v = judgeSample(s, p);
  if (v === 'severe' || v === 'bad') {
    const badStreak = state.badStreak + 1;
    const poor = state.level === 'poor' || v === 'severe' || badStreak >= p.badSamples;
    return { level: poor ? 'poor' : 'good', badStreak, goodSince: null };
  }
  if (v === 'neutral' || v === 'busy') return { ...state, badStreak: 0, goodSince: state.level === 'poor' ? null : state.goodSince };
  const goodSince = state.goodSince ?? s.at;
  if (state.level === 'poor' && s.at - goodSince >= p.recoverAfterMs) return { level: 'good', badStreak: 0, goodSince };
  return { level: state.level, badStreak: 0, goodSince };
}

/** What the wall does on this link: force the sub stream, and how many tiles may stay live. */
export interface LinkConstraint {
  forceSub: boolean;
  maxLive: number;
}

export function linkConstraint(level: LinkLevel, p: LinkPolicy = DEFAULT_LINK_POLICY): LinkConstraint {
  return level === 'poor' ? { forceSub: true, maxLive: p.poorLiveTiles } : { forceSub: false, maxLive: Number.POSITIVE_INFINITY };
}

/** Whether tile `index` stays live: the first `maxLive` camera tiles, and always the expanded one. */
export function tileIsLive(index: number, tiles: readonly (string | null)[], c: LinkConstraint, expanded: number | null): boolean {
  if (expanded !== null) return index === expanded;
  let rank = 0;
  for (let i = 0; i < index; i++) if (tiles[i]) rank++;
  return rank < c.maxLive;
}

/** Cumulative receive counters of one stats snapshot (summed over the inbound video streams). */
export interface ReceiveCounters {
  at: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  freezeCount: number;
  /**
   * Per inbound video stream (stats id): packets received so far and its jitter now (ms). A paused
   * consumer's stream keeps its last jitter forever, so only streams that received packets during
   * an interval count for that interval's jitter.
   */
  streams: Record<string, { packets: number; jitterMs: number | null }>;
  availableIncomingBitrate: number | null;
  /** Summed over the inbound video streams (absent in older snapshots: then not judged). */
  framesDecoded?: number;
  /** Seconds, summed. */
  totalDecodeTime?: number;
  framesDropped?: number;
  framesReceived?: number;
  /** The candidate pair's current round-trip time (ms), or null. */
  rttMs?: number | null;
}

/** Mean of a cumulative quantity per unit of another over the interval, or null when nothing moved. */
function ratePer(prevNum: number | undefined, curNum: number | undefined, prevDen: number | undefined, curDen: number | undefined): number | null {
  if (prevNum === undefined || curNum === undefined || prevDen === undefined || curDen === undefined) return null;
  const den = curDen - prevDen;
  const num = curNum - prevNum;
  return den > 0 && num >= 0 ? num / den : null;
}

/** The worst jitter (ms) of the streams that received packets since `prev` (new streams count when they received any). */
export function activeJitterMs(prev: ReceiveCounters['streams'], cur: ReceiveCounters['streams']): number | null {
  let worst: number | null = null;
  for (const [id, s] of Object.entries(cur)) {
    if (s.jitterMs === null || s.packets <= (prev[id]?.packets ?? 0)) continue;
    worst = Math.max(worst ?? 0, s.jitterMs);
  }
  return worst;
}

/** A sample from two snapshots (null without a previous one or with counters that went back: a new transport). */
export function sampleFrom(prev: ReceiveCounters | null, cur: ReceiveCounters, minScore: number | null, consuming = false, pageLagMs: number | null = null): LinkSample | null {
  if (!prev || cur.at <= prev.at || cur.packetsReceived < prev.packetsReceived || cur.packetsLost < prev.packetsLost) return null;
  const received = cur.packetsReceived - prev.packetsReceived;
  const lost = cur.packetsLost - prev.packetsLost;
  const seconds = (cur.at - prev.at) / 1000;
  return {
    at: cur.at,
    availableIncomingBitrate: cur.availableIncomingBitrate,
    lossRate: received + lost > 0 ? lost / (received + lost) : null,
    jitterMs: activeJitterMs(prev.streams, cur.streams),
    freezes: Math.max(0, cur.freezeCount - prev.freezeCount),
    minScore,
    receivedBitrate: seconds > 0 ? ((cur.bytesReceived - prev.bytesReceived) * 8) / seconds : null,
    starved: consuming && received === 0,
    pageLagMs,
    decodeMsPerFrame: ((x) => (x === null ? null : x * 1000))(ratePer(prev.totalDecodeTime, cur.totalDecodeTime, prev.framesDecoded, cur.framesDecoded)),
    droppedFrameRate: ratePer(prev.framesDropped, cur.framesDropped, prev.framesReceived, cur.framesReceived),
    rttMs: cur.rttMs ?? null,
  };
}
