/**
 * Export expiry (`recorder.exports.expireHours`): like retention for packages. Every
 * `expiryCheckMs`, an export requested more than `expireMs` ago that is finished or failed has its
 * package deleted, its own holds released and its state set to `expired` (the row stays: who
 * exported what, and when, is kept; a download answers 410 EXPORT_EXPIRED). Footage that something
 * else holds (a bookmark, another export, a hold made by hand) stays held by those holds.
 * Queued and running exports are never touched.
 */
import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SegmentStore } from '../store/store.js';
import type { ExportRow } from '../store/db.js';

export interface ExportExpiryConfig {
  expireMs: number;
  checkEveryMs: number;
}

export class ExportExpiry {
  private timer: NodeJS.Timeout | null = null;
  private readonly due;

  constructor(
    private readonly store: SegmentStore,
    private readonly cfg: ExportExpiryConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** Called for every export that expired (the audit trail). */
    private readonly onExpired: (row: ExportRow) => void = () => undefined,
  ) {
    this.due = store.db.db.prepare("SELECT id FROM exports WHERE state IN ('done', 'failed') AND created_ms <= ? ORDER BY created_ms LIMIT 500").pluck();
  }

  start(): void {
    this.runSafe();
    this.timer = setInterval(() => this.runSafe(), this.cfg.checkEveryMs);
    this.timer.unref();
  }

  runSafe(): number {
    try {
      return this.run();
    } catch (e) {
      this.log.error({ err: e }, 'export expiry pass failed');
      return 0;
    }
  }

  /** One pass; returns how many exports expired. */
  run(): number {
    const now = this.now();
    const ids = this.due.all(now - this.cfg.expireMs) as string[];
    let n = 0;
    for (const id of ids) {
      const row = this.store.db.export(id);
      if (!row || (row.state !== 'done' && row.state !== 'failed')) continue;
      if (row.file) {
        try {
          rmSync(this.store.abs(row.file), { force: true });
        } catch (e) {
          // Outside the store or unreadable: never deleted; the row still expires.
          this.log.warn({ export: id, err: (e as Error).message }, 'export package not deleted');
        }
      }
      const released = row.holdIds.filter((h) => this.store.db.releaseHold(h, now)).length;
      this.store.db.updateExport(id, { state: 'expired', progress: row.progress, error: row.error, file: null, bytes: row.bytes });
      this.log.info({ export: id, released }, 'export expired: package deleted, its holds released');
      n++;
      try {
        this.onExpired({ ...row, state: 'expired', file: null });
      } catch (e) {
        this.log.error({ err: e }, 'export expiry hook failed');
      }
    }
    return n;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
