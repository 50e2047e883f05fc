/**
 * Camera id syntax, as in common/src/config.ts (CAMERA_ID). Repeated here so the browser bundle does
 * not pull in zod through common's config module; a unit test keeps the two equal.
 */
export const CAMERA_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A ward's camera at a city centre, `<ward>/<camera>` (common's REMOTE_CAMERA_ID; the same unit test keeps them equal). */
export const REMOTE_CAMERA_ID_PATTERN = /^([a-z0-9][a-z0-9_-]{0,31})\/([a-z0-9][a-z0-9_-]{0,63})$/;
/**
 * A camera the live wall can show: a station camera, or at a city centre a ward's camera
 * `<ward>/<camera>` (common's REMOTE_CAMERA_ID; docs/city.md). Recordings take station ids only.
 */
export const LIVE_CAMERA_ID_PATTERN = /^(?:[a-z0-9][a-z0-9_-]{0,31}\/)?[a-z0-9][a-z0-9_-]{0,63}$/;

/** Whether the camera is a ward's camera seen at a city centre (`<ward>/<camera>`). */
export function isWardCameraId(id: string): boolean {
  return id.includes('/') && LIVE_CAMERA_ID_PATTERN.test(id);
}

/** The still (latest keyframe) URL of a camera, with a cache-busting query. */
export function stillUrl(cameraId: string, now: number): string {
  return `/api/cameras/${encodeURIComponent(cameraId)}/still?t=${now}`;
}

/** A random record id (UUID v4 form; also where crypto.randomUUID is missing, e.g. plain http on a LAN). */
export function newRecordId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
