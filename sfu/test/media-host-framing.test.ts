/** The media host's framing (media-host-framing.ts): chunks split anywhere, limits, garbage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, FrameTooLargeError, type DecodeResult } from '../src/ingest/media-host-framing.js';

const frames = (rs: DecodeResult[]) => rs.map((r) => ('frame' in r ? { header: r.frame.header, payload: r.frame.payload.toString('hex') } : { error: r.error }));

test('a frame round-trips: header and payload', () => {
  const d = new FrameDecoder();
  const out = d.push(encodeFrame({ op: 'still', cam: 'cam-1/main', id: 7 }, Buffer.from([1, 2, 3])));
  assert.deepEqual(frames(out), [{ header: { op: 'still', cam: 'cam-1/main', id: 7 }, payload: '010203' }]);
  assert.equal(d.pending, 0);
});

test('frames split at every byte boundary and glued together come out whole and in order', () => {
  const a = encodeFrame({ op: 'au', cam: 'a', pts: 1, key: true }, Buffer.alloc(300, 7));
  const b = encodeFrame({ op: 'drop', cam: 'b' });
  const c = encodeFrame({ op: 'still', cam: 'ü/ß', id: 2 }, Buffer.from('ffd8', 'hex'));
  const all = Buffer.concat([a, b, c]);
  for (let cut = 1; cut < all.length; cut++) {
    const d = new FrameDecoder();
    const out = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
    assert.deepEqual(out.map((r) => ('frame' in r ? r.frame.header['op'] : r.error)), ['au', 'drop', 'still'], `cut at ${cut}`);
    assert.equal(d.pending, 0);
  }
  // One byte at a time.
  const d = new FrameDecoder();
  const out: DecodeResult[] = [];
  for (const byte of all) out.push(...d.push(Buffer.from([byte])));
  assert.equal(out.length, 3);
  assert.deepEqual(frames(out)[2], { header: { op: 'still', cam: 'ü/ß', id: 2 }, payload: 'ffd8' });
});

test('oversized frames are refused by the encoder and break the decoder once, without a throw', () => {
  const limits = { header: 64, payload: 100 };
  assert.throws(() => encodeFrame({ op: 'x' }, Buffer.alloc(101), limits), FrameTooLargeError);
  assert.throws(() => encodeFrame({ op: 'x'.repeat(100) }, undefined, limits), (e: unknown) => e instanceof FrameTooLargeError && e.code === 'frame_too_large');
  const d = new FrameDecoder(limits);
  const big = Buffer.alloc(8);
  big.writeUInt32BE(10, 0);
  big.writeUInt32BE(101, 4);
  const ok = encodeFrame({ op: 'a' }, Buffer.alloc(100), limits);
  assert.deepEqual(frames(d.push(Buffer.concat([ok, big]))).map((f) => ('error' in f ? f.error : 'frame')), ['frame', 'frame_too_large']);
  assert.equal(d.broken, true);
  assert.deepEqual(d.push(ok), [], 'a broken decoder ignores what follows');
  assert.equal(d.pending, 0);
});

test('garbage gives an error code, never an exception', () => {
  // A zero-length header, or a length beyond the default limits (text that is not a frame).
  for (const junk of [Buffer.alloc(8), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
    const d = new FrameDecoder();
    assert.deepEqual(frames(d.push(junk)), [{ error: 'frame_too_large' }]);
  }
  // Lengths that hold but a header that is not a JSON object: that frame only.
  const d = new FrameDecoder();
  const bad = (text: string) => {
    const head = Buffer.from(text);
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(head.length, 0);
    prefix.writeUInt32BE(2, 4);
    return Buffer.concat([prefix, head, Buffer.from([9, 9])]);
  };
  const out = d.push(Buffer.concat([bad('{not json'), bad('[1,2]'), bad('null'), bad('"s"'), encodeFrame({ op: 'ok' })]));
  assert.deepEqual(frames(out), [{ error: 'bad_header' }, { error: 'bad_header' }, { error: 'bad_header' }, { error: 'bad_header' }, { header: { op: 'ok' }, payload: '' }]);
  assert.equal(d.broken, false);
});

test('a partial frame waits for the rest', () => {
  const d = new FrameDecoder();
  const f = encodeFrame({ op: 'still' }, Buffer.alloc(1000, 1));
  assert.deepEqual(d.push(f.subarray(0, 500)), []);
  assert.equal(d.pending, 500);
  assert.equal(d.push(f.subarray(500)).length, 1);
});
