/**
 * Stream faults of one camera from its state changes and its producer's counters (packets and
 * bytes, which the ingest watchdog reads anyway): offline, reconnect storm, rate far below normal.
 * Deterministic and free of I/O: the caller feeds events and samples with their times.
 *
 * Frame rate is not measured directly (that would need the RTP timestamps of every packet): the
 * packet rate stands in for it, next to the bitrate. A camera that drops its frame rate sends fewer
 * packets; one that drops its bitrate sends fewer bytes; either far below normal is "low_rate".
 */
import type { CameraState, HealthConfig } from '@wardwall/common';

export const STREAM_FAULTS = ['offline', 'reconnect_storm', 'low_rate'] as const;
export type StreamFault = (typeof STREAM_FAULTS)[number];

export type StreamThresholds = Pick<HealthConfig, 'offlineGraceMs' | 'noMediaMs' | 'stormReconnects' | 'stormWindowMs' | 'lowRateRatio' | 'lowRateAfterMs' | 'rateLearnMs'>;

export interface StreamCounters {
  packets: number;
  bytes: number;
}

export interface StreamVerdict {
  faults: StreamFault[];
  measures: Record<string, number>;
}

/** Rates measured in the first seconds after (re)connecting are skipped: the start is bursty. */
const WARMUP_MS = 3000;
/** Weight of a new healthy rate sample in the learned normal (after the learning window). */
const NORMAL_ALPHA = 0.02;

export class StreamDetector {
  private state: CameraState = 'connecting';
  private since: number;
  private liveSince: number | null = null;
  private readonly drops: number[] = [];
  private last: (StreamCounters & { at: number }) | null = null;
  /** When the packet counter was last seen moving (null: not since the stream went live). */
  private mediaAt: number | null = null;
  private rate: { kbps: number; pps: number } | null = null;
  private learnedMs = 0;
  private normal: { kbps: number; pps: number } | null = null;
  private lowSince: number | null = null;

  constructor(
    private readonly cfg: StreamThresholds,
    now: number,
  ) {
    this.since = now;
  }

  /** The camera's learned normal rates (null while learning). */
  get normalRates(): { kbps: number; pps: number } | null {
    return this.normal && this.learnedMs >= this.cfg.rateLearnMs ? this.normal : null;
  }

  onState(state: CameraState, at: number): void {
    if (state === this.state) return;
    if (this.state === 'live' && state !== 'live') this.drops.push(at);
    // Offline since the last media seen, not since the ingest noticed (its own timeout came later).
    const lastMedia = this.state === 'live' ? this.mediaAt : null;
    this.state = state;
    this.since = state === 'offline' && lastMedia !== null ? Math.min(at, lastMedia) : at;
    this.liveSince = state === 'live' ? at : null;
    this.last = null;
    this.rate = null;
    this.lowSince = null;
    this.mediaAt = state === 'live' ? at : null;
  }

  /** A reading of the producer's cumulative counters. */
  onCounters(c: StreamCounters, at: number): void {
    const last = this.last;
    this.last = { ...c, at };
    if (last && this.state === 'live' && c.packets !== last.packets) this.mediaAt = at;
    if (!last || this.state !== 'live' || at <= last.at || c.packets < last.packets || c.bytes < last.bytes) return;
    const dt = at - last.at;
    const kbps = ((c.bytes - last.bytes) * 8) / dt;
    const pps = ((c.packets - last.packets) * 1000) / dt;
    this.rate = { kbps, pps };
    if (this.liveSince === null || at - this.liveSince < WARMUP_MS) return;
    const n = this.normalRates;
    if (!n) {
      // Learning: a plain running mean of the first rateLearnMs of live time.
      const w = this.learnedMs / (this.learnedMs + dt);
      this.normal = this.normal ? { kbps: this.normal.kbps * w + kbps * (1 - w), pps: this.normal.pps * w + pps * (1 - w) } : { kbps, pps };
      this.learnedMs += dt;
      return;
    }
    const low = kbps < n.kbps * this.cfg.lowRateRatio || pps < n.pps * this.cfg.lowRateRatio;
    if (low) this.lowSince ??= last.at;
    else {
      this.lowSince = null;
      this.normal = { kbps: n.kbps * (1 - NORMAL_ALPHA) + kbps * NORMAL_ALPHA, pps: n.pps * (1 - NORMAL_ALPHA) + pps * NORMAL_ALPHA };
    }
  }

  evaluate(at: number): StreamVerdict {
    const c = this.cfg;
    while (this.drops.length && this.drops[0]! <= at - c.stormWindowMs) this.drops.shift();
    const faults: StreamFault[] = [];
    const measures: Record<string, number> = { drops: this.drops.length };
    const stalled = this.state === 'live' && this.mediaAt !== null && at - this.mediaAt >= c.noMediaMs;
    if ((this.state === 'offline' && at - this.since >= c.offlineGraceMs) || stalled) faults.push('offline');
    if (this.drops.length >= c.stormReconnects) faults.push('reconnect_storm');
    if (this.rate) {
      measures.kbps = Math.round(this.rate.kbps);
      measures.packetsPerS = Math.round(this.rate.pps);
    }
    const n = this.normalRates;
    if (n) {
      measures.normalKbps = Math.round(n.kbps);
      measures.normalPacketsPerS = Math.round(n.pps);
    }
    if (this.state === 'live' && this.lowSince !== null && at - this.lowSince >= c.lowRateAfterMs) faults.push('low_rate');
    return { faults, measures };
  }
}
