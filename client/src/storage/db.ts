/**
 * The wall's IndexedDB: preferences (language, layout, stats overlay) and the camera on each tile.
 * Versioned: each schema change adds a step to `upgrade`, never rewrites an old one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DB_NAME = 'wardwall';
export const DB_VERSION = 1;

export type PrefKey = 'lang' | 'layout' | 'showStats' | 'selected';

export interface PrefRecord {
  key: PrefKey;
  /** Parsed and checked on read: the database may hold anything an older build wrote. */
  value: unknown;
  updatedAt: number;
}

export interface TileRecord {
  /** Tile index on the wall (0..15). */
  index: number;
  cameraId: string;
  updatedAt: number;
}

export interface WallDB extends DBSchema {
  prefs: { key: PrefKey; value: PrefRecord };
  tiles: { key: number; value: TileRecord };
}

export type WallDatabase = IDBPDatabase<WallDB>;

export function openWallDb(name = DB_NAME): Promise<WallDatabase> {
  return openDB<WallDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('prefs', { keyPath: 'key' });
        db.createObjectStore('tiles', { keyPath: 'index' });
      }
    },
    blocking() {
      // A newer build in another tab wants to upgrade: let it (this tab reopens on its next reload).
      void dbPromise?.then((db) => db.close());
      dbPromise = null;
    },
  });
}

let dbPromise: Promise<WallDatabase> | null = null;

/** The shared connection, opened on first use. */
export function wallDb(): Promise<WallDatabase> {
  dbPromise ??= openWallDb();
  return dbPromise;
}
