/**
 * A push reader for the evidence packages as they stream by: ZIP (stored entries whose local header
 * carries the sizes, ZIP64 extra fields) and POSIX tar (ustar, pax, GNU long names, base-256
 * sizes). Chunks go in as they arrive; each entry's bytes come out as views of those chunks (no
 * copy, nothing kept), so a multi-GB package is read with flat memory. Pure; throws ArchiveError.
 */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export interface EntrySink {
  data(bytes: Uint8Array): void;
  end(): void;
}

export type ArchiveKind = 'zip' | 'tar';

const TAR_BLOCK = 512;
const decoder = new TextDecoder();
const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;
const ZIP64_END = 0x06064b50;

function cString(b: Uint8Array, off: number, len: number): string {
  const slice = b.subarray(off, off + len);
  const end = slice.indexOf(0);
  return decoder.decode(end >= 0 ? slice.subarray(0, end) : slice);
}

function octal(b: Uint8Array, off: number, len: number, field: string): number {
  if (b[off]! & 0x80) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  const text = cString(b, off, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError(`tar: ${field}: not an octal number`);
  return parseInt(text, 8);
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = Number(decoder.decode(data.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) throw new ArchiveError('tar: malformed pax record');
    const rec = decoder.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf('=');
    if (eq < 0) throw new ArchiveError('tar: pax record without "="');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const u64 = (b: Uint8Array, o: number) => {
  const v = u32(b, o) + u32(b, o + 4) * 0x100000000;
  if (!Number.isSafeInteger(v)) throw new ArchiveError('zip: a size beyond 2^53');
  return v;
};

type Need = { kind: 'header'; bytes: number; then: (h: Uint8Array) => void } | { kind: 'data'; left: number; sink: EntrySink | null; then: () => void } | { kind: 'done' };

/**
 * `onEntry(name)` returns where the entry's bytes go (or null to skip them). The kind is detected
 * from the first bytes. `end()` throws when the archive stopped in the middle (a cut download).
 */
export class ArchiveReader {
  kind: ArchiveKind | null = null;
  private need: Need;
  private buf: Uint8Array = new Uint8Array(0);
  private bufLen = 0;
  private tarMeta: { pax: Record<string, string>; global: Record<string, string>; longName: string | null } = { pax: {}, global: {}, longName: null };
  private sawStart = false;
  bytesRead = 0;

  constructor(private readonly onEntry: (name: string) => EntrySink | null) {
    this.need = { kind: 'header', bytes: 4, then: (h) => this.detect(h) };
  }

  get finished(): boolean {
    return this.need.kind === 'done';
  }

  push(chunk: Uint8Array): void {
    this.bytesRead += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = this.need;
      if (n.kind === 'done') return;
      if (n.kind === 'data') {
        const take = Math.min(n.left, chunk.length - off);
        if (take > 0) n.sink?.data(chunk.subarray(off, off + take));
        n.left -= take;
        off += take;
        if (n.left === 0) n.then();
        continue;
      }
      const want = n.bytes - this.bufLen;
      const take = Math.min(want, chunk.length - off);
      if (this.buf.length < n.bytes) {
        const grown = new Uint8Array(Math.max(n.bytes, this.buf.length * 2));
        grown.set(this.buf.subarray(0, this.bufLen));
        this.buf = grown;
      }
      this.buf.set(chunk.subarray(off, off + take), this.bufLen);
      this.bufLen += take;
      off += take;
      if (this.bufLen === n.bytes) {
        const h = this.buf.slice(0, n.bytes);
        this.bufLen = 0;
        n.then(h);
      }
    }
  }

  end(): void {
    if (this.need.kind !== 'done') throw new ArchiveError(this.sawStart ? 'the package ends in the middle (incomplete download?)' : 'the package is empty');
  }

  private header(bytes: number, then: (h: Uint8Array) => void): void {
    if (bytes === 0) then(new Uint8Array(0));
    else this.need = { kind: 'header', bytes, then };
  }

  private data(left: number, sink: EntrySink | null, then: () => void): void {
    if (left === 0) {
      then();
      return;
    }
    this.need = { kind: 'data', left, sink, then };
  }

  private detect(first: Uint8Array): void {
    this.sawStart = true;
    if (u32(first, 0) === ZIP_LOCAL) {
      this.kind = 'zip';
      this.zipLocal(first);
    } else {
      this.kind = 'tar';
      this.header(TAR_BLOCK - 4, (rest) => {
        const h = new Uint8Array(TAR_BLOCK);
        h.set(first, 0);
        h.set(rest, 4);
        this.tarHeader(h);
      });
    }
  }

  // ---- ZIP ----
  private zipNext(): void {
    this.header(4, (sig) => {
      const s = u32(sig, 0);
      if (s === ZIP_LOCAL) this.zipLocal(sig);
      else if (s === ZIP_CENTRAL || s === ZIP_END || s === ZIP64_END) this.need = { kind: 'done' };
      else throw new ArchiveError('zip: unexpected record between entries');
    });
  }

  private zipLocal(sig: Uint8Array): void {
    this.header(26, (h0) => {
      const h = new Uint8Array(30);
      h.set(sig, 0);
      h.set(h0, 4);
      const flags = u16(h, 6);
      const method = u16(h, 8);
      let csize = u32(h, 18);
      let usize = u32(h, 22);
      const nameLen = u16(h, 26);
      const extraLen = u16(h, 28);
      this.header(nameLen + extraLen, (ne) => {
        const name = decoder.decode(ne.subarray(0, nameLen));
        const extra = ne.subarray(nameLen);
        if (csize === 0xffffffff || usize === 0xffffffff) {
          let found = false;
          for (let i = 0; i + 4 <= extra.length; ) {
            const id = u16(extra, i);
            const len = u16(extra, i + 2);
            if (id === 0x0001 && len >= 16) {
              usize = u64(extra, i + 4);
              csize = u64(extra, i + 12);
              found = true;
            }
            i += 4 + len;
          }
          if (!found) throw new ArchiveError(`zip: "${name}": ZIP64 sizes missing`);
        }
        if (flags & 0x0008) throw new ArchiveError(`zip: "${name}": sizes only after the data (data descriptor); not a package made by the station`);
        if (method !== 0) throw new ArchiveError(`zip: "${name}": compressed entries are not expected in a package`);
        if (csize !== usize) throw new ArchiveError(`zip: "${name}": stored entry with two sizes`);
        const sink = name.endsWith('/') ? null : this.onEntry(name);
        this.data(csize, sink, () => {
          sink?.end();
          this.zipNext();
        });
      });
    });
  }

  // ---- tar ----
  private tarNext(): void {
    this.header(TAR_BLOCK, (h) => this.tarHeader(h));
  }

  private tarHeader(h: Uint8Array): void {
    if (h.every((x) => x === 0)) {
      this.need = { kind: 'done' };
      return;
    }
    const stored = octal(h, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== stored) throw new ArchiveError(`tar: header checksum mismatch at byte ${this.bytesRead}`);
    const type = String.fromCharCode(h[156]! || 0x30);
    let size = octal(h, 124, 12, 'size');
    const magic = cString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cString(h, 345, 155) : '';
    let name = cString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const m = this.tarMeta;
    const meta = { ...m.global, ...m.pax };
    if (meta.size !== undefined && type !== 'x' && type !== 'g') size = Number(meta.size);
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveError(`tar: entry "${name}": bad size`);
    const pad = (Math.ceil(size / TAR_BLOCK) * TAR_BLOCK) - size;
    const afterPad = () => this.header(pad, () => this.tarNext());
    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > 1 << 20) throw new ArchiveError('tar: oversized meta entry');
      this.header(size, (d) => {
        if (type === 'x') m.pax = parsePax(d);
        else if (type === 'g') m.global = { ...m.global, ...parsePax(d) };
        else m.longName = cString(d, 0, d.length);
        afterPad();
      });
      return;
    }
    const full = meta.path ?? m.longName ?? name;
    m.pax = {};
    m.longName = null;
    const isFile = type === '0' || type === '7';
    const sink = isFile ? this.onEntry(full.replace(/^\.\//, '')) : null;
    this.data(size, sink, () => {
      sink?.end();
      afterPad();
    });
  }
}
