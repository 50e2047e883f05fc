/**
 * H.264 parameter sets (SPS/PPS) for the relay: the SDP's `sprop-parameter-sets`, the latest
 * in-band ones, a STAP-A payload carrying both (sent ahead of a keyframe whose access unit lacks
 * them), and the per-packet decision of when to send it. Pure and throw-free.
 */
import type { RtpHeader } from './rtp-packet.js';
import type { AccessUnit } from './h264-depacketizer.js';
import { NAL_IDR, NAL_PPS, NAL_SPS, packetNalTypes } from './h264-depacketizer.js';

export interface ParameterSets {
  sps: Buffer;
  pps: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The first SPS and PPS of an SDP fmtp's `sprop-parameter-sets` (base64 NAL units, comma
 * separated); the fmtp may be given with or without its `a=fmtp:<pt> ` prefix. Null when absent or
 * when it lacks an SPS or a PPS.
 */
export function spropParameterSets(fmtp: string): ParameterSets | null {
  const m = /(?:^|[;\s])sprop-parameter-sets\s*=\s*([^;\s]*)/i.exec(fmtp);
  if (!m) return null;
  let sps: Buffer | null = null;
  let pps: Buffer | null = null;
  for (const part of m[1]!.split(',')) {
    if (!BASE64.test(part)) continue;
    const nal = Buffer.from(part, 'base64');
    if (nal.length < 2) continue;
    const t = nal[0]! & 0x1f;
    if (t === NAL_SPS && !sps) sps = nal;
    else if (t === NAL_PPS && !pps) pps = nal;
  }
  return sps && pps ? { sps, pps } : null;
}

/** The latest SPS and PPS: from the SDP at first, then whatever the camera sends in-band. */
export class ParameterSetTracker {
  private sps: Buffer | null = null;
  private pps: Buffer | null = null;
  /** Times the SPS or PPS changed (a new resolution or profile after an encoder restart…). */
  changes = 0;

  constructor(initial?: ParameterSets | null) {
    if (initial) {
      this.sps = Buffer.from(initial.sps);
      this.pps = Buffer.from(initial.pps);
    }
  }

  /** Remembers the access unit's SPS/PPS (copied, only when they differ); true when one changed. */
  observe(au: AccessUnit): boolean {
    let changed = false;
    for (const n of au.nalus) {
      const t = n[0]! & 0x1f;
      if (t === NAL_SPS) {
        if (!this.sps || !this.sps.equals(n)) {
          this.sps = Buffer.from(n);
          changed = true;
        }
      } else if (t === NAL_PPS) {
        if (!this.pps || !this.pps.equals(n)) {
          this.pps = Buffer.from(n);
          changed = true;
        }
      }
    }
    if (changed) this.changes++;
    return changed;
  }

  /** Both, once known. */
  get(): ParameterSets | null {
    return this.sps && this.pps ? { sps: this.sps, pps: this.pps } : null;
  }
}

/** An RTP payload (STAP-A, RFC 6184 §5.7.1) carrying the SPS then the PPS. */
export function parameterSetsStapA(sps: Uint8Array, pps: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + 2 + sps.length + 2 + pps.length);
  // F bit of either, the higher NRI of the two.
  const f = (sps[0]! | pps[0]!) & 0x80;
  const nri = Math.max(sps[0]! & 0x60, pps[0]! & 0x60);
  out[0] = f | nri | 24;
  out.writeUInt16BE(sps.length, 1);
  out.set(sps, 3);
  out.writeUInt16BE(pps.length, 3 + sps.length);
  out.set(pps, 5 + sps.length);
  return out;
}

/**
 * Per packet of the relay: whether to send the parameter sets right before this packet. True at
 * the first packet that starts an IDR slice in an access unit (one RTP timestamp) in which no SPS
 * and PPS arrived before it; once per access unit. No allocation.
 */
export class ParameterSetGate {
  private ts = -1;
  private seen = 0;
  private done = false;
  /** Times it said yes. */
  inserted = 0;

  /** `buf` is the packet as received (its payload is read, never written). */
  before(buf: Uint8Array, h: RtpHeader): boolean {
    if (h.timestamp !== this.ts) {
      this.ts = h.timestamp;
      this.seen = 0;
      this.done = false;
    }
    const types = packetNalTypes(buf, h);
    if (types === 0) return false;
    const hadBoth = (this.seen & PS_MASK) === PS_MASK;
    this.seen |= types;
    if (this.done || hadBoth || !(types & (1 << NAL_IDR))) return false;
    // A STAP-A carrying SPS, PPS and the IDR together needs nothing.
    if ((types & PS_MASK) === PS_MASK) return false;
    this.done = true;
    this.inserted++;
    return true;
  }
}

const PS_MASK = (1 << NAL_SPS) | (1 << NAL_PPS);
