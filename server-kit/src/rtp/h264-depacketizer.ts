/**
 * H.264 RTP depacketizer (RFC 6184, packetization-mode 0/1): single NAL unit packets (types 1–23),
 * STAP-A (24) and FU-A (28) into access units. Pure and throw-free: malformed payloads are dropped
 * and counted. An access unit ends at the marker bit, or when the timestamp changes (cameras that
 * never set the marker). NAL units of single-NAL and STAP-A packets are views into the packet
 * buffers (no copy): do not reuse a packet's buffer while its access unit is kept.
 */
import type { RtpHeader } from './rtp-packet.js';
import { seqDelta } from './rtp-packet.js';

export const NAL_IDR = 5;
export const NAL_SPS = 7;
export const NAL_PPS = 8;
export const NAL_AUD = 9;
const STAP_A = 24;
/** Sequence distances beyond which a packet is taken for a new source rather than late or a gap. */
const MAX_LATE = 3000;
const MAX_GAP = 3000;
const FU_A = 28;

export interface AccessUnit {
  /** RTP timestamp (90 kHz) of the access unit. */
  timestamp: number;
  /** NAL units, without start codes, in stream order. */
  nalus: Buffer[];
  /** Contains an IDR slice (NAL type 5). */
  keyframe: boolean;
  /** Contains both an SPS (7) and a PPS (8). */
  hasParameterSets: boolean;
  /** Sum of the NAL units' sizes. */
  bytes: number;
  /** Packets were missing inside it (a sequence gap, or a fragmented NAL unit dropped). */
  damaged: boolean;
}

export interface H264DepacketizerOptions {
  /** An access unit beyond this many bytes is dropped whole (default 4 MiB). */
  maxAccessUnitBytes?: number;
}

export const DEFAULT_MAX_ACCESS_UNIT_BYTES = 4 * 1024 * 1024;

export class H264Depacketizer {
  private readonly maxBytes: number;
  private lastSeq = -1;
  private ssrc = 0;
  private queued: AccessUnit | null = null;
  // The access unit being assembled.
  private auActive = false;
  private auTs = 0;
  private nalus: Buffer[] = [];
  private bytes = 0;
  private hasIdr = false;
  private hasSps = false;
  private hasPps = false;
  private damaged = false;
  private oversize = false;
  // The fragmented NAL unit being reassembled (FU-A).
  private fuActive = false;
  private fuHeader = 0;
  private fuChunks: Buffer[] = [];
  private fuBytes = 0;
  /** The rest of a dropped fragmented NAL unit is still arriving. */
  private fuSkipping = false;

  /** NAL units lost to a gap inside a fragmentation unit (or a fragment without its start). */
  lost = 0;
  /** Access units dropped for exceeding the size bound. */
  oversized = 0;
  /** Payloads that could not be parsed (empty, truncated STAP-A/FU-A). */
  malformed = 0;
  /** Packets of unsupported types (STAP-B, MTAP, FU-B, reserved). */
  unsupported = 0;
  /** Packets older than the newest seen (reordered or duplicated): dropped. */
  late = 0;
  /** Sequence gaps seen. */
  gaps = 0;
  /** New sources seen after the first: another SSRC, or a sequence jump beyond 3000 either way. */
  sources = 0;

  constructor(opts: H264DepacketizerOptions = {}) {
    this.maxBytes = opts.maxAccessUnitBytes ?? DEFAULT_MAX_ACCESS_UNIT_BYTES;
  }

  private readonly slab = new Slab();

  /** Takes one packet; returns the access unit it completed, if any. */
  push(buf: Buffer, h: RtpHeader): AccessUnit | null {
    this.queued = null;
    const seq = h.sequenceNumber;
    let gap = false;
    let newSource = false;
    if (this.lastSeq >= 0) {
      const d = seqDelta(seq, this.lastSeq);
      if (h.ssrc !== this.ssrc || d < -MAX_LATE || d > MAX_GAP) {
        // Another source (the camera's encoder restarted) or numbering far away: start over, as
        // the rewriter rebases (a new source's random base would otherwise look "late" for ages).
        newSource = true;
        this.sources++;
      } else if (d <= 0) {
        this.late++;
        return null;
      } else if (d > 1) {
        gap = true;
        this.gaps++;
      }
    }
    this.lastSeq = seq;
    this.ssrc = h.ssrc;
    let done: AccessUnit | null = null;
    if (this.auActive && (h.timestamp !== this.auTs || newSource)) {
      // The previous access unit lost its marker packet (or the camera never sets it).
      this.dropFu();
      done = this.finish();
    }
    if (!this.auActive) this.begin(h.timestamp);
    if (gap) {
      this.damaged = true;
      this.dropFu();
    }
    this.payload(buf, h.payloadOffset, h.payloadEnd);
    if (h.marker) {
      this.dropFu();
      // A second unit completed by this packet (the previous one lost its marker packet): next().
      if (done === null) done = this.finish();
      else this.queued = this.finish();
    }
    return done;
  }

