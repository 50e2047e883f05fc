/**
 * Bookmarks and incidents in the SFU's SQLite database. A record is kept whole as JSON (the fields,
 * the per-field times, author, seq) with indexed columns for the queries; every applied change
 * takes the next sequence number, so clients pull "everything after seq N" (tombstones included).
 * The merge rule is the pure `mergeFields` (common/src/bookmarks.ts).
 */
import {
  BOOKMARK_DEFAULTS,
  BOOKMARK_FIELDS,
  BOOKMARK_REQUIRED,
  INCIDENT_DEFAULTS,
  INCIDENT_FIELDS,
  INCIDENT_REQUIRED,
  AppError,
  ErrorCode,
  checkBookmarkWindow,
  mergeFields,
  withBookmarkDefaults,
  type Bookmark,
  type BookmarkChange,
  type BookmarkFields,
  type Incident,
  type IncidentChange,
  type IncidentFields,
} from '@wardwall/common';
import { migrate, type AppDb } from '@wardwall/server-kit';

export const BOOKMARK_MIGRATIONS = [
  `CREATE TABLE bookmarks (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     start_ms INTEGER NOT NULL,
     end_ms INTEGER NOT NULL,
     author TEXT NOT NULL,
     incident_id TEXT,
     deleted INTEGER NOT NULL DEFAULT 0,
     record TEXT NOT NULL
   );
   CREATE INDEX bookmarks_seq ON bookmarks (seq);
   CREATE INDEX bookmarks_time ON bookmarks (start_ms);
   CREATE INDEX bookmarks_incident ON bookmarks (incident_id);
   CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     deleted INTEGER NOT NULL DEFAULT 0,
     record TEXT NOT NULL
   );
   CREATE INDEX incidents_seq ON incidents (seq);
   CREATE TABLE bookmark_seq (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL);
   INSERT INTO bookmark_seq (one, seq) VALUES (1, 0);`,
];

const pick = <F extends object>(r: F, keys: readonly (keyof F)[]): F => Object.fromEntries(keys.map((k) => [k, r[k]])) as F;

/** A stored bookmark; records written before a field existed get its default. */
const readBookmark = (json: string): Bookmark => withBookmarkDefaults(JSON.parse(json) as Bookmark);

/** A coded error naming the field. */
export function badField(field: string, message: string): AppError {
  return new AppError(ErrorCode.BAD_BOOKMARK, `${field}: ${message}`);
}

export class BookmarkStore {
  private readonly st;

  constructor(private readonly db: AppDb) {
    migrate(db, 'bookmarks', BOOKMARK_MIGRATIONS);
    this.st = {
      nextSeq: db.prepare('UPDATE bookmark_seq SET seq = seq + 1 WHERE one = 1 RETURNING seq').pluck(),
      seq: db.prepare('SELECT seq FROM bookmark_seq WHERE one = 1').pluck(),
      bGet: db.prepare('SELECT record FROM bookmarks WHERE id = ?').pluck(),
      bPut: db.prepare(
        `INSERT INTO bookmarks (id, seq, start_ms, end_ms, author, incident_id, deleted, record) VALUES (@id, @seq, @startMs, @endMs, @author, @incidentId, @deleted, @record)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, start_ms = excluded.start_ms, end_ms = excluded.end_ms, incident_id = excluded.incident_id, deleted = excluded.deleted, record = excluded.record`,
      ),
      bSince: db.prepare('SELECT record FROM bookmarks WHERE seq > ? ORDER BY seq').pluck(),
      bWindow: db.prepare('SELECT record FROM bookmarks WHERE deleted = 0 AND start_ms <= ? AND end_ms >= ? ORDER BY start_ms DESC').pluck(),
      bLive: db.prepare('SELECT record FROM bookmarks WHERE deleted = 0').pluck(),
      bOfIncident: db.prepare('SELECT record FROM bookmarks WHERE incident_id = ? AND deleted = 0 ORDER BY start_ms').pluck(),
      iGet: db.prepare('SELECT record FROM incidents WHERE id = ?').pluck(),
      iPut: db.prepare(
        `INSERT INTO incidents (id, seq, deleted, record) VALUES (@id, @seq, @deleted, @record)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted, record = excluded.record`,
      ),
      iSince: db.prepare('SELECT record FROM incidents WHERE seq > ? ORDER BY seq').pluck(),
      iLive: db.prepare('SELECT record FROM incidents WHERE deleted = 0 ORDER BY seq DESC').pluck(),
    };
  }

