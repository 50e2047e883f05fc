/**
 * Pursuit trails, IndexedDB first (its own small database, so the wall's schema is untouched).
 * Reads validate every record; writes are immediate. The interface is what follow mode needs; a
 * synced implementation (bookmarks/incidents) can stand in for this local one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { parseTrail, type Trail } from '../core/trail.js';

export interface TrailStore {
  save(trail: Trail): Promise<void>;
  /** Newest first. */
  list(): Promise<Trail[]>;
  get(id: string): Promise<Trail | null>;
  remove(id: string): Promise<void>;
}

interface TrailDB extends DBSchema {
  trails: { key: string; value: unknown };
}

export const TRAIL_DB_NAME = 'wardwall-trails';

export class LocalTrailStore implements TrailStore {
  private db: Promise<IDBPDatabase<TrailDB>> | null = null;

  constructor(private readonly name = TRAIL_DB_NAME) {}

  private open(): Promise<IDBPDatabase<TrailDB>> {
    this.db ??= openDB<TrailDB>(this.name, 1, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) db.createObjectStore('trails', { keyPath: 'id' });
      },
      blocking: () => {
        void this.db?.then((db) => db.close());
        this.db = null;
      },
    });
    return this.db;
  }

  async save(trail: Trail): Promise<void> {
    await (await this.open()).put('trails', structuredClone(trail));
  }

  async list(): Promise<Trail[]> {
    const all = await (await this.open()).getAll('trails');
    return all
      .map(parseTrail)
      .filter((t): t is Trail => t !== null)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<Trail | null> {
    return parseTrail(await (await this.open()).get('trails', id));
  }

  async remove(id: string): Promise<void> {
    await (await this.open()).delete('trails', id);
  }
}
