/**
 * The SFU's own SQLite database (better-sqlite3, WAL): one file in `sfu.dataDir`, shared by the
 * features that keep state (accounts, audit trail, bookmarks, health alerts, presets, resident
 * cameras). Each feature owns its tables and brings its migrations: an ordered list of SQL scripts,
 * applied once each, in a transaction, recorded in `schema_versions`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SFU_DB_FILE } from '@wardwall/common/node';

export type AppDb = Database.Database;

export const APP_DB_FILE = SFU_DB_FILE;

/** Opens (creating when missing) the database in `dataDir`; `':memory:'` gives a private in-memory one. */
export function openAppDb(dataDir: string): AppDb {
  let db: AppDb;
  if (dataDir === ':memory:') db = new Database(':memory:');
  else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, APP_DB_FILE));
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
}

/**
 * Brings `feature`'s tables to the latest version: runs the scripts after the recorded version.
 * Scripts are append-only: never edit one that has shipped, add the next.
 */
export function migrate(db: AppDb, feature: string, scripts: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE feature = ?').get(feature) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > scripts.length) throw new Error(`database schema of "${feature}" is version ${current}, newer than this program (${scripts.length})`);
  const apply = db.transaction(() => {
    for (let v = current; v < scripts.length; v++) db.exec(scripts[v]!);
    db.prepare('INSERT INTO schema_versions (feature, version) VALUES (?, ?) ON CONFLICT(feature) DO UPDATE SET version = excluded.version').run(feature, scripts.length);
  });
  if (current < scripts.length) apply();
}
