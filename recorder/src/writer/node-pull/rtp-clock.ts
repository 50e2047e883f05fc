/**
 * RTP time arithmetic of the Node pull (pure): 32-bit timestamps unwrapped into a growing tick
 * count, ticks into nanoseconds, and a camera capture time from the latest sender report.
 */

/** Signed difference a − b of two 32-bit RTP timestamps (−2^31 … 2^31−1). */
export function rtpDelta(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return d >= 0x80000000 ? d - 0x100000000 : d;
}

/**
 * Unwraps 32-bit RTP timestamps into ticks since the first one (negative for a unit older than the
 * first). Each timestamp is taken relative to the previous one, so the 2^32 wrap (13.25 h at
 * 90 kHz) passes unnoticed.
 */
export class RtpUnwrapper {
  private last: number | null = null;
  private ticks = 0;

  /** Ticks of `ts` since the first timestamp seen. */
  unwrap(ts: number): number {
    if (this.last === null) {
      this.last = ts >>> 0;
      return 0;
    }
    this.ticks += rtpDelta(ts, this.last);
    this.last = ts >>> 0;
    return this.ticks;
  }

  reset(): void {
    this.last = null;
    this.ticks = 0;
  }
}

/** Integer nanoseconds of `ticks` at `rate` Hz. */
export function ticksToNs(ticks: number, rate: number): number {
  return Math.round((ticks * 1e9) / rate);
}

/**
 * The camera's capture time (epoch ms) of RTP timestamp `ts` by its sender report `(ntpMs,
 * srRtp)`, as pull.py's camera_time.
 */
export function captureTimeMs(ts: number, sr: { ntpMs: number; rtpTimestamp: number }, rate: number): number {
  return sr.ntpMs + (rtpDelta(ts, sr.rtpTimestamp) * 1000) / rate;
}
