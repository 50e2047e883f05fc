/**
 * Evidence holds: footage kept past retention. Listed per camera the caller may play back, added by
 * users within `recorder.holds` (the SFU's service: any camera, any span), released by their creator,
 * the service or an administrator. Adding and releasing are audited first: not audited, not done.
 */
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import { readJsonBody, sendJson, type Route } from '@wardwall/server-kit';
import { instant, checkWindow } from '../time.js';
import { isService } from '@wardwall/accounts/recorder';
import { bad, DAY, LIMITS, MAX_BODY, parse, principal, query, who, type HoldLimits, type PlaybackContext } from './context.js';

/** Without `recorder.holds` (tests that start the HTTP server alone): the config's defaults. */
const DEFAULT_HOLD_LIMITS: HoldLimits = { maxSpanMs: 31 * DAY, maxFutureMs: 24 * 3600_000, maxActivePerUser: 500 };

const holdsQuery = z.object({ camera: z.string().optional() }).strict();
const holdBody = z
  .object({ camera: z.string().nullable().default(null), from: instant, to: instant, reason: z.string().trim().min(1).max(500), createdBy: who.optional() })
  .strict();

function hours(ms: number): string {
  return ms >= 2 * DAY ? `${Math.round((ms / DAY) * 10) / 10} days` : `${Math.round((ms / 3600_000) * 10) / 10} h`;
}

export function holdRoutes(c: PlaybackContext): Route[] {
  const { deps, access } = c;
  const { store, log } = deps;
  return [
    {
      method: 'GET',
      path: '/api/holds',
      // Only holds on cameras the caller may play back (holds on every camera: administrators and the service).
      access: { permission: 'playback' },
      doc: { summary: 'Active evidence holds.', query: holdsQuery },
      handle: (ctx) => {
        const who = principal(ctx);
        const q = query(holdsQuery, ctx.url);
        const cam = q.camera === undefined ? undefined : c.camera(q.camera);
        const holds = store.db
          .activeHolds()
          .filter((h) => cam === undefined || h.camera === null || h.camera === cam)
          .filter((h) => (h.camera === null ? access.can(who, 'admin') : c.allowed(who, 'playback', h.camera)));
        return { holds };
      },
    },
    {
      method: 'POST',
      path: '/api/holds',
      access: { permission: 'bookmark' },
      doc: { summary: 'Keep footage past retention.', body: holdBody, status: 201 },
      handle: async (ctx) => {
        const who = principal(ctx);
        const b = parse(holdBody, await readJsonBody(ctx.req, MAX_BODY, { anyType: true }), 'body');
        const service = isService(who);
        if (b.camera === null && !service) throw new AppError(ErrorCode.FORBIDDEN, 'not allowed: a hold on every camera (only the system makes those)', 403);
        const cam = b.camera === null ? null : c.camera(b.camera);
        if (cam !== null) access.require(who, 'playback', cam);
        const createdBy = c.author(who, b.createdBy, 'createdBy');
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
        sendJson(ctx.res, 201, { id });
      },
    },
    {
      method: 'DELETE',
      path: /^\/api\/holds\/(?<hold>[^/]+)$/,
      // Released by its creator, the service, or an administrator (export holds: by expiry or an administrator).
      access: { permission: 'bookmark' },
      handle: async (ctx) => {
        const who = principal(ctx);
        const raw = ctx.params.hold!;
        if (!/^[1-9]\d{0,15}$/.test(raw)) throw bad('hold: not a hold id');
        const hold = store.db.hold(Number(raw));
        if (!hold) throw new AppError(ErrorCode.NOT_FOUND, 'no such active hold', 404);
        const mine = hold.createdByUser != null && hold.createdByUser === who.userId && !isService(who);
        if (!mine && !isService(who) && !access.can(who, 'admin')) throw new AppError(ErrorCode.FORBIDDEN, "not allowed: only the hold's creator, the system or an administrator may release it", 403);
        // Audited first: a release that cannot be audited is refused.
        await access.audit(who, 'hold_release', hold.camera, { hold: hold.id, from: hold.startMs, to: hold.endMs, reason: hold.reason });
        if (!store.db.releaseHold(hold.id, deps.now())) throw new AppError(ErrorCode.NOT_FOUND, 'no such active hold', 404);
        log.info({ hold: hold.id }, 'hold released');
        return { id: hold.id, released: true };
      },
    },
  ];
}
