import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeStrip, decodeStripFromRgba, STRIP_BITS, STRIP_CELLS, stripHeight } from '../src/timestrip.js';

/** Paints the strip the way the geq expression does, into an RGBA frame. */
function paint(ms: number, width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4).fill(90);
  const v = ms % 2 ** STRIP_BITS;
  const cell = width / STRIP_CELLS;
  for (let y = 0; y < stripHeight(width); y++) {
    for (let x = 0; x < width; x++) {
      const X = Math.floor(x / cell);
      const Y = Math.floor(y / cell);
      const bit = Math.floor(v / 2 ** (STRIP_CELLS - 1 - X)) % 2;
      const white = X < 2 ? X === Y : bit === 1 - Y;
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = white ? 235 : 16;
    }
  }
  return data;
}

test('round trip at main and sub resolution', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  for (const [w, h] of [[640, 360], [320, 180], [1280, 720]] as const) {
    const at = now - 123;
    assert.equal(decodeStripFromRgba(paint(at, w, h), w, h, now), at);
  }
});

test('a damaged strip does not decode', () => {
  const now = 1_800_000_000_000;
  const img = paint(now - 50, 640, 360);
  // Flip one data cell in row 0 only: the complement row no longer matches.
  const cell = 16;
  for (let y = 0; y < cell; y++) for (let x = 5 * cell; x < 6 * cell; x++) {
    const i = (y * 640 + x) * 4;
    img[i] = img[i + 1] = img[i + 2] = img[i]! > 128 ? 16 : 235;
  }
  assert.equal(decodeStripFromRgba(img, 640, 360, now), null);
  assert.equal(decodeStripFromRgba(new Uint8ClampedArray(640 * 360 * 4).fill(128), 640, 360, now), null);
});

test('wrap-around picks the instant nearest before now', () => {
  const mod = 2 ** STRIP_BITS;
  const now = 5 * mod + 10; // just after a wrap
  const at = now - 30;
  const v = at % mod;
  const bits = (cell: number) => Math.floor(v / 2 ** (STRIP_CELLS - 1 - cell)) % 2;
  const got = decodeStrip((c, r) => (c < 2 ? (c === r ? 235 : 16) : bits(c) === 1 - r ? 235 : 16), now);
  assert.equal(got, at);
});