  get seq(): number {
    return this.st.seq.get() as number;
  }

  bookmark(id: string): Bookmark | null {
    const r = this.st.bGet.get(id) as string | undefined;
    return r ? readBookmark(r) : null;
  }

  incident(id: string): Incident | null {
    const r = this.st.iGet.get(id) as string | undefined;
    return r ? (JSON.parse(r) as Incident) : null;
  }

  /** Records changed after `since` (tombstones included), oldest change first. */
  since(since: number): { bookmarks: Bookmark[]; incidents: Incident[] } {
    return {
      bookmarks: (this.st.bSince.all(since) as string[]).map(readBookmark),
      incidents: (this.st.iSince.all(since) as string[]).map((r) => JSON.parse(r) as Incident),
    };
  }

  /** Live bookmarks overlapping [from, to] (newest first); without a window, every live bookmark. */
  bookmarks(from?: number, to?: number): Bookmark[] {
    const rows = from !== undefined || to !== undefined ? this.st.bWindow.all(to ?? Number.MAX_SAFE_INTEGER, from ?? 0) : this.st.bLive.all();
    return (rows as string[]).map(readBookmark);
  }

  incidents(): Incident[] {
    return (this.st.iLive.all() as string[]).map((r) => JSON.parse(r) as Incident);
  }

  bookmarksOf(incidentId: string): Bookmark[] {
    return (this.st.bOfIncident.all(incidentId) as string[]).map(readBookmark);
  }

  /**
   * Applies one bookmark change (already schema-checked, access-checked by the caller): merges per
   * field, checks the merged record, stores it with the next seq. Returns the stored record and
   * whether anything changed. Throws BAD_BOOKMARK naming the field.
   */
  applyBookmark(change: BookmarkChange, author: string, now: number): { record: Bookmark; changed: boolean } {
    return this.db.transaction(() => {
      const cur = this.bookmark(change.id);
      if (!cur) for (const f of BOOKMARK_REQUIRED) if (change.fields[f] === undefined) throw badField(f, 'required for a new bookmark');
      const base = cur ? { fields: pick<BookmarkFields>(cur, BOOKMARK_FIELDS), times: cur.times } : null;
      const fields = cur ? change.fields : { ...BOOKMARK_DEFAULTS, ...change.fields };
      const m = mergeFields<BookmarkFields>(base, { fields, times: change.times }, now);
      const err = checkBookmarkWindow(m.fields, now);
      if (err) throw badField(err.field, err.message);
      if (cur && m.taken.length === 0) return { record: cur, changed: false };
      const seq = this.st.nextSeq.get() as number;
      const record: Bookmark = { ...m.fields, id: change.id, author: cur?.author ?? author, createdMs: cur?.createdMs ?? now, updatedMs: now, seq, times: m.times };
      this.st.bPut.run({ id: record.id, seq, startMs: record.startMs, endMs: record.endMs, author: record.author, incidentId: record.incidentId, deleted: record.deleted ? 1 : 0, record: JSON.stringify(record) });
      return { record, changed: true };
    })();
  }

  applyIncident(change: IncidentChange, author: string, now: number): { record: Incident; changed: boolean } {
    return this.db.transaction(() => {
      const cur = this.incident(change.id);
      if (!cur) for (const f of INCIDENT_REQUIRED) if (change.fields[f] === undefined) throw badField(f, 'required for a new incident');
      const base = cur ? { fields: pick<IncidentFields>(cur, INCIDENT_FIELDS), times: cur.times } : null;
      const fields = cur ? change.fields : { ...INCIDENT_DEFAULTS, ...change.fields };
      const m = mergeFields<IncidentFields>(base, { fields, times: change.times }, now);
      if (cur && m.taken.length === 0) return { record: cur, changed: false };
      const seq = this.st.nextSeq.get() as number;
      const record: Incident = { ...m.fields, id: change.id, author: cur?.author ?? author, createdMs: cur?.createdMs ?? now, updatedMs: now, seq, times: m.times };
      this.st.iPut.run({ id: record.id, seq, deleted: record.deleted ? 1 : 0, record: JSON.stringify(record) });
      return { record, changed: true };
    })();
  }
}
