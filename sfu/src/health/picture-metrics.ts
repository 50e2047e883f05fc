/**
 * Cheap picture measures on a tiny grayscale keyframe thumbnail (64x36): enough to tell a black,
 * covered, frozen, moved or defocused camera, at the cost of ~2,300 samples per keyframe. Pure.
 */
import type { GrayImage } from '../ingest/pgm.js';

export interface PictureMetrics {
  /** Mean luma 0..255. */
  mean: number;
  /** Standard deviation of luma: near 0 for a uniform (covered, fogged, sprayed) picture. */
  std: number;
  /** Mean absolute Laplacian: falls when the picture loses focus. */
  sharpness: number;
}

export function pictureMetrics(img: GrayImage): PictureMetrics {
  const { width: w, height: h, data } = img;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i]!;
    sq += data[i]! * data[i]!;
  }
  const n = data.length;
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sq / n - mean * mean));
  let lap = 0;
  let count = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      lap += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!);
      count++;
    }
  }
  return { mean, std, sharpness: count ? lap / count : 0 };
}

/** Mean absolute difference of two same-size pictures, 0..255, after removing the brightness offset. */
export function pictureDifference(a: GrayImage, b: GrayImage): number {
  if (a.width !== b.width || a.height !== b.height) return 255;
  const n = a.data.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a.data[i]!;
    mb += b.data[i]!;
  }
  const offset = (ma - mb) / n;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.abs(a.data[i]! - b.data[i]! - offset);
  return d / n;
}

/** Box blur of radius `r` (edges clamped): what the picture looks like through a defocused lens. */
export function boxBlur(img: GrayImage, r: number): GrayImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  const n = (2 * r + 1) ** 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -r; dy <= r; dy++) {
        const row = Math.min(h - 1, Math.max(0, y + dy)) * w;
        for (let dx = -r; dx <= r; dx++) s += data[row + Math.min(w - 1, Math.max(0, x + dx))]!;
      }
      out[y * w + x] = Math.round(s / n);
    }
  }
  return { width: w, height: h, data: out };
}
