/**
 * The recorder's HTTP API (node:http) on server-kit's router. Every input is parsed by a zod
 * schema; errors are JSON `{code, message}` with a 4xx status. No parameter is ever used as a path:
 * cameras must be configured cameras, segments and exports are looked up by id in the index, and
 * every file read goes through resolveInStore (which refuses anything outside the store, symbolic
 * links included).
 *
 * The routes live by group in routes/<group>.ts and declare their access as data, like the SFU's
 * feature routes: 'session' (any signed-in caller) or `{permission, camera?}`. Every request needs
 * a session (or the SFU's service token), matched route or not; the guard then checks the route's
 * permission, on the configured camera named by its `camera` path parameter when it has one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AppError, ErrorCode } from '@wardwall/common';
import { metricsRoute, openApiRoute, originGuard, Router, sendJson, type OpenApiInfo, type RequestContext, type RouteAccess } from '@wardwall/server-kit';
import { SESSION_COOKIE, type Permission, type Principal } from '@wardwall/accounts/recorder';
import { playbackContext, type HttpDeps, type PlaybackContext } from './routes/context.js';
import { infoRoutes } from './routes/info.js';
import { recordingRoutes } from './routes/recordings.js';
import { thumbnailRoutes } from './routes/thumbnails.js';
import { holdRoutes } from './routes/holds.js';
import { exportRoutes } from './routes/exports.js';

export type { HttpDeps, HoldLimits } from './routes/context.js';

/** The head of the recorder's OpenAPI description (GET /api/openapi.json on the recorder's port). */
export const RECORDER_API_INFO: OpenApiInfo = {
  title: 'Wardwall recorder REST API',
  version: '0.1.0',
  description:
    "Generated from the recorder's route table and the zod schemas its handlers parse with. The wall reaches these routes through the SFU's same-origin proxy: /api/recordings/..., /api/holds, /api/exports as they are, /api/health, /api/cameras and /api/station-key as /api/recorder/<name>. Errors are `{code, message}`.",
  sessionCookie: SESSION_COOKIE,
};

/** Every route of the recorder's API, in matching order (a test may list them and their access), and its description. */
export function playbackRouter(c: PlaybackContext): Router {
  const callers = new WeakMap<IncomingMessage, Principal>();
  const router = (
    new Router()
      // A page of another site must not change anything here (the SFU's proxy sends no Origin).
      .before(originGuard(c.deps.allowedOrigins ?? []))
      // Who is calling, before any route is matched: an unknown route is 401 without a session too.
      // Except the metrics, whose scraper has no session (its route checks metrics.token or loopback).
      .before((req, url) => void (c.deps.metrics && url.pathname === METRICS_PATH ? undefined : callers.set(req, c.access.principal(req))))
      .guard((ctx: RequestContext, access: RouteAccess) => {
        const who = callers.get(ctx.req)!;
        ctx.principal = who;
        if (access === 'public' || access === 'session') return;
        const permission = access.permission as Permission;
        // A camera route's camera must be a configured one (400/404) before its rights are asked.
        if (access.camera) c.access.authorize(who, { permission, camera: c.camera(ctx.params[access.camera] ?? '') });
        else c.access.authorize(who, { permission });
      })
      .add(...infoRoutes(c), ...recordingRoutes(c), ...thumbnailRoutes(c), ...holdRoutes(c), ...exportRoutes(c))
      .add(...(c.deps.metrics ? [metricsRoute(c.deps.metrics)] : []))
  );
  return router.add(openApiRoute(() => router.list(), RECORDER_API_INFO));
}

const METRICS_PATH = '/metrics';

export function createHttpServer(deps: HttpDeps): Server {
  const { log } = deps;
  const router = playbackRouter(playbackContext(deps));

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
      sendJson(res, err.status, err.toBody());
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
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://recorder.invalid');
    } catch {
      throw new AppError(ErrorCode.BAD_REQUEST, 'bad request URL');
    }
    if (await router.handle(req, res, url)) return;
    throw new AppError(ErrorCode.NOT_FOUND, 'no such route', 404);
  }

  return server;
}

function safePath(url: string | undefined): string {
  return (url ?? '').split('?')[0]!.slice(0, 200);
}
