/**
 * The command centre's view of the city (docs/city.md, "The centre's wall"): the wards' cameras as
 * the wall's cameras, grouped by ward for the list, placed on the city map, with follow-mode
 * neighbours computed across wards from the placed positions. Pure.
 *
 * - A ward camera is the wall camera `<ward>/<camera>` (its `remoteId`, what `consume` takes).
 * - A camera of an offline ward is `offline` with the reason `link_down` (its last known state is
 *   not shown: the centre cannot know it).
 * - The city map has the same 0..1000 units as a ward map; the centre's own map (its background and
 *   its own cameras) is the city map itself. A ward's map is drawn with its top-left corner at
 *   `(x, y)`, `scale` city units per ward unit (`city.wards[].map` in the centre's config). A ward
 *   without a placement has its cameras unplaced (listed under the map, no neighbours).
 * - Neighbours: every placed camera (the centre's own and every ward's) competes in one set, so a
 *   camera near a ward's edge finds the next ward's camera across it; distance in city units.
 */
import type { CameraInfo, CityCameraInfo, CityMapPlacement, CityWardInfo, StreamStatus } from '@wardwall/common';
import { DEFAULT_NEIGHBOUR_DISTANCE, resolveNeighbours, type MapPosition, type NeighbourInput, type ResolvedNeighbour } from '@wardwall/common/neighbours';
import { matchesFilter } from './text.js';

/** A ward's camera id at the centre, `<ward>/<camera>` (the same syntax as common's REMOTE_CAMERA_ID). */
export const REMOTE_CAMERA_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}\/[a-z0-9][a-z0-9_-]{0,63}$/;

export function isRemoteCameraId(id: string): boolean {
  return REMOTE_CAMERA_ID_PATTERN.test(id);
}

/** A ward camera's position on the city map (heading kept: ward maps are not rotated), or null when the ward is not placed. */
export function placePosition(pos: MapPosition | null, placement: CityMapPlacement | undefined): MapPosition | null {
  if (!pos || !placement) return null;
  const out: MapPosition = { x: round1(placement.x + pos.x * placement.scale), y: round1(placement.y + pos.y * placement.scale) };
  if (pos.heading !== undefined) out.heading = pos.heading;
  return out;
}

/** The ward's rectangle on the city map. */
export function wardRect(placement: CityMapPlacement): { x: number; y: number; size: number } {
  return { x: placement.x, y: placement.y, size: round1(1000 * placement.scale) };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Whether a consumer already open on this stream is kept although the stream is not live: a ward
 * camera whose ward's link is down. Its pipe carries nothing meanwhile and resumes by itself when
 * the link returns (docs/city-media.md), so the tile and the warm consumers keep their consumer
 * rather than closing it and leaving the pipe to the linger (a close the ward, cut off, would not
 * hear). A new consumer is never opened on such a stream.
 */
export function keepsConsumerThroughCut(status: StreamStatus | undefined): boolean {
  return status?.state === 'offline' && status.reason === 'link_down';
}

/** A camera's name where the camera is named out of its context (a trail's hops): a ward camera with its ward's name. */
export function cameraLabel(camera: CameraInfo | undefined, id: string): string {
  if (!camera) return id;
  return camera.city ? `${camera.name} (${camera.city.wardName})` : camera.name;
}

/** A ward camera as one of the wall's cameras (neighbours filled in by `cityCameras`). */
export function wardCameraInfo(ward: CityWardInfo, cam: CityCameraInfo, placement: CityMapPlacement | undefined): CameraInfo {
  const linkDown = cam.linkDown || !ward.online;
  return {
    id: cam.remoteId,
    name: cam.name,
    streams: { main: linkDown ? { state: 'offline', reason: 'link_down', since: ward.since } : { state: cam.state, reason: cam.reason, since: cam.since } },
    position: placePosition(cam.position, placement),
    neighbours: [],
    city: { ward: ward.ward, wardName: ward.name, linkDown },
  };
}

/**
 * Every ward's cameras as wall cameras, with neighbours derived across wards and the centre's own
 * placed cameras (`local`; their neighbour lists are not changed: the server resolved them).
 */
export function cityCameras(
  wards: readonly CityWardInfo[],
  placements: ReadonlyMap<string, CityMapPlacement>,
  local: readonly CameraInfo[] = [],
  maxDistance = DEFAULT_NEIGHBOUR_DISTANCE,
): CameraInfo[] {
  const remote = wards.flatMap((w) => w.cameras.map((c) => wardCameraInfo(w, c, placements.get(w.ward))));
  const inputs: NeighbourInput[] = [...local, ...remote].map((c) => ({ id: c.id, position: c.position }));
  const resolved = resolveNeighbours(inputs, maxDistance);
  return remote.map((c) => ({ ...c, neighbours: resolved.get(c.id) ?? [] }));
}

/**
 * The centre's own cameras with the ward cameras near them added as neighbours (a side already taken
 * by a nearer camera keeps it; a configured neighbour list is left alone). Returns the same objects
 * when nothing changes, so Lit sees no change.
 */
export function withCityNeighbours(local: readonly CameraInfo[], remote: readonly CameraInfo[], maxDistance = DEFAULT_NEIGHBOUR_DISTANCE): CameraInfo[] {
  if (remote.length === 0) return [...local];
  const inputs: NeighbourInput[] = [...local, ...remote].map((c) => ({ id: c.id, position: c.position }));
  const resolved = resolveNeighbours(inputs, maxDistance);
  return local.map((c) => {
    if (!c.position || c.neighbours.some((n) => !n.derived)) return c;
    const next = resolved.get(c.id) ?? [];
    return sameNeighbours(c.neighbours, next) ? c : { ...c, neighbours: next };
  });
}

function sameNeighbours(a: readonly ResolvedNeighbour[], b: readonly ResolvedNeighbour[]): boolean {
  return a.length === b.length && a.every((n, i) => n.id === b[i]!.id && n.direction === b[i]!.direction && n.distance === b[i]!.distance);
}

/** One ward in the camera list: its name, online state, counts and the cameras matching the filter. */
export interface WardGroup {
  ward: string;
  name: string;
  online: boolean;
  since: number;
  live: number;
  offline: number;
  total: number;
  cameras: CityCameraInfo[];
}

/** The wards for the camera list, sorted by name (Vietnamese collation), their cameras filtered (name or id, diacritics ignored) and sorted. */
export function groupWards(wards: readonly CityWardInfo[], filter: string): WardGroup[] {
  const collator = new Intl.Collator('vi');
  return [...wards]
    .sort((a, b) => collator.compare(a.name, b.name) || a.ward.localeCompare(b.ward))
    .map((w) => {
      const state = (c: CityCameraInfo) => (c.linkDown || !w.online ? 'offline' : c.state);
      const wardHit = filter.trim() !== '' && matchesFilter(filter, w.name, w.ward);
      return {
        ward: w.ward,
        name: w.name,
        online: w.online,
        since: w.since,
        live: w.cameras.filter((c) => state(c) === 'live').length,
        offline: w.cameras.filter((c) => state(c) === 'offline').length,
        total: w.cameras.length,
        cameras: w.cameras
          .filter((c) => wardHit || matchesFilter(filter, c.name, c.remoteId))
          .sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id)),
      };
    })
    .filter((g) => filter.trim() === '' || g.cameras.length > 0);
}

