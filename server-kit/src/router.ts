/**
 * A small route table for the SFU's REST API. Each feature contributes its routes from its own
 * module (`Route[]`); the table matches method + path, hands the handler the parsed URL and path
 * parameters, and turns AppErrors into `{code, message}` replies. Access checks hang off the route
 * (`access`), so no route can forget them once a guard is installed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Named groups of the route's pattern, URI-decoded. */
  params: Record<string, string>;
  /** Set by the access guard when one is installed (see `Router.guard`). */
  principal?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An exact path or a pattern with named groups, e.g. /^\/api\/cameras\/(?<id>[^/]+)\/still$/. */
  path: string | RegExp;
  /**
   * What the caller must be allowed to do; interpreted by the guard. 'public' routes skip it.
   * Kept as data so a test can list every route and check it is protected.
   */
  access: RouteAccess;
  handle(ctx: RequestContext): unknown | Promise<unknown>;
  /** What the route reads and answers, for the API description (GET /api/openapi.json). */
  doc?: RouteDoc;
}

/**
 * The zod schemas a route's handler parses its input with (the same constants, not copies), and
 * the schema of its JSON reply where the code has one. Documentation only: the router does not
 * parse with them; the handler does, with its own limits and error wording.
 */
export interface RouteDoc {
  summary?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  reply?: z.ZodType;
  /** The body's media type when it is not JSON (an HTML form's application/x-www-form-urlencoded). */
  bodyType?: string;
  /** The success status when it is not 200 (201 created, 202 accepted). */
  status?: number;
  /** The reply is not JSON (an image, a video, a playlist): its media type. */
  replyType?: string;
}

/** 'public': anyone; 'session': any signed-in user; otherwise a named permission (see the guard). */
export type RouteAccess = 'public' | 'session' | { permission: string; camera?: string };

/** Called before a non-public route's handler; throws AppError (401/403) to refuse. */
export type Guard = (ctx: RequestContext, access: RouteAccess) => void | Promise<void>;

/** Runs before any route is matched (Origin checks, rate limits); throws AppError to refuse. */
export type Middleware = (req: IncomingMessage, url: URL) => void;

export const MAX_JSON_BODY = 256 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Reads a JSON request body of at most `limit` bytes; the result is `unknown`, to be parsed by a
 * schema. The content type must be application/json (a cross-site form cannot send it), unless
 * `anyType` (the recorder's port, whose state-changing requests pass the Origin check instead and
 * whose callers, the SFU's service and tools, have always been allowed to omit it).
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_JSON_BODY, opts: { anyType?: boolean } = {}): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!opts.anyType && !/^application\/json\b/i.test(type)) throw new AppError(ErrorCode.BAD_REQUEST, 'expected content-type application/json', 415);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new AppError(ErrorCode.MESSAGE_TOO_LARGE, `body larger than ${limit} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AppError(ErrorCode.MESSAGE_TOO_LARGE, `body larger than ${limit} bytes`, 413);
    chunks.push(chunk);
  }
  if (size === 0 && opts.anyType) throw new AppError(ErrorCode.BAD_REQUEST, 'body: a JSON object is required');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new AppError(ErrorCode.BAD_REQUEST, 'body is not valid JSON');
  }
}

export class Router {
  private readonly routes: Route[] = [];
  private guardFn: Guard | null = null;
  private readonly middleware: Middleware[] = [];

  add(...routes: Route[]): this {
    this.routes.push(...routes);
    return this;
  }

  /** Installs the access guard (authentication + permissions). */
  guard(fn: Guard): this {
    this.guardFn = fn;
    return this;
  }

  /** Adds a check every request passes before its route runs (in the order added). */
  before(fn: Middleware): this {
    this.middleware.push(fn);
    return this;
  }

  list(): readonly Route[] {
    return this.routes;
  }

  /** Runs the matching route; returns false when no route has this path (so the caller may serve files). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    for (const fn of this.middleware) fn(req, url);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchPath(route.path, path);
      if (!params) continue;
      pathMatched = true;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      if (route.method !== method) continue;
      const ctx: RequestContext = { req, res, url, params };
      if (route.access !== 'public' && this.guardFn) await this.guardFn(ctx, route.access);
      const result = await route.handle(ctx);
      if (!res.headersSent && !res.writableEnded) sendJson(res, 200, result ?? { ok: true });
      return true;
    }
    if (pathMatched) {
      const allowed = [...new Set(this.routes.filter((r) => matchPath(r.path, path)).map((r) => r.method))];
      res.setHeader('allow', allowed.join(', '));
      throw new AppError(ErrorCode.BAD_REQUEST, `method ${String(req.method).slice(0, 10)} not allowed`, 405);
    }
    return false;
  }
}

function matchPath(pattern: string | RegExp, path: string): Record<string, string> | null {
  if (typeof pattern === 'string') return pattern === path ? {} : null;
  const m = pattern.exec(path);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) {
    try {
      params[k] = decodeURIComponent(v);
    } catch {
      throw new AppError(ErrorCode.BAD_REQUEST, 'malformed path');
    }
  }
  return params;
}
