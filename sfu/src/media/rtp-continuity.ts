/**
 * RTP continuity across ingest restarts (pure). Every run of the ingest pipeline is a new GStreamer
 * payloader, which by default starts its RTP timestamps and sequence numbers at random values. The
 * producer keeps its SSRC across restarts, so a browser that keeps its consumer sees the same stream
 * jump: half the time backwards, and Chromium then drops every frame as "older than the last
 * decoded" until the consumer is rebuilt. Each run therefore starts where the previous one left off:
 * RTP time follows the server's clock since the stream was created (a pipeline's buffer running time
 * starts at 0 when it is spawned, so its timestamps never fall behind the previous run's), and the
 * sequence continues past the packets already received, with a margin for those not yet counted.
 */
import type { RtpStart } from '../ingest/audio-branch.js';

export type { RtpStart };

const TS_MODULUS = 2 ** 32;
const SEQ_MODULUS = 2 ** 16;
/** Packets the last run may have sent after the producer's counter was read (a second's worth at ~8 Mbit/s). */
export const SEQ_MARGIN = 1000;


export class RtpContinuity {
  private previous: { seqnumOffset: number; counted: number } | null = null;
  private lastElapsedMs = 0;

  /**
   * @param clockRate RTP clock of the stream (90000 for video, 48000 for Opus)
   * @param createdAtMs time the stream was created (a monotonic clock: performance.now())
   * @param timestampBase random RTP time at `createdAtMs` (0…2³²−1)
   * @param seqBase random first sequence number (0…65535)
   */
  constructor(
    private readonly clockRate: number,
    private readonly createdAtMs: number,
    private readonly timestampBase: number,
    private readonly seqBase: number,
  ) {}

  /** The offsets for a run spawned at `nowMs`, `packetsReceived` being the stream's packets counted so far. */
  next(nowMs: number, packetsReceived: number): RtpStart {
    // A clock that steps back never moves RTP time back.
    const elapsed = (this.lastElapsedMs = Math.max(this.lastElapsedMs, nowMs - this.createdAtMs));
    const timestampOffset = mod(this.timestampBase + Math.round((elapsed * this.clockRate) / 1000), TS_MODULUS);
    const counted = Math.max(0, Math.floor(packetsReceived));
    // The previous run sent from its offset on: the packets counted since it started, plus those
    // sent after the counter was last read (the margin).
    const seqnumOffset = this.previous === null ? this.seqBase : mod(this.previous.seqnumOffset + Math.max(0, counted - this.previous.counted) + SEQ_MARGIN, SEQ_MODULUS);
    this.previous = { seqnumOffset, counted };
    return { timestampOffset, seqnumOffset };
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
