/**
 * Each camera's learned reference still (see picture-detector.ts) in the SFU's SQLite database, so
 * a restart does not learn again from whatever the camera shows then: a camera moved or defocused
 * while the SFU was down is still judged against the scene it used to show. One row per camera,
 * replaced when the camera learns again; deleted when an operator accepts a new view.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { migrate, type AppDb } from '@wardwall/server-kit';
import type { PictureReference } from './picture-detector.js';

const MIGRATIONS = [
  `CREATE TABLE health_references (
     camera_id TEXT PRIMARY KEY,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     luma BLOB NOT NULL,
     normal_diff REAL NOT NULL,
     sharpness REAL NOT NULL,
     noise_floor REAL NOT NULL,
     learned_at INTEGER NOT NULL
   );`,
];

/** A stored row, checked before use: the file may come from another version or be damaged. */
const rowSchema = z
  .object({
    width: z.number().int().min(3).max(4096),
    height: z.number().int().min(3).max(4096),
    luma: z.instanceof(Uint8Array),
    normal_diff: z.number().min(0),
    sharpness: z.number().min(0),
    noise_floor: z.number().min(0),
    learned_at: z.number().int(),
  })
  .refine((r) => r.luma.length === r.width * r.height, { message: 'luma is not width × height bytes', path: ['luma'] });

export interface SavedReference extends PictureReference {
  learnedAt: number;
}

/** Where the health monitor keeps references (the store below; tests may pass their own). */
export interface ReferenceKeeper {
  load(cameraId: string): SavedReference | null;
  save(cameraId: string, ref: PictureReference, at: number): void;
  forget(cameraId: string): void;
}

export class ReferenceStore implements ReferenceKeeper {
  constructor(
    private readonly db: AppDb,
    private readonly log?: Logger,
  ) {
    migrate(db, 'health_reference', MIGRATIONS);
  }

  /** The saved reference of a camera; null when there is none or the row is unusable (it is then learned again). */
  load(cameraId: string): SavedReference | null {
    const raw: unknown = this.db.prepare('SELECT width, height, luma, normal_diff, sharpness, noise_floor, learned_at FROM health_references WHERE camera_id = ?').get(cameraId);
    if (raw === undefined) return null;
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      this.log?.warn({ camera: cameraId, field: issue.path.join('.'), problem: issue.message }, 'saved health reference unusable: learning it again');
      return null;
    }
    const r = parsed.data;
    return { width: r.width, height: r.height, luma: new Uint8Array(r.luma), normalDiff: r.normal_diff, sharpness: r.sharpness, noiseFloor: r.noise_floor, learnedAt: r.learned_at };
  }

  save(cameraId: string, ref: PictureReference, at: number): void {
    this.db
      .prepare(
        `INSERT INTO health_references (camera_id, width, height, luma, normal_diff, sharpness, noise_floor, learned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(camera_id) DO UPDATE SET width = excluded.width, height = excluded.height, luma = excluded.luma, normal_diff = excluded.normal_diff,
           sharpness = excluded.sharpness, noise_floor = excluded.noise_floor, learned_at = excluded.learned_at`,
      )
      .run(cameraId, ref.width, ref.height, Buffer.from(ref.luma.buffer, ref.luma.byteOffset, ref.luma.byteLength), ref.normalDiff, ref.sharpness, ref.noiseFloor, at);
  }

  forget(cameraId: string): void {
    this.db.prepare('DELETE FROM health_references WHERE camera_id = ?').run(cameraId);
  }
}
