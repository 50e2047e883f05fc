/** Our path against the reference Janus in the latency bench: ours / Janus per metric (pure). */

/** One side's figures (the same fields for the wall's path and for Janus). */
export interface SideFigures {
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  /** CPU of the side's server processes with one viewer, % of one core. */
  cpu_pct: number;
  peak_rss_mb: number;
  /** Start of watching → first presented frame, median, ms. */
  first_frame_ms: number;
}

export const RATIO_KEYS = ['p50', 'p95', 'max', 'cpu', 'rss', 'first_frame'] as const;
export type RatioKey = (typeof RATIO_KEYS)[number];

const FIELD: Record<RatioKey, keyof SideFigures> = { p50: 'p50_ms', p95: 'p95_ms', max: 'max_ms', cpu: 'cpu_pct', rss: 'peak_rss_mb', first_frame: 'first_frame_ms' };

export interface Comparison {
  /** ours / Janus, two decimals; null when either side is missing or Janus's is 0. */
  ratios: Record<RatioKey, number | null>;
  /** The target of each ratio (issue 16): at most 1, we are no worse than Janus. */
  targets: Record<RatioKey, number>;
  /** Every ratio present and within its target. */
  pass: boolean;
  /** The ratios over their target (or missing). */
  failed: RatioKey[];
}

export function compareWithJanus(ours: SideFigures, janus: SideFigures): Comparison {
  const ratios = {} as Record<RatioKey, number | null>;
  const targets = {} as Record<RatioKey, number>;
  const failed: RatioKey[] = [];
  for (const k of RATIO_KEYS) {
    const a = ours[FIELD[k]];
    const b = janus[FIELD[k]];
    const r = Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Math.round((a / b) * 100) / 100 : null;
    ratios[k] = r;
    targets[k] = 1;
    if (r === null || r > targets[k]) failed.push(k);
  }
  return { ratios, targets, pass: failed.length === 0, failed };
}

/** What bench/proc-stats.ts's TreeSampler.stop() returns (the fields used here). */
export interface TreeUsage {
  cpuSeconds: number;
  peakRssMb: number;
  byProcess: Record<string, number>;
  peakRssMbByProcess: Record<string, number>;
  countByProcess: Record<string, number>;
}

/**
 * Our side's CPU (% of one core over `elapsedS`) and peak RSS for ONE camera, as Janus's side has:
 * the bench's SFU ingests every demo camera (two: the first-frame rounds need one that is not on the
 * wall), one ingest process (named `ingestComm`) per camera, all alike; the others' share of the
 * ingest processes' CPU and peak RSS is taken off. `ingests`: how many ingest processes were seen.
 */
export function oursForOneCamera(u: TreeUsage, elapsedS: number, ingestComm: string): { cpu_pct: number; peak_rss_mb: number; ingests: number } {
  const n = u.countByProcess[ingestComm] ?? 0;
  const others = n > 1 ? (n - 1) / n : 0;
  const cpu = u.cpuSeconds - (u.byProcess[ingestComm] ?? 0) * others;
  const rss = u.peakRssMb - (u.peakRssMbByProcess[ingestComm] ?? 0) * others;
  return { cpu_pct: Math.round((cpu / elapsedS) * 1000) / 10, peak_rss_mb: Math.round(rss), ingests: n };
}
