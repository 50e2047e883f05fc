/**
 * The recorder's HTTP API (node:http). Every input is parsed by a zod schema; errors are JSON
 * `{code, message}` with a 4xx status. No parameter is ever used as a path: cameras must be
 * configured cameras, segments and exports are looked up by id in the index, and every file read
 * goes through resolveInStore (which refuses anything outside the store, symbolic links included).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
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
import { isService, OPEN_RECORDER_ACCESS, type RecorderAccess } from '../access.js';
import { AuditedRanges, spanOfBytes, type Range } from './audited-ranges.js';
import type { ExportQuota } from './export-quota.js';
import { sameOrigin, STATE_CHANGING } from '@wardwall/server-kit';

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
  /** Bounds of holds made by users (`recorder.holds`); the SFU's service is bound only by LIMITS.hold. */
  holdLimits?: HoldLimits;
  /** Export quotas (`recorder.exports`); none when absent. */
  exportQuota?: ExportQuota;
  /** Origins besides the recorder's own whose pages may send state-changing requests (`sfu.allowedOrigins`). */
  allowedOrigins?: readonly string[];
}

export interface HoldLimits {
  maxSpanMs: number;
  maxFutureMs: number;
  maxActivePerUser: number;
}

const DAY = 86400000;
const LIMITS = { spans: 31 * DAY, playlist: DAY, export: DAY, hold: 3660 * DAY };

const MAX_BODY = 64 * 1024;

/** Without `recorder.holds` (tests that start the HTTP server alone): the config's defaults. */
const DEFAULT_HOLD_LIMITS: HoldLimits = { maxSpanMs: 31 * DAY, maxFutureMs: 24 * 3600_000, maxActivePerUser: 500 };

function hours(ms: number): string {
  return ms >= 2 * DAY ? `${Math.round((ms / DAY) * 10) / 10} days` : `${Math.round((ms / 3600_000) * 10) / 10} h`;
}

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

