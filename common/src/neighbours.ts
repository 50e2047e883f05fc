/**
 * Camera neighbours for pursuit ("follow mode"): which cameras a person leaving one camera's view
 * most likely walks into next, and on which side of the followed camera each one lies. Pure.
 *
 * Directions are relative to the camera's VIEW, not to map north, because that is what the operator
 * watching the followed camera sees: `ahead` is where the camera looks (the top of its picture, the
 * far end of the street), `behind` is at the camera's back, `left` and `right` are the left and right
 * of its picture. A camera without a heading is taken to look north, so its directions are the
 * map's (ahead = north, right = east, behind = south, left = west). Follow mode places each
 * neighbour on the matching side of the centre tile (ahead above, behind below) and the arrow keys
 * move to it.
 *
 * Derivation (when a camera has no explicit `neighbours`): the plane around the camera is cut into
 * four 90° sectors centred on ahead / right / behind / left; in each sector the nearest camera
 * within `maxDistance` map units becomes the neighbour of that side, so a camera has at most one
 * derived neighbour per side (an arrow key is never ambiguous).
 * - A bearing exactly on a sector boundary (45°, 135°, ...) belongs to the sector clockwise of it
 *   (45° off ahead counts as right).
 * - Equal distances in a sector: the one closer to the side's axis wins, then the smaller id.
 * - Cameras at the same point as the camera have no bearing and are skipped.
 * - A camera without a position, or with nobody within range, has no derived neighbours (isolated).
 * - Explicit neighbours replace the derived ones of that camera entirely (any number per side, in
 *   the configured order); ids that name no camera, and the camera itself, are dropped.
 */

export const NEIGHBOUR_DIRECTIONS = ['ahead', 'right', 'behind', 'left'] as const;
export type NeighbourDirection = (typeof NEIGHBOUR_DIRECTIONS)[number];

export interface MapPosition {
  x: number;
  y: number;
  /** Degrees clockwise from map north (north = towards smaller y). */
  heading?: number;
}

export interface NeighbourRef {
  id: string;
  direction: NeighbourDirection;
}

export interface ResolvedNeighbour extends NeighbourRef {
  /** Map distance to it (null when either camera has no position). */
  distance: number | null;
  /** Whether it was derived from positions rather than configured. */
  derived: boolean;
}

export interface NeighbourInput {
  id: string;
  position?: MapPosition | null;
  neighbours?: readonly NeighbourRef[] | null;
}

/** Default reach of a derived neighbour, in map units (the map is 1000 x 1000). */
export const DEFAULT_NEIGHBOUR_DISTANCE = 450;

/** Bearing of `to` seen from `from`, degrees clockwise from map north, in [0, 360). */
export function bearing(from: MapPosition, to: MapPosition): number {
  const deg = (Math.atan2(to.x - from.x, -(to.y - from.y)) * 180) / Math.PI;
  return normaliseDeg(deg);
}

export function normaliseDeg(deg: number): number {
  const d = deg % 360;
  return d < 0 ? d + 360 : d === 0 ? 0 : d;
}

/** The side a bearing falls on for a camera with this heading (boundaries go clockwise). */
export function directionOf(bearingDeg: number, heading = 0): NeighbourDirection {
  const rel = normaliseDeg(bearingDeg - heading);
  return NEIGHBOUR_DIRECTIONS[Math.floor(normaliseDeg(rel + 45) / 90) % 4]!;
}

/** Angle between a relative bearing and the axis of its side, 0..45 degrees. */
function offAxis(bearingDeg: number, heading: number): number {
  const rel = normaliseDeg(bearingDeg - heading);
  const m = rel % 90;
  return roundTie(Math.min(m, 90 - m));
}

/** Comparisons of equal geometry must not depend on floating-point noise. */
function roundTie(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function distanceBetween(a: MapPosition, b: MapPosition): number {
  return roundTie(Math.hypot(a.x - b.x, a.y - b.y));
}

/** Derived neighbours of one camera: the nearest camera per side within reach. */
export function deriveNeighbours(
  self: NeighbourInput,
  others: readonly NeighbourInput[],
  maxDistance = DEFAULT_NEIGHBOUR_DISTANCE,
): ResolvedNeighbour[] {
  const pos = self.position;
  if (!pos) return [];
  const heading = pos.heading ?? 0;
  const best = new Map<NeighbourDirection, { id: string; distance: number; off: number }>();
  for (const other of others) {
    if (other.id === self.id || !other.position) continue;
    const distance = distanceBetween(pos, other.position);
    if (distance === 0 || distance > maxDistance) continue;
    const b = bearing(pos, other.position);
    const direction = directionOf(b, heading);
    const off = offAxis(b, heading);
    const cur = best.get(direction);
    const better =
      !cur || distance < cur.distance || (distance === cur.distance && (off < cur.off || (off === cur.off && other.id < cur.id)));
    if (better) best.set(direction, { id: other.id, distance, off });
  }
  return NEIGHBOUR_DIRECTIONS.flatMap((direction) => {
    const b = best.get(direction);
    return b ? [{ id: b.id, direction, distance: Math.round(b.distance), derived: true }] : [];
  });
}

/** Every camera's neighbours: explicit where configured, derived otherwise. */
export function resolveNeighbours(
  cameras: readonly NeighbourInput[],
  maxDistance = DEFAULT_NEIGHBOUR_DISTANCE,
): Map<string, ResolvedNeighbour[]> {
  const byId = new Map(cameras.map((c) => [c.id, c]));
  const out = new Map<string, ResolvedNeighbour[]>();
  for (const cam of cameras) {
    if (cam.neighbours && cam.neighbours.length > 0) {
      const seen = new Set<string>();
      const list: ResolvedNeighbour[] = [];
      for (const n of cam.neighbours) {
        const other = byId.get(n.id);
        if (!other || n.id === cam.id || seen.has(n.id)) continue;
        seen.add(n.id);
        const distance = cam.position && other.position ? Math.round(distanceBetween(cam.position, other.position)) : null;
        list.push({ id: n.id, direction: n.direction, distance, derived: false });
      }
      out.set(cam.id, list);
    } else {
      out.set(cam.id, deriveNeighbours(cam, cameras, maxDistance));
    }
  }
  return out;
}

/** The neighbour an arrow key goes to: the first one on that side. */
export function neighbourOnSide(neighbours: readonly NeighbourRef[], direction: NeighbourDirection): string | null {
  return neighbours.find((n) => n.direction === direction)?.id ?? null;
}
