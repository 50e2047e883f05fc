/**
 * What the recorder's playback routes share: their dependencies, the checks every group repeats
 * (a configured camera, a time window, who authored a hold or an export) and the one-entry-per-
 * viewing playback audit. Built once per server by `playbackContext`; each routes/<group>.ts takes it.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, CAMERA_ID, ErrorCode } from '@wardwall/common';
import { parseInput, queryObject, type Issue, type MetricsRouteOptions, type RequestContext } from '@wardwall/server-kit';
import type { SegmentStore } from '../../store/store.js';
import type { Fmp4Cache } from '../fmp4-cache.js';
import type { Thumbnailer } from '../thumbnail.js';
import type { ExportManager } from '../export.js';
import type { ExportQuota } from '../export-quota.js';
import { instant, checkWindow } from '../time.js';
import { OPEN_RECORDER_ACCESS, type Principal, type RecorderAccess } from '@wardwall/accounts/recorder';
import { AuditedRanges, type Range } from '../audited-ranges.js';

export interface HttpDeps {
  store: SegmentStore;
  fmp4: Fmp4Cache;
  thumbs: Thumbnailer;
  exports: ExportManager;
  cameras: ReadonlyMap<string, string>;
  /** The health body; `ok: false` answers 503. */
  health: () => { ok: boolean };
  /** `GET /metrics` (Prometheus text; its own access rule: metrics.token or loopback); absent: no such route. */
  metrics?: MetricsRouteOptions;
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

export const DAY = 86400000;
export const LIMITS = { spans: 31 * DAY, playlist: DAY, export: DAY, hold: 3660 * DAY };
/** The largest JSON body a route reads (holds, exports). */
export const MAX_BODY = 64 * 1024;

export const windowQuery = z.object({ from: instant, to: instant }).strict();
export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
export const who = z.string().trim().min(1).max(120).regex(/^[^\u0000-\u001f]*$/, 'no control characters');

export function bad(message: string, code: ErrorCode = ErrorCode.BAD_REQUEST, status = 400): AppError {
  return new AppError(code, message, status);
}

/** The recorder's wording: `where: field: message`, BAD_TIME_RANGE for a bad from/to/at. */
function recorderIssue(issue: Issue, where: string): AppError {
  const field = issue.path.map(String).join('.') || where;
  const isTime = /from|to|at/.test(field) && issue.code === 'custom';
  return bad(`${where}: ${field}: ${issue.message}`, isTime ? ErrorCode.BAD_TIME_RANGE : ErrorCode.BAD_REQUEST);
}

export function parse<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  return parseInput(schema, input, { where, error: recorderIssue });
}

export const query = <T>(schema: z.ZodType<T>, url: URL): T => parse(schema, queryObject(url), 'query');

/** The caller, set by the guard (see http.ts) before any route runs. */
export const principal = (ctx: RequestContext): Principal => ctx.principal as Principal;

export type PlaybackContext = ReturnType<typeof playbackContext>;

export function playbackContext(deps: HttpDeps) {
  const access = deps.access ?? OPEN_RECORDER_ACCESS;
  // One audit entry per playback range (not per fragment): what each session was audited for, per camera.
  const audited = new AuditedRanges(30 * 60_000);
  const pendingAudits = new Map<string, Promise<void>>();
  const viewer = (who: Principal, cam: string): string => `${who.sessionId ?? who.userId}|${cam}`;
  return {
    deps,
    access,
    /**
     * Makes sure the footage `span` of `cam` that `who` is about to receive is audited: nothing when
     * a range audited for this session and camera covers it, else one entry for `range` (the whole
     * playlist window or segment file) before anything is sent. Throws AUDIT_UNAVAILABLE (refused).
     */
    async auditViewing(who: Principal, cam: string, span: Range, range: Range, detail: Record<string, unknown>): Promise<void> {
      const key = viewer(who, cam);
      if (audited.covers(key, span.from, span.to, Date.now())) return;
      const once = `${key}|${range.from}|${range.to}`;
      let pending = pendingAudits.get(once);
      if (!pending) {
        pending = access.audit(who, 'playback', cam, { from: Math.round(range.from), to: Math.round(range.to), ...detail }).then(() => audited.add(key, range, Date.now()));
        pendingAudits.set(once, pending);
        void pending.finally(() => pendingAudits.delete(once)).catch(() => undefined);
      }
      await pending;
    },
    /**
     * Who did it, for holds and exports: the signed-in user; the name in the body counts (and is
     * required) only without access control.
     */
    author(p: Principal, given: string | undefined, field: string): string {
      if (p.sessionId) return p.name;
      if (given === undefined) throw bad(`body: ${field}: required`);
      return given;
    },
    /** `raw` as a configured camera: 400 when it is not a camera id, 404 when no such camera. */
    camera(raw: string): string {
      if (!CAMERA_ID.test(raw)) throw bad('camera: not a camera id');
      if (!deps.cameras.has(raw)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera "${raw}"`, 404);
      return raw;
    },
    /** The query's from/to, checked against `maxSpanMs` and the present. */
    window(url: URL, maxSpanMs: number, schema: z.ZodType<{ from: number; to: number }> = windowQuery): { from: number; to: number } {
      const q = query(schema, url);
      const err = checkWindow(q.from, q.to, { maxSpanMs, now: deps.now() });
      if (err) throw bad(err, ErrorCode.BAD_TIME_RANGE);
      return q;
    },
    /** Whether `who` may play back `cam` (lists: filtered, not refused). */
    allowed(who: Principal, permission: 'playback', cam: string): boolean {
      try {
        access.require(who, permission, cam);
        return true;
      } catch {
        return false;
      }
    },
  };
}
