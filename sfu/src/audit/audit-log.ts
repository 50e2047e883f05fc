/**
 * The audit trail: an append-only, hash-chained table in the SFU's database. Both the SFU and the
 * recorder append to it; each append reads the chain's tail and inserts in one IMMEDIATE
 * transaction, so SQLite's write lock keeps the chain single-writer even across processes.
 * Triggers refuse UPDATE and DELETE.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { migrate, type AppDb } from '../store/app-db.js';
import { entryHash, firstBreak, GENESIS_HASH, type ChainBreak, type ChainEntry } from './chain.js';
import type { AuditEntry } from '@wardwall/common';

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
];

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

  constructor(
    private readonly db: AppDb,
    private readonly log: Logger | null = null,
    private readonly now: () => number = Date.now,
    opts: { migrate?: boolean } = {},
  ) {
    if (opts.migrate !== false) migrate(db, 'audit', AUDIT_MIGRATIONS);
    const tail = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare('INSERT INTO audit_log (seq, at, user, action, camera, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const tx = db.transaction((e: { at: number; user: string; action: string; camera: string | null; detail: string }) => {
      const last = tail.get() as { seq: number; hash: string } | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = entryHash({ seq, ...e, prevHash });
      insert.run(seq, e.at, e.user, e.action, e.camera, e.detail, prevHash, hash);
      return seq;
    });
    this.appendTx = (e) => tx.immediate(e);
  }

  static ready(db: AppDb): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
  }

  /**
   * Appends one entry; never throws (a failed append is logged as an error). Returns its seq, or
   * null when it could not be written. `detail` must not carry secrets (passwords, tokens, URLs).
   */
  append(actor: Actor, action: string, camera: string | null = null, detail: Record<string, unknown> = {}): number | null {
    const user = typeof actor === 'string' ? actor : actor.name;
    const full = typeof actor === 'object' && actor.sessionId ? { ...detail, session: actor.sessionId.slice(0, 8) } : detail;
    try {
      return this.appendTx({ at: this.now(), user: user.slice(0, 120), action: action.slice(0, 64), camera: camera?.slice(0, 64) ?? null, detail: JSON.stringify(full).slice(0, 8192) });
    } catch (e) {
      this.log?.error({ err: (e as Error).message, action }, 'audit append failed');
      return null;
    }
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
    const broken = firstBreak(counted);
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
