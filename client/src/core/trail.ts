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

// --- trails stored as incidents (kind 'trail') whose bookmarks are the hops ---------------------

/** Machine tags on a hop's bookmark: where the trail was followed, and the hop still running. */
export const TRAIL_TAGS = { live: 'trail:live', recording: 'trail:recording', open: 'trail:open' } as const;

export interface HopBookmark {
  cameras: string[];
  startMs: number;
  endMs: number;
  tags: string[];
}

/** The bookmark fields of one hop (an open hop is an instant tagged open until it ends). */
export function hopToBookmark(hop: TrailHop, source: TrailSource): HopBookmark {
  const tags: string[] = [TRAIL_TAGS[source]];
  if (hop.outAt === null) tags.push(TRAIL_TAGS.open);
  return { cameras: [hop.cameraId], startMs: hop.inAt, endMs: hop.outAt ?? hop.inAt, tags };
}

/** The hops of a trail from its bookmarks (any order; ties in time keep creation order). */
export function hopsFromBookmarks(bookmarks: readonly (HopBookmark & { createdMs: number })[]): { hops: TrailHop[]; source: TrailSource } {
  const sorted = [...bookmarks].sort((a, b) => a.startMs - b.startMs || a.createdMs - b.createdMs);
  const hops = sorted
    .filter((b) => b.cameras.length > 0)
    .map((b) => ({ cameraId: b.cameras[0]!, inAt: b.startMs, outAt: b.tags.includes(TRAIL_TAGS.open) ? null : b.endMs }));
  const source: TrailSource = sorted.some((b) => b.tags.includes(TRAIL_TAGS.recording)) ? 'recording' : 'live';
  return { hops, source };
}

/** Whether a stored hop differs from the trail's (so it needs an update). */
export function hopChanged(stored: HopBookmark, want: HopBookmark): boolean {
  return (
    stored.startMs !== want.startMs ||
    stored.endMs !== want.endMs ||
    stored.cameras.join() !== want.cameras.join() ||
    [...stored.tags].sort().join() !== [...want.tags].sort().join()
  );
}
