/**
 * A small reader for the fragmented MP4 files that ffmpeg writes (ftyp + moov with mvex, then
 * moof/mdat pairs). It walks box headers only, reads the small moov/moof boxes, and reports each
 * complete fragment: byte range, decode time, duration, whether it starts with a keyframe. A fragment
 * whose mdat runs past the end of the file (a crash mid-write) is not complete and is not reported;
 * `validBytes` says where the playable part of the file ends.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface Fragment {
  /** Byte offset of the moof box. */
  offset: number;
  /** Bytes of moof + mdat. */
  length: number;
  /** Decode time of the first sample, in track timescale units (tfdt). */
  baseTime: number;
  /** Sum of the sample durations, in timescale units. */
  duration: number;
  samples: number;
  /** The first sample is a sync sample (a keyframe). */
  keyframe: boolean;
}

export interface Fmp4Info {
  /** Bytes of ftyp + moov (the HLS init section); 0 when the moov is not complete. */
  initLength: number;
  timescale: number;
  fragments: Fragment[];
  /** Where the last complete box ends: everything after it is a truncated write. */
  validBytes: number;
  /** File size when it was read. */
  size: number;
}

interface TrackDefaults {
  duration: number;
  flags: number;
}

const SAMPLE_IS_NON_SYNC = 0x10000;

export class Fmp4Error extends Error {}

function u32(b: Buffer, o: number): number {
  return b.readUInt32BE(o);
}
function u64(b: Buffer, o: number): number {
  return Number(b.readBigUInt64BE(o));
}

/** Child boxes of a container body: [type, bodyStart, end] (offsets within buf). */
function* children(buf: Buffer, start: number, end: number): Generator<[string, number, number]> {
  let p = start;
  while (p + 8 <= end) {
    let size = u32(buf, p);
    const type = buf.toString('latin1', p + 4, p + 8);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) return;
      size = u64(buf, p + 8);
      header = 16;
    } else if (size === 0) size = end - p;
    if (size < header || p + size > end) return;
    yield [type, p + header, p + size];
    p += size;
  }
}

function find(buf: Buffer, start: number, end: number, type: string): [number, number] | null {
  for (const [t, s, e] of children(buf, start, end)) if (t === type) return [s, e];
  return null;
}

/** Timescale and trex defaults of the first (video) track, from the moov body. */
export function parseMoov(moov: Buffer): { timescale: number; defaults: TrackDefaults } {
  const trak = find(moov, 0, moov.length, 'trak');
  if (!trak) throw new Fmp4Error('moov without trak');
  const mdia = find(moov, trak[0], trak[1], 'mdia');
  const mdhd = mdia && find(moov, mdia[0], mdia[1], 'mdhd');
  if (!mdhd) throw new Fmp4Error('trak without mdhd');
  const version = moov[mdhd[0]]!;
  const timescale = u32(moov, mdhd[0] + (version === 1 ? 20 : 12));
  const defaults: TrackDefaults = { duration: 0, flags: 0 };
  const mvex = find(moov, 0, moov.length, 'mvex');
  const trex = mvex && find(moov, mvex[0], mvex[1], 'trex');
  if (trex) {
    defaults.duration = u32(moov, trex[0] + 12);
    defaults.flags = u32(moov, trex[0] + 20);
  }
  if (!(timescale > 0)) throw new Fmp4Error('bad timescale');
  return { timescale, defaults };
}

