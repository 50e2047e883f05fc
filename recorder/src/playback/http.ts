/**
 * The recorder's HTTP API (node:http). Every input is parsed by a zod schema; errors are JSON
 * `{code, message}` with a 4xx status. No parameter is ever used as a path: cameras must be
 * configured cameras, segments and exports are looked up by id in the index, and every file read
 * goes through resolveInStore (which refuses anything outside the store, symbolic links included).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from 'pino';
import { AppError, CAMERA_ID, EXPORT_PACKAGE_FORMATS, ErrorCode } from '@wardwall/common';
import type { SegmentStore } from '../store/store.js';
import { buildPlaylist, fileParts, type PlaylistFile } from './hls.js';
import { instant, checkWindow } from './time.js';
import { segmentFile, type Fmp4Cache } from './fmp4-cache.js';
import type { Thumbnailer } from './thumbnail.js';
import { rangesOf, type ExportManager } from './export.js';
import { verifyPackageFile } from './export-verify.js';
import type { Principal } from '../../../sfu/src/auth/access.js';
import { OPEN_RECORDER_ACCESS, type RecorderAccess } from '../access.js';

export interface HttpDeps {
  store: SegmentStore;
  fmp4: Fmp4Cache;
  thumbs: Thumbnailer;
  exports: ExportManager;
  cameras: ReadonlyMap<string, string>;
  health: () => unknown;
  log: Logger;
  now: () => number;
  /** Access-Control-Allow-Origin value; '' = no cross-origin access (with access control: same origin through the SFU only). */
  allowOrigin: string;
  /** Sessions, rights and look-back (the wall's accounts); open when access control is off. */
  access?: RecorderAccess;
}

const DAY = 86400000;
const LIMITS = { spans: 31 * DAY, playlist: DAY, export: DAY, hold: 3660 * DAY };

/** Remembers recently audited viewings so that reloads of the same playlist are not audited again. */
class RecentKeys {
  private readonly seen = new Map<string, number>();
  constructor(private readonly forMs: number, private readonly max = 10_000) {}
  /** Whether `key` was not seen within the last `forMs` (and notes it). */
  first(key: string, now: number): boolean {
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.forMs) return false;
    if (this.seen.size >= this.max) {
      for (const [k, t] of this.seen) if (now - t >= this.forMs) this.seen.delete(k);
      if (this.seen.size >= this.max) this.seen.clear();
    }
    this.seen.set(key, now);
    return true;
  }
}

const MAX_BODY = 64 * 1024;

const windowQuery = z.object({ from: instant, to: instant }).strict();
/** A playlist may be asked for as live (`live=1`): an EVENT playlist from `from` that grows. */
const playlistQuery = z.object({ from: instant, to: instant, live: z.enum(['0', '1']).optional() }).strict();
const atQuery = z.object({ at: instant }).strict();
const holdsQuery = z.object({ camera: z.string().optional() }).strict();
const who = z.string().trim().min(1).max(120).regex(/^[^\u0000-\u001f]*$/, 'no control characters');
const holdBody = z
  .object({ camera: z.string().nullable().default(null), from: instant, to: instant, reason: z.string().trim().min(1).max(500), createdBy: who.optional() })
  .strict();
/** The classic form: cameras + one window. */
const exportBody = z
  .object({ cameras: z.array(z.string()).min(1).max(64), from: instant, to: instant, exportedBy: who.optional(), format: z.enum(EXPORT_PACKAGE_FORMATS).optional() })
  .strict();
/** Several (camera, from, to) ranges in one package (an incident), chosen when the body has `ranges`. */
const exportRangesBody = z
  .object({
    ranges: z.array(z.object({ camera: z.string(), from: instant, to: instant }).strict()).min(1).max(256),
    exportedBy: who.optional(),
    title: z.string().trim().max(200).regex(/^[^\u0000-\u001f]*$/, 'no control characters').optional(),
    format: z.enum(EXPORT_PACKAGE_FORMATS).optional(),
  })
  .strict();
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function bad(message: string, code: ErrorCode = ErrorCode.BAD_REQUEST, status = 400): AppError {
  return new AppError(code, message, status);
}

