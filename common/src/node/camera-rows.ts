/**
 * The station's cameras as stored in the SFU's database (table `station_cameras`, owned and
 * migrated by the SFU's cameras feature, sfu/src/cameras/camera-store.ts). Shared read side: the
 * SFU builds its ingest from these rows and the recorder (database opened read-only) its writers.
 * `camera_list_state.version` grows with every change, so a reader polls one integer and re-reads
 * the rows only when it moved. Rows carry camera URLs with credentials: server-side only.
 */
import type { CameraConfig } from '../config.js';
import type { ReadableDb } from './resident-rows.js';

export const CAMERA_TABLE = 'station_cameras';
export const CAMERA_STATE_TABLE = 'camera_list_state';

export interface StationCameraRow {
  id: string;
  name: string;
  main: string;
  sub: string | null;
  /** 'auto' | 'true' | 'false' */
  transcode: string;
  /** null: default (on) */
  audio: number | null;
  enabled: number;
  /** JSON: position, neighbours, onvif (kept from the config seed). */
  extra: string;
  sort: number;
  createdAt: number;
  updatedAt: number;
}

export const CAMERA_COLUMNS = 'id, name, main, sub, transcode, audio, enabled, extra, sort, created_at AS createdAt, updated_at AS updatedAt';

/** The list's version, or null before the SFU seeded the table (readers then keep the config's cameras). */
export function readCameraListVersion(db: ReadableDb): number | null {
  const row = db.prepare(`SELECT version, seeded_at AS seededAt FROM ${CAMERA_STATE_TABLE} WHERE one = 1`).get() as { version: number; seededAt: number | null } | undefined;
  return row && row.seededAt !== null ? row.version : null;
}

export function readCameraRows(db: ReadableDb): StationCameraRow[] {
  return db.prepare(`SELECT ${CAMERA_COLUMNS} FROM ${CAMERA_TABLE} ORDER BY sort, id`).all() as StationCameraRow[];
}

/** The camera config of a row (what the ingest and the recorder pull). */
export function stationCameraConfig(row: StationCameraRow): CameraConfig {
  let extra: Partial<Pick<CameraConfig, 'position' | 'neighbours' | 'onvif'>> = {};
  try {
    extra = JSON.parse(row.extra) as typeof extra;
  } catch {
    /* a damaged extra column loses only map position / neighbours / PTZ */
  }
  return {
    id: row.id,
    name: row.name,
    main: row.main,
    ...(row.sub ? { sub: row.sub } : {}),
    transcode: row.transcode === 'true' ? true : row.transcode === 'false' ? false : 'auto',
    ...(row.audio === null ? {} : { audio: row.audio === 1 }),
    ...extra,
  };
}

/** Enabled cameras in list order, or null before the table is seeded. */
export function readEnabledCameras(db: ReadableDb): { version: number; cameras: CameraConfig[] } | null {
  const version = readCameraListVersion(db);
  if (version === null) return null;
  return { version, cameras: readCameraRows(db).filter((r) => r.enabled === 1).map(stationCameraConfig) };
}
