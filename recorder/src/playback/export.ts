/**
 * Evidence export: one job at a time. A job is a list of (camera, from, to) ranges: the classic
 * request (cameras + one window) is one range per camera; an incident's export has one range per
 * bookmark and camera, all in ONE package with ONE manifest. For each range, ffmpeg concatenates the recorded segments of
 * the window without re-encoding (concat demuxer, -c copy, +faststart) into one MP4; then a
 * manifest.json lists each file's SHA-256, camera, recorded start and end (UTC and
 * Asia/Ho_Chi_Minh), the recorded spans inside it (a gap in the recording is joined in the MP4 and
 * named in the manifest), who exported it and when. The manifest is signed with the station's
 * Ed25519 key (manifest.sig, export-sign.ts) and the package carries the offline verifier
 * (verify.html). The package is a ZIP (export-zip.ts: stored, ZIP64 when large) or a POSIX (pax) tar
 * made by `tar`, as asked. The export holds its window against retention while it runs and keeps
 * the hold afterwards.
 */
import { createHash, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFileSync, createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SegmentStore } from '../store/store.js';
import type { ExportRange, ExportRow } from '../store/db.js';
import { fileParts } from './hls.js';
import { segmentFile, type Fmp4Cache } from './fmp4-cache.js';
import { isoHoChiMinh } from './time.js';
import { parseProgress } from '../writer/progress.js';
import { MANIFEST_FILE, SIGNATURE_FILE, VERIFIER_FILE, type ExportPackageFormat } from '@wardwall/common';
import { digestFile, writeZip, type FileDigest } from './export-zip.js';
import { StationKey } from './export-sign.js';

/** The offline verifier page put into every package. */
export const VERIFIER_PAGE = new URL('./verify-page.html', import.meta.url);

export const EXPORTS_DIR = '.exports';

export interface ExportRequest {
  ranges: ExportRange[];
  exportedBy: string;
  title?: string | null;
  /** The package's form: 'tar' (the default, as before) or 'zip'. */
  format?: ExportPackageFormat;
}

/** The old request form: the same window on each camera. */
export function rangesOf(cameras: readonly string[], from: number, to: number): ExportRange[] {
  return cameras.map((camera) => ({ camera, from, to }));
}

/**
 * File names in the package. The classic form (each camera once, one shared window) keeps
 * `<camera>.mp4`; otherwise `<NN>-<camera>.mp4` in range order. Pure.
 */
export function rangeFileNames(ranges: readonly ExportRange[]): string[] {
  const cams = new Set(ranges.map((r) => r.camera));
  const classic = cams.size === ranges.length && ranges.every((r) => r.from === ranges[0]!.from && r.to === ranges[0]!.to);
  const width = String(ranges.length).length < 2 ? 2 : String(ranges.length).length;
  return ranges.map((r, i) => (classic ? `${r.camera}.mp4` : `${String(i + 1).padStart(width, '0')}-${r.camera}.mp4`));
}

interface ConcatEntry {
  abs: string;
  inpoint: number;
  outpoint: number;
  wallStart: number;
  wallEnd: number;
}