/** Decode time, duration, sample count and keyframe flag of a moof body (first traf). */
export function parseMoof(moof: Buffer, defaults: TrackDefaults): Omit<Fragment, 'offset' | 'length'> {
  const traf = find(moof, 0, moof.length, 'traf');
  if (!traf) throw new Fmp4Error('moof without traf');
  let defDuration = defaults.duration;
  let defFlags = defaults.flags;
  let baseTime = 0;
  let duration = 0;
  let samples = 0;
  let keyframe = false;
  let first = true;
  for (const [type, s, e] of children(moof, traf[0], traf[1])) {
    if (type === 'tfhd') {
      const flags = u32(moof, s) & 0xffffff;
      let p = s + 8;
      if (flags & 0x1) p += 8;
      if (flags & 0x2) p += 4;
      if (flags & 0x8) { defDuration = u32(moof, p); p += 4; }
      if (flags & 0x10) p += 4;
      if (flags & 0x20) defFlags = u32(moof, p);
    } else if (type === 'tfdt') {
      baseTime = moof[s] === 1 ? u64(moof, s + 4) : u32(moof, s + 4);
    } else if (type === 'trun') {
      const flags = u32(moof, s) & 0xffffff;
      const count = u32(moof, s + 4);
      let p = s + 8;
      if (flags & 0x1) p += 4;
      let firstFlags: number | null = null;
      if (flags & 0x4) { firstFlags = u32(moof, p); p += 4; }
      const per = ((flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0));
      if (p + per * count > e) throw new Fmp4Error('trun overruns its box');
      for (let i = 0; i < count; i++) {
        let d = defDuration;
        let f = defFlags;
        if (flags & 0x100) { d = u32(moof, p); p += 4; }
        if (flags & 0x200) p += 4;
        if (flags & 0x400) { f = u32(moof, p); p += 4; }
        if (flags & 0x800) p += 4;
        if (first) {
          keyframe = ((firstFlags ?? f) & SAMPLE_IS_NON_SYNC) === 0;
          first = false;
        }
        duration += d;
      }
      samples += count;
    }
  }
  return { baseTime, duration, samples, keyframe };
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

const MAX_META_BOX = 16 * 1024 * 1024;

/**
 * Reads a fragmented MP4 file. `from` continues an earlier read of a growing file (the previous
 * result), so only new fragments are parsed.
 */
export async function readFmp4(path: string, from?: Fmp4Info): Promise<Fmp4Info> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let timescale = from?.timescale ?? 0;
    let initLength = from?.initLength ?? 0;
    let defaults: TrackDefaults = { duration: 0, flags: 0 };
    const fragments: Fragment[] = from ? [...from.fragments] : [];
    let pos = from && from.initLength > 0 ? from.validBytes : 0;
    if (from && from.initLength > 0) {
      // Re-read the moov for the trex defaults (small).
      const moovAt = await locate(fh, 0, from.initLength, 'moov');
      if (moovAt) defaults = parseMoov(await readAt(fh, moovAt[0], moovAt[1] - moovAt[0])).defaults;
    }
    let validBytes = pos;
    let pendingMoof: { offset: number; body: Buffer } | null = null;
    while (pos + 8 <= size) {
      const head = await readAt(fh, pos, 16);
      if (head.length < 8) break;
      let boxSize = u32(head, 0);
      const type = head.toString('latin1', 4, 8);
      let header = 8;
      if (boxSize === 1) {
        if (head.length < 16) break;
        boxSize = u64(head, 8);
        header = 16;
      } else if (boxSize === 0) break; // "to end of file": only a finished writer knows; treat as incomplete
      if (boxSize < header) throw new Fmp4Error(`bad box size at ${pos}`);
      if (pos + boxSize > size) break; // truncated
      if (type === 'moov') {
        if (boxSize > MAX_META_BOX) throw new Fmp4Error('moov too large');
        const parsed = parseMoov(await readAt(fh, pos + header, boxSize - header));
        timescale = parsed.timescale;
        defaults = parsed.defaults;
        initLength = pos + boxSize;
      } else if (type === 'moof') {
        if (boxSize > MAX_META_BOX) throw new Fmp4Error('moof too large');
        pendingMoof = { offset: pos, body: await readAt(fh, pos + header, boxSize - header) };
        pos += boxSize;
        continue; // valid only together with its mdat
      } else if (type === 'mdat' && pendingMoof) {
        if (!initLength) throw new Fmp4Error('fragment before moov');
        const f = parseMoof(pendingMoof.body, defaults);
        fragments.push({ offset: pendingMoof.offset, length: pos + boxSize - pendingMoof.offset, ...f });
      }
      pendingMoof = null;
      pos += boxSize;
      validBytes = pos;
    }
    return { initLength, timescale, fragments, validBytes, size };
  } finally {
    await fh.close();
  }
}

async function locate(fh: FileHandle, start: number, end: number, type: string): Promise<[number, number] | null> {
  let pos = start;
  while (pos + 8 <= end) {
    const head = await readAt(fh, pos, 8);
    const size = u32(head, 0);
    if (size < 8) return null;
    if (head.toString('latin1', 4, 8) === type) return [pos + 8, pos + size];
    pos += size;
  }
  return null;
}

/** Duration of the complete fragments in ms. */
export function fmp4DurationMs(info: Fmp4Info): number {
  if (!info.timescale || info.fragments.length === 0) return 0;
  const first = info.fragments[0]!;
  const last = info.fragments[info.fragments.length - 1]!;
  return ((last.baseTime + last.duration - first.baseTime) * 1000) / info.timescale;
}
