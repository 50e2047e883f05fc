/**
 * The ZIP form of an evidence package (Windows opens it without extra software). Every entry is
 * STORED (video does not compress; storing keeps the bytes the manifest hashes), with its CRC-32
 * and sizes in the local header — never a trailing data descriptor — so the wall and the recorder
 * can verify a package as a stream, entry by entry, without seeking to the central directory.
 * ZIP64 (extra field 0x0001, ZIP64 end records) is used for any entry or offset beyond 4 GiB and
 * for the whole archive when needed. Names are UTF-8 (flag bit 11).
 *
 * Why not yazl/archiver: both write stored file entries with a data descriptor (the CRC is only
 * known after the data), which a streaming reader cannot split without the central directory. We
 * already read every file once for its SHA-256; the CRC-32 comes from that same pass (zlib.crc32),
 * so writing a complete local header is free. The writer is ~100 lines, tested with `unzip -t` and
 * Python's zipfile (also with ZIP64 forced).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';

export interface ZipEntry {
  name: string;
  path: string;
  size: number;
  crc32: number;
}

export interface FileDigest {
  sha256: string;
  crc32: number;
  bytes: number;
}

/** SHA-256 and CRC-32 of a file in one read. */
export async function digestFile(path: string): Promise<FileDigest> {
  const h = createHash('sha256');
  let crc = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    h.update(b);
    crc = crc32(b, crc);
    bytes += b.length;
  }
  return { sha256: h.digest('hex'), crc32: crc, bytes };
}

const MAX32 = 0xffffffff;

/** MS-DOS date and time of an instant, in Asia/Ho_Chi_Minh (UTC+7, no DST). Pure. */
export function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(ms + 7 * 3600_000);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

/** Writes the package; resolves with its size. `forceZip64` is for tests. */
export async function writeZip(out: string, entries: readonly ZipEntry[], atMs: number, opts: { forceZip64?: boolean } = {}): Promise<number> {
  const ws = createWriteStream(out);
  let failed: Error | null = null;
  ws.on('error', (e) => (failed = e));
  let offset = 0;
  const write = async (b: Buffer) => {
    if (failed) throw failed;
    offset += b.length;
    if (!ws.write(b)) await once(ws, 'drain');
  };
  const { date, time } = dosDateTime(atMs);
  const central: Buffer[] = [];
  try {
    for (const e of entries) {
      const name = Buffer.from(e.name, 'utf8');
      const zip64 = opts.forceZip64 === true || e.size >= MAX32 || offset >= MAX32;
      const localOffset = offset;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(zip64 ? 45 : 20, 4);
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(0, 8); // stored
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt32LE(e.crc32 >>> 0, 14);
      local.writeUInt32LE(zip64 ? MAX32 : e.size, 18);
      local.writeUInt32LE(zip64 ? MAX32 : e.size, 22);
      local.writeUInt16LE(name.length, 26);
      const extra = zip64 ? Buffer.concat([Buffer.from([0x01, 0x00, 16, 0x00]), u64(e.size), u64(e.size)]) : Buffer.alloc(0);
      local.writeUInt16LE(extra.length, 28);
      await write(Buffer.concat([local, name, extra]));
      let copied = 0;
      for await (const chunk of createReadStream(e.path, { highWaterMark: 1 << 20 })) {
        copied += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
      if (copied !== e.size) throw new Error(`export: ${e.name} changed size while packaging`);
      const offset64 = zip64 || localOffset >= MAX32;
      const cExtraFields = [...(zip64 ? [u64(e.size), u64(e.size)] : []), ...(offset64 ? [u64(localOffset)] : [])];
      const cExtraBody = Buffer.concat(cExtraFields);
      const cExtra = cExtraFields.length ? Buffer.concat([Buffer.from([0x01, 0x00, cExtraBody.length, 0x00]), cExtraBody]) : Buffer.alloc(0);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, 4.5
      c.writeUInt16LE(zip64 || offset64 ? 45 : 20, 6);
      c.writeUInt16LE(0x0800, 8);
      c.writeUInt16LE(0, 10);
      c.writeUInt16LE(time, 12);
      c.writeUInt16LE(date, 14);
      c.writeUInt32LE(e.crc32 >>> 0, 16);
      c.writeUInt32LE(zip64 ? MAX32 : e.size, 20);
      c.writeUInt32LE(zip64 ? MAX32 : e.size, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt16LE(cExtra.length, 30);
      c.writeUInt16LE(0, 32); // comment
      c.writeUInt16LE(0, 34); // disk
      c.writeUInt16LE(0, 36); // internal attributes
      c.writeUInt32LE((0o100444 << 16) >>> 0, 38); // -r--r--r--
      c.writeUInt32LE(offset64 ? MAX32 : localOffset, 42);
      central.push(Buffer.concat([c, name, cExtra]));
    }
    const cdStart = offset;
    for (const c of central) await write(c);
    const cdSize = offset - cdStart;
    const end64 = opts.forceZip64 === true || cdStart >= MAX32 || cdSize >= MAX32 || entries.length >= 0xffff;
    if (end64) {
      const z64Start = offset;
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE((3 << 8) | 45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeUInt32LE(0, 16);
      rec.writeUInt32LE(0, 20);
      rec.writeBigUInt64LE(BigInt(entries.length), 24);
      rec.writeBigUInt64LE(BigInt(entries.length), 32);
      rec.writeBigUInt64LE(BigInt(cdSize), 40);
      rec.writeBigUInt64LE(BigInt(cdStart), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeUInt32LE(0, 4);
      loc.writeBigUInt64LE(BigInt(z64Start), 8);
      loc.writeUInt32LE(1, 16);
      await write(Buffer.concat([rec, loc]));
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(0, 4);
    eocd.writeUInt16LE(0, 6);
    eocd.writeUInt16LE(end64 ? 0xffff : entries.length, 8);
    eocd.writeUInt16LE(end64 ? 0xffff : entries.length, 10);
    eocd.writeUInt32LE(end64 ? MAX32 : cdSize, 12);
    eocd.writeUInt32LE(end64 ? MAX32 : cdStart, 16);
    eocd.writeUInt16LE(0, 20);
    await write(eocd);
    ws.end();
    if (!ws.writableFinished) await once(ws, 'finish');
    if (failed) throw failed;
    return offset;
  } catch (e) {
    ws.destroy();
    throw e;
  }
}
