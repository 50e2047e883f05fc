/**
 * A pursuit trail: the cameras an operator followed someone through, each with the time the person
 * was followed on it (time in, time out). Pure: the caller hands in the clock.
 *
 * In live follow mode the times are wall-clock times of the hops; in follow mode on a recording
 * they are the recording's times (the review clock) when the operator hopped.
 */
export interface TrailHop {
  cameraId: string;
  /** When following on this camera started (ms since epoch). */
  inAt: number;
  /** When the operator moved on (null while this is the current camera). */
  outAt: number | null;
}

export type TrailSource = 'live' | 'recording';

export interface Trail {
  id: string;
  title: string;
  source: TrailSource;
  createdAt: number;
  updatedAt: number;
  hops: TrailHop[];
}

/** A new trail starting on `cameraId` at `at`. */
export function startTrail(id: string, title: string, source: TrailSource, cameraId: string, at: number): Trail {
  return { id, title, source, createdAt: at, updatedAt: at, hops: [{ cameraId, inAt: at, outAt: null }] };
}

/**
 * The trail after a hop to `cameraId` at `at`: the current hop ends, a new one starts. A hop to the
 * current camera changes nothing; a hop back in time (a recording sought backwards) is clamped so
 * that hops never overlap.
 */
export function addHop(trail: Trail, cameraId: string, at: number): Trail {
  const hops = trail.hops.slice();
  const last = hops[hops.length - 1];
  if (last && last.outAt === null && last.cameraId === cameraId) return trail;
  let inAt = at;
  if (last) {
    const outAt = Math.max(at, last.inAt);
    hops[hops.length - 1] = { ...last, outAt: last.outAt ?? outAt };
    inAt = Math.max(at, hops[hops.length - 1]!.outAt!);
  }
  hops.push({ cameraId, inAt, outAt: null });
  return { ...trail, hops, updatedAt: Math.max(trail.updatedAt, at) };
}

/** The trail with its current hop ended at `at` (following stopped). */
export function endTrail(trail: Trail, at: number): Trail {
  const last = trail.hops[trail.hops.length - 1];
  if (!last || last.outAt !== null) return trail;
  const hops = trail.hops.slice(0, -1).concat({ ...last, outAt: Math.max(at, last.inAt) });
  return { ...trail, hops, updatedAt: Math.max(trail.updatedAt, at) };
}

/** Whether the trail is still being followed (its last hop has no end). */
export function isOpen(trail: Trail): boolean {
  const last = trail.hops[trail.hops.length - 1];
  return !!last && last.outAt === null;
}

/** The hop playing at `at` in a replay, or -1 before the first / after the last. */
export function hopAt(trail: Trail, at: number): number {
  for (let i = 0; i < trail.hops.length; i++) {
    const h = trail.hops[i]!;
    if (at >= h.inAt && (h.outAt === null || at < h.outAt)) return i;
  }
  return -1;
}

/** Per-camera time ranges of a finished trail (for an evidence export), in hop order. */
export function trailRanges(trail: Trail, now: number): { cameraId: string; from: number; to: number }[] {
  return trail.hops.map((h) => ({ cameraId: h.cameraId, from: h.inAt, to: h.outAt ?? now })).filter((r) => r.to > r.from);
}

const ID = /^[A-Za-z0-9_-]{8,64}$/;
const CAMERA = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A stored trail checked field by field (storage is outside input), or null. */
export function parseTrail(v: unknown): Trail | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string' || !ID.test(o.id) || typeof o.title !== 'string' || o.title.length > 200) return null;
  if (o.source !== 'live' && o.source !== 'recording') return null;
  if (!isTime(o.createdAt) || !isTime(o.updatedAt) || !Array.isArray(o.hops) || o.hops.length === 0 || o.hops.length > 1000) return null;
  const hops: TrailHop[] = [];
  for (const h of o.hops as unknown[]) {
    if (typeof h !== 'object' || h === null) return null;
    const r = h as Record<string, unknown>;
    if (typeof r.cameraId !== 'string' || !CAMERA.test(r.cameraId) || !isTime(r.inAt)) return null;
    if (r.outAt !== null && !(isTime(r.outAt) && r.outAt >= r.inAt)) return null;
    hops.push({ cameraId: r.cameraId, inAt: r.inAt, outAt: r.outAt as number | null });
  }
  return { id: o.id, title: o.title, source: o.source, createdAt: o.createdAt, updatedAt: o.updatedAt, hops };
}
