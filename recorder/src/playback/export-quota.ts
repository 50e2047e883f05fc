/**
 * Export quotas (`recorder.exports`): how many exports, and how many bytes of them, one user and
 * everybody together may have at once. An export counts from its request until it expires
 * (export-expiry.ts): queued and running ones with the footage they cover (an upper bound: the
 * recorded segments overlapping their ranges), finished ones with their package's size. Failed
 * ones hold no file and do not count. A request that would pass a quota is refused with
 * 429 EXPORT_QUOTA_USER / EXPORT_QUOTA_TOTAL and `retryAfterS` (when the oldest counted export of
 * that scope expires). Users are told apart by the name the export is signed with (`exportedBy`).
 */
import { ErrorCode, retryLater, type AppError } from '@wardwall/common';
import type { ExportRange, RecorderDb } from '../store/db.js';

export interface ExportQuotaConfig {
  maxPerUser: number;
  maxBytesPerUser: number;
  maxTotal: number;
  maxTotalBytes: number;
  /** Lifetime of an export from its request (its package is then deleted). */
  expireMs: number;
}

/** One counted export. */
export interface CountedExport {
  exportedBy: string;
  createdMs: number;
  bytes: number;
}

export interface QuotaUse {
  count: number;
  bytes: number;
  /** Creation time of the oldest counted export, or null. */
  oldestMs: number | null;
}

/** What a set of counted exports uses, for one user (`who`) or for everybody (null). Pure. */
export function quotaUse(rows: readonly CountedExport[], who: string | null): QuotaUse {
  let count = 0;
  let bytes = 0;
  let oldestMs: number | null = null;
  for (const r of rows) {
    if (who !== null && r.exportedBy !== who) continue;
    count++;
    bytes += r.bytes;
    oldestMs = oldestMs === null ? r.createdMs : Math.min(oldestMs, r.createdMs);
  }
  return { count, bytes, oldestMs };
}

/** The refusal for a new export of `estimate` bytes by `who`, or null when it fits. Pure. */
export function quotaRefusal(rows: readonly CountedExport[], who: string, estimate: number, cfg: ExportQuotaConfig, now: number): AppError | null {
  const wait = (u: QuotaUse) => Math.max(1000, (u.oldestMs ?? now) + cfg.expireMs - now);
  const mine = quotaUse(rows, who);
  if (mine.count + 1 > cfg.maxPerUser) return retryLater(ErrorCode.EXPORT_QUOTA_USER, `at most ${cfg.maxPerUser} exports per user at once; older ones expire after ${hoursOf(cfg.expireMs)}`, wait(mine));
  if (mine.bytes + estimate > cfg.maxBytesPerUser) return retryLater(ErrorCode.EXPORT_QUOTA_USER, `at most ${gib(cfg.maxBytesPerUser)} of exports per user at once (this one: up to ${gib(estimate)}, yours: ${gib(mine.bytes)})`, wait(mine));
  const all = quotaUse(rows, null);
  if (all.count + 1 > cfg.maxTotal) return retryLater(ErrorCode.EXPORT_QUOTA_TOTAL, `the station keeps at most ${cfg.maxTotal} exports at once`, wait(all));
  if (all.bytes + estimate > cfg.maxTotalBytes) return retryLater(ErrorCode.EXPORT_QUOTA_TOTAL, `the station keeps at most ${gib(cfg.maxTotalBytes)} of exports at once`, wait(all));
  return null;
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}

function hoursOf(ms: number): string {
  return ms >= 3600_000 ? `${Math.round(ms / 360_000) / 10} h` : `${Math.round(ms / 1000)} s`;
}

export class ExportQuota {
  private readonly counted;

  constructor(
    private readonly db: RecorderDb,
    readonly cfg: ExportQuotaConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.counted = db.db.prepare("SELECT id, exported_by, created_ms, state, bytes FROM exports WHERE state IN ('queued', 'running', 'done')");
  }

  /** Bytes of recorded footage overlapping the ranges (what a package of them can at most hold). */
  estimate(ranges: readonly ExportRange[]): number {
    let bytes = 0;
    for (const r of ranges) for (const s of this.db.overlapping(r.camera, r.from, r.to)) bytes += s.bytes;
    return bytes;
  }

  /** The exports that count now. */
  rows(): CountedExport[] {
    return (this.counted.all() as { id: string; exported_by: string; created_ms: number; state: string; bytes: number | null }[]).map((r) => ({
      exportedBy: r.exported_by,
      createdMs: r.created_ms,
      bytes: r.state === 'done' && r.bytes !== null ? r.bytes : this.estimate(this.db.export(r.id)?.ranges ?? []),
    }));
  }

  /** Throws 429 EXPORT_QUOTA_* when an export of these ranges by `who` would pass a quota. */
  check(who: string, ranges: readonly ExportRange[]): void {
    const refusal = quotaRefusal(this.rows(), who, this.estimate(ranges), this.cfg, this.now());
    if (refusal) throw refusal;
  }
}
