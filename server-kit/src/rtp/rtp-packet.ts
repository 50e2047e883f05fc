/**
 * RTP packet header (RFC 3550 §5.1), read and written without copying the payload. Pure and
 * throw-free: a malformed packet gives null. Per-packet hot path of the relay ingest: `parseRtp` can
 * fill a caller-owned header object instead of allocating one per packet.
 */

export interface RtpHeader {
  /** Always 2 (other versions are refused). */
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** First byte of the payload (after the CSRCs and the header extension). */
  payloadOffset: number;
  /** End of the payload (exclusive; the padding removed). */
  payloadEnd: number;
}

/** A blank header to reuse with `parseRtp(buf, out)`. */
export function emptyRtpHeader(): RtpHeader {
  return { version: 2, padding: false, extension: false, csrcCount: 0, marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payloadOffset: 12, payloadEnd: 12 };
}

/**
 * The header of an RTP packet, or null when it is not one: shorter than 12 bytes, version not 2,
 * CSRCs, header extension or padding reaching beyond the packet (or a padding count of 0). Fills
 * `out` when given (no allocation) and returns it.
 */
export function parseRtp(buf: Uint8Array, out?: RtpHeader): RtpHeader | null {
  const len = buf.length;
  if (len < 12) return null;
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) return null;
  const csrcCount = b0 & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (offset > len) return null;
  const extension = (b0 & 0x10) !== 0;
  if (extension) {
    if (offset + 4 > len) return null;
    offset += 4 + ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
    if (offset > len) return null;
  }
  const padding = (b0 & 0x20) !== 0;
  let end = len;
  if (padding) {
    const count = buf[len - 1]!;
    if (count === 0 || len - count < offset) return null;
    end = len - count;
  }
  const b1 = buf[1]!;
  const h = out ?? emptyRtpHeader();
  h.version = 2;
  h.padding = padding;
  h.extension = extension;
  h.csrcCount = csrcCount;
  h.marker = (b1 & 0x80) !== 0;
  h.payloadType = b1 & 0x7f;
  h.sequenceNumber = (buf[2]! << 8) | buf[3]!;
  h.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  h.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  h.payloadOffset = offset;
  h.payloadEnd = end;
  return h;
}

export interface RtpFields {
  marker?: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** A plain RTP packet (no CSRC, no extension, no padding) carrying `payload`. */
export function buildRtp(fields: RtpFields, payload: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(12 + payload.length);
  buf[0] = 0x80;
  buf[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  buf.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(fields.timestamp >>> 0, 4);
  buf.writeUInt32BE(fields.ssrc >>> 0, 8);
  buf.set(payload, 12);
  return buf;
}

/** The payload of a parsed packet (a view, no copy). */
export function rtpPayloadOf(buf: Buffer, h: RtpHeader): Buffer {
  return buf.subarray(h.payloadOffset, h.payloadEnd);
}

/** `a - b` of two 16-bit sequence numbers, as the shortest signed distance (−32768…32767). */
export function seqDelta(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** `a - b` of two 32-bit RTP timestamps, as the shortest signed distance. */
export function tsDelta(a: number, b: number): number {
  return (a - b) | 0;
}
