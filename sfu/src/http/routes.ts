/**
 * The SFU's HTTP front: the recorder's API proxied same-origin, the REST routes of the route table
 * (camera list, stills, health, and every feature's own routes), and the built client for the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, CAMERA_ID, ErrorCode, type StreamKind } from '@wardwall/common';
import type { Logger } from 'pino';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { WorkerPool } from '../media/worker-pool.js';
import { serveStatic } from './static-files.js';
import { isRecorderPath, recorderRoutes } from './recorder-proxy.js';
import { Router, sendJson, type Route } from '@wardwall/server-kit';
import { canSeeCamera, OPEN_ACCESS, type AccessPolicy, type Principal } from '@wardwall/accounts';

export interface RoutesContext {
  cameras: CameraRegistry;
  pool: WorkerPool;
  clientDir: string;
  log: Logger;
  sessions: () => number;
  /** Where the recorder listens; null when it is disabled. */
  recorder: { host: string; port: number } | null;
  /** Who may see which camera (the camera list shows only those); open when absent. */
  access?: AccessPolicy;
  /** The audit trail's state: a failed append makes /api/health not ok, with the reason. */
  audit?: () => { ok: boolean; lastError: string | null; failedAt: number | null; headError: string | null };
}

/** The core routes: health, the camera list and a camera's latest keyframe still. */
export function coreRoutes(ctx: RoutesContext): Route[] {
  return [
    ...recorderRoutes(ctx.recorder, ctx.log),
    {
      method: 'GET',
      path: '/api/health',
      access: 'public',
      // 200 when ok, 503 when not (same body): a load balancer or a probe sees it from the status.
      handle: ({ res }) => {
        const audit = ctx.audit?.();
        const reasons = audit && !audit.ok ? [`audit trail: append failed (${audit.lastError ?? 'unknown'}); audited actions are refused`] : [];
        if (audit?.headError) reasons.push(`audit trail: signed head not written (${audit.headError})`);
        const body = {
          ok: reasons.length === 0,
          ...(reasons.length ? { reasons } : {}),
          cameras: ctx.cameras.info().length,
          workers: ctx.pool.size,
          sessions: ctx.sessions(),
          ...(audit ? { audit: { ok: audit.ok, lastError: audit.lastError, failedAt: audit.failedAt, headError: audit.headError } } : {}),
        };
        sendJson(res, body.ok ? 200 : 503, body);
      },
    },
    {
      method: 'GET',
      path: '/api/cameras',
      access: 'session',
      handle: ({ principal }) => ({ cameras: ctx.cameras.info().filter((c) => canSeeCamera(ctx.access ?? OPEN_ACCESS, (principal as Principal | undefined) ?? null, c.id)) }),
    },
    {
      method: 'GET',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/still$/,
      access: { permission: 'live', camera: 'id' },
      doc: { summary: "The camera's latest keyframe as JPEG (`?stream=main|sub`).", replyType: 'image/jpeg' },
      handle: ({ req, res, url, params }) => {
        const id = params.id!;
        if (!CAMERA_ID.test(id) || !ctx.cameras.has(id)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, 'unknown camera', 404);
        const kind = (url.searchParams.get('stream') ?? 'main') as StreamKind;
        if (kind !== 'main' && kind !== 'sub') throw new AppError(ErrorCode.BAD_REQUEST, 'stream must be main or sub');
        // A held camera (a resident's, paused) has no stream and shows no picture.
        const s = (ctx.cameras.stream(id, kind) ?? ctx.cameras.stream(id, 'main'))?.still;
        if (!s) throw new AppError(ErrorCode.NO_STILL, 'no still yet for this camera', 404);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': s.jpeg.length, 'cache-control': 'no-store', 'x-still-at': String(s.at) });
        res.end(req.method === 'HEAD' ? undefined : s.jpeg);
      },
    },
  ];
}

export function createRequestHandler(ctx: RoutesContext, router: Router = new Router().add(...coreRoutes(ctx))) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await route(ctx, router, req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof AppError) sendJson(res, e.status, e.toBody());
      else {
        ctx.log.error({ err: e, url: req.url?.slice(0, 200) }, 'http handler failed');
        sendJson(res, 500, { code: ErrorCode.INTERNAL, message: 'internal error' });
      }
    }
  };
}

async function route(ctx: RoutesContext, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.url?.length ?? 0) > 2048) throw new AppError(ErrorCode.BAD_REQUEST, 'URL too long', 414);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (await router.handle(req, res, url)) return;
  if (isRecorderPath(path)) throw new AppError(ErrorCode.NOT_FOUND, 'no such recorder route', 404);
  if (path.startsWith('/api/')) throw new AppError(ErrorCode.NOT_FOUND, 'no such API route', 404);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    throw new AppError(ErrorCode.BAD_REQUEST, `method ${String(req.method).slice(0, 10)} not allowed`, 405);
  }
  await serveStatic(ctx.clientDir, req, res, path);
}
