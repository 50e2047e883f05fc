/**
 * Rewrites forwarded RTP packets in place to one continuous output stream: the producer's fixed
 * SSRC and payload type, sequence numbers and timestamps that never jump back (docs/rtp-tools.md).
 *
 * While the input source stays the same, its deltas pass through unchanged (gaps and reordering are
 * preserved; 16- and 32-bit wraps need nothing special: the offsets are added modulo). A NEW input
 * source — another SSRC (the camera's encoder restarted), a timestamp jump of more than
 * `maxTimestampJump` ticks or a sequence jump of more than `maxSequenceJump`, or `reset()` (a new
 * RTSP session) — is rebased to start right after the last output: sequence last + 1, timestamp
 * last + the wall time elapsed since the last output packet (at least 1 tick). A viewer's Chromium
 * therefore never sees RTP time go back (it would drop every frame as older than the last decoded).
 */
import type { RtpHeader } from './rtp-packet.js';
import { seqDelta, tsDelta } from './rtp-packet.js';

export type RebaseReason = 'ssrc' | 'timestamp' | 'sequence' | 'reset';

export interface RtpRewriterOptions {
  /** Output SSRC (the producer's). */
  ssrc: number;
  /** Output payload type (the producer's). */
  payloadType: number;
  /** RTP clock rate (90000 for video). */
  clockRate?: number;
  /** Input timestamp jump (either way) that means a new source, in ticks (default 10 s). */
  maxTimestampJump?: number;
  /** Input sequence jump (either way) that means a new source (default 3000). */
  maxSequenceJump?: number;
  /** First output sequence number (default random). */
  initialSequence?: number;
  /** First output timestamp (default random). */
  initialTimestamp?: number;
  /** Called at each rebase (not for the very first packet), before the packet is written. */
  onRebase?: (reason: RebaseReason) => void;
}

export class RtpRewriter {
  readonly ssrc: number;
  readonly payloadType: number;
  private readonly clockRate: number;
  private readonly maxTsJump: number;
  private readonly maxSeqJump: number;
  private readonly onRebase: ((reason: RebaseReason) => void) | undefined;

  private started = false;
  private resetPending = false;
  private inSsrc = 0;
  /**
   * The SSRC before the last SSRC change and its highest sequence: its late packets (at or before
   * that sequence) are dropped, not taken for yet another new source.
   */
  private previousSsrc = -1;
  private previousRefSeq = 0;
  /** Highest input sequence seen of the current source, and its timestamp. */
  private refSeq = 0;
  private refTs = 0;
  private seqOffset = 0;
  private tsOffset = 0;
  /** Output sequence/timestamp of the newest packet written, and when it was written. */
  private outSeq: number;
  private outTs: number;
  private outAtMs = 0;

  /** Rebases so far. */
  rebases = 0;
  /** Packets of the previous SSRC that arrived after the switch (dropped). */
  staleDropped = 0;

  constructor(opts: RtpRewriterOptions) {
    this.ssrc = opts.ssrc >>> 0;
    this.payloadType = opts.payloadType & 0x7f;
    this.clockRate = opts.clockRate ?? 90000;
    this.maxTsJump = opts.maxTimestampJump ?? 10 * this.clockRate;
    this.maxSeqJump = opts.maxSequenceJump ?? 3000;
    this.onRebase = opts.onRebase;
    // The first packet is placed as if the previous output were one step before these.
    this.outSeq = ((opts.initialSequence ?? Math.floor(Math.random() * 0x10000)) - 1) & 0xffff;
    this.outTs = ((opts.initialTimestamp ?? Math.floor(Math.random() * 0x100000000)) - 1) >>> 0;
  }

  /** The next packet starts a new source (a new RTSP session): rebased like an SSRC change. */
  reset(): void {
    if (this.started) this.resetPending = true;
  }

  /** Output sequence number and timestamp of the newest packet written (for logs and tests). */
  get lastOutput(): { sequenceNumber: number; timestamp: number } {
    return { sequenceNumber: this.outSeq, timestamp: this.outTs };
  }

