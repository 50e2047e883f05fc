/**
 * Retention planning. Pure: given the segments oldest first, the holds, the limits and the disk state,
 * decides which segments to delete. Rules, in order of the walk (oldest footage goes first):
 *  - a segment under a hold (same camera or an all-camera hold, overlapping ranges) is never deleted;
 *  - a segment being written is never deleted;
 *  - a segment older than its camera's max age goes;
 *  - while the store is over its byte quota, or the file system has less free space than required,
 *    the oldest remaining segments go until both are satisfied.
 */

export interface RetentionSegment {
  id: number;
  camera: string;
  startMs: number;
  endMs: number;
  bytes: number;
  open: boolean;
}

export interface RetentionHold {
  camera: string | null;
  startMs: number;
  endMs: number;
}

export interface RetentionLimits {
  now: number;
  maxAgeMs: number;
  /** Per-camera overrides of maxAgeMs. */
  maxAgeMsByCamera?: Readonly<Record<string, number>>;
  /** Quota of the store in bytes; 0 = none. */
  maxBytes: number;
  /** Bytes the store holds now (all segments). */
  storeBytes: number;
  /** Free bytes on the file system now, and the minimum to keep. */
  freeBytes: number;
  minFreeBytes: number;
  /** Stop after this many deletions (one pass stays short); the next pass continues. */
  maxDeletions?: number;
}

export type DeleteReason = 'age' | 'quota' | 'free-space';

export interface RetentionPlan {
  delete: { id: number; reason: DeleteReason }[];
  freedBytes: number;
  /** Bytes still over quota / short of free space after the plan (held or open footage blocks it). */
  quotaDeficitBytes: number;
  freeDeficitBytes: number;
  /** Segments kept only because a hold covers them. */
  heldKept: number;
}

export function isHeld(seg: { camera: string; startMs: number; endMs: number }, holds: readonly RetentionHold[]): boolean {
  for (const h of holds) {
    if ((h.camera === null || h.camera === seg.camera) && h.startMs < seg.endMs && h.endMs > seg.startMs) return true;
  }
  return false;
}

export function planRetention(oldestFirst: Iterable<RetentionSegment>, holds: readonly RetentionHold[], limits: RetentionLimits): RetentionPlan {
  const byCam = limits.maxAgeMsByCamera ?? {};
  const ages = [limits.maxAgeMs, ...Object.values(byCam)];
  // No segment starting after this can be too old: the walk may stop there once the deficits are met.
  const ageHorizon = limits.now - Math.min(...ages);
  let quotaDeficit = limits.maxBytes > 0 ? Math.max(0, limits.storeBytes - limits.maxBytes) : 0;
  let freeDeficit = Math.max(0, limits.minFreeBytes - limits.freeBytes);
  const max = limits.maxDeletions ?? Infinity;
  const plan: RetentionPlan = { delete: [], freedBytes: 0, quotaDeficitBytes: 0, freeDeficitBytes: 0, heldKept: 0 };
  for (const seg of oldestFirst) {
    if (plan.delete.length >= max) break;
    if (quotaDeficit <= 0 && freeDeficit <= 0 && seg.startMs > ageHorizon) break;
    if (seg.open) continue;
    const maxAge = byCam[seg.camera] ?? limits.maxAgeMs;
    let reason: DeleteReason | null = null;
    if (seg.endMs < limits.now - maxAge) reason = 'age';
    else if (quotaDeficit > 0) reason = 'quota';
    else if (freeDeficit > 0) reason = 'free-space';
    if (!reason) continue;
    if (isHeld(seg, holds)) {
      plan.heldKept++;
      continue;
    }
    plan.delete.push({ id: seg.id, reason });
    plan.freedBytes += seg.bytes;
    quotaDeficit -= seg.bytes;
    freeDeficit -= seg.bytes;
  }
  plan.quotaDeficitBytes = Math.max(0, quotaDeficit);
  plan.freeDeficitBytes = Math.max(0, freeDeficit);
  return plan;
}
