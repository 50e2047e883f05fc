/**
 * Fine live lip-sync for a tile that plays a camera's audio and video (docs/recording-time-and-audio.md,
 * "Live audio on the wall"). Pure: the caller samples the two receivers' stats and applies the
 * result as their `jitterBufferTarget`.
 *
 * Chromium's own A/V sync (WebRTC StreamSynchronization) leaves differences under 30 ms alone and
 * corrects half of the rest per step. This runs on top of it: from the two receivers'
 * `estimatedPlayoutTimestamp` (the capture time, on the sender's NTP clock, of what each one plays
 * now) it takes the skew video − audio (positive: the picture is ahead of the sound), and beyond a
 * dead band it delays the LEADING receiver by the skew (or first takes back delay it gave the
 * lagging one). The delay is bounded, and the video is never delayed while the tile's sound is off:
 * live latency is the wall's main promise, and lip-sync matters only when the sound is heard.
 */

export interface AvSyncConfig {
  /** Skews within ±deadBandMs are left alone. */
  deadBandMs: number;
  /** Most extra delay given to either receiver. */
  maxExtraMs: number;
  /** Skew samples (median) needed for a decision; the window starts again after each change. */
  samples: number;
}

export const AV_SYNC_DEFAULTS: AvSyncConfig = { deadBandMs: 15, maxExtraMs: 200, samples: 4 };

/** Extra playout delay (ms) per receiver; at most one of the two is above 0. */
export interface AvDelays {
  audioMs: number;
  videoMs: number;
}

interface PlayoutStat {
  type?: string;
  kind?: string;
  estimatedPlayoutTimestamp?: number;
}

/**
 * Video − audio `estimatedPlayoutTimestamp` (ms) from the two receivers' inbound-rtp stats, or null
 * while either has none (no sender report yet, nothing played).
 */
export function playoutSkew(audio: Iterable<PlayoutStat>, video: Iterable<PlayoutStat>): number | null {
  const ept = (stats: Iterable<PlayoutStat>, kind: string): number | null => {
    for (const s of stats) {
      if (s.type !== 'inbound-rtp' || (s.kind !== undefined && s.kind !== kind)) continue;
      const v = s.estimatedPlayoutTimestamp;
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    }
    return null;
  };
  const a = ept(audio, 'audio');
  const v = ept(video, 'video');
  return a === null || v === null ? null : v - a;
}

/**
 * The next delays, given the current ones and a measured skew (video − audio, ms). Keeps the
 * difference video − audio delay = current difference + skew, bounded to ±maxExtraMs, with the video
 * side at 0 when `videoDelayAllowed` is false.
 */
export function nextDelays(cur: AvDelays, skewMs: number, videoDelayAllowed: boolean, cfg: AvSyncConfig = AV_SYNC_DEFAULTS): AvDelays {
  let net = cur.videoMs - cur.audioMs;
  if (Math.abs(skewMs) > cfg.deadBandMs) net += skewMs;
  net = Math.max(-cfg.maxExtraMs, Math.min(cfg.maxExtraMs, net));
  if (!videoDelayAllowed) net = Math.min(0, net);
  net = Math.round(net);
  return { audioMs: Math.max(0, -net), videoMs: Math.max(0, net) };
}

/**
 * The loop's state: feed it one skew sample at a time (~every 500 ms); it answers new delays when
 * the median of a full window is beyond the dead band (or when the video may no longer be
 * delayed), null otherwise. After a change the window starts again, so the receivers have time
 * to reach their new delay before the next decision.
 */
export class AvSyncLoop {
  delays: AvDelays = { audioMs: 0, videoMs: 0 };
  private window: number[] = [];

  constructor(private readonly cfg: AvSyncConfig = AV_SYNC_DEFAULTS) {}

  push(skewMs: number | null, videoDelayAllowed: boolean): AvDelays | null {
    if (!videoDelayAllowed && this.delays.videoMs > 0) return this.apply(nextDelays(this.delays, 0, false, this.cfg));
    if (skewMs === null || !Number.isFinite(skewMs)) return null;
    this.window.push(skewMs);
    if (this.window.length < this.cfg.samples) return null;
    const skew = median(this.window);
    this.window.shift();
    const next = nextDelays(this.delays, skew, videoDelayAllowed, this.cfg);
    if (next.audioMs === this.delays.audioMs && next.videoMs === this.delays.videoMs) return null;
    return this.apply(next);
  }

  private apply(next: AvDelays): AvDelays {
    this.delays = next;
    this.window = [];
    return next;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
