/**
 * Applies the retention plan: on a timer and at once when a writer reports a full disk. Reads the
 * file system's free space (statfs), deletes oldest footage first, never held footage, and keeps
 * a summary for /api/health. A full disk also raises the free-space target to an emergency
 * headroom (a few segments' worth) so recording can go on even when minFreeBytes is 0.
 */
import { statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { SegmentStore } from './store.js';
import { planRetention, type RetentionPlan } from './retention.js';

export interface RetentionConfig {
  maxAgeMs: number;
  maxAgeMsByCamera: Readonly<Record<string, number>>;
  maxBytes: number;
  minFreeBytes: number;
  intervalMs: number;
  /** Per pass. */
  maxDeletions: number;
}

export interface DiskState {
  totalBytes: number;
  freeBytes: number;
  storeBytes: number;
  segments: number;
  minFreeBytes: number;
  maxBytes: number;
  lowSpace: boolean;
  diskFullEvents: number;
  lastDiskFullAt: number | null;
  lastRunAt: number | null;
  lastDeleted: number;
  deletedTotal: number;
  /** Bytes that could not be freed because holds (or the open segments) cover the oldest footage. */
  blockedBytes: number;
  heldKept: number;
  lastError: string | null;
}

export function diskSpace(path: string): { totalBytes: number; freeBytes: number } {
  const s = statfsSync(path);
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
}

export class RetentionRunner {
  private timer: NodeJS.Timeout | null = null;
  private emergencyUntil = 0;
  private readonly state: DiskState;
  /** Per-camera maximum ages set at runtime (resident cameras), over the configured ones. */
  private readonly runtimeMaxAge = new Map<string, number>();

  constructor(
    private readonly store: SegmentStore,
    private readonly cfg: RetentionConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.state = {
      totalBytes: 0, freeBytes: 0, storeBytes: 0, segments: 0, minFreeBytes: cfg.minFreeBytes, maxBytes: cfg.maxBytes, lowSpace: false,
      diskFullEvents: 0, lastDiskFullAt: null, lastRunAt: null, lastDeleted: 0, deletedTotal: 0, blockedBytes: 0, heldKept: 0, lastError: null,
    };
  }

  start(): void {
    this.runSafe();
    this.timer = setInterval(() => this.runSafe(), this.cfg.intervalMs);
    this.timer.unref();
  }

  /** A writer hit ENOSPC: free space now, with emergency headroom for the next minute. */
  diskFull(): void {
    this.state.diskFullEvents++;
    this.state.lastDiskFullAt = this.now();
    this.emergencyUntil = this.now() + 60000;
    this.runSafe();
  }

  getState(): DiskState {
    try {
      Object.assign(this.state, diskSpace(this.store.root));
    } catch {
      /* keep the last reading */
    }
    this.state.storeBytes = this.store.db.totalBytes;
    this.state.lowSpace = this.state.freeBytes < Math.max(this.cfg.minFreeBytes, this.headroom()) || (this.state.lastDiskFullAt !== null && this.now() - this.state.lastDiskFullAt < 60000);
    return { ...this.state };
  }

  /** A few segments' worth of space, at most 5 % of the file system. */
  private headroom(): number {
    const count = this.state.segments;
    const avg = count > 0 ? this.store.db.totalBytes / count : 0;
    const cap = this.state.totalBytes > 0 ? this.state.totalBytes * 0.05 : 64 * 1024 * 1024;
    return Math.round(Math.min(avg > 0 ? 3 * avg : cap, cap));
  }

  private warnedAt = 0;

  runSafe(): RetentionPlan | null {
    try {
      return this.run();
    } catch (e) {
      this.state.lastError = (e as NodeJS.ErrnoException).code ?? 'retention failed';
      this.log.error({ err: e }, 'retention pass failed');
      return null;
    }
  }

  /** Sets (ms) or clears (null) a camera's maximum age from now on. */
  setCameraMaxAge(camera: string, maxAgeMs: number | null): void {
    if (maxAgeMs === null) this.runtimeMaxAge.delete(camera);
    else this.runtimeMaxAge.set(camera, maxAgeMs);
  }

  run(): RetentionPlan {
    const now = this.now();
    const { totalBytes, freeBytes } = diskSpace(this.store.root);
    this.state.totalBytes = totalBytes;
    this.state.segments = this.store.db.db.prepare('SELECT count(*) FROM segments').pluck().get() as number;
    const minFree = now < this.emergencyUntil ? Math.max(this.cfg.minFreeBytes, this.headroom()) : this.cfg.minFreeBytes;
    const holds = this.store.db.activeHolds();
    const plan = planRetention(this.store.db.oldestFirst(), holds, {
      now,
      maxAgeMs: this.cfg.maxAgeMs,
      maxAgeMsByCamera: { ...this.cfg.maxAgeMsByCamera, ...Object.fromEntries(this.runtimeMaxAge) },
      maxBytes: this.cfg.maxBytes,
      storeBytes: this.store.db.totalBytes,
      freeBytes,
      minFreeBytes: minFree,
      maxDeletions: this.cfg.maxDeletions,
    });
    let deleted = 0;
    for (const d of plan.delete) {
      const row = this.store.db.segment(d.id);
      if (!row || row.open) continue;
      this.store.deleteSegment(row);
      deleted++;
    }
    if (deleted > 0) this.log.info({ deleted, freedBytes: plan.freedBytes, reasons: [...new Set(plan.delete.map((d) => d.reason))], heldKept: plan.heldKept }, 'retention deleted footage');
    if ((plan.quotaDeficitBytes > 0 || plan.freeDeficitBytes > 0) && plan.delete.length < this.cfg.maxDeletions && now - this.warnedAt > 60000) {
      this.warnedAt = now;
      this.log.warn({ quotaDeficitBytes: plan.quotaDeficitBytes, freeDeficitBytes: plan.freeDeficitBytes, heldKept: plan.heldKept }, 'retention cannot free enough: the rest is held or being written');
    }
    Object.assign(this.state, {
      totalBytes,
      freeBytes: freeBytes + plan.freedBytes,
      lastRunAt: now,
      lastDeleted: deleted,
      deletedTotal: this.state.deletedTotal + deleted,
      blockedBytes: Math.max(plan.quotaDeficitBytes, plan.freeDeficitBytes),
      heldKept: plan.heldKept,
      lastError: null,
      segments: this.state.segments - deleted,
    });
    return plan;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
