/**
 * Accounts and sessions in the SFU's SQLite database (tables `auth_users`, `auth_sessions`).
 * The SFU and the CLI open it read-write (and migrate); the recorder opens the same file and only
 * looks sessions up. Every value coming back from SQLite is parsed before use.
 */
import { z } from 'zod';
import { migrate, type AppDb } from '@wardwall/server-kit';
import { CAMERA_RULE_TARGET, ROLES, type CameraRule, type Grantee, type Role } from './roles.js';
import type { CameraPermission } from './access.js';

export const AUTH_MIGRATIONS = [
  `CREATE TABLE auth_users (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE COLLATE NOCASE,
     display_name TEXT NOT NULL,
     role TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     camera_rules TEXT NOT NULL DEFAULT '[]',
     lookback_override INTEGER NOT NULL DEFAULT 0,
     lookback_days REAL,
     created_ms INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL
   );
   CREATE TABLE auth_sessions (
     id TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
     created_ms INTEGER NOT NULL,
     expires_ms INTEGER NOT NULL,
     revoked_ms INTEGER,
     address TEXT,
     user_agent TEXT
   );
   CREATE INDEX auth_sessions_user ON auth_sessions(user_id);`,
  // Login locks in force (user name or client address), so a restart does not lift them.
  `CREATE TABLE auth_locks (
     key TEXT PRIMARY KEY,
     locked_until INTEGER NOT NULL
   );`,
];

const lockRow = z.object({ key: z.string().min(1).max(200), locked_until: z.number().int() });

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const cameraPermission = z.enum(['live', 'playback', 'export']);
export const cameraRuleSchema = z
  .object({ camera: z.string().regex(CAMERA_RULE_TARGET, 'a camera id, "*", "<ward>/*" or "<ward>/<camera>"'), permissions: z.array(cameraPermission).max(3) })
  .strict();
const rulesColumn = z.array(cameraRuleSchema);

export interface User extends Grantee {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  passwordHash: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  camera_rules: string;
  lookback_override: number;
  lookback_days: number | null;
}

function toUser(r: UserRow): User {
  const role = (ROLES as readonly string[]).includes(r.role) ? (r.role as Role) : 'viewer';
  let rules: CameraRule[];
  try {
    rules = rulesColumn.parse(JSON.parse(r.camera_rules)) as CameraRule[];
  } catch {
    rules = [{ camera: '*', permissions: [] }]; // unreadable rules grant nothing
  }
  return {
    id: String(r.id),
    username: r.username,
    displayName: r.display_name,
    role,
    passwordHash: r.password_hash,
    disabled: r.disabled !== 0,
    cameraRules: rules,
    ...(r.lookback_override ? { lookbackDays: r.lookback_days } : {}),
  };
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  cameraRules?: CameraRule[];
  lookbackDays?: number | null;
}

export interface UserChange {
  displayName?: string;
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
  cameraRules?: CameraRule[];
  /** null = unlimited; 'role' = back to the role's default. */
  lookbackDays?: number | null | 'role';
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdMs: number;
  expiresMs: number;
  revokedMs: number | null;
}

export class AuthStore {
  constructor(
    readonly db: AppDb,
    opts: { migrate?: boolean } = {},
  ) {
    if (opts.migrate !== false) migrate(db, 'auth', AUTH_MIGRATIONS);
  }

