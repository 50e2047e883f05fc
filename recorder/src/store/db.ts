/**
 * The SQLite index of the store (better-sqlite3, WAL). It can always be rebuilt from the files
 * (see reconcile.ts): segment rows mirror files; holds and exports are the only state of their own.
 * Paths are stored relative to the store root.
 */
import Database from 'better-sqlite3';
import { SpanCache } from './span-cache.js';
import type { SpansResult } from '../playback/spans.js';

export interface SegmentRow {
  id: number;
  camera: string;
  startMs: number;
  endMs: number;
  bytes: number;
  path: string;
  open: boolean;
}

export interface HoldRow {
  id: number;
  camera: string | null;
  startMs: number;
  endMs: number;
  reason: string;
  createdBy: string;
  createdMs: number;
  /**
   * Who may release it besides an administrator and the SFU's service: the creating user's id,
   * 'service' for the SFU's own holds (bookmarks), null for holds the recorder made (exports).
   */
  createdByUser?: string | null;
}

export interface ExportRow {
  id: string;
  cameras: string[];
  fromMs: number;
  toMs: number;
  exportedBy: string;
  createdMs: number;
  /** 'expired': the package was deleted after `recorder.exports.expireHours` (its holds released). */
  state: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  progress: number;
  error: string | null;
  file: string | null;
  bytes: number | null;
  holdIds: number[];
  /** The (camera, window) ranges of the package; the old form is one range per camera over [fromMs, toMs). */
  ranges: ExportRange[];
  title: string | null;
}

export interface ExportRange {
  camera: string;
  from: number;
  to: number;
}

