/**
 * The segment store: the files under the store root and their SQLite index. It closes segments
 * (cut a truncated last fragment, rename to the final name, index), reconciles the index with the
 * disk on start, deletes for retention, and resolves index paths to files without ever leaving the
 * root.
 */
import { mkdirSync, readdirSync, realpathSync, renameSync, statSync, truncateSync, unlinkSync, existsSync, readFileSync, rmdirSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import { CAMERA_ID } from '@wardwall/common';
import { RecorderDb, type SegmentRow } from './db.js';
import { readFmp4, fmp4DurationMs, type Fmp4Info } from './fmp4.js';
import { INCOMING_DIR, parseIncomingName, parseSegmentFileName, segmentRelPath, runListName } from './naming.js';
import { parseSegmentList } from '../writer/progress.js';

export class PathEscapeError extends Error {
  override name = 'PathEscapeError';
}

/**
 * Resolves a store-relative path to an absolute one inside `root` (symbolic links followed), or
 * throws PathEscapeError. Every file the HTTP side reads goes through here.
 */
export function resolveInStore(root: string, rel: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.includes('\0') || isAbsolute(rel)) throw new PathEscapeError('bad path');
  const realRoot = realpathSync(root);
  const abs = resolve(realRoot, rel);
  if (!abs.startsWith(realRoot + sep)) throw new PathEscapeError('path leaves the store');
  const real = realpathSync(abs); // throws ENOENT when missing
  if (!real.startsWith(realRoot + sep)) throw new PathEscapeError('path leaves the store');
  return real;
}

export interface FinalizeResult {
  row: SegmentRow | null;
  truncatedBytes: number;
}

export interface ReconcileReport {
  indexed: number;
  repaired: number;
  dropped: number;
  removedEmpty: number;
}

export class SegmentStore {
  readonly root: string;
  readonly db: RecorderDb;

  constructor(
    root: string,
    private readonly log: Logger,
  ) {
    mkdirSync(root, { recursive: true });
    this.root = realpathSync(root);
    this.db = new RecorderDb(join(this.root, 'index.sqlite'));
  }

  abs(rel: string): string {
    return resolveInStore(this.root, rel);
  }

