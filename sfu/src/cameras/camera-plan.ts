/**
 * Pure rules of the station's camera list: the first-start seed, which cameras the services run
 * (stored + demo), and the id of a camera added by name (admin page, ONVIF discovery).
 */
import { CAMERA_ID, type CameraConfig } from '@wardwall/common';

/**
 * The seed rule: the config file's `cameras[]` are copied into the database at the first start
 * only (when the list was never seeded). Afterwards the database wins: edits in the admin page are
 * kept, and config entries that differ from the stored list are ignored (`ignored`, for one log
 * line). `stored` is the stored list (id + config) when seeded, null before.
 */
export function seedPlan(stored: readonly CameraConfig[] | null, configCameras: readonly CameraConfig[]): { seed: CameraConfig[] | null; ignored: string[] } {
  if (stored === null) return { seed: [...configCameras], ignored: [] };
  const byId = new Map(stored.map((c) => [c.id, c]));
  const ignored = configCameras.filter((c) => {
    const s = byId.get(c.id);
    return !s || s.main !== c.main || s.sub !== c.sub || s.name !== c.name || s.transcode !== c.transcode || s.audio !== c.audio;
  });
  return { seed: null, ignored: ignored.map((c) => c.id) };
}

export { runningCameras } from '@wardwall/common';

/**
 * An id for a camera added by name: lower-case ASCII (Vietnamese letters lose their marks, đ -> d),
 * words joined by "-", made unique with -2, -3, … against `taken`. Falls back to "camera".
 */
export function cameraIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'camera';
  const start = CAMERA_ID.test(base) ? base : `cam-${base}`.slice(0, 56);
  if (!taken.has(start)) return start;
  for (let n = 2; ; n++) if (!taken.has(`${start}-${n}`)) return `${start}-${n}`;
}
