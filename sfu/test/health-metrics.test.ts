import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePgm, isJpeg } from '../src/ingest/pgm.js';
import { pictureDifference, pictureMetrics } from '../src/health/picture-metrics.js';

const W = 64;
const H = 36;
const pgm = (data: Uint8Array, header = `P5\n${W} ${H}\n255\n`) => Buffer.concat([Buffer.from(header), Buffer.from(data)]);
const img = (f: (x: number, y: number) => number) => {
  const d = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
  return d;
};

test('PGM parsing: header forms, comments, short or foreign data', () => {
  const data = img((x) => x * 4);
  const a = parsePgm(pgm(data))!;
  assert.equal(a.width, W);
  assert.equal(a.height, H);
  assert.equal(a.data[10], 40);
  assert.ok(parsePgm(pgm(data, `P5 ${W} ${H} 255\n`)));
  assert.ok(parsePgm(pgm(data, `P5\n# made by pnmenc\n${W} ${H}\n255\n`)));
  assert.equal(parsePgm(pgm(data.subarray(0, 100))), null);
  assert.equal(parsePgm(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), null);
  assert.equal(parsePgm(pgm(data, `P5\n${W} ${H}\n65535\n`)), null);
  assert.ok(isJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xe0])) && !isJpeg(pgm(data)));
});

test('metrics tell black, uniform (covered), sharp and blurred pictures apart', () => {
  const g = (f: (x: number, y: number) => number) => ({ width: W, height: H, data: img(f) });
  const scene = g((x, y) => ((x >> 2) + (y >> 2)) % 2 ? 200 : 40); // a checkerboard: sharp, contrasted
  const blurred = g((x, y) => 120 + 60 * Math.sin(x / 9) * Math.sin(y / 7)); // smooth: same contrast range, no edges
  const black = g(() => 8);
  const covered = g((x) => 128 + (x % 2));
  const s = pictureMetrics(scene);
  assert.ok(pictureMetrics(black).mean < 16);
  assert.ok(pictureMetrics(covered).std < 2);
  assert.ok(s.std > 50);
  assert.ok(pictureMetrics(blurred).sharpness < s.sharpness / 5, 'defocus lowers sharpness');
  assert.equal(pictureDifference(scene, scene), 0);
  assert.ok(pictureDifference(scene, g((x, y) => (((x >> 2) + (y >> 2)) % 2 ? 200 : 40) + 30)) < 1, 'a brightness change alone is no difference');
  assert.ok(pictureDifference(scene, g((x, y) => ((x >> 3) + (y >> 1)) % 2 ? 200 : 40)) > 40, 'another scene differs strongly');
});