  /**
   * A further access unit completed by the last push (at most one; only when the previous unit's
   * marker packet was lost and this packet ends the next unit). Read it right after push:
   * `for (let au = d.push(buf, h); au; au = d.next()) …`; the next push forgets it.
   */
  next(): AccessUnit | null {
    const q = this.queued;
    this.queued = null;
    return q;
  }

  /** Forget the stream (a new RTSP session): the unit in progress is dropped. */
  reset(): void {
    this.dropFu();
    this.fuSkipping = false;
    this.auActive = false;
    this.lastSeq = -1;
  }

  /** The access unit in progress, as it is (end of stream); null when none. */
  flush(): AccessUnit | null {
    this.dropFu();
    return this.auActive ? this.finish() : null;
  }

  private begin(ts: number): void {
    this.auActive = true;
    this.auTs = ts;
    this.nalus = [];
    this.bytes = 0;
    this.hasIdr = this.hasSps = this.hasPps = false;
    this.damaged = false;
    this.oversize = false;
  }

  private finish(): AccessUnit | null {
    this.auActive = false;
    if (this.oversize || this.nalus.length === 0) return null;
    return { timestamp: this.auTs, nalus: this.nalus, keyframe: this.hasIdr, hasParameterSets: this.hasSps && this.hasPps, bytes: this.bytes, damaged: this.damaged };
  }

  private payload(buf: Buffer, start: number, end: number): void {
    if (end <= start) {
      this.malformed++;
      return;
    }
    const type = buf[start]! & 0x1f;
    if (type >= 1 && type <= 23) {
      this.fuInterrupted();
      this.add(buf.subarray(start, end));
    } else if (type === STAP_A) {
      this.fuInterrupted();
      let i = start + 1;
      while (i < end) {
        if (i + 2 > end) {
          this.malformed++;
          return;
        }
        const size = (buf[i]! << 8) | buf[i + 1]!;
        i += 2;
        if (size === 0 || i + size > end) {
          this.malformed++;
          return;
        }
        this.add(buf.subarray(i, i + size));
        i += size;
      }
    } else if (type === FU_A) {
      if (end - start < 3) {
        this.malformed++;
        return;
      }
      const fu = buf[start + 1]!;
      const isStart = (fu & 0x80) !== 0;
      const isEnd = (fu & 0x40) !== 0;
      if (isStart) {
        if (this.fuActive) this.dropFu();
        this.fuActive = true;
        this.fuSkipping = false;
        this.fuHeader = (buf[start]! & 0xe0) | (fu & 0x1f);
        this.fuChunks.length = 0;
        this.fuBytes = 1;
      } else if (!this.fuActive) {
        // A middle or end fragment whose start was lost (counted once per NAL unit).
        if (!this.fuSkipping) this.lost++;
        this.fuSkipping = !isEnd;
        this.damaged = true;
        return;
      }
      const chunk = buf.subarray(start + 2, end);
      this.fuChunks.push(chunk);
      this.fuBytes += chunk.length;
      if (this.bytes + this.fuBytes > this.maxBytes) this.overflow();
      if (isEnd && this.fuActive) {
        const nal = this.slab.take(this.fuBytes);
        nal[0] = this.fuHeader;
        let o = 1;
        for (const c of this.fuChunks) {
          nal.set(c, o);
          o += c.length;
        }
        this.fuActive = false;
        this.fuChunks.length = 0;
        this.add(nal);
      }
    } else {
      this.unsupported++;
    }
  }

  private add(nal: Buffer): void {
    if (this.oversize) return;
    if (this.bytes + nal.length > this.maxBytes) {
      this.overflow();
      return;
    }
    const t = nal[0]! & 0x1f;
    if (t === NAL_IDR) this.hasIdr = true;
    else if (t === NAL_SPS) this.hasSps = true;
    else if (t === NAL_PPS) this.hasPps = true;
    this.nalus.push(nal);
    this.bytes += nal.length;
  }

  private overflow(): void {
    if (!this.oversize) this.oversized++;
    this.oversize = true;
    this.nalus = [];
    this.bytes = 0;
    this.fuActive = false;
    this.fuSkipping = true;
    this.fuChunks.length = 0;
  }

