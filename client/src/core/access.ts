/**
 * The signed-in viewer (`Me` of GET /api/auth/me) and what it allows on the client: which cameras
 * the wall, review and export may offer, which pages the header shows, how far back review may
 * go. Pure. The server checks every request again; this only keeps the UI from offering what
 * would be refused.
 */
import { hcmDateInput, hcmDayStart } from './hcm-time.js';
import { ParseError, arrayOf, isObj, oneOf, str } from './parse.js';
import { ALL_CAMERAS, CAMERA_PERMISSIONS, ROLES, SYSTEM_PERMISSIONS, type CameraPermission, type Me, type SystemPermission } from '@wardwall/common';

// The role and permission names and the `Me` shape are the contract shared with the server.
export { ALL_CAMERAS, ANONYMOUS_ID, CAMERA_PERMISSIONS, CAMERA_RULE_TARGET, ROLES, SYSTEM_PERMISSIONS, type CameraPermission, type Me, type Role, type SystemPermission } from '@wardwall/common';

/** Parses the `me` object of /api/auth/me and /api/auth/login (unknown permissions are dropped). */
export function parseMe(raw: unknown, field = 'me'): Me {
  if (!isObj(raw)) throw new ParseError(`${field}: not an object`);
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new ParseError(`${field}.id: a string or number is required`);
  if (!isObj(raw.cameras)) throw new ParseError(`${field}.cameras: an object is required`);
  const cameras: Record<string, CameraPermission[]> = {};
  for (const [cam, perms] of Object.entries(raw.cameras)) {
    cameras[cam] = arrayOf(perms, `${field}.cameras.${cam}`, (p) => p).filter((p): p is CameraPermission => (CAMERA_PERMISSIONS as readonly unknown[]).includes(p));
  }
  const lb = raw.lookbackDays;
  if (lb !== null && lb !== undefined && (typeof lb !== 'number' || !Number.isFinite(lb) || lb < 0)) throw new ParseError(`${field}.lookbackDays: a number ≥ 0 or null is required`);
  return {
    id: String(id),
    username: str(raw.username, `${field}.username`),
    displayName: typeof raw.displayName === 'string' && raw.displayName.trim() ? raw.displayName : str(raw.username, `${field}.username`),
    role: oneOf(raw.role, ROLES, `${field}.role`),
    system: arrayOf(raw.system, `${field}.system`, (p) => p).filter((p): p is SystemPermission => (SYSTEM_PERMISSIONS as readonly unknown[]).includes(p)),
    cameras,
    lookbackDays: lb ?? null,
  };
}

/** What the viewer may do on one camera: its own entry, else the '*' entry. */
export function cameraPermissions(me: Me | null, cameraId: string): readonly CameraPermission[] {
  if (!me) return [];
  return me.cameras[cameraId] ?? me.cameras[ALL_CAMERAS] ?? [];
}

export function canCamera(me: Me | null, permission: CameraPermission, cameraId: string): boolean {
  return cameraPermissions(me, cameraId).includes(permission);
}

export function hasSystem(me: Me | null, permission: SystemPermission): boolean {
  return !!me && me.system.includes(permission);
}

/** The cameras (of a map keyed by id) the viewer may `permission`, in the map's order. */
export function permittedCameras<T>(me: Me | null, permission: CameraPermission, cameras: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [id, cam] of cameras) if (canCamera(me, permission, id)) out.set(id, cam);
  return out;
}

/** The wall's tiles with every camera the viewer may not watch live taken off (not persisted). */
export function permittedTiles(me: Me | null, tiles: readonly (string | null)[]): (string | null)[] {
  return tiles.map((id) => (id && canCamera(me, 'live', id) ? id : null));
}

export type AppPage = 'live' | 'follow' | 'review' | 'displays' | 'admin' | 'residents' | 'audit';

/**
 * The pages the header offers: live always, follow (pursuit) with a live right on any camera, review
 * with a playback right on any camera, admin and audit by permission. From `me` alone, so the header does not change when the camera list arrives.
 */
export function availablePages(me: Me | null): AppPage[] {
  const pages: AppPage[] = ['live'];
  if (me && Object.values(me.cameras).some((perms) => perms.includes('live'))) pages.push('follow');
  if (me && Object.values(me.cameras).some((perms) => perms.includes('playback'))) pages.push('review');
  if (hasSystem(me, 'control')) pages.push('displays');
  if (hasSystem(me, 'admin')) pages.push('admin', 'residents');
  if (hasSystem(me, 'audit')) pages.push('audit');
  return pages;
}

const DAY_MS = 86_400_000;

/** The earliest instant the viewer may play back (ms), or -Infinity when unlimited. */
export function lookbackFloorMs(me: Me | null, now: number): number {
  if (!me || me.lookbackDays === null) return -Infinity;
  return now - me.lookbackDays * DAY_MS;
}

/** The `min` of the review's date picker (yyyy-MM-dd, Vietnam time), or '' when unlimited. */
export function lookbackMinDate(me: Me | null, now: number): string {
  const floor = lookbackFloorMs(me, now);
  return Number.isFinite(floor) ? hcmDateInput(floor) : '';
}

/**
 * A review start clamped to the look-back: an instant before the floor moves to the floor (the
 * start of the allowed window), and `clamped` says so, so the UI can tell the viewer.
 */
export function clampToLookback(me: Me | null, start: number, now: number): { start: number; clamped: boolean } {
  const floor = lookbackFloorMs(me, now);
  return start < floor ? { start: Math.ceil(floor), clamped: true } : { start, clamped: false };
}

/** Midnight of the first whole day inside the look-back (for a friendly "from" hint). */
export function lookbackFirstDay(me: Me | null, now: number): number | null {
  const floor = lookbackFloorMs(me, now);
  return Number.isFinite(floor) ? hcmDayStart(floor) : null;
}
