/**
 * The media host's framing (docs/media-host.md), both ways on its stdin/stdout: u32 BE header
 * length, u32 BE payload length, the JSON header (UTF-8, an object), the payload. Pure: the decoder
 * takes chunks as they come and never throws; bad input comes out as an error with a code.
 */

/** Headers beyond this are refused (they are a few hundred bytes). */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Payloads beyond this are refused (a 4K keyframe is a few MB). Same limits in media-host.py. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

export interface Frame {
  header: Record<string, unknown>;
  payload: Buffer;
}

export type FrameErrorCode = 'frame_too_large' | 'bad_header';

export type DecodeResult = { frame: Frame } | { error: FrameErrorCode; message: string };

export class FrameTooLargeError extends Error {
  readonly code = 'frame_too_large';
}

/** One frame. Throws FrameTooLargeError beyond the limits (the peer would refuse it). */
export function encodeFrame(header: Record<string, unknown>, payload: Uint8Array = Buffer.alloc(0), limits = { header: MAX_HEADER_BYTES, payload: MAX_PAYLOAD_BYTES }): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  if (head.length > limits.header) throw new FrameTooLargeError(`header of ${head.length} bytes`);
  if (payload.length > limits.payload) throw new FrameTooLargeError(`payload of ${payload.length} bytes`);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(head.length, 0);
  prefix.writeUInt32BE(payload.length, 4);
  return Buffer.concat([prefix, head, payload]);
}

/**
 * Incremental decoder. A frame whose lengths are beyond the limits (or a zero-length header) means
 * the stream cannot be trusted any more: `frame_too_large` once, then the decoder is `broken` and
 * ignores everything (its owner restarts the peer and makes a new decoder). A header that is not a
 * JSON object is `bad_header` for that frame only (the lengths held: decoding goes on).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private brokenRef = false;

  constructor(private readonly limits = { header: MAX_HEADER_BYTES, payload: MAX_PAYLOAD_BYTES }) {}

  get broken(): boolean {
    return this.brokenRef;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): DecodeResult[] {
    if (this.brokenRef) return [];
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: DecodeResult[] = [];
    for (;;) {
      if (this.buffered < 8) return out;
      const prefix = this.peek(8);
      const headLen = prefix.readUInt32BE(0);
      const payloadLen = prefix.readUInt32BE(4);
      if (headLen === 0 || headLen > this.limits.header || payloadLen > this.limits.payload) {
        this.brokenRef = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({ error: 'frame_too_large', message: `frame with a ${headLen}-byte header and a ${payloadLen}-byte payload` });
        return out;
      }
      const total = 8 + headLen + payloadLen;
      if (this.buffered < total) return out;
      const all = this.take(total);
      const headText = all.subarray(8, 8 + headLen).toString('utf8');
      let header: unknown;
      try {
        header = JSON.parse(headText);
      } catch {
        header = undefined;
      }
      if (typeof header !== 'object' || header === null || Array.isArray(header)) {
        out.push({ error: 'bad_header', message: 'frame header is not a JSON object' });
        continue;
      }
      // (a copy: the caller may keep it long after the chunk it came in)
      out.push({ frame: { header: header as Record<string, unknown>, payload: Buffer.from(all.subarray(8 + headLen)) } });
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks);
      out = joined.subarray(0, n);
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
