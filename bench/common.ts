/** Small pieces every benchmark shares. */
import { PAGE_STRIP_TOOLS } from '../e2e/browser.js';

/** The p-th percentile of a sample by the nearest-rank method; NaN when empty. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Page script exposing the strip decoder and a shadow-piercing query as `window.__bench`. */
export const BENCH_PAGE_HELPERS = `
  ${PAGE_STRIP_TOOLS}
  window.__bench = { decodeStripFromRgba, stripHeight, deepAll };
`;