const WARD_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const STATES = new Set(['connecting', 'live', 'offline']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parsePosition(v: unknown): MapPosition | null {
  if (!isObj(v) || !finite(v.x) || !finite(v.y)) return null;
  return finite(v.heading) ? { x: v.x, y: v.y, heading: v.heading } : { x: v.x, y: v.y };
}

function parseCamera(v: unknown, ward: string): CityCameraInfo | null {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.state !== 'string' || !STATES.has(v.state)) return null;
  const remoteId = `${ward}/${v.id}`;
  if (v.remoteId !== remoteId || !isRemoteCameraId(remoteId)) return null;
  return {
    remoteId,
    ward,
    id: v.id,
    name: v.name,
    state: v.state as CityCameraInfo['state'],
    reason: typeof v.reason === 'string' ? (v.reason as CityCameraInfo['reason']) : null,
    position: parsePosition(v.position),
    since: finite(v.since) ? v.since : 0,
    linkDown: v.linkDown === true,
  };
}

/** The wards of `GET /api/city/cameras` or a `cityWards` push, checked (entries that do not fit are dropped). */
export function parseCityWards(raw: unknown): CityWardInfo[] {
  if (!Array.isArray(raw)) return [];
  const out: CityWardInfo[] = [];
  for (const w of raw) {
    if (!isObj(w) || typeof w.ward !== 'string' || !WARD_ID.test(w.ward) || typeof w.name !== 'string' || !Array.isArray(w.cameras)) continue;
    const ward = w.ward;
    out.push({
      ward,
      name: w.name,
      online: w.online === true,
      since: finite(w.since) ? w.since : 0,
      cameras: w.cameras.map((c) => parseCamera(c, ward)).filter((c): c is CityCameraInfo => c !== null),
    });
  }
  return out;
}

/** The placements of `hello.city` as a map (bad entries dropped). */
export function parsePlacements(raw: unknown): Map<string, CityMapPlacement> {
  const out = new Map<string, CityMapPlacement>();
  if (!Array.isArray(raw)) return out;
  for (const p of raw) {
    if (!isObj(p) || typeof p.ward !== 'string' || !isObj(p.map)) continue;
    const { x, y, scale } = p.map;
    if (finite(x) && finite(y) && finite(scale) && scale > 0) out.set(p.ward, { x, y, scale });
  }
  return out;
}

/** A placed ward's area on the city map (the map draws its outline and name). */
export interface WardArea {
  ward: string;
  name: string;
  online: boolean;
  x: number;
  y: number;
  size: number;
}

/** The placed wards' areas, in the wards' order; wards without a placement are left out. */
export function wardAreas(wards: readonly CityWardInfo[], placements: ReadonlyMap<string, CityMapPlacement>): WardArea[] {
  return wards.flatMap((w) => {
    const p = placements.get(w.ward);
    return p ? [{ ward: w.ward, name: w.name, online: w.online, ...wardRect(p) }] : [];
  });
}