  incomingDir(camera: string): string {
    if (!CAMERA_ID.test(camera)) throw new Error('bad camera id');
    const dir = join(this.root, camera, INCOMING_DIR);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  rel(abs: string): string {
    return relative(this.root, abs);
  }

  /** Records (or updates) the segment being written. */
  upsertOpen(camera: string, rel: string, startMs: number, endMs: number, bytes: number): SegmentRow {
    const row = this.db.segmentByPath(rel);
    if (row) {
      this.db.updateSegment(row.id, { startMs, endMs, bytes, path: rel, open: true });
      return { ...row, startMs, endMs, bytes, open: true };
    }
    const id = this.db.insertSegment({ camera, startMs, endMs, bytes, path: rel, open: true });
    return { id, camera, startMs, endMs, bytes, path: rel, open: true };
  }

  /**
   * Closes an incoming segment: cuts a truncated last fragment, renames it to its final name and
   * indexes it. The wall-clock start comes from the writer's hint (its start, or its end minus the
   * file's duration), else from the index row written while it was open, else from the file's
   * modification time minus its duration.
   */
  async finalizeIncoming(camera: string, name: string, hint: { startMs?: number; endMs?: number } = {}): Promise<FinalizeResult> {
    const absIn = join(this.incomingDir(camera), name);
    const rel = this.rel(absIn);
    const row = this.db.segmentByPath(rel);
    let st: Stats;
    try {
      st = statSync(absIn);
    } catch {
      if (row) this.db.deleteSegment(row.id);
      return { row: null, truncatedBytes: 0 };
    }
    let info: Fmp4Info;
    try {
      info = await readFmp4(absIn);
    } catch (e) {
      this.log.warn({ camera, file: name, err: e }, 'unreadable segment; removing it');
      info = { initLength: 0, timescale: 0, fragments: [], validBytes: 0, size: st.size };
    }
    if (info.fragments.length === 0) {
      unlinkSync(absIn);
      if (row) this.db.deleteSegment(row.id);
      return { row: null, truncatedBytes: st.size };
    }
    const truncatedBytes = info.size - info.validBytes;
    if (truncatedBytes > 0) truncateSync(absIn, info.validBytes);
    const durationMs = Math.round(fmp4DurationMs(info));
    // Last resort (no row: the recorder died within a second of the file's creation): ffmpeg named
    // the file at its start (whole seconds); its mtime minus the duration is never early, but a
    // killed ffmpeg may touch the file after its last complete fragment.
    const nameSec = parseIncomingName(name)?.startSecMs;
    const fromMtime = Math.round(st.mtimeMs - durationMs);
    const fallback = nameSec === undefined ? fromMtime : Math.min(Math.max(fromMtime, nameSec), nameSec + 999);
    const start = hint.startMs ?? (hint.endMs !== undefined ? hint.endMs - durationMs : undefined) ?? row?.startMs ?? fallback;
    const moved = this.moveToFinal(absIn, camera, start);
    const fields = { startMs: start, endMs: start + durationMs, bytes: info.validBytes, path: moved, open: false };
    if (row) {
      this.db.updateSegment(row.id, fields);
      return { row: { ...row, ...fields }, truncatedBytes };
    }
    const id = this.db.insertSegment({ camera, ...fields });
    return { row: { id, camera, ...fields }, truncatedBytes };
  }

  private moveToFinal(absIn: string, camera: string, startMs: number): string {
    for (let dup = 0; dup < 1000; dup++) {
      const rel = segmentRelPath(camera, startMs, dup);
      const abs = join(this.root, rel);
      if (existsSync(abs)) continue;
      mkdirSync(join(abs, '..'), { recursive: true });
      renameSync(absIn, abs);
      return rel;
    }
    throw new Error('cannot find a free segment name');
  }

  /** Start of each closed segment of a run on the output timeline (s), from ffmpeg's CSV list. */
  runList(camera: string, runId: string): Map<string, { start: number; end: number }> {
    try {
      return parseSegmentList(readFileSync(join(this.incomingDir(camera), runListName(runId)), 'utf8'));
    } catch {
      return new Map();
    }
  }

  /** Deletes a segment's file and row. A missing file is fine. */
  deleteSegment(row: SegmentRow): void {
    try {
      unlinkSync(join(this.root, row.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.db.deleteSegment(row.id);
    // Drop the day folder when it became empty (not the camera folder).
    const dir = join(this.root, row.path, '..');
    if (!row.path.includes(INCOMING_DIR)) {
      try {
        rmdirSync(dir);
      } catch {
        /* not empty */
      }
    }
  }

  /** Camera folders present on disk. */
  cameraDirs(): string[] {
    return readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && CAMERA_ID.test(d.name))
      .map((d) => d.name);
  }

  /**
   * Brings the index in line with the disk (no writer may be running): files without rows get
   * indexed, rows without files are dropped, segments left in .incoming by a crash are repaired
   * (truncated fragment cut off), renamed and indexed as far as they play.
   */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { indexed: 0, repaired: 0, dropped: 0, removedEmpty: 0 };
    const cams = new Set(this.cameraDirs());
    for (const camera of cams) {
      // 1. Leftovers of runs that ended with the previous process.
      const inDir = this.incomingDir(camera);
      const names = readdirSync(inDir);
      for (const name of names.sort()) {
        const inc = parseIncomingName(name);
        if (!inc) continue;
        // The row written while it was open carries the writer's start; without one (the process died
        // within the first second of the segment) finalizeIncoming falls back to mtime - duration.
        const rowBefore = this.db.segmentByPath(this.rel(join(inDir, name)));
        const res = await this.finalizeIncoming(camera, name);
        if (res.row) {
          if (res.truncatedBytes > 0 || rowBefore?.open) report.repaired++;
          else report.indexed++;
        } else report.removedEmpty++;
      }
      for (const name of readdirSync(inDir)) if (name.endsWith('.csv')) unlinkSync(join(inDir, name));
      // 2. Final files against rows.
      const rows = new Map(this.db.db.prepare('SELECT id, path FROM segments WHERE camera = ?').all(camera).map((r) => [(r as { path: string }).path, (r as { id: number }).id]));
      const seen = new Set<string>();
      for (const day of readdirSync(join(this.root, camera), { withFileTypes: true })) {
        if (!day.isDirectory() || !/^\d{4}-\d{2}-\d{2}$/.test(day.name)) continue;
        for (const name of readdirSync(join(this.root, camera, day.name))) {
          const parsed = parseSegmentFileName(name);
          if (!parsed || parsed.camera !== camera) continue;
          const rel = `${camera}/${day.name}/${name}`;
          seen.add(rel);
          if (rows.has(rel)) continue;
          const abs = join(this.root, rel);
          let info: Fmp4Info;
          try {
            info = await readFmp4(abs);
          } catch {
            info = { initLength: 0, timescale: 0, fragments: [], validBytes: 0, size: 0 };
          }
          if (info.fragments.length === 0) {
            unlinkSync(abs);
            report.removedEmpty++;
            continue;
          }
          if (info.validBytes < info.size) {
            truncateSync(abs, info.validBytes);
            report.repaired++;
          } else report.indexed++;
          this.db.insertSegment({ camera, startMs: parsed.startMs, endMs: parsed.startMs + Math.round(fmp4DurationMs(info)), bytes: info.validBytes, path: rel, open: false });
        }
      }
      for (const [path, id] of rows) {
        if (!seen.has(path)) {
          this.db.deleteSegment(id);
          report.dropped++;
        }
      }
    }
    // Rows of cameras whose folder is gone altogether.
    for (const r of this.db.db.prepare('SELECT id, camera FROM segments').all() as { id: number; camera: string }[]) {
      if (!cams.has(r.camera)) {
        this.db.deleteSegment(r.id);
        report.dropped++;
      }
    }
    return report;
  }

  close(): void {
    this.db.close();
  }
}
