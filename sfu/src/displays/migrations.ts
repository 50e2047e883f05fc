/** Tables of the displays feature (append-only scripts, see server-kit/src/app-db.ts `migrate`). */
export const DISPLAY_MIGRATIONS: readonly string[] = [
  `CREATE TABLE displays (
     name TEXT PRIMARY KEY,
     state_json TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE presets (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     layout TEXT NOT NULL,
     tiles_json TEXT NOT NULL,
     created_by TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE tours (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     interval_sec INTEGER NOT NULL,
     steps_json TEXT NOT NULL,
     created_by TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE display_rules (
     id TEXT PRIMARY KEY,
     trigger TEXT NOT NULL,
     display_name TEXT NOT NULL,
     camera_ids_json TEXT NOT NULL,
     enabled INTEGER NOT NULL,
     created_by TEXT NOT NULL
   );`,
];
