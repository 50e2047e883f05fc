/**
 * Which export panels review shows (docs/city.md, "Recordings through the centre"): an export
 * package is made by one recorder, so the reviewed cameras are split by where their footage is —
 * the station's own cameras (one panel, the viewer's `export` right from `me`) and, at a city
 * centre, each ward's cameras (one panel per ward, made at the ward through the centre, the right
 * from the centre's `/api/city/cameras` rights). Pure.
 */
import { parseRemoteCameraId } from '@wardwall/common';
import { canCamera, type Me } from '../../core/access.js';
import type { RecordedCamera } from '../../services/recorder-api.js';

export interface ExportGroup {
  /** null: the station's own recorder; else the ward id (exports through `/api/city/<ward>/exports`). */
  ward: string | null;
  wardName: string | null;
  /** Camera ids as that recorder knows them (a ward's own ids, without `<ward>/`) and their names. */
  cameras: { id: string; name: string }[];
}

export function exportGroups(sessionCameras: readonly string[], me: Me | null, wardCameras: readonly RecordedCamera[], name: (id: string) => string): ExportGroup[] {
  const own: ExportGroup = { ward: null, wardName: null, cameras: [] };
  const wards = new Map<string, ExportGroup>();
  for (const id of sessionCameras) {
    const remote = parseRemoteCameraId(id);
    if (!remote) {
      if (canCamera(me, 'export', id)) own.cameras.push({ id, name: name(id) });
      continue;
    }
    const info = wardCameras.find((c) => c.id === id)?.ward;
    if (!info?.export) continue;
    let g = wards.get(remote.ward);
    if (!g) wards.set(remote.ward, (g = { ward: remote.ward, wardName: info.name, cameras: [] }));
    g.cameras.push({ id: remote.camera, name: name(id) });
  }
  return [own, ...wards.values()].filter((g) => g.cameras.length > 0);
}
