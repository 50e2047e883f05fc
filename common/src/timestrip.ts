/**
 * The machine-readable timestamp strip that the demo cameras burn into every frame, so that a
 * browser can read, from a rendered frame, the wall-clock instant the camera produced it.
 *
 * Layout: the strip spans the full frame width at the top, STRIP_CELLS cells per row, two rows, each
 * cell square (width / STRIP_CELLS). Row 0: a white then a black reference cell, then the bits of
 * (capture time in ms mod 2^STRIP_BITS), most significant first, white = 1. Row 1 carries the
 * complement of row 0 (references included), so a torn or damaged read fails the check and is dropped.
 */
export const STRIP_CELLS = 40;
export const STRIP_BITS = STRIP_CELLS - 2;
const MODULUS = 2 ** STRIP_BITS;

/** Height of the strip in pixels for a frame of the given width. */
export function stripHeight(frameWidth: number): number {
  return 2 * Math.round(frameWidth / STRIP_CELLS);
}

/**
 * An ffmpeg `geq` luma expression that paints the strip on a STRIP_CELLS x 2 picture whose frame time
 * T is the wall clock in seconds (pts = RTCTIME in a 1/1000000 time base). Scale it up with
 * nearest-neighbour to the strip size.
 */
export function stripGeqLumaExpression(): string {
  const value = `mod(floor(T*1000),${MODULUS})`;
  const bit = `mod(floor(${value}/pow(2,${STRIP_CELLS - 1}-X)),2)`;
  // Reference cells: white where X == Y. Data cells: white where bit != Y (row 1 is the complement).
  return `if(lt(X,2),if(eq(X,Y),235,16),if(eq(${bit},1-Y),235,16))`;
}

/**
 * Decodes the strip from luma samples: `sample(cell, row)` returns the brightness (0..255) at the
 * centre of a cell. Returns the capture time in ms since the epoch, taking the candidate nearest
 * before `nowMs`, or null when the strip does not check.
 */
export function decodeStrip(sample: (cell: number, row: number) => number, nowMs: number): number | null {
  const white = sample(0, 0);
  const black = sample(1, 0);
  if (white - black < 80) return null;
  const threshold = (white + black) / 2;
  if (!(sample(0, 1) < threshold && sample(1, 1) > threshold)) return null;
  let value = 0;
  for (let cell = 2; cell < STRIP_CELLS; cell++) {
    const top = sample(cell, 0) > threshold;
    const bottom = sample(cell, 1) > threshold;
    if (top === bottom) return null;
    value = value * 2 + (top ? 1 : 0);
  }
  const nowMod = ((nowMs % MODULUS) + MODULUS) % MODULUS;
  const back = (nowMod - value + MODULUS) % MODULUS;
  // Tolerate a capture clock slightly ahead of the reader (up to 10 s) rather than wrapping 8 years.
  return back > MODULUS - 10_000 ? nowMs + (MODULUS - back) : nowMs - back;
}

/**
 * Decodes the strip from an RGBA image (ImageData layout) of a whole frame of the given width.
 * Samples the centre of each cell (a 2x2 average, to be robust to compression noise).
 */
export function decodeStripFromRgba(data: Uint8ClampedArray | Uint8Array, width: number, height: number, nowMs: number): number | null {
  const cell = width / STRIP_CELLS;
  if (cell < 2 || height < 2 * cell) return null;
  const luma = (x: number, y: number): number => {
    const i = (y * width + x) * 4;
    return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  };
  return decodeStrip((c, r) => {
    const x = Math.floor((c + 0.5) * cell);
    const y = Math.floor((r + 0.5) * cell);
    return (luma(x - 1, y - 1) + luma(x, y - 1) + luma(x - 1, y) + luma(x, y)) / 4;
  }, nowMs);
}