/** The byte range a request asks for in a file of `size` bytes: null = the whole file, 'unsatisfiable' = 416. */
function requestedBytes(req: IncomingMessage, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const range = req.headers.range;
  if (!range) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new AppError(ErrorCode.BAD_REQUEST, 'Range: only one bytes=a-b range is supported', 416);
  let start: number;
  let end = size - 1;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
  } else {
    start = Number(m[1]);
    if (m[2] !== '') end = Math.min(end, Number(m[2]));
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Serves a file (already resolved inside the store) with HTTP range support. */
function sendFile(req: IncomingMessage, res: ServerResponse, abs: string, type: string, extra: Record<string, string> = {}, limit?: number): void {
  const size = Math.min(statSync(abs).size, limit ?? Infinity);
  const asked = requestedBytes(req, size);
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (asked === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    res.end();
    return;
  }
  if (asked) {
    ({ start, end } = asked);
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
  const { store, log } = deps;
  const access = deps.access ?? OPEN_RECORDER_ACCESS;
  // One audit entry per playback range (not per fragment): what each session was audited for, per camera.
  const audited = new AuditedRanges(30 * 60_000);
  const pendingAudits = new Map<string, Promise<void>>();
  const viewer = (who: Principal, cam: string): string => `${who.sessionId ?? who.userId}|${cam}`;
  /**
   * Makes sure the footage `span` of `cam` that `who` is about to receive is audited: nothing when
   * a range audited for this session and camera covers it, else one entry for `range` (the whole
   * playlist window or segment file) before anything is sent. Throws AUDIT_UNAVAILABLE (refused).
   */
  const auditViewing = async (who: Principal, cam: string, span: Range, range: Range, detail: Record<string, unknown>): Promise<void> => {
    const key = viewer(who, cam);
    if (audited.covers(key, span.from, span.to, Date.now())) return;
    const once = `${key}|${range.from}|${range.to}`;
    let pending = pendingAudits.get(once);
    if (!pending) {
      pending = access.audit(who, 'playback', cam, { from: Math.round(range.from), to: Math.round(range.to), ...detail }).then(
        () => audited.add(key, range, Date.now()),
      );
      pendingAudits.set(once, pending);
      void pending.finally(() => pendingAudits.delete(once)).catch(() => undefined);
    }
    await pending;
  };
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
        if (pl.parts === 0 || !pl.span) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded in this window', 404);
        // One entry per viewing: the window the playlist can list (a live one, every reload of it),
        // and so every fragment it points to. hls.js reloads a live playlist every few seconds.
        const range = { from: Math.min(from, pl.span.from), to: Math.max(live ? to : asked, pl.span.to) };
        await auditViewing(who, cam, pl.span, range, { via: 'playlist', ...(live ? { live: true } : {}) });
        const text = pl.text;
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
        res.end(text);
      },
    },
    {
      method: 'GET',
      re: /^\/api\/recordings\/([^/]+)\/media\/([^/]+)\.mp4$/,
      run: async (m, req, res, url, who) => {
        const cam = camera(m[0]!);
        access.require(who, 'playback', cam);
        if (url.search) throw bad('query: no parameters expected');
        if (!/^[1-9]\d{0,15}$/.test(m[1]!)) throw bad('segment: not a segment id');
        let seg = store.db.segment(Number(m[1]));
        if (!seg || seg.camera !== cam) throw new AppError(ErrorCode.NOT_FOUND, 'no such segment', 404);
        // A segment that ends inside the allowed window is served whole (HLS plays whole fragments).
        access.requireLookback(who, cam, seg.open ? Infinity : seg.endMs);
        // The footage these bytes hold must be inside a range audited for this viewer; a fetch
        // outside every audited range (a loop over segment ids) is audited itself, for the whole file.
        const file = await segmentFile(store, deps.fmp4, seg);
        seg = file.seg;
        const parts = fileParts({ segmentId: seg.id, startMs: seg.startMs, info: file.info });
        const size = statSync(file.abs).size;
        const asked = requestedBytes(req, size);
        const bytes = asked === null ? { start: 0, end: size - 1 } : asked === 'unsatisfiable' ? null : asked;
        const span = bytes ? spanOfBytes(parts, bytes.start, bytes.end) : null;
        if (span && parts.length) {
          const whole = { from: parts[0]!.startMs, to: parts[parts.length - 1]!.startMs + parts[parts.length - 1]!.durationMs + (seg.open ? 60_000 : 0) };
          await auditViewing(who, cam, span, { from: Math.min(whole.from, span.from), to: Math.max(whole.to, span.to) }, { via: 'segment', segment: seg.id });
        } else if (bytes && !parts.length && size > file.info.initLength) {
          // Bytes that no parsed fragment accounts for (a file still being written): audit it whole.
          await auditViewing(who, cam, { from: seg.startMs, to: seg.startMs + 1 }, { from: seg.startMs, to: seg.startMs + 60_000 }, { via: 'segment', segment: seg.id });
        }
        sendFile(req, res, file.abs, 'video/mp4', { 'Cache-Control': seg.open ? 'no-store' : 'private, max-age=3600' });
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
        // Snapped to the keyframe that starts the part holding `at`: one picture (and cache entry) per GOP.
        const part = [...parts].reverse().find((p) => p.startMs <= at) ?? parts[0]!;
        const keyframeMs = Math.round(part.startMs);
        const whole = { from: parts[0]!.startMs, to: endMs };
        // The picture belongs to its part [keyframe, next keyframe): covered only by a range holding that part.
        await auditViewing(who, cam, { from: part.startMs, to: part.startMs + part.durationMs }, whole, { via: 'thumbnail', at: keyframeMs });
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        const jpeg = await deps.thumbs.get({ key: `${cam}@${keyframeMs}`, absPath: abs, offsetMs: Math.max(0, keyframeMs - seg.startMs), user: who.userId, signal: gone.signal });
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=86400', 'X-Keyframe-At': String(keyframeMs) });
        res.end(jpeg);
      },
    },
    {
      method: 'GET',
      re: /^\/api\/holds$/,
      // Only holds on cameras the caller may play back (holds on every camera: administrators and the service).
      run: (_m, _q, res, url, who) => {
        access.require(who, 'playback');
        const q = parse(holdsQuery, queryObject(url), 'query');
        const cam = q.camera === undefined ? undefined : camera(q.camera);
        const holds = store.db
          .activeHolds()
          .filter((h) => cam === undefined || h.camera === null || h.camera === cam)
          .filter((h) => (h.camera === null ? access.can(who, 'admin') : allowed(who, 'playback', h.camera)));
        send(res, 200, { holds });
      },
    },
    {
      method: 'POST',
      re: /^\/api\/holds$/,
      run: async (_m, req, res, _u, who) => {
        access.require(who, 'bookmark');
        const b = parse(holdBody, await readBody(req), 'body');
        const service = isService(who);
        if (b.camera === null && !service) throw new AppError(ErrorCode.FORBIDDEN, 'not allowed: a hold on every camera (only the system makes those)', 403);
        const cam = b.camera === null ? null : camera(b.camera);
        if (cam !== null) access.require(who, 'playback', cam);
        const createdBy = author(who, b.createdBy, 'createdBy');
        const now = deps.now();
        const err = checkWindow(b.from, b.to, { maxSpanMs: LIMITS.hold, now });
        if (err) throw bad(err, ErrorCode.BAD_TIME_RANGE);
        if (!service) {
          const lim = deps.holdLimits ?? DEFAULT_HOLD_LIMITS;
          if (b.to - b.from > lim.maxSpanMs) throw bad(`body: to: a hold may span at most ${hours(lim.maxSpanMs)}`, ErrorCode.HOLD_TOO_LONG);
          if (b.to > now + lim.maxFutureMs) throw bad(`body: to: a hold may reach at most ${hours(lim.maxFutureMs)} into the future`, ErrorCode.HOLD_TOO_LONG);
          if (cam !== null) access.requireLookback(who, cam, b.from);
          if (store.db.activeHoldsOf(who.userId) >= lim.maxActivePerUser) throw new AppError(ErrorCode.HOLD_QUOTA, `at most ${lim.maxActivePerUser} active holds per user; release some first`, 429);
        }
        const id = store.db.addHold({ camera: cam, startMs: b.from, endMs: b.to, reason: b.reason, createdBy, createdMs: now, createdByUser: service ? 'service' : who.userId });
        try {
          await access.audit(who, 'hold_add', cam, { hold: id, from: b.from, to: b.to, reason: b.reason });
        } catch (e) {
          // Not audited: not done.
          store.db.releaseHold(id, deps.now());
          throw e;
        }
        log.info({ hold: id, camera: cam, from: b.from, to: b.to, createdBy }, 'hold added');
        send(res, 201, { id });
      },
    },
    {
      method: 'DELETE',
      re: /^\/api\/holds\/([^/]+)$/,
      // Released by its creator, the service, or an administrator (export holds: by expiry or an administrator).
      run: async (m, _q, res, _u, who) => {
        access.require(who, 'bookmark');
        if (!/^[1-9]\d{0,15}$/.test(m[0]!)) throw bad('hold: not a hold id');
        const hold = store.db.hold(Number(m[0]));
        if (!hold) throw new AppError(ErrorCode.NOT_FOUND, 'no such active hold', 404);
        const mine = hold.createdByUser != null && hold.createdByUser === who.userId && !isService(who);
        if (!mine && !isService(who) && !access.can(who, 'admin')) throw new AppError(ErrorCode.FORBIDDEN, 'not allowed: only the hold\'s creator, the system or an administrator may release it', 403);
        // Audited first: a release that cannot be audited is refused.
        await access.audit(who, 'hold_release', hold.camera, { hold: hold.id, from: hold.startMs, to: hold.endMs, reason: hold.reason });
        if (!store.db.releaseHold(hold.id, deps.now())) throw new AppError(ErrorCode.NOT_FOUND, 'no such active hold', 404);
        log.info({ hold: hold.id }, 'hold released');
        send(res, 200, { id: hold.id, released: true });
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
        const exportedBy = author(who, b.exportedBy, 'exportedBy');
        // Checked before the await below, and checked again with no await before the job is created,
        // so parallel requests cannot both pass the quota.
        deps.exportQuota?.check(exportedBy, ranges);
        const cams = [...new Set(ranges.map((r) => r.camera))];
        // Audited before the job exists: an export that cannot be audited is refused.
        const id = randomUUID();
        await access.audit(who, 'export_create', cams.length === 1 ? cams[0]! : null, { export: id, cameras: cams, ranges: ranges.map((r) => [r.camera, r.from, r.to]) });
        deps.exportQuota?.check(exportedBy, ranges);
        const job = deps.exports.create({ id, ranges, exportedBy, title: 'title' in b ? (b.title ?? null) : null, format: b.format ?? 'tar' });
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
      run: async (m, req, res, _u, who) => {
        const job = exportJob(m[0]!, who);
        if (job.state === 'expired') throw new AppError(ErrorCode.EXPORT_EXPIRED, 'the export has expired and its package was deleted; export again', 410);
        if (job.state !== 'done' || !job.file) throw new AppError(ErrorCode.EXPORT_NOT_READY, `export is ${job.state}`, 409);
        await access.audit(who, 'export_download', job.cameras.length === 1 ? job.cameras[0]! : null, { export: job.id, cameras: job.cameras, from: job.fromMs, to: job.toMs });
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
      else if ((e as Error).name === 'AbortError') return void res.destroy();
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
    // A page of another site must not change anything here (the SFU's proxy sends no Origin).
    if (STATE_CHANGING.has(String(req.method)) && !sameOrigin(req, deps.allowedOrigins)) throw new AppError(ErrorCode.BAD_ORIGIN, 'a request from a page of another site is refused', 403);
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
