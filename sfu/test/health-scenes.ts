/** Synthetic 64×36 keyframe thumbnails for the picture detector's unit tests (deterministic). */
import type { GrayImage } from '../src/ingest/pgm.js';

export const W = 64;
export const H = 36;
export const g = (f: (x: number, y: number) => number): GrayImage => {
  const d = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
  return { width: W, height: H, data: d };
};
/** Deterministic pseudo-noise in [-1, 1]. */
export const noise = (seed: number) => (x: number, y: number) => Math.sin(x * 12.9898 + y * 78.233 + seed * 37.719) * 43758.5453 % 1;
/** A checkerboard scene with a bar that moves with frame `k`, plus sensor noise of amplitude `n`. */
export const scene = (k: number, n = 2) => g((x, y) => ((((x >> 3) + (y >> 3)) % 2 ? 190 : 50) + (Math.abs(x - ((k * 7) % W)) < 3 ? 60 : 0) + n * noise(k)(x, y)));
/** The same scene without motion: only sensor noise changes between keyframes. */
export const staticScene = (k: number, n = 2) => g((x, y) => (((x >> 2) + (y >> 2)) % 2 ? 190 : 50) + n * noise(k)(x, y));
export const black = () => g(() => 16);
/** Black with the sensor noise of a capped lens at night (still black). */
export const noisyBlack = (k: number) => g((x, y) => 17 + 3 * noise(k)(x, y));
/** A dark picture full of detail: thin light lines on black (a road at night; thin white lines are grey in a 64x36 thumbnail), moving. */
export const whiteLines = (k: number) => g((x, y) => ((x + k) % 24 === 0 || (y + k) % 18 === 0 ? 130 : 16));
/** One thin white line on black: mean far below blackMeanMax, still detail. */
export const oneLine = (k: number) => g((x, y) => (y === 10 + (k % 5) ? 235 : 16));
/** A night scene: dark with a few lit windows. */
export const litWindows = (k: number) => g((x, y) => ((x % 16 < 2 && y % 12 < 2) ? 200 : 18 + (k % 2)));
export const covered = (k: number) => g((x, y) => 138 + noise(k)(x, y));
export const moved = (k: number) => g((x, y) => ((x >> 3) + (y >> 1)) % 2 ? 200 : 30 + (k % 2));
/** The scene through a 5x5 box blur (a defocused lens). */
export const blurred = (k: number) => {
  const src = scene(k);
  const at = (x: number, y: number) => src.data[Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))]!;
  return g((x, y) => {
    let s = 0;
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) s += at(x + dx, y + dy);
    return s / 25;
  });
};

export type Frame = (k: number) => GrayImage;
