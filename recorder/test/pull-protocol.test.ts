/** The records of the camera pull (writer/pull-protocol.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullReader, PullProtocolError } from '../src/writer/pull-protocol.js';

const T0 = Date.UTC(2026, 11, 7, 0, 36, 0, 0);

test('pull records: split across chunks, bad headers skipped, corrupt lengths refused', () => {
  const rec = (h: object, p = Buffer.alloc(0)) => {
    const hb = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeUInt32BE(hb.length, 0);
    len.writeUInt32BE(p.length, 4);
    return Buffer.concat([len, hb, p]);
  };
  const all = Buffer.concat([
    rec({ k: 'v', codec: 'h264', pts: 1, dts: 1, key: true, wall: T0, disc: false }, Buffer.from([1, 2, 3])),
    rec({ k: 'nope' }),
    rec({ k: 'ev', ev: 'ssrc', media: 'video', ssrc: 5 }),
  ]);
  const r = new PullReader();
  const got = [...r.push(all.subarray(0, 10)), ...r.push(all.subarray(10, 50)), ...r.push(all.subarray(50))];
  assert.equal(got.length, 2);
  assert.deepEqual([...got[0]!.payload], [1, 2, 3]);
  assert.equal(got[1]!.header.k, 'ev');
  const bad = Buffer.alloc(8);
  bad.writeUInt32BE(1 << 30, 0);
  assert.throws(() => new PullReader().push(bad), PullProtocolError);
});