  /**
   * Rewrites `buf` (whose header is `h`) in place for forwarding. Returns false when the packet
   * must be dropped instead: a late packet of the previous SSRC after an SSRC change.
   */
  rewrite(buf: Buffer, h: RtpHeader, nowMs: number): boolean {
    if (!this.admit(h, nowMs)) return false;
    const seq = (h.sequenceNumber + this.seqOffset) & 0xffff;
    const ts = (h.timestamp + this.tsOffset) >>> 0;
    buf[1] = (buf[1]! & 0x80) | this.payloadType;
    buf[2] = seq >>> 8;
    buf[3] = seq & 0xff;
    buf[4] = ts >>> 24;
    buf[5] = (ts >>> 16) & 0xff;
    buf[6] = (ts >>> 8) & 0xff;
    buf[7] = ts & 0xff;
    const ssrc = this.ssrc;
    buf[8] = ssrc >>> 24;
    buf[9] = (ssrc >>> 16) & 0xff;
    buf[10] = (ssrc >>> 8) & 0xff;
    buf[11] = ssrc & 0xff;
    this.note(h, seq, ts, nowMs);
    return true;
  }

  /**
   * Room for one extra packet right before the packet `h` (e.g. SPS/PPS ahead of a keyframe):
   * returns the output sequence number and timestamp the extra packet gets, and shifts the
   * following output by one sequence number. Null when `h` would be dropped.
   */
  insertBefore(h: RtpHeader, nowMs: number): { sequenceNumber: number; timestamp: number } | null {
    if (!this.admit(h, nowMs)) return null;
    const seq = (h.sequenceNumber + this.seqOffset) & 0xffff;
    const ts = (h.timestamp + this.tsOffset) >>> 0;
    this.seqOffset = (this.seqOffset + 1) & 0xffff;
    if (seqDelta(seq, this.outSeq) > 0) {
      this.outSeq = seq;
      this.outTs = ts;
    }
    this.outAtMs = nowMs;
    return { sequenceNumber: seq, timestamp: ts };
  }

  /** Detects a new source and rebases onto it; false: drop the packet. */
  private admit(h: RtpHeader, nowMs: number): boolean {
    if (!this.started) {
      this.started = true;
      this.rebase(h, nowMs, null);
      return true;
    }
    let reason: RebaseReason | null = null;
    if (this.resetPending) reason = 'reset';
    else if (h.ssrc !== this.inSsrc) {
      if (h.ssrc === this.previousSsrc && isLate(h.sequenceNumber, this.previousRefSeq, this.maxSeqJump)) {
        this.staleDropped++;
        return false;
      }
      reason = 'ssrc';
    } else {
      const ds = seqDelta(h.sequenceNumber, this.refSeq);
      if (ds > this.maxSeqJump || ds < -this.maxSeqJump) reason = 'sequence';
      else {
        const dt = tsDelta(h.timestamp, this.refTs);
        if (dt > this.maxTsJump || dt < -this.maxTsJump) reason = 'timestamp';
      }
    }
    if (reason !== null) this.rebase(h, nowMs, reason);
    return true;
  }

  private rebase(h: RtpHeader, nowMs: number, reason: RebaseReason | null): void {
    if (reason !== null) {
      this.rebases++;
      this.onRebase?.(reason);
    }
    if (reason === 'ssrc') {
      this.previousSsrc = this.inSsrc;
      this.previousRefSeq = this.refSeq;
    } else if (reason === 'reset') this.previousSsrc = -1;
    this.resetPending = false;
    this.inSsrc = h.ssrc;
    this.refSeq = h.sequenceNumber;
    this.refTs = h.timestamp;
    const elapsedTicks = reason === null ? 1 : Math.max(1, Math.round(((nowMs - this.outAtMs) * this.clockRate) / 1000));
    this.seqOffset = (this.outSeq + 1 - h.sequenceNumber) & 0xffff;
    this.tsOffset = (this.outTs + elapsedTicks - h.timestamp) >>> 0;
  }

  private note(h: RtpHeader, seq: number, ts: number, nowMs: number): void {
    if (seqDelta(h.sequenceNumber, this.refSeq) > 0) {
      this.refSeq = h.sequenceNumber;
      this.refTs = h.timestamp;
    }
    if (seqDelta(seq, this.outSeq) > 0) {
      this.outSeq = seq;
      this.outTs = ts;
    }
    this.outAtMs = nowMs;
  }
}

/** A packet at or shortly before `newest` (a reordered straggler, not a restarted source). */
function isLate(seq: number, newest: number, window: number): boolean {
  const d = seqDelta(seq, newest);
  return d <= 0 && d >= -window;
}
