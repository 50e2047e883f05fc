/**
 * The audit trail: an append-only, hash-chained table in the SFU's database. Only the SFU's
 * processes (the SFU, its CLI) write it; the recorder appends through the SFU's internal endpoint.
 * Each append reads the chain's tail and inserts in one IMMEDIATE transaction, so SQLite's write
 * lock keeps the chain single-writer even across processes. Triggers refuse UPDATE and DELETE.
 * Entries from `keyedFrom` on are HMACs with the chain key (see chain.ts, chain-key.ts).
 *
 * `append` never throws (for events that happened anyway, e.g. a stream that ended); `record`
 * throws AUDIT_UNAVAILABLE (503) so the action that needed the entry is refused. A failed append is
 * logged as an error and reported by `status()` (the SFU's /api/health) until an append works again.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { migrate, type AppDb } from '@wardwall/server-kit';
import { entryHash, firstBreak, GENESIS_HASH, type ChainBreak, type ChainEntry, type ChainKeying } from './chain.js';
import { CHAIN_KEY_FILE, deriveChainKey, loadOrCreateChainKey, type ChainKey } from './chain-key.js';
import { AppError, ErrorCode, type AuditEntry } from '@wardwall/common';

export const AUDIT_MIGRATIONS = [
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     user TEXT NOT NULL,
     action TEXT NOT NULL,
     camera TEXT,
     detail TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_log_at ON audit_log(at);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  `CREATE INDEX audit_log_action ON audit_log(action, seq);
   CREATE INDEX audit_log_user ON audit_log(user, seq);
   CREATE INDEX audit_log_camera ON audit_log(camera, seq);`,
  // Where the keyed (HMAC) chain starts: the next entry of an existing trail, 1 for a new one.
  `CREATE TABLE audit_chain (id INTEGER PRIMARY KEY CHECK (id = 1), keyed_from INTEGER NOT NULL);
   INSERT INTO audit_chain (id, keyed_from) SELECT 1, COALESCE(MAX(seq), 0) + 1 FROM audit_log;
   CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain BEGIN SELECT RAISE(ABORT, 'the audit chain start is fixed'); END;
   CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain BEGIN SELECT RAISE(ABORT, 'the audit chain start is fixed'); END;`,
];

/** The chain key of a database: the file beside it (the default `audit.chainKeyFile`); a random one in memory. */
export function defaultChainKey(db: AppDb): ChainKey {
  if (db.memory || !db.name) return deriveChainKey(randomBytes(32));
  return loadOrCreateChainKey(join(dirname(db.name), CHAIN_KEY_FILE));
}

export interface AuditStatus {
  ok: boolean;
  /** Why the last append failed (null when it worked). */
  lastError: string | null;
  failedAt: number | null;
  failures: number;
}

/** Who did it: a principal, or a name for the system itself ('system', 'cli:<user>'). */
export type Actor = { name: string; sessionId?: string | null } | string;

export type { AuditEntry };

export interface AuditQuery {
  user?: string;
  camera?: string;
  action?: string;
  from?: number;
  to?: number;
  /** Entries with seq below this (the page cursor). */
  before?: number;
  limit: number;
}

interface Row {
  seq: number;
  at: number;
  user: string;
  action: string;
  camera: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const toChain = (r: Row): ChainEntry => ({ seq: r.seq, at: r.at, user: r.user, action: r.action, camera: r.camera, detail: r.detail, prevHash: r.prev_hash, hash: r.hash });
const detailSchema = z.record(z.string(), z.unknown());

export class AuditLog {
  private readonly appendTx: (e: { at: number; user: string; action: string; camera: string | null; detail: string }) => number;
  private readonly tailStmt: { get(): unknown };
  readonly key: ChainKey;
  readonly keyedFrom: number;
  private failure: { error: string; at: number } | null = null;
  private failures = 0;

