/**
 * A minimal MPEG-TS writer (pure): one program, a video stream (H.264 or H.265, Annex B access
 * units) and optionally an AAC stream (ADTS frames). The recorder hands each segment to ffmpeg as
 * MPEG-TS with the timestamps it decided (see segment-clock.ts); ffmpeg copies them into fragmented
 * MP4. Times are in ms; written on the 90 kHz clock with a 1 s offset so nothing is negative.
 */

export type VideoCodec = 'h264' | 'h265';

const PMT_PID = 0x1000;
const VIDEO_PID = 0x100;
const AUDIO_PID = 0x101;
const OFFSET_90K = 90000;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/MPEG-2 of a PSI section. */
export function crc32Mpeg(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of buf) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc >>> 0;
}

function ts90(ms: number): number {
  return Math.max(0, Math.round(ms * 90) + OFFSET_90K);
}

/** The 5-byte PTS/DTS field. */
function timeField(prefix: number, t: number): Buffer {
  const b = Buffer.alloc(5);
  const hi = Math.floor(t / 2 ** 30) & 0x7; // bits 32..30
  const mid = Math.floor(t / 2 ** 15) & 0x7fff; // bits 29..15
  const lo = t & 0x7fff; // bits 14..0
  b[0] = (prefix << 4) | (hi << 1) | 1;
  b[1] = mid >> 7;
  b[2] = ((mid & 0x7f) << 1) | 1;
  b[3] = lo >> 7;
  b[4] = ((lo & 0x7f) << 1) | 1;
  return b;
}

export class TsMuxer {
  private readonly cc = new Map<number, number>();

  constructor(
    readonly video: VideoCodec,
    readonly audio: boolean,
  ) {}

  /** PAT and PMT (written at the start and before every keyframe). */
  tables(): Buffer {
    const pat = this.section(0x00, 0x0001, Buffer.from([0x00, 0x01, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]));
    const streams: number[] = [];
    const es = (type: number, pid: number) => streams.push(type, 0xe0 | (pid >> 8), pid & 0xff, 0xf0, 0x00);
    es(this.video === 'h264' ? 0x1b : 0x24, VIDEO_PID);
    if (this.audio) es(0x0f, AUDIO_PID);
    const pmtBody = Buffer.from([0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0x00, ...streams]);
    const pmt = this.section(0x02, 0x0001, pmtBody);
    return Buffer.concat([this.packets(0x0000, pat, false, null), this.packets(PMT_PID, pmt, false, null)]);
  }

  /** One video access unit. */
  videoUnit(dtsMs: number, ptsMs: number, key: boolean, data: Buffer): Buffer {
    const dts = ts90(dtsMs);
    const pts = ts90(ptsMs);
    const header = Buffer.concat([Buffer.from([0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x80, 0xc0, 10]), timeField(0x3, pts), timeField(0x1, dts)]);
    const pes = Buffer.concat([header, data]);
    const out = this.packets(VIDEO_PID, pes, true, Math.max(0, dts - 9000), key);
    return key ? Buffer.concat([this.tables(), out]) : out;
  }

  /** ADTS frames starting at `ptsMs`. */
  audioUnit(ptsMs: number, data: Buffer): Buffer {
    if (!this.audio) return Buffer.alloc(0);
    const len = 3 + 5 + data.length;
    const header = Buffer.concat([Buffer.from([0x00, 0x00, 0x01, 0xc0, len > 0xffff ? 0 : len >> 8, len > 0xffff ? 0 : len & 0xff, 0x80, 0x80, 5]), timeField(0x2, ts90(ptsMs))]);
    return this.packets(AUDIO_PID, Buffer.concat([header, data]), true, null);
  }

  private section(tableId: number, idExt: number, body: Buffer): Buffer {
    const len = 5 + body.length + 4;
    const head = Buffer.from([tableId, 0xb0 | (len >> 8), len & 0xff, idExt >> 8, idExt & 0xff, 0xc1, 0x00, 0x00]);
    const noCrc = Buffer.concat([head, body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32Mpeg(noCrc));
    return Buffer.concat([Buffer.from([0x00]) /* pointer field */, noCrc, crc]);
  }

  private nextCc(pid: number): number {
    const c = ((this.cc.get(pid) ?? 15) + 1) & 0xf;
    this.cc.set(pid, c);
    return c;
  }

  /** Splits a PES (or PSI) payload into 188-byte packets; PCR in the first one when given. */
  private packets(pid: number, payload: Buffer, pes: boolean, pcr: number | null, randomAccess = false): Buffer {
    const out: Buffer[] = [];
    let pos = 0;
    let first = true;
    while (pos < payload.length || first) {
      const pkt = Buffer.alloc(188, 0xff);
      pkt[0] = 0x47;
      pkt[1] = (first ? 0x40 : 0) | (pid >> 8);
      pkt[2] = pid & 0xff;
      let adaptation: Buffer | null = null;
      if (first && pcr !== null) {
        const af = Buffer.alloc(8);
        af[0] = 7;
        af[1] = 0x10 | (randomAccess ? 0x40 : 0);
        const base = pcr;
        af[2] = Math.floor(base / 2 ** 25) & 0xff;
        af[3] = Math.floor(base / 2 ** 17) & 0xff;
        af[4] = Math.floor(base / 2 ** 9) & 0xff;
        af[5] = Math.floor(base / 2) & 0xff;
        af[6] = ((base & 1) << 7) | 0x7e;
        af[7] = 0;
        adaptation = af;
      }
      const room = 184 - (adaptation?.length ?? 0);
      const left = payload.length - pos;
      const cc = this.nextCc(pid);
      if (!pes && first) {
        // PSI: the rest of the packet is 0xff stuffing after the section.
        pkt[3] = 0x10 | cc;
        payload.copy(pkt, 4, pos, pos + Math.min(left, 184));
        pos += Math.min(left, 184);
        first = false;
        out.push(pkt);
        continue;
      }
      if (left >= room) {
        pkt[3] = (adaptation ? 0x30 : 0x10) | cc;
        let p = 4;
        if (adaptation) p += adaptation.copy(pkt, p);
        payload.copy(pkt, p, pos, pos + room);
        pos += room;
      } else {
        // Stuff with an adaptation field so the payload ends the packet.
        const stuff = room - left;
        pkt[3] = 0x30 | cc;
        let p = 4;
        if (adaptation) {
          adaptation[0] = 7 + stuff;
          p += adaptation.copy(pkt, p);
          pkt.fill(0xff, p, p + stuff);
          p += stuff;
        } else {
          pkt[4] = stuff - 1;
          if (stuff > 1) {
            pkt[5] = 0x00;
            pkt.fill(0xff, 6, 4 + stuff);
          }
          p = 4 + stuff;
        }
        payload.copy(pkt, p, pos, pos + left);
        pos += left;
      }
      first = false;
      out.push(pkt);
    }
    return Buffer.concat(out);
  }
}
