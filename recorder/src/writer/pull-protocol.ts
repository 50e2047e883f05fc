/**
 * The records the camera pull (pull.py) writes on its stdout: `u32 header length, u32 payload
 * length, JSON header, payload`, parsed incrementally from the chunks of a pipe (pure).
 */
import { z } from 'zod';

const ns = z.number().int();
export const pullHeaderSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('v'), codec: z.enum(['h264', 'h265']), pts: ns, dts: ns, dur: ns.optional(), key: z.boolean(), wall: z.number().positive(), ntp: z.number().nullable().optional(), disc: z.boolean() }),
  z.object({ k: z.literal('a'), codec: z.literal('aac'), pts: ns, wall: z.number().positive(), ntp: z.number().nullable().optional() }),
  z.object({
    k: z.literal('ev'),
    ev: z.enum(['caps', 'ssrc', 'error', 'eos']),
    media: z.enum(['video', 'audio']).optional(),
    codec: z.string().max(32).optional(),
    source: z.string().max(32).optional(),
    ssrc: z.number().int().nullable().optional(),
    code: z.string().max(64).optional(),
    message: z.string().max(500).optional(),
  }),
]);
export type PullHeader = z.infer<typeof pullHeaderSchema>;
export interface PullRecord {
  header: PullHeader;
  payload: Buffer;
}

const MAX_HEADER = 4096;
const MAX_PAYLOAD = 32 * 1024 * 1024;

export class PullProtocolError extends Error {
  override name = 'PullProtocolError';
  readonly code = 'PULL_PROTOCOL';
}

export class PullReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the complete records. Throws PullProtocolError on a corrupt stream. */
  push(chunk: Buffer): PullRecord[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: PullRecord[] = [];
    let p = 0;
    while (this.buf.length - p >= 8) {
      const hl = this.buf.readUInt32BE(p);
      const pl = this.buf.readUInt32BE(p + 4);
      if (hl === 0 || hl > MAX_HEADER || pl > MAX_PAYLOAD) throw new PullProtocolError(`bad record lengths ${hl}/${pl}`);
      if (this.buf.length - p < 8 + hl + pl) break;
      let raw: unknown;
      try {
        raw = JSON.parse(this.buf.toString('utf8', p + 8, p + 8 + hl));
      } catch {
        throw new PullProtocolError('record header is not JSON');
      }
      const parsed = pullHeaderSchema.safeParse(raw);
      const payload = this.buf.subarray(p + 8 + hl, p + 8 + hl + pl);
      p += 8 + hl + pl;
      if (!parsed.success) continue; // a record kind of a newer pull: skip it
      out.push({ header: parsed.data, payload: Buffer.from(payload) });
    }
    this.buf = p === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(p);
    return out;
  }
}
