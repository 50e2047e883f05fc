/**
 * A reader for the POSIX tar archives the recorder's export produces (`tar --format=pax`): ustar
 * headers, pax extended headers (path, size), GNU long names, base-256 sizes. Pure; the entries
 * are views into the archive's bytes (no copy). Throws TarError naming what is wrong.
 */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

export interface TarEntry {
  name: string;
  /** '0' regular file, '5' directory, ... (pax and GNU meta entries are consumed). */
  type: string;
  size: number;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function cString(b: Uint8Array, off: number, len: number): string {
  const slice = b.subarray(off, off + len);
  const end = slice.indexOf(0);
  return decoder.decode(end >= 0 ? slice.subarray(0, end) : slice);
}

function octal(b: Uint8Array, off: number, len: number, field: string): number {
  if (b[off]! & 0x80) {
    // base-256 (GNU): big-endian, first byte's top bit is the marker.
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  const text = cString(b, off, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`tar: ${field}: not an octal number`);
  return parseInt(text, 8);
}

function checksumOk(h: Uint8Array): boolean {
  const stored = octal(h, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

/** Parses pax records `"<len> <key>=<value>\n"`. */
export function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = Number(decoder.decode(data.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) throw new TarError('tar: malformed pax record');
    const rec = decoder.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf('=');
    if (eq < 0) throw new TarError('tar: pax record without "="');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let pax: Record<string, string> = {};
  let global: Record<string, string> = {};
  let longName: string | null = null;
  let sawEnd = false;
  while (off + BLOCK <= archive.length) {
    const h = archive.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) {
      sawEnd = true;
      break;
    }
    if (!checksumOk(h)) throw new TarError(`tar: header checksum mismatch at byte ${off}`);
    const type = String.fromCharCode(h[156]! || 0x30);
    let size = octal(h, 124, 12, 'size');
    const magic = cString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cString(h, 345, 155) : '';
    let name = cString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const meta = { ...global, ...pax };
    if (meta.size !== undefined && type !== 'x' && type !== 'g') size = Number(meta.size);
    const dataStart = off + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > archive.length) throw new TarError(`tar: entry "${name}" is truncated`);
    const data = archive.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (type === 'g') {
      global = { ...global, ...parsePax(data) };
      continue;
    }
    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    entries.push({ name: meta.path ?? longName ?? name, type, size, data });
    pax = {};
    longName = null;
  }
  if (!sawEnd) throw new TarError('tar: the archive ends without its end-of-archive blocks (incomplete download?)');
  return entries;
}