  constructor(
    private readonly db: AppDb,
    private readonly log: Logger | null = null,
    private readonly now: () => number = Date.now,
    opts: { migrate?: boolean; key?: ChainKey } = {},
  ) {
    if (opts.migrate !== false) migrate(db, 'audit', AUDIT_MIGRATIONS);
    this.key = opts.key ?? defaultChainKey(db);
    const start = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_chain'").get()
      ? (db.prepare('SELECT keyed_from FROM audit_chain WHERE id = 1').get() as { keyed_from: number } | undefined)
      : undefined;
    // A trail whose keyed start is missing is checked as keyed from the first entry (never weaker).
    this.keyedFrom = start?.keyed_from ?? 1;
    const keying: ChainKeying = { key: this.key.hmac, keyedFrom: this.keyedFrom };
    const tail = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.tailStmt = tail;
    const insert = db.prepare('INSERT INTO audit_log (seq, at, user, action, camera, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const tx = db.transaction((e: { at: number; user: string; action: string; camera: string | null; detail: string }) => {
      const last = tail.get() as { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = entryHash({ seq, ...e, prevHash }, keying);
      insert.run(seq, e.at, e.user, e.action, e.camera, e.detail, prevHash, hash);
      return seq;
    });
    this.appendTx = (e) => tx.immediate(e);
  }

  static ready(db: AppDb): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
  }

  /**
   * Appends one entry; never throws (a failed append is logged as an error and reported by
   * `status()`). Returns its seq, or null when it could not be written. `detail` must not carry
   * secrets (passwords, tokens, URLs).
   */
  append(actor: Actor, action: string, camera: string | null = null, detail: Record<string, unknown> = {}): number | null {
    const user = typeof actor === 'string' ? actor : actor.name;
    const full = typeof actor === 'object' && actor.sessionId ? { ...detail, session: actor.sessionId.slice(0, 8) } : detail;
    try {
      const seq = this.appendTx({ at: this.now(), user: user.slice(0, 120), action: action.slice(0, 64), camera: camera?.slice(0, 64) ?? null, detail: JSON.stringify(full).slice(0, 8192) });
      this.failure = null;
      return seq;
    } catch (e) {
      this.failures++;
      this.failure = { error: (e as Error).message.slice(0, 300), at: this.now() };
      this.log?.error({ err: (e as Error).message, action }, 'audit append failed');
      return null;
    }
  }

  /**
   * Appends one entry that an action needs: throws AppError AUDIT_UNAVAILABLE (503) when it cannot
   * be written, so the caller refuses the action instead of doing it unaudited. Returns the seq.
   */
  record(actor: Actor, action: string, camera: string | null = null, detail: Record<string, unknown> = {}): number {
    const seq = this.append(actor, action, camera, detail);
    if (seq === null) throw new AppError(ErrorCode.AUDIT_UNAVAILABLE, 'the audit trail cannot be written: the action is refused', 503);
    return seq;
  }

  /** Whether the last append worked (the SFU's /api/health reports it). */
  status(): AuditStatus {
    return { ok: this.failure === null, lastError: this.failure?.error ?? null, failedAt: this.failure?.at ?? null, failures: this.failures };
  }

  /** The last entry (null for an empty trail). */
  tail(): { seq: number; hash: string } | null {
    return (this.tailStmt.get() as { seq: number; hash: string } | undefined) ?? null;
  }

  /** The last entry's seq and hash at or before `seq` (null when absent). */
  entryHashAt(seq: number): string | null {
    const r = this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: string } | undefined;
    return r?.hash ?? null;
  }

  /** Newest first. */
  query(q: AuditQuery): { entries: AuditEntry[]; next: number | null } {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => (where.push(sql), args.push(v));
    if (q.user !== undefined) add('user = ?', q.user);
    if (q.camera !== undefined) add('camera = ?', q.camera);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at <= ?', q.to);
    if (q.before !== undefined) add('seq < ?', q.before);
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...args, q.limit + 1) as Row[];
    const page = rows.slice(0, q.limit);
    return {
      entries: page.map((r) => {
        const parsed = detailSchema.safeParse(safeJson(r.detail));
        return { seq: r.seq, at: r.at, user: r.user, action: r.action, camera: r.camera, detail: parsed.success ? parsed.data : {}, hash: r.hash, prevHash: r.prev_hash };
      }),
      next: rows.length > q.limit ? page[page.length - 1]!.seq : null,
    };
  }

  /** Walks the whole chain; null when intact. */
  verify(): { entries: number; broken: ChainBreak | null } {
    let n = 0;
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>;
    const counted = (function* () {
      for (const r of rows) {
        n++;
        yield toChain(r);
      }
    })();
    const broken = firstBreak(counted, { key: this.key.hmac, keyedFrom: this.keyedFrom });
    return { entries: n, broken };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