/** Version of the day summaries' meaning (meta values are integers). */
const DAY_SPANS_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS segments (
  id INTEGER PRIMARY KEY,
  camera TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  path TEXT NOT NULL UNIQUE,
  open INTEGER NOT NULL DEFAULT 0
);
-- Covering (camera, start, end): span listing reads the index only, never the table.
DROP INDEX IF EXISTS segments_camera_start;
CREATE INDEX IF NOT EXISTS segments_camera_span ON segments (camera, start_ms, end_ms);
-- Merged spans per camera and UTC day (see span-cache.ts): derived data, rebuilt when dropped.
CREATE TABLE IF NOT EXISTS day_spans (
  camera TEXT NOT NULL,
  day INTEGER NOT NULL,
  spans TEXT NOT NULL,
  PRIMARY KEY (camera, day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS segments_start ON segments (start_ms);
CREATE TABLE IF NOT EXISTS holds (
  id INTEGER PRIMARY KEY,
  camera TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  released_ms INTEGER
);
CREATE INDEX IF NOT EXISTS holds_active ON holds (released_ms, start_ms);
CREATE TABLE IF NOT EXISTS exports (
  id TEXT PRIMARY KEY,
  cameras TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  exported_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  progress REAL NOT NULL DEFAULT 0,
  error TEXT,
  file TEXT,
  bytes INTEGER,
  hold_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

type RawSeg = { id: number; camera: string; start_ms: number; end_ms: number; bytes: number; path: string; open: number };
const toSeg = (r: RawSeg): SegmentRow => ({ id: r.id, camera: r.camera, startMs: r.start_ms, endMs: r.end_ms, bytes: r.bytes, path: r.path, open: r.open === 1 });

export class RecorderDb {
  readonly db: Database.Database;
  /** Longest segment in the index, ms: bounds the range scan of overlap queries. */
  private maxSegmentMs: number;
  private storeBytes: number;
  private readonly st;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Added with multi-range exports (an older index lacks them).
    const cols = new Set((this.db.prepare('PRAGMA table_info(exports)').all() as { name: string }[]).map((c) => c.name));
    if (!cols.has('ranges')) this.db.exec('ALTER TABLE exports ADD COLUMN ranges TEXT');
    if (!cols.has('title')) this.db.exec('ALTER TABLE exports ADD COLUMN title TEXT');
    // Added with hold ownership (who may release a hold).
    const holdCols = new Set((this.db.prepare('PRAGMA table_info(holds)').all() as { name: string }[]).map((c) => c.name));
    if (!holdCols.has('created_by_user')) this.db.exec('ALTER TABLE holds ADD COLUMN created_by_user TEXT');
    const db = this.db;
    this.st = {
      insert: db.prepare('INSERT INTO segments (camera, start_ms, end_ms, bytes, path, open) VALUES (?, ?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE segments SET start_ms = ?, end_ms = ?, bytes = ?, path = ?, open = ? WHERE id = ?'),
      del: db.prepare('DELETE FROM segments WHERE id = ?'),
      byId: db.prepare('SELECT * FROM segments WHERE id = ?'),
      byPath: db.prepare('SELECT * FROM segments WHERE path = ?'),
      overlap: db.prepare('SELECT * FROM segments WHERE camera = ? AND start_ms < ? AND start_ms >= ? AND end_ms > ? ORDER BY start_ms'),
      ranges: db.prepare('SELECT start_ms, end_ms FROM segments WHERE camera = ? AND start_ms < ? AND start_ms >= ? AND end_ms > ? ORDER BY start_ms').raw(),
      oldest: db.prepare('SELECT * FROM segments ORDER BY start_ms'),
      open: db.prepare('SELECT * FROM segments WHERE open = 1'),
      all: db.prepare('SELECT id, path, bytes FROM segments'),
      metaGet: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      metaSet: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      holdsActive: db.prepare('SELECT * FROM holds WHERE released_ms IS NULL ORDER BY start_ms'),
      holdInsert: db.prepare('INSERT INTO holds (camera, start_ms, end_ms, reason, created_by, created_ms, created_by_user) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      holdsOfUser: db.prepare('SELECT count(*) FROM holds WHERE released_ms IS NULL AND created_by_user = ?').pluck(),
      holdRelease: db.prepare('UPDATE holds SET released_ms = ? WHERE id = ? AND released_ms IS NULL'),
      holdGet: db.prepare('SELECT * FROM holds WHERE id = ? AND released_ms IS NULL'),
      exportInsert: db.prepare('INSERT INTO exports (id, cameras, from_ms, to_ms, exported_by, created_ms, state, hold_ids, ranges, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      exportUpdate: db.prepare('UPDATE exports SET state = ?, progress = ?, error = ?, file = ?, bytes = ? WHERE id = ?'),
      exportGet: db.prepare('SELECT * FROM exports WHERE id = ?'),
      daySpansGet: db.prepare('SELECT spans FROM day_spans WHERE camera = ? AND day = ?').pluck(),
      daySpansPut: db.prepare('INSERT INTO day_spans (camera, day, spans) VALUES (?, ?, ?) ON CONFLICT (camera, day) DO UPDATE SET spans = excluded.spans'),
      daySpansDrop: db.prepare('DELETE FROM day_spans WHERE camera = ? AND day = ?'),
    };
    // Day summaries written by a version that did not maintain them are not trusted.
    if (Number(this.st.metaGet.get('day_spans_version')) !== DAY_SPANS_VERSION) {
      db.exec('DELETE FROM day_spans');
      this.st.metaSet.run('day_spans_version', DAY_SPANS_VERSION);
    }
    this.maxSegmentMs = Number(this.st.metaGet.get('max_segment_ms') ?? 0);
    if (!this.maxSegmentMs) {
      const m = db.prepare('SELECT max(end_ms - start_ms) FROM segments').pluck().get() as number | null;
      this.maxSegmentMs = m ?? 0;
      this.st.metaSet.run('max_segment_ms', this.maxSegmentMs);
    }
    this.storeBytes = (db.prepare('SELECT coalesce(sum(bytes), 0) FROM segments').pluck().get() as number) ?? 0;
  }

  get totalBytes(): number {
    return this.storeBytes;
  }

  private noteDuration(ms: number): void {
    if (ms > this.maxSegmentMs) {
      this.maxSegmentMs = ms;
      this.st.metaSet.run('max_segment_ms', ms);
    }
  }

  private readonly spanCache = new SpanCache((camera, from, to) => this.ranges(camera, from, to), 250, {
    get: (camera, day) => {
      const text = this.st.daySpansGet.get(camera, day) as string | undefined;
      return text === undefined ? undefined : (JSON.parse(text) as [number, number][]).map(([startMs, endMs]) => ({ startMs, endMs }));
    },
    put: (camera, day, spans) => void this.st.daySpansPut.run(camera, day, JSON.stringify(spans.map((r) => [r.startMs, r.endMs]))),
    drop: (camera, day) => void this.st.daySpansDrop.run(camera, day),
  });

  /** Recorded spans and gaps of a camera over [from, to) (cached per day). */
  spans(camera: string, from: number, to: number): SpansResult {
    return this.spanCache.spans(camera, from, to);
  }

  insertSegment(s: Omit<SegmentRow, 'id'>): number {
    return this.tx(() => {
      this.noteDuration(s.endMs - s.startMs);
      const info = this.st.insert.run(s.camera, s.startMs, s.endMs, s.bytes, s.path, s.open ? 1 : 0);
      this.spanCache.appended(s.camera, s.startMs, s.endMs);
      this.storeBytes += s.bytes;
      return Number(info.lastInsertRowid);
    });
  }

  updateSegment(id: number, s: Pick<SegmentRow, 'startMs' | 'endMs' | 'bytes' | 'path' | 'open'>): void {
    this.tx(() => {
      const old = this.segment(id);
      this.noteDuration(s.endMs - s.startMs);
      this.st.update.run(s.startMs, s.endMs, s.bytes, s.path, s.open ? 1 : 0, id);
      if (!old) return;
      // The open segment growing at its end extends the summary; anything else recomputes.
      if (s.startMs === old.startMs && s.endMs >= old.endMs) this.spanCache.appended(old.camera, s.startMs, s.endMs);
      else {
        this.spanCache.invalidate(old.camera, old.startMs, old.endMs);
        this.spanCache.invalidate(old.camera, s.startMs, s.endMs);
      }
      this.storeBytes += s.bytes - old.bytes;
    });
  }

  deleteSegment(id: number): void {
    this.tx(() => {
      const old = this.segment(id);
      if (old) this.spanCache.invalidate(old.camera, old.startMs, old.endMs);
      this.st.del.run(id);
      if (old) this.storeBytes -= old.bytes;
    });
  }

  /** Runs `fn` in a transaction (nested calls join the outer one): a row and its day summary change together. */
  private tx<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }

  segment(id: number): SegmentRow | null {
    const r = this.st.byId.get(id) as RawSeg | undefined;
    return r ? toSeg(r) : null;
  }

  segmentByPath(path: string): SegmentRow | null {
    const r = this.st.byPath.get(path) as RawSeg | undefined;
    return r ? toSeg(r) : null;
  }

  /** Segments of a camera overlapping [from, to), by start. */
  overlapping(camera: string, from: number, to: number): SegmentRow[] {
    return (this.st.overlap.all(camera, to, from - this.maxSegmentMs - 1, from) as RawSeg[]).map(toSeg);
  }

  /** Just the [start, end] pairs, for span listing (fast path). */
  ranges(camera: string, from: number, to: number): [number, number][] {
    return this.st.ranges.all(camera, to, from - this.maxSegmentMs - 1, from) as [number, number][];
  }

  /** All segments oldest first (lazy). */
  *oldestFirst(): Generator<SegmentRow> {
    for (const r of this.st.oldest.iterate() as IterableIterator<RawSeg>) yield toSeg(r);
  }

  openSegments(): SegmentRow[] {
    return (this.st.open.all() as RawSeg[]).map(toSeg);
  }

  allSegmentPaths(): { id: number; path: string; bytes: number }[] {
    return this.st.all.all() as { id: number; path: string; bytes: number }[];
  }

  activeHolds(): HoldRow[] {
    return (this.st.holdsActive.all() as { id: number; camera: string | null; start_ms: number; end_ms: number; reason: string; created_by: string; created_ms: number; created_by_user: string | null }[]).map((r) => ({
      id: r.id,
      camera: r.camera,
      startMs: r.start_ms,
      endMs: r.end_ms,
      reason: r.reason,
      createdBy: r.created_by,
      createdMs: r.created_ms,
      createdByUser: r.created_by_user,
    }));
  }

  addHold(h: Omit<HoldRow, 'id'>): number {
    return Number(this.st.holdInsert.run(h.camera, h.startMs, h.endMs, h.reason, h.createdBy, h.createdMs, h.createdByUser ?? null).lastInsertRowid);
  }

  /** Active holds a user made through the API. */
  activeHoldsOf(userId: string): number {
    return this.st.holdsOfUser.get(userId) as number;
  }

  releaseHold(id: number, now: number): boolean {
    return this.st.holdRelease.run(now, id).changes > 0;
  }

  hold(id: number): HoldRow | null {
    const r = this.st.holdGet.get(id) as { id: number; camera: string | null; start_ms: number; end_ms: number; reason: string; created_by: string; created_ms: number; created_by_user: string | null } | undefined;
    return r ? { id: r.id, camera: r.camera, startMs: r.start_ms, endMs: r.end_ms, reason: r.reason, createdBy: r.created_by, createdMs: r.created_ms, createdByUser: r.created_by_user } : null;
  }

  insertExport(e: ExportRow): void {
    this.st.exportInsert.run(e.id, JSON.stringify(e.cameras), e.fromMs, e.toMs, e.exportedBy, e.createdMs, e.state, JSON.stringify(e.holdIds), JSON.stringify(e.ranges), e.title);
  }

  updateExport(id: string, u: Pick<ExportRow, 'state' | 'progress' | 'error' | 'file' | 'bytes'>): void {
    this.st.exportUpdate.run(u.state, u.progress, u.error, u.file, u.bytes, id);
  }

  export(id: string): ExportRow | null {
    const r = this.st.exportGet.get(id) as
      | { id: string; cameras: string; from_ms: number; to_ms: number; exported_by: string; created_ms: number; state: ExportRow['state']; progress: number; error: string | null; file: string | null; bytes: number | null; hold_ids: string; ranges: string | null; title: string | null }
      | undefined;
    if (!r) return null;
    const cameras = JSON.parse(r.cameras) as string[];
    return {
      id: r.id,
      cameras,
      ranges: r.ranges ? (JSON.parse(r.ranges) as ExportRange[]) : cameras.map((camera) => ({ camera, from: r.from_ms, to: r.to_ms })),
      title: r.title,
      fromMs: r.from_ms,
      toMs: r.to_ms,
      exportedBy: r.exported_by,
      createdMs: r.created_ms,
      state: r.state,
      progress: r.progress,
      error: r.error,
      file: r.file,
      bytes: r.bytes,
      holdIds: JSON.parse(r.hold_ids) as number[],
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
