/**
 * The wall's IndexedDB: preferences (language, layout, stats overlay) and the camera on each tile
 * (v1); bookmarks, incidents, their sync outbox and the sync cursor (v2).
 * Versioned: each schema change adds a step to `upgrade`, never rewrites an old one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Bookmark, Change, Incident } from '@wardwall/common/bookmarks';

export const DB_NAME = 'wardwall';
export const DB_VERSION = 2;

export type PrefKey = 'lang' | 'layout' | 'showStats' | 'selected' | 'me' | 'wallSaved';

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

/** Where a local record stands with the server. */
export type SyncMark = 'synced' | 'pending' | 'rejected';

/** A bookmark as this browser knows it: the server's record with local edits applied on top. */
export type LocalBookmark = Bookmark & { sync: SyncMark; syncError: { code: string; message: string } | null };
export type LocalIncident = Incident & { sync: SyncMark; syncError: { code: string; message: string } | null };

/**
 * One record's unsent edits (coalesced: one entry per record, later edits merge into it).
 * `rev` grows on each merge, so an answer for an older state does not clear newer edits.
 */
export type OutboxEntry = Change & {
  key: string;
  /** Queue order (first edit of this record). */
  order: number;
  rev: number;
  attempts: number;
  /** The server refused the change: kept (nothing is lost) but not resent until edited again. */
  rejected: { code: string; message: string } | null;
};

export interface SyncMetaRecord {
  key: 'cursor' | 'clockOffset';
  value: number;
}

export interface WallDB extends DBSchema {
  prefs: { key: PrefKey; value: PrefRecord };
  tiles: { key: number; value: TileRecord };
  bookmarks: { key: string; value: LocalBookmark; indexes: { 'by-start': number } };
  incidents: { key: string; value: LocalIncident };
  outbox: { key: string; value: OutboxEntry; indexes: { 'by-order': number } };
  syncMeta: { key: SyncMetaRecord['key']; value: SyncMetaRecord };
}

export type WallDatabase = IDBPDatabase<WallDB>;

export function openWallDb(name = DB_NAME): Promise<WallDatabase> {
  return openDB<WallDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('prefs', { keyPath: 'key' });
        db.createObjectStore('tiles', { keyPath: 'index' });
      }
      if (oldVersion < 2) {
        db.createObjectStore('bookmarks', { keyPath: 'id' }).createIndex('by-start', 'startMs');
        db.createObjectStore('incidents', { keyPath: 'id' });
        db.createObjectStore('outbox', { keyPath: 'key' }).createIndex('by-order', 'order');
        db.createObjectStore('syncMeta', { keyPath: 'key' });
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