  /** Whether the tables exist (the recorder waits for the SFU to create them). */
  static ready(db: AppDb): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'auth_sessions'").get() !== undefined;
  }

  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM auth_users').get() as { n: number }).n;
  }

  users(): User[] {
    return (this.db.prepare('SELECT * FROM auth_users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  user(id: string): User | null {
    if (!/^\d{1,15}$/.test(id)) return null;
    const r = this.db.prepare('SELECT * FROM auth_users WHERE id = ?').get(Number(id)) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  userByName(username: string): User | null {
    const r = this.db.prepare('SELECT * FROM auth_users WHERE username = ?').get(username) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  /** Throws SqliteError SQLITE_CONSTRAINT_UNIQUE when the name exists. */
  addUser(u: NewUser, now: number): User {
    const info = this.db
      .prepare(
        `INSERT INTO auth_users (username, display_name, role, password_hash, camera_rules, lookback_override, lookback_days, created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(u.username, u.displayName, u.role, u.passwordHash, JSON.stringify(u.cameraRules ?? []), u.lookbackDays === undefined ? 0 : 1, u.lookbackDays ?? null, now, now);
    return this.user(String(info.lastInsertRowid))!;
  }

  updateUser(id: string, c: UserChange, now: number): User | null {
    const u = this.user(id);
    if (!u) return null;
    const sets: string[] = ['updated_ms = @now'];
    const v: Record<string, unknown> = { id: Number(id), now };
    if (c.displayName !== undefined) { sets.push('display_name = @displayName'); v.displayName = c.displayName; }
    if (c.role !== undefined) { sets.push('role = @role'); v.role = c.role; }
    if (c.passwordHash !== undefined) { sets.push('password_hash = @passwordHash'); v.passwordHash = c.passwordHash; }
    if (c.disabled !== undefined) { sets.push('disabled = @disabled'); v.disabled = c.disabled ? 1 : 0; }
    if (c.cameraRules !== undefined) { sets.push('camera_rules = @rules'); v.rules = JSON.stringify(c.cameraRules); }
    if (c.lookbackDays !== undefined) {
      sets.push('lookback_override = @lo', 'lookback_days = @ld');
      v.lo = c.lookbackDays === 'role' ? 0 : 1;
      v.ld = c.lookbackDays === 'role' ? null : c.lookbackDays;
    }
    this.db.prepare(`UPDATE auth_users SET ${sets.join(', ')} WHERE id = @id`).run(v);
    return this.user(id);
  }

  deleteUser(id: string): boolean {
    if (!/^\d{1,15}$/.test(id)) return false;
    return this.db.prepare('DELETE FROM auth_users WHERE id = ?').run(Number(id)).changes > 0;
  }

  adminCount(excludingId?: string): number {
    return (this.db.prepare("SELECT count(*) AS n FROM auth_users WHERE role = 'admin' AND disabled = 0 AND id != ?").get(Number(excludingId ?? -1)) as { n: number }).n;
  }

  /** Login locks still in force at `now` (expired ones are dropped). */
  activeLocks(now: number): { key: string; until: number }[] {
    this.db.prepare('DELETE FROM auth_locks WHERE locked_until <= ?').run(now);
    return (this.db.prepare('SELECT key, locked_until FROM auth_locks').all() as unknown[]).flatMap((raw) => {
      const r = lockRow.safeParse(raw);
      return r.success ? [{ key: r.data.key, until: r.data.locked_until }] : [];
    });
  }

  /** Forgets locks that are over. */
  dropExpiredLocks(now: number): void {
    this.db.prepare('DELETE FROM auth_locks WHERE locked_until <= ?').run(now);
  }

  saveLock(key: string, until: number): void {
    this.db.prepare('INSERT INTO auth_locks (key, locked_until) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET locked_until = excluded.locked_until').run(key, until);
  }

  clearLock(key: string): void {
    this.db.prepare('DELETE FROM auth_locks WHERE key = ?').run(key);
  }

  createSession(s: { id: string; userId: string; createdMs: number; expiresMs: number; address: string | null; userAgent: string | null }): void {
    this.db
      .prepare('INSERT INTO auth_sessions (id, user_id, created_ms, expires_ms, address, user_agent) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.id, Number(s.userId), s.createdMs, s.expiresMs, s.address?.slice(0, 64) ?? null, s.userAgent?.slice(0, 200) ?? null);
  }

  session(id: string): SessionRecord | null {
    const r = this.db.prepare('SELECT id, user_id, created_ms, expires_ms, revoked_ms FROM auth_sessions WHERE id = ?').get(id) as
      | { id: string; user_id: number; created_ms: number; expires_ms: number; revoked_ms: number | null }
      | undefined;
    return r ? { id: r.id, userId: String(r.user_id), createdMs: r.created_ms, expiresMs: r.expires_ms, revokedMs: r.revoked_ms } : null;
  }

  /** The live session and its (enabled) user, or null: unknown, revoked, expired, or the user disabled/deleted. */
  activeSession(id: string, expiresMs: number, now: number): { session: SessionRecord; user: User } | null {
    const s = this.session(id);
    // A token carries the expiry it was signed with: the session's, or an earlier one before a
    // renewal (still good until then: another tab may not have the renewed cookie yet).
    if (!s || s.revokedMs !== null || expiresMs > s.expiresMs || expiresMs <= now) return null;
    const user = this.user(s.userId);
    if (!user || user.disabled) return null;
    return { session: s, user };
  }

  /** Moves a live session's end (renewal); false when it is revoked or over. */
  extendSession(id: string, expiresMs: number, now: number): boolean {
    return this.db.prepare('UPDATE auth_sessions SET expires_ms = ? WHERE id = ? AND revoked_ms IS NULL AND expires_ms > ? AND expires_ms < ?').run(expiresMs, id, now, expiresMs).changes > 0;
  }

  revokeSession(id: string, now: number): boolean {
    return this.db.prepare('UPDATE auth_sessions SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL').run(now, id).changes > 0;
  }

  /** Ends every live session of a user, except `keep`; returns their ids. */
  revokeUserSessions(userId: string, now: number, keep?: string): string[] {
    const ids = (this.db.prepare('SELECT id FROM auth_sessions WHERE user_id = ? AND revoked_ms IS NULL AND expires_ms > ?').all(Number(userId), now) as { id: string }[])
      .map((r) => r.id)
      .filter((id) => id !== keep);
    for (const id of ids) this.revokeSession(id, now);
    return ids;
  }

  /** Forgets sessions that ended more than `keepMs` ago. */
  pruneSessions(now: number, keepMs = 7 * 86400000): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE expires_ms < ? OR (revoked_ms IS NOT NULL AND revoked_ms < ?)').run(now - keepMs, now - keepMs);
  }
}

export type { CameraPermission };
