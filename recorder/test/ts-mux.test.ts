/** The MPEG-TS muxer the recorder feeds each segment's ffmpeg with (writer/ts-mux.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsMuxer, crc32Mpeg } from '../src/writer/ts-mux.js';

test('MPEG-TS: 188-byte packets, CRC of the tables, PTS/DTS encoding', () => {
  assert.equal(crc32Mpeg(Buffer.from('123456789')), 0x0376e6e7);
  const m = new TsMuxer('h264', true);
  const tables = m.tables();
  assert.equal(tables.length, 376);
  const v = m.videoUnit(40, 120, true, Buffer.alloc(1000, 7));
  assert.equal(v.length % 188, 0);
  for (let p = 0; p < v.length; p += 188) assert.equal(v[p], 0x47);
  // The video PES after the tables: PTS 1 s + 120 ms on 90 kHz.
  const pes = v.subarray(376);
  const pid = ((pes[1]! & 0x1f) << 8) | pes[2]!;
  assert.equal(pid, 0x100);
  const afLen = pes[4]!;
  const h = pes.subarray(5 + afLen);
  assert.deepEqual([...h.subarray(0, 4)], [0, 0, 1, 0xe0]);
  const read = (b: Buffer) => (((b[0]! >> 1) & 7) * 2 ** 30) + ((b[1]! << 7) | (b[2]! >> 1)) * 2 ** 15 + ((b[3]! << 7) | (b[4]! >> 1));
  assert.equal(read(h.subarray(9, 14)), 90000 + 120 * 90);
  assert.equal(read(h.subarray(14, 19)), 90000 + 40 * 90);
  const a = m.audioUnit(50, Buffer.alloc(300, 1));
  assert.equal(a.length % 188, 0);
  assert.equal(new TsMuxer('h265', false).audioUnit(0, Buffer.alloc(10)).length, 0);
});