  /** A non-FU packet arrived while a fragmented NAL unit was open: its end was lost. */
  private fuInterrupted(): void {
    if (this.fuActive) this.dropFu();
    this.fuSkipping = false;
  }

  private dropFu(): void {
    if (!this.fuActive) return;
    this.fuActive = false;
    this.fuChunks.length = 0;
    this.fuBytes = 0;
    this.fuSkipping = true;
    this.lost++;
    this.damaged = true;
  }
}

/**
 * Whether this packet starts an IDR slice (a single NAL unit of type 5, a STAP-A containing one, or
 * the first fragment of one): where an access unit's picture data begins on a keyframe.
 */
export function packetStartsIdr(buf: Uint8Array, h: RtpHeader): boolean {
  const start = h.payloadOffset;
  const end = h.payloadEnd;
  if (end <= start) return false;
  const type = buf[start]! & 0x1f;
  if (type === NAL_IDR) return true;
  if (type === FU_A) return end - start >= 2 && (buf[start + 1]! & 0x80) !== 0 && (buf[start + 1]! & 0x1f) === NAL_IDR;
  if (type === STAP_A) return stapAHas(buf, start, end, 1 << NAL_IDR);
  return false;
}

/** Bit mask (1 << NAL type) of the NAL types this packet carries whole or starts. */
export function packetNalTypes(buf: Uint8Array, h: RtpHeader): number {
  const start = h.payloadOffset;
  const end = h.payloadEnd;
  if (end <= start) return 0;
  const type = buf[start]! & 0x1f;
  if (type >= 1 && type <= 23) return 1 << type;
  if (type === FU_A) return end - start >= 2 && (buf[start + 1]! & 0x80) !== 0 ? 1 << (buf[start + 1]! & 0x1f) : 0;
  if (type === STAP_A) {
    let mask = 0;
    let i = start + 1;
    while (i + 2 < end) {
      const size = (buf[i]! << 8) | buf[i + 1]!;
      if (size === 0 || i + 2 + size > end) break;
      mask |= 1 << (buf[i + 2]! & 0x1f);
      i += 2 + size;
    }
    return mask;
  }
  return 0;
}

function stapAHas(buf: Uint8Array, start: number, end: number, mask: number): boolean {
  let i = start + 1;
  while (i + 2 < end) {
    const size = (buf[i]! << 8) | buf[i + 1]!;
    if (size === 0 || i + 2 + size > end) return false;
    if ((1 << (buf[i + 2]! & 0x1f)) & mask) return true;
    i += 2 + size;
  }
  return false;
}

const START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * The access unit as an Annex B byte stream (4-byte start codes). With `paramSets`, the SPS and/or
 * PPS the unit lacks are put in front (after an access unit delimiter, if it starts with one).
 */
export function toAnnexB(au: AccessUnit, paramSets?: { sps: Uint8Array; pps: Uint8Array } | null): Buffer {
  let hasSps = false;
  let hasPps = false;
  let total = 0;
  for (const n of au.nalus) {
    const t = n[0]! & 0x1f;
    if (t === NAL_SPS) hasSps = true;
    else if (t === NAL_PPS) hasPps = true;
    total += 4 + n.length;
  }
  const sps = paramSets && !hasSps ? paramSets.sps : null;
  const pps = paramSets && !hasPps ? paramSets.pps : null;
  if (sps) total += 4 + sps.length;
  if (pps) total += 4 + pps.length;
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  const put = (n: Uint8Array): void => {
    out.set(START_CODE, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  };
  let i = 0;
  if (au.nalus.length > 0 && (au.nalus[0]![0]! & 0x1f) === NAL_AUD) put(au.nalus[i++]!);
  if (sps) put(sps);
  if (pps) put(pps);
  for (; i < au.nalus.length; i++) put(au.nalus[i]!);
  return out;
}

const SLAB_BYTES = 256 * 1024;

/**
 * Reassembled NAL units are carved out of 256 KiB slabs rather than allocated one by one: a large
 * Buffer costs microseconds to allocate, a view of a slab ~100 ns. A slab lives as long as a NAL
 * unit in it is kept (the GOP: about one GOP's worth of slabs per camera). NAL units larger than
 * half a slab get their own buffer.
 */
class Slab {
  private buf: Buffer = Buffer.allocUnsafeSlow(0);
  private used = 0;

  take(size: number): Buffer {
    if (size > SLAB_BYTES / 2) return Buffer.allocUnsafeSlow(size);
    if (this.used + size > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    const out = this.buf.subarray(this.used, this.used + size);
    // Keep views 8-byte aligned (cheap, and friendlier to whoever reads them as words).
    this.used += (size + 7) & ~7;
    return out;
  }
}
