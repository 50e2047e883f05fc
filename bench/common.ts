/** Small pieces every benchmark shares. */
import { PAGE_STRIP_TOOLS } from '@wardwall/testing/browser';

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

/**
 * `--smoke` on the command line (`npm run bench:<name> -- --smoke`, and every bench in `npm test`):
 * run the bench's whole code path at the smallest size that still exercises it, in seconds, to
 * check it still runs end to end. Its JSON carries `"smoke": true`; its numbers are not measurements
 * and nothing is compared to a target. The bench exits non-zero when it fails (an exception, a
 * process that does not start), 0 otherwise.
 */
export const SMOKE = process.argv.includes('--smoke');

/** `{ smoke: true }` in smoke mode, else nothing: spread into a bench's JSON result. */
export const SMOKE_FIELD: { smoke?: true } = SMOKE ? { smoke: true } : {};

/**
 * A numeric bench option: the environment variable `name` when set (it overrides smoke mode too),
 * else `smoke` in smoke mode and `full` otherwise.
 */
export function benchOption(name: string, full: number, smoke: number): number {
  return Number(process.env[name] ?? (SMOKE ? smoke : full));
}

/** A size without an environment variable: `smoke` in smoke mode, else `full`. */
export function bySmoke<T>(full: T, smoke: T): T {
  return SMOKE ? smoke : full;
}

/**
 * Runs a bench's main and ends the process: exit 0 when it resolved, 1 with the error on stderr when
 * it threw (a bench may leave handles such as a browser's pipes open; the exit does not wait for them).
 */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
