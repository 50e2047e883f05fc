/**
 * Splits the byte stream of an RTSP/TCP connection into RTSP messages and `$`-interleaved frames
 * (RFC 2326 §10.12: `$`, channel, 16-bit length, data), across arbitrary chunk boundaries.
 *
 * The hot path is a frame that lies whole inside one socket chunk: it is handed on as a view of that
 * chunk (no copy, no allocation beyond the view). A frame cut by a chunk boundary is copied into a
 * buffer of its own length, allocated once when its header is known, and filled from the following
 * chunks; only a cut 4-byte frame header or an RTSP message is carried over by concatenation.
 * Node hands every `data` chunk in fresh memory and the framer never writes into a chunk, so the
 * frames it hands on belong to the listener, which may modify them in place.
 *
 * Not I/O: fed with `push(chunk)`, it calls its sink; on malformed input it calls `sink.error` once
 * and ignores everything after.
 */
import { contentLength, parseHead, type RtspHead } from './rtsp-message.js';

export interface FramerLimits {
  /** Largest header block (status line + headers), bytes. */
  maxHeaderBytes: number;
  /** Largest message body, bytes. */
  maxBodyBytes: number;
}

export interface FramerSink {
  frame(channel: number, data: Buffer): void;
  message(head: RtspHead, body: Buffer): void;
  error(message: string): void;
}

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;

export class InterleavedFramer {
  /** Unparsed bytes carried over: a cut frame header or an incomplete RTSP message. */
  private carry: Buffer | null = null;
  /** The frame being filled across chunks. */
  private partial: Buffer | null = null;
  private partialFill = 0;
  private partialChannel = 0;
  private failed = false;

  constructor(
    private readonly sink: FramerSink,
    private readonly limits: FramerLimits,
  ) {}

  /** Bytes held over for the next chunk (for tests: at most one partial frame or message). */
  get carriedBytes(): number {
    return (this.carry?.length ?? 0) + (this.partial ? this.partialFill : 0);
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    let buf = chunk;
    let off = 0;
    const partial = this.partial;
    if (partial) {
      const n = Math.min(partial.length - this.partialFill, buf.length);
      buf.copy(partial, this.partialFill, 0, n);
      this.partialFill += n;
      off = n;
      if (this.partialFill < partial.length) return;
      this.partial = null;
      this.sink.frame(this.partialChannel, partial);
      if (this.failed || off === buf.length) return;
    }
    if (this.carry) {
      buf = Buffer.concat([this.carry, off ? buf.subarray(off) : buf]);
      off = 0;
      this.carry = null;
    }
    const len = buf.length;
    while (off < len && !this.failed) {
      const b = buf[off]!;
      if (b === DOLLAR) {
        if (len - off < 4) {
          this.carry = buf.subarray(off);
          return;
        }
        const channel = buf[off + 1]!;
        const size = (buf[off + 2]! << 8) | buf[off + 3]!;
        const start = off + 4;
        const end = start + size;
        if (end <= len) {
          off = end;
          this.sink.frame(channel, buf.subarray(start, end));
          continue;
        }
        const p = Buffer.allocUnsafe(size);
        buf.copy(p, 0, start, len);
        this.partial = p;
        this.partialFill = len - start;
        this.partialChannel = channel;
        return;
      }
      if (b === CR || b === LF) {
        // Stray line ends between messages (some servers send them): skipped.
        off++;
        continue;
      }
      if (b < 0x41 || b > 0x5a) {
        // Neither a frame nor a message ("RTSP/1.0 …" or a request method): lost framing.
        this.fail(`unexpected byte 0x${b.toString(16).padStart(2, '0')} where a message or an interleaved frame should start`);
        return;
      }
      const used = this.message(buf, off);
      if (used === 0) {
        if (!this.failed) this.carry = buf.subarray(off);
        return;
      }
      off += used;
    }
  }

  /** Reads one RTSP message at `off`; returns the bytes it took, 0 when incomplete (or failed). */
  private message(buf: Buffer, off: number): number {
    const limit = Math.min(buf.length, off + this.limits.maxHeaderBytes + 4);
    const end = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (end < 0 || end + 4 > limit) {
      if (end >= 0 || buf.length - off > this.limits.maxHeaderBytes + 3) this.fail(`header block longer than ${this.limits.maxHeaderBytes} bytes`);
      return 0;
    }
    const head = parseHead(buf.toString('latin1', off, end));
    if (!head) {
      this.fail('malformed message head');
      return 0;
    }
    const bodyLen = contentLength(head.headers);
    if (bodyLen === null) {
      this.fail('malformed Content-Length');
      return 0;
    }
    if (bodyLen > this.limits.maxBodyBytes) {
      this.fail(`message body of ${bodyLen} bytes exceeds the limit of ${this.limits.maxBodyBytes}`);
      return 0;
    }
    const bodyStart = end + 4;
    if (buf.length - bodyStart < bodyLen) return 0;
    this.sink.message(head, Buffer.from(buf.subarray(bodyStart, bodyStart + bodyLen)));
    return bodyStart + bodyLen - off;
  }

  private fail(message: string): void {
    this.failed = true;
    this.carry = null;
    this.partial = null;
    this.sink.error(message);
  }
}
