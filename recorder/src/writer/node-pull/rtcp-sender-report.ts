/**
 * RTCP sender reports (RFC 3550 §6.4.1) out of a compound RTCP packet: for each SR, the sender's
 * SSRC, its NTP wall-clock time as epoch ms and the RTP timestamp of that same instant. Pure and
 * throw-free: a truncated or malformed packet yields the reports that lie whole before the damage.
 * Same reading as pull.py's on_rtcp (an NTP time before 1970 is ignored).
 */

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
export const NTP_UNIX_OFFSET_S = 2208988800;
const PT_SR = 200;

export interface SenderReport {
  ssrc: number;
  /** The sender's wall clock at the report, epoch ms (fractional). */
  ntpMs: number;
  /** The RTP timestamp of that instant. */
  rtpTimestamp: number;
}

export function parseSenderReports(buf: Uint8Array): SenderReport[] {
  const out: SenderReport[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = 0;
  while (p + 4 <= buf.length) {
    if (buf[p]! >> 6 !== 2) break; // not RTP version 2: the rest cannot be trusted
    const pt = buf[p + 1]!;
    const len = 4 * (view.getUint16(p + 2) + 1);
    if (p + len > buf.length) break;
    if (pt === PT_SR && len >= 28) {
      const ssrc = view.getUint32(p + 4);
      const sec = view.getUint32(p + 8);
      const frac = view.getUint32(p + 12);
      const rtpTimestamp = view.getUint32(p + 16);
      if (sec > NTP_UNIX_OFFSET_S) out.push({ ssrc, ntpMs: (sec - NTP_UNIX_OFFSET_S) * 1000 + (frac * 1000) / 2 ** 32, rtpTimestamp });
    }
    p += len;
  }
  return out;
}

/** Builds one SR packet without report blocks (for tests and test servers). */
export function buildSenderReport(ssrc: number, ntpMs: number, rtpTimestamp: number, packets = 0, octets = 0): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = PT_SR;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  const sec = Math.floor(ntpMs / 1000);
  b.writeUInt32BE(sec + NTP_UNIX_OFFSET_S, 8);
  b.writeUInt32BE(Math.min(2 ** 32 - 1, Math.round(((ntpMs - sec * 1000) / 1000) * 2 ** 32)), 12);
  b.writeUInt32BE(rtpTimestamp >>> 0, 16);
  b.writeUInt32BE(packets >>> 0, 20);
  b.writeUInt32BE(octets >>> 0, 24);
  return b;
}