function parse<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || where;
  const isTime = /from|to|at/.test(field) && issue.code === 'custom';
  throw bad(`${where}: ${field}: ${issue.message}`, isTime ? ErrorCode.BAD_TIME_RANGE : ErrorCode.BAD_REQUEST);
}

function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) throw bad(`query: ${k}: given more than once`);
    out[k] = v;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new AppError(ErrorCode.MESSAGE_TOO_LARGE, `body larger than ${MAX_BODY} bytes`, 413);
    chunks.push(c as Buffer);
  }
  if (size === 0) throw bad('body: a JSON object is required');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw bad('body: not valid JSON');
  }
}

/** Serves a file (already resolved inside the store) with HTTP range support. */
function sendFile(req: IncomingMessage, res: ServerResponse, abs: string, type: string, extra: Record<string, string> = {}, limit?: number): void {
  const size = Math.min(statSync(abs).size, limit ?? Infinity);
  const range = req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === '')) throw new AppError(ErrorCode.BAD_REQUEST, 'Range: only one bytes=a-b range is supported', 416);
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
    } else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
    }
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    status = 206;
  }
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    ...extra,
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(abs, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export function createHttpServer(deps: HttpDeps): Server {
  const playbackAudit = new RecentKeys(30 * 60_000);
  const { store, log } = deps;
  const access = deps.access ?? OPEN_RECORDER_ACCESS;
  // Who did it, for holds and exports: the signed-in user; the name in the body counts (and is
  // required) only without access control.
  const author = (p: Principal, given: string | undefined, field: string): string => {
    if (p.sessionId) return p.name;
    if (given === undefined) throw bad(`body: ${field}: required`);
    return given;
  };
  const playable = (p: Principal, cam: string, fromMs: number): void => {
    access.require(p, 'playback', cam);
    access.requireLookback(p, cam, fromMs);
  };

  const camera = (raw: string): string => {
    if (!CAMERA_ID.test(raw)) throw bad('camera: not a camera id');
    if (!deps.cameras.has(raw)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera "${raw}"`, 404);
    return raw;
  };
  const window = (url: URL, maxSpanMs: number, schema: z.ZodType<{ from: number; to: number }> = windowQuery): { from: number; to: number } => {
    const q = parse(schema, queryObject(url), 'query');
    const err = checkWindow(q.from, q.to, { maxSpanMs, now: deps.now() });
    if (err) throw bad(err, ErrorCode.BAD_TIME_RANGE);
    return q;
  };

  const allowed = (who: Principal, permission: 'playback', cam: string): boolean => {
    try {
      access.require(who, permission, cam);
      return true;
    } catch {
      return false;
    }
  };

  const routes: { method: string; re: RegExp; run: (m: string[], req: IncomingMessage, res: ServerResponse, url: URL, who: Principal) => Promise<void> | void }[] = [
    { method: 'GET', re: /^\/api\/health$/, run: (_m, _q, res) => send(res, 200, deps.health()) },
    // The station's public key that signs every package's manifest (public by nature; a session
    // is still needed, like every route).
    { method: 'GET', re: /^\/api\/station-key$/, run: (_m, _q, res) => send(res, 200, deps.exports.signer.info()) },
    {
      method: 'GET',
      re: /^\/api\/cameras$/,
      // The cameras with recordings the caller may play back (also resident cameras shared for
      // recording only, which the live wall never lists).
      run: (_m, _q, res, _url, who) => send(res, 200, { cameras: [...deps.cameras].filter(([id]) => allowed(who, 'playback', id)).map(([id, name]) => ({ id, name })) }),
    },
    {
      method: 'GET',
      re: /^\/api\/recordings\/([^/]+)\/spans$/,
      run: (m, _q, res, url, who) => {
        const cam = camera(m[0]!);
        access.require(who, 'playback', cam);
        const { from, to } = window(url, LIMITS.spans);
        access.requireLookback(who, cam, from);
        send(res, 200, { camera: cam, ...store.db.spans(cam, from, to) });
      },
    },
    {
      method: 'GET',
      re: /^\/api\/recordings\/([^/]+)\/playlist\.m3u8$/,
      run: async (m, _q, res, url, who) => {
        const cam = camera(m[0]!);
        access.require(who, 'playback', cam);
        const { from, to: asked } = window(url, LIMITS.playlist, playlistQuery);
        playable(who, cam, from);
        // A live window (asked for by a player near the present) stays open: it lists what is written
        // after it too, on every reload (the URL is the same; the present is not).
        const live = url.searchParams.get('live') === '1';
        const to = live ? from + LIMITS.playlist : asked;
        const files: PlaylistFile[] = [];
        for (const row of store.db.overlapping(cam, from, to)) {
          const { seg, info } = await segmentFile(store, deps.fmp4, row);
          files.push({ segmentId: seg.id, startMs: seg.startMs, info, open: seg.open });
        }
        const pl = buildPlaylist(files, { from, to, uri: (id) => `media/${id}.mp4`, live });
        if (pl.parts === 0) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded in this window', 404);
        // hls.js reloads a live playlist every few seconds: one entry per viewing, not per reload.
        if (playbackAudit.first(`${who.sessionId ?? who.userId}|${cam}|${from}`, Date.now())) access.audit(who, 'playback', cam, { from, to: asked });
        const text = pl.text;
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
        res.end(text);
      },
    },
    {
      method: 'GET',
      re: /^\/api\/recordings\/([^/]+)\/media\/([^/]+)\.mp4$/,
      run: (m, req, res, url, who) => {
        const cam = camera(m[0]!);
        access.require(who, 'playback', cam);
        if (url.search) throw bad('query: no parameters expected');
        if (!/^[1-9]\d{0,15}$/.test(m[1]!)) throw bad('segment: not a segment id');
        let seg = store.db.segment(Number(m[1]));
        if (!seg || seg.camera !== cam) throw new AppError(ErrorCode.NOT_FOUND, 'no such segment', 404);
        // A segment that ends inside the allowed window is served whole (HLS plays whole fragments).
        access.requireLookback(who, cam, seg.open ? Infinity : seg.endMs);
        let abs: string;
        try {
          abs = store.abs(seg.path);
        } catch (e) {
          // Closed and renamed since the row was read.
          seg = store.db.segment(seg.id);
          if (!seg || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          abs = store.abs(seg.path);
        }
        sendFile(req, res, abs, 'video/mp4', { 'Cache-Control': seg.open ? 'no-store' : 'private, max-age=3600' });
      },
    },
    {
      method: 'GET',
      re: /^\/api\/recordings\/([^/]+)\/thumbnail$/,
      run: async (m, _q, res, url, who) => {
        const cam = camera(m[0]!);
        access.require(who, 'playback', cam);
        const { at } = parse(atQuery, queryObject(url), 'query');
        access.requireLookback(who, cam, at);
        const row = store.db.overlapping(cam, at, at + 1)[0];
        if (!row) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded at this instant', 404);
        const { seg, abs, info } = await segmentFile(store, deps.fmp4, row);
        const parts = fileParts({ segmentId: seg.id, startMs: seg.startMs, info });
        const endMs = parts.length ? parts[parts.length - 1]!.startMs + parts[parts.length - 1]!.durationMs : seg.startMs;
        if (at >= endMs) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded at this instant yet', 404);
        const offset = Math.round((at - seg.startMs) / 40) * 40;
        const jpeg = await deps.thumbs.get(`${seg.id}:${offset}`, abs, offset);
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=86400' });
        res.end(jpeg);
      },
    },
    {
      method: 'GET',
      re: /^\/api\/holds$/,
      run: (_m, _q, res, url, who) => {
        access.require(who, 'playback');
        const q = parse(holdsQuery, queryObject(url), 'query');
        const cam = q.camera === undefined ? undefined : camera(q.camera);
        const holds = store.db.activeHolds().filter((h) => cam === undefined || h.camera === null || h.camera === cam);
        send(res, 200, { holds });
      },
    },
    {
      method: 'POST',
      re: /^\/api\/holds$/,
      run: async (_m, req, res, _u, who) => {
        access.require(who, 'bookmark');
        const b = parse(holdBody, await readBody(req), 'body');
        const cam = b.camera === null ? null : camera(b.camera);
        const createdBy = author(who, b.createdBy, 'createdBy');
        const err = checkWindow(b.from, b.to, { maxSpanMs: LIMITS.hold, now: deps.now() });
        if (err) throw bad(err, ErrorCode.BAD_TIME_RANGE);
        const id = store.db.addHold({ camera: cam, startMs: b.from, endMs: b.to, reason: b.reason, createdBy, createdMs: deps.now() });
        log.info({ hold: id, camera: cam, from: b.from, to: b.to, createdBy }, 'hold added');
        access.audit(who, 'hold_add', cam, { hold: id, from: b.from, to: b.to, reason: b.reason });
        send(res, 201, { id });
      },
    },
    {
      method: 'DELETE',
      re: /^\/api\/holds\/([^/]+)$/,
      run: (m, _q, res, _u, who) => {
        access.require(who, 'bookmark');
        if (!/^[1-9]\d{0,15}$/.test(m[0]!)) throw bad('hold: not a hold id');
        if (!store.db.releaseHold(Number(m[0]), deps.now())) throw new AppError(ErrorCode.NOT_FOUND, 'no such active hold', 404);
        access.audit(who, 'hold_release', null, { hold: Number(m[0]) });
        log.info({ hold: Number(m[0]) }, 'hold released');
        send(res, 200, { id: Number(m[0]), released: true });
      },
    },
    {
      method: 'POST',
      re: /^\/api\/exports$/,
      run: async (_m, req, res, _u, who) => {
        access.require(who, 'export');
        const raw = await readBody(req);
        const multi = typeof raw === 'object' && raw !== null && 'ranges' in raw;
        const b = multi ? parse(exportRangesBody, raw, 'body') : parse(exportBody, raw, 'body');
        const ranges = 'ranges' in b ? b.ranges.map((r) => ({ ...r, camera: camera(r.camera) })) : rangesOf([...new Set(b.cameras.map(camera))], b.from, b.to);
        let total = 0;
        ranges.forEach((r, i) => {
          access.require(who, 'export', r.camera);
          access.requireLookback(who, r.camera, r.from);
          const err = checkWindow(r.from, r.to, { maxSpanMs: LIMITS.export, now: deps.now() });
          if (err) throw bad('ranges' in b ? `body: ranges.${i}: ${err}` : err, ErrorCode.BAD_TIME_RANGE);
          total += r.to - r.from;
        });
        if (total > LIMITS.export * 4) throw bad('body: ranges: at most 96 h of footage in one package', ErrorCode.BAD_TIME_RANGE);
        const job = deps.exports.create({ ranges, exportedBy: author(who, b.exportedBy, 'exportedBy'), title: 'title' in b ? (b.title ?? null) : null, format: b.format ?? 'tar' });
        const cams = [...new Set(ranges.map((r) => r.camera))];
        access.audit(who, 'export_create', cams.length === 1 ? cams[0]! : null, { export: job.id, cameras: cams, ranges: ranges.map((r) => [r.camera, r.from, r.to]) });
        send(res, 202, { id: job.id, state: job.state });
      },
    },
    {
      method: 'GET',
      re: /^\/api\/exports\/([^/]+)$/,
      run: (m, _q, res, _u, who) => {
        const job = exportJob(m[0]!, who);
        send(res, 200, { id: job.id, state: job.state, progress: job.progress, error: job.error, cameras: job.cameras, from: job.fromMs, to: job.toMs, exportedBy: job.exportedBy, createdMs: job.createdMs, bytes: job.bytes, holdIds: job.holdIds, ranges: job.ranges, title: job.title });
      },
    },
    {
      method: 'GET',
      re: /^\/api\/exports\/([^/]+)\/download$/,
      run: (m, req, res, _u, who) => {
        const job = exportJob(m[0]!, who);
        if (job.state !== 'done' || !job.file) throw new AppError(ErrorCode.EXPORT_NOT_READY, `export is ${job.state}`, 409);
        access.audit(who, 'export_download', job.cameras.length === 1 ? job.cameras[0]! : null, { export: job.id, cameras: job.cameras, from: job.fromMs, to: job.toMs });
        const zip = job.file.endsWith('.zip');
        sendFile(req, res, store.abs(job.file), zip ? 'application/zip' : 'application/x-tar', { 'Content-Disposition': `attachment; filename="export-${job.id}.${zip ? 'zip' : 'tar'}"` });
      },
    },
    {
      method: 'GET',
      re: /^\/api\/exports\/([^/]+)\/verify$/,
      // The stored package checked against its signed manifest, as a stream (for a wall that let
      // the browser download it and cannot hash the download itself).
      run: async (m, _q, res, _u, who) => {
        const job = exportJob(m[0]!, who);
        if (job.state !== 'done' || !job.file) throw new AppError(ErrorCode.EXPORT_NOT_READY, `export is ${job.state}`, 409);
        const v = await verifyPackageFile(store.abs(job.file), deps.exports.signer.fingerprint);
        send(res, 200, { id: job.id, ok: v.ok, error: v.error, signature: v.signature, files: v.files, stationFingerprint: deps.exports.signer.fingerprint });
      },
    },
  ];
  const exportJob = (raw: string, who: Principal) => {
    access.require(who, 'export');
    if (!uuid.test(raw)) throw bad('export: not an export id');
    const job = deps.exports.get(raw);
    if (!job) throw new AppError(ErrorCode.NOT_FOUND, 'no such export', 404);
    for (const cam of job.cameras) {
      access.require(who, 'export', cam);
      access.requireLookback(who, cam, job.fromMs);
    }
    return job;
  };

  const server = createServer((req, res) => {
    if (deps.allowOrigin) res.setHeader('Access-Control-Allow-Origin', deps.allowOrigin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Accept-Ranges, Content-Disposition');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    void handle(req, res).catch((e: unknown) => {
      let err: AppError;
      if (e instanceof AppError) err = e;
      else if ((e as NodeJS.ErrnoException).code === 'ENOENT') err = new AppError(ErrorCode.NOT_FOUND, 'the footage is no longer on disk', 404);
      else if ((e as NodeJS.ErrnoException).code === 'ENOSPC') err = new AppError(ErrorCode.STORAGE_FULL, 'the recorder disk is full', 507);
      else if ((e as Error).name === 'PathEscapeError') err = new AppError(ErrorCode.NOT_FOUND, 'no such file', 404);
      else {
        log.error({ err: e, method: req.method, path: safePath(req.url) }, 'request failed');
        err = new AppError(ErrorCode.INTERNAL, 'internal error', 500);
      }
      if (res.headersSent) return void res.destroy();
      send(res, err.status, err.toBody());
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Range',
        'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    const who = access.principal(req);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://recorder.invalid');
    } catch {
      throw bad('bad request URL');
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let allowed = false;
    for (const r of routes) {
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      if (r.method !== method) {
        allowed = true;
        continue;
      }
      let params: string[];
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw bad('bad percent-encoding in the path');
      }
      await r.run(params, req, res, url, who);
      return;
    }
    if (allowed) throw new AppError(ErrorCode.BAD_REQUEST, `method ${req.method} not allowed here`, 405);
    throw new AppError(ErrorCode.NOT_FOUND, 'no such route', 404);
  }

  return server;
}

function safePath(url: string | undefined): string {
  return (url ?? '').split('?')[0]!.slice(0, 200);
}