function both(ms: number): { utc: string; hoChiMinh: string; ms: number } {
  return { utc: new Date(ms).toISOString(), hoChiMinh: isoHoChiMinh(ms), ms };
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class ExportManager {
  private queue: string[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  private child: ReturnType<typeof spawn> | null = null;
  /** Package form of the jobs of this process (a job cut by a restart fails, so memory is enough). */
  private readonly formats = new Map<string, ExportPackageFormat>();
  /** The station's signing key (created in the store's root at first use when not given). */
  readonly signer: StationKey;

  constructor(
    private readonly store: SegmentStore,
    private readonly fmp4: Fmp4Cache,
    private readonly cameraNames: ReadonlyMap<string, string>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    signer?: StationKey,
  ) {
    this.signer = signer ?? StationKey.loadOrCreate(store.root);
    // Jobs cut short by a previous process: failed, their holds stay.
    this.store.db.db.prepare("UPDATE exports SET state = 'failed', error = 'interrupted by a restart of the recorder' WHERE state IN ('queued', 'running')").run();
  }

  /** `id`: chosen by the caller (audited before the job exists); a new UUID by default. */
  create(req: ExportRequest & { id?: string }): ExportRow {
    const id = req.id ?? randomUUID();
    const createdMs = this.now();
    const holdIds = req.ranges.map((r) =>
      this.store.db.addHold({ camera: r.camera, startMs: r.from, endMs: r.to, reason: `export ${id}`, createdBy: req.exportedBy, createdMs }),
    );
    const cameras = [...new Set(req.ranges.map((r) => r.camera))];
    const fromMs = Math.min(...req.ranges.map((r) => r.from));
    const toMs = Math.max(...req.ranges.map((r) => r.to));
    const row: ExportRow = { id, cameras, fromMs, toMs, ranges: req.ranges, title: req.title ?? null, exportedBy: req.exportedBy, createdMs, state: 'queued', progress: 0, error: null, file: null, bytes: null, holdIds };
    this.store.db.insertExport(row);
    this.formats.set(id, req.format ?? 'tar');
    this.queue.push(id);
    this.pump();
    return row;
  }

  get(id: string): ExportRow | null {
    return this.store.db.export(id);
  }

  /** Jobs waiting for their turn, and whether one is being packed now (for /metrics). */
  get queueState(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running ? 1 : 0 };
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const id = this.queue.shift();
    if (!id) return;
    this.running = this.run(id).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private update(id: string, u: Partial<Pick<ExportRow, 'state' | 'progress' | 'error' | 'file' | 'bytes'>>): void {
    const cur = this.store.db.export(id)!;
    this.store.db.updateExport(id, { state: u.state ?? cur.state, progress: u.progress ?? cur.progress, error: u.error ?? cur.error, file: u.file ?? cur.file, bytes: u.bytes ?? cur.bytes });
  }

  private async run(id: string): Promise<void> {
    const job = this.store.db.export(id)!;
    const dir = join(this.store.root, EXPORTS_DIR, id);
    try {
      mkdirSync(dir, { recursive: true });
      this.update(id, { state: 'running', progress: 0 });
      const files: Record<string, unknown>[] = [];
      const digests = new Map<string, FileDigest>();
      const without: string[] = [];
      const n = job.ranges.length;
      const names = rangeFileNames(job.ranges);
      const withFootage = new Set<string>();
      for (let i = 0; i < n; i++) {
        if (this.closed) throw new Error('recorder closing');
        const { camera, from, to } = job.ranges[i]!;
        const entries = await this.plan(camera, from, to);
        if (entries.length === 0) continue;
        withFootage.add(camera);
        const name = names[i]!;
        const out = join(dir, name);
        const listPath = join(dir, `${name}.ffconcat`);
        writeFileSync(listPath, ['ffconcat version 1.0', ...entries.flatMap((e) => [`file '${e.abs.replace(/'/g, "'\\''")}'`, `inpoint ${e.inpoint.toFixed(3)}`, `outpoint ${e.outpoint.toFixed(3)}`])].join('\n') + '\n');
        const totalUs = entries.reduce((s, e) => s + (e.outpoint - e.inpoint) * 1e6, 0);
        const first = entries[0]!;
        await this.ffmpeg(
          ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', listPath, '-map', '0:v', '-map', '0:a?', '-c', 'copy', '-movflags', '+faststart', '-metadata', `creation_time=${new Date(first.wallStart).toISOString()}`, '-metadata', `comment=camera ${camera} export ${id}`, '-progress', 'pipe:1', '-y', out],
          (us) => this.update(id, { progress: Math.min(0.99, (i + Math.min(1, us / totalUs)) / n) }),
        );
        rmSync(listPath);
        const digest = await digestFile(out);
        digests.set(name, digest);
        let mediaOffset = 0;
        const spans = entries.map((e) => {
          const s = { start: both(e.wallStart), end: both(e.wallEnd), mediaOffsetSeconds: Number(mediaOffset.toFixed(3)) };
          mediaOffset += (e.wallEnd - e.wallStart) / 1000;
          return s;
        });
        files.push({
          file: name,
          range: i,
          camera,
          cameraName: this.cameraNames.get(camera) ?? camera,
          sha256: digest.sha256,
          bytes: digest.bytes,
          start: both(first.wallStart),
          end: both(entries[entries.length - 1]!.wallEnd),
          spans,
        });
        this.update(id, { progress: Math.min(0.99, (i + 1) / n) });
      }
      for (const c of job.cameras) if (!withFootage.has(c)) without.push(c);
      if (files.length === 0) throw new Error('nothing recorded in the window for any of the cameras');
      const exportedAt = this.now();
      copyFileSync(VERIFIER_PAGE, join(dir, VERIFIER_FILE));
      const verifier = await digestFile(join(dir, VERIFIER_FILE));
      digests.set(VERIFIER_FILE, verifier);
      const format = this.formats.get(id) ?? 'tar';
      const manifest = {
        format: 'wardwall-export/1',
        exportId: id,
        exportedBy: job.exportedBy,
        exportedAt: both(exportedAt),
        ...(job.title ? { title: job.title } : {}),
        requested: { cameras: job.cameras, from: both(job.fromMs), to: both(job.toMs), ranges: job.ranges.map((r) => ({ camera: r.camera, from: both(r.from), to: both(r.to) })) },
        timeZone: 'Asia/Ho_Chi_Minh',
        method: 'video (and the AAC audio where the camera has audio) copied from the recording without re-encoding (ffmpeg concat, -c copy); clips start at the keyframe at or before the requested start',
        files,
        camerasWithoutFootage: without,
        tools: [{ file: VERIFIER_FILE, purpose: 'offline verifier: open it in a browser and select the files of the package', sha256: verifier.sha256, bytes: verifier.bytes }],
        station: { keyFingerprint: this.signer.fingerprint, signature: SIGNATURE_FILE, algorithm: 'Ed25519' },
        package: { format },
      };
      const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
      writeFileSync(join(dir, MANIFEST_FILE), manifestBytes);
      writeFileSync(join(dir, SIGNATURE_FILE), this.signer.signatureFile(manifestBytes));
      const names_ = [MANIFEST_FILE, SIGNATURE_FILE, VERIFIER_FILE, ...files.map((f) => f.file as string)];
      const pkg = join(this.store.root, EXPORTS_DIR, `${id}.${format}`);
      if (format === 'zip') {
        const entries = [];
        for (const n of names_) {
          const d = digests.get(n) ?? (await digestFile(join(dir, n)));
          entries.push({ name: n, path: join(dir, n), size: d.bytes, crc32: d.crc32 });
        }
        await writeZip(pkg, entries, exportedAt);
      } else {
        await this.run_(['tar', '--format=pax', '-cf', pkg, '-C', dir, ...names_]);
      }
      rmSync(dir, { recursive: true, force: true });
      this.formats.delete(id);
      this.update(id, { state: 'done', progress: 1, file: `${EXPORTS_DIR}/${id}.${format}`, bytes: statSync(pkg).size });
      this.log.info({ export: id, cameras: job.cameras, exportedBy: job.exportedBy, bytes: statSync(pkg).size }, 'export done');
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      this.formats.delete(id);
      const code = (e as NodeJS.ErrnoException).code;
      const message = code === 'ENOSPC' ? 'the disk is full' : e instanceof Error && !/\//.test(e.message) ? e.message : 'export failed';
      this.update(id, { state: 'failed', error: message });
      this.log.error({ export: id, err: e }, 'export failed');
    }
  }

  /** The segments of a camera in the window, cut at keyframe-aligned parts. */
  private async plan(camera: string, from: number, to: number): Promise<ConcatEntry[]> {
    const out: ConcatEntry[] = [];
    for (const row of this.store.db.overlapping(camera, from, to)) {
      let file;
      try {
        file = await segmentFile(this.store, this.fmp4, row);
      } catch {
        continue;
      }
      const { seg, abs, info } = file;
      const parts = fileParts({ segmentId: seg.id, startMs: seg.startMs, info }).filter((p) => p.startMs < to && p.startMs + p.durationMs > from);
      if (parts.length === 0) continue;
      const first = parts[0]!;
      const last = parts[parts.length - 1]!;
      const wallStart = first.startMs;
      const wallEnd = Math.min(to, last.startMs + last.durationMs);
      out.push({ abs, inpoint: (wallStart - seg.startMs) / 1000, outpoint: (wallEnd - seg.startMs) / 1000, wallStart: Math.round(wallStart), wallEnd: Math.round(wallEnd) });
    }
    return out;
  }

  private ffmpeg(args: string[], onUs: (us: number) => void): Promise<void> {
    return this.run_(['ffmpeg', ...args], (chunk) => {
      for (const b of parseProgress(chunk).blocks) onUs(Number(b.out_time_us));
    });
  }

  private run_(cmd: string[], onStdout?: (text: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      let rest = '';
      let err = '';
      child.stdout!.on('data', (b: Buffer) => {
        if (!onStdout) return;
        const text = rest + b.toString();
        const cut = text.lastIndexOf('progress=');
        const end = cut >= 0 ? text.indexOf('\n', cut) : -1;
        if (end >= 0) {
          onStdout(text.slice(0, end + 1));
          rest = text.slice(end + 1);
        } else rest = text;
      });
      child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
      child.once('error', reject);
      child.once('close', (code, signal) => {
        this.child = null;
        if (code === 0) resolve();
        else {
          const e = new Error(`${cmd[0]} failed (${code ?? signal})`) as NodeJS.ErrnoException;
          if (/No space left/i.test(err)) e.code = 'ENOSPC';
          this.log.warn({ cmd: cmd[0], stderr: err.split('\n').slice(-3) }, 'export step failed');
          reject(e);
        }
      });
    });
  }

  /** Idempotent: stops the running job (it is marked failed), forgets queued ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    if (this.child?.pid) this.child.kill('SIGKILL');
    await this.running;
  }
}
