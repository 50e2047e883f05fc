/**
 * The station's cameras in the SFU's app database (`station_cameras`), with the list version the
 * recorder polls (`camera_list_state`). The read side (row shape, row -> CameraConfig) is shared
 * with the recorder in @wardwall/common/node (camera-rows.ts). URLs are stored as given (the
 * database file is the service's own, like the config file); they leave this module only through
 * the ingest and the recorder, never in a reply or a log line (see camera-view.ts).
 */
import { migrate, type AppDb } from '@wardwall/server-kit';
import type { CameraConfig } from '@wardwall/common';
import { CAMERA_STATE_TABLE, CAMERA_TABLE, readCameraListVersion, readCameraRows, type StationCameraRow } from '@wardwall/common/node';

const MIGRATIONS = [
  `CREATE TABLE ${CAMERA_TABLE} (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     main TEXT NOT NULL,
     sub TEXT,
     transcode TEXT NOT NULL DEFAULT 'auto' CHECK (transcode IN ('auto', 'true', 'false')),
     audio INTEGER CHECK (audio IN (0, 1)),
     enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
     extra TEXT NOT NULL DEFAULT '{}',
     sort INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE ${CAMERA_STATE_TABLE} (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL, seeded_at INTEGER);
   INSERT INTO ${CAMERA_STATE_TABLE} (one, version, seeded_at) VALUES (1, 0, NULL);`,
];

/** What an administrator may set on a camera (the rest, position/neighbours/PTZ, comes from the seed). */
export interface CameraFields {
  name: string;
  main: string;
  sub?: string | undefined;
  transcode: boolean | 'auto';
  audio?: boolean | undefined;
  enabled: boolean;
}

export class CameraStore {
  constructor(
    readonly db: AppDb,
    private readonly now: () => number = Date.now,
  ) {
    migrate(db, 'cameras', MIGRATIONS);
  }

  /** Whether the config's cameras were copied in once (first start). */
  seeded(): boolean {
    return readCameraListVersion(this.db) !== null;
  }

  version(): number {
    return (this.db.prepare(`SELECT version FROM ${CAMERA_STATE_TABLE} WHERE one = 1`).get() as { version: number }).version;
  }

  /** First start: the config's cameras become the station's list (once; see seed.ts). */
  seed(cameras: readonly CameraConfig[]): void {
    this.db.transaction(() => {
      if (this.seeded()) return;
      for (const c of cameras) this.insertRow(c.id, fieldsOf(c), extraOf(c));
      this.db.prepare(`UPDATE ${CAMERA_STATE_TABLE} SET seeded_at = ?, version = version + 1 WHERE one = 1`).run(this.now());
    })();
  }

  list(): StationCameraRow[] {
    return readCameraRows(this.db);
  }

  get(id: string): StationCameraRow | null {
    return this.list().find((r) => r.id === id) ?? null;
  }

  /** A new camera; `extra` holds what the admin form does not edit (PTZ of an ONVIF-added camera). */
  insert(id: string, f: CameraFields, extra: Pick<CameraConfig, 'onvif'> = {}): void {
    this.insertRow(id, f, extra);
    this.bump();
  }

  update(id: string, f: CameraFields): void {
    const t = this.now();
    this.db
      .prepare(`UPDATE ${CAMERA_TABLE} SET name = ?, main = ?, sub = ?, transcode = ?, audio = ?, enabled = ?, updated_at = ? WHERE id = ?`)
      .run(f.name, f.main, f.sub ?? null, String(f.transcode), f.audio === undefined ? null : f.audio ? 1 : 0, f.enabled ? 1 : 0, t, id);
    this.bump();
  }

  remove(id: string): boolean {
    const n = this.db.prepare(`DELETE FROM ${CAMERA_TABLE} WHERE id = ?`).run(id).changes;
    if (n) this.bump();
    return n > 0;
  }

  private insertRow(id: string, f: CameraFields, extra: Record<string, unknown>): void {
    const t = this.now();
    const sort = (this.db.prepare(`SELECT COALESCE(MAX(sort), 0) + 1 AS next FROM ${CAMERA_TABLE}`).get() as { next: number }).next;
    this.db
      .prepare(`INSERT INTO ${CAMERA_TABLE} (id, name, main, sub, transcode, audio, enabled, extra, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, f.name, f.main, f.sub ?? null, String(f.transcode), f.audio === undefined ? null : f.audio ? 1 : 0, f.enabled ? 1 : 0, JSON.stringify(extra), sort, t, t);
  }

  private bump(): void {
    this.db.prepare(`UPDATE ${CAMERA_STATE_TABLE} SET version = version + 1 WHERE one = 1`).run();
  }
}

export function fieldsOf(c: CameraConfig, enabled = true): CameraFields {
  return { name: c.name, main: c.main, sub: c.sub, transcode: c.transcode, audio: c.audio, enabled };
}

function extraOf(c: CameraConfig): Record<string, unknown> {
  return { ...(c.position ? { position: c.position } : {}), ...(c.neighbours ? { neighbours: c.neighbours } : {}), ...(c.onvif ? { onvif: c.onvif } : {}) };
}
