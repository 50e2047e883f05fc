/**
 * Watches the receive link of the live wall: every few seconds it reads the receive transport's
 * WebRTC stats (packet loss, jitter, freezes, the browser's bandwidth estimate) and the consumer
 * scores the server pushes, and turns them into a link level with the pure rules of
 * core/link-quality.ts. The wall takes the sub stream and fewer live tiles while the link is poor.
 */
import { INITIAL_LINK_STATE, nextLinkState, sampleFrom, type LinkLevel, type LinkSample, type LinkState, type ReceiveCounters } from '../core/link-quality.js';
import { Emitter } from './emitter.js';
import type { LiveMediaService } from './live-media.js';
import type { SignalingClient } from './signaling.js';

const LAG_TICK_MS = 250;

export interface LinkMonitorEvents {
  level: [LinkLevel];
}

/** Sums what matters of a transport's stats report (no DOM beyond the report's shape). */
export function receiveCounters(report: RTCStatsReport, at: number): ReceiveCounters {
  const c: ReceiveCounters = {
    at, packetsReceived: 0, packetsLost: 0, bytesReceived: 0, freezeCount: 0, streams: {}, availableIncomingBitrate: null,
    framesDecoded: 0, totalDecodeTime: 0, framesDropped: 0, framesReceived: 0, rttMs: null,
  };
  report.forEach((raw: unknown) => {
    const r = raw as Record<string, unknown>;
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      c.packetsReceived += Number(r.packetsReceived ?? 0);
      c.packetsLost += Math.max(0, Number(r.packetsLost ?? 0));
      c.bytesReceived += Number(r.bytesReceived ?? 0);
      c.freezeCount += Number(r.freezeCount ?? 0);
      c.framesDecoded! += Number(r.framesDecoded ?? 0);
      c.totalDecodeTime! += Number(r.totalDecodeTime ?? 0);
      c.framesDropped! += Number(r.framesDropped ?? 0);
      c.framesReceived! += Number(r.framesReceived ?? 0);
      c.streams[String(r.id ?? r.ssrc ?? Object.keys(c.streams).length)] = { packets: Number(r.packetsReceived ?? 0), jitterMs: typeof r.jitter === 'number' ? r.jitter * 1000 : null };
    } else if (r.type === 'candidate-pair' && (r.nominated === true || r.state === 'succeeded')) {
      if (typeof r.availableIncomingBitrate === 'number') c.availableIncomingBitrate = r.availableIncomingBitrate;
      if (typeof r.currentRoundTripTime === 'number') c.rttMs = r.currentRoundTripTime * 1000;
    }
  });
  return c;
}

export class LinkMonitor extends Emitter<LinkMonitorEvents> {
  private state: LinkState = INITIAL_LINK_STATE;
  private prev: ReceiveCounters | null = null;
  private readonly scores = new Map<string, number>();
  /** Consumers whose producer is receiving media from its camera (producer score > 0). */
  private readonly fed = new Map<string, boolean>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** A light ticker measuring how late the page's timers fire (a busy main thread), worst per sample. */
  private lagTimer: ReturnType<typeof setInterval> | null = null;
  private lastTick = 0;
  private worstLagMs = 0;
  private readonly unsubscribe: (() => void)[] = [];
  /** The last sample (diagnostics, the stats overlay and tests). */
  lastSample: LinkSample | null = null;

  constructor(
    private readonly live: LiveMediaService,
    signaling: SignalingClient,
    private readonly intervalMs = 2000,
  ) {
    super();
    this.unsubscribe.push(
      signaling.on('consumerScore', ({ consumerId, score, producerScore }) => {
        this.scores.set(consumerId, score);
        this.fed.set(consumerId, producerScore > 0);
      }),
      signaling.on('consumerClosed', ({ consumerId }) => {
        this.scores.delete(consumerId);
        this.fed.delete(consumerId);
      }),
      signaling.on('lost', () => {
        this.scores.clear();
        this.fed.clear();
        this.prev = null;
      }),
    );
  }

  get level(): LinkLevel {
    return this.state.level;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.lastTick = performance.now();
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      this.worstLagMs = Math.max(this.worstLagMs, now - this.lastTick - LAG_TICK_MS);
      this.lastTick = now;
    }, LAG_TICK_MS);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.timer = null;
    this.lagTimer = null;
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }

  private minScore(): number | null {
    let min: number | null = null;
    for (const [id, score] of this.scores) {
      if (!this.live.hasConsumer(id)) {
        this.scores.delete(id);
        this.fed.delete(id);
        continue;
      }
      min = min === null ? score : Math.min(min, score);
    }
    return min;
  }

  private async poll(): Promise<void> {
    let report: RTCStatsReport | null;
    try {
      report = await this.live.transportStats();
    } catch {
      report = null;
    }
    if (!report) {
      this.prev = null;
      return;
    }
    const cur = receiveCounters(report, Date.now());
    // Media is expected when a consumer's camera is sending (an offline camera is not a bad link).
    const minScore = this.minScore();
    const expecting = [...this.fed].some(([id, fed]) => fed && this.live.hasConsumer(id));
    // A hidden page's timers are throttled by the browser: that is not a busy machine.
    const lag = typeof document === 'undefined' || document.visibilityState === 'visible' ? Math.max(0, Math.round(this.worstLagMs)) : null;
    this.worstLagMs = 0;
    const sample = sampleFrom(this.prev, cur, minScore, expecting, lag);
    this.prev = cur;
    if (!sample) return;
    this.lastSample = sample;
    const before = this.state.level;
    this.state = nextLinkState(this.state, sample);
    if (this.state.level !== before) {
      console.info(`[link] ${before} -> ${this.state.level}`, sample);
      this.emit('level', this.state.level);
    }
  }
}
