/**
 * Camera id syntax, as in common/src/config.ts (CAMERA_ID). Repeated here so the browser bundle does
 * not pull in zod through common's config module; a unit test keeps the two equal.
 */
export const CAMERA_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The still (latest keyframe) URL of a camera, with a cache-busting query. */
export function stillUrl(cameraId: string, now: number): string {
  return `/api/cameras/${encodeURIComponent(cameraId)}/still?t=${now}`;
}
