/**
 * Who may read `GET /metrics` (the SFU's and the recorder's Prometheus text): with `metrics.token`
 * configured, callers that send `Authorization: Bearer <token>` (from any address; loopback too
 * needs it); without one, loopback callers only. Sessions do not count: a scraper is not a user.
 * Refusals are coded JSON errors: 401 UNAUTHENTICATED (token missing or wrong), 403 FORBIDDEN (no
 * token configured and the caller is not on loopback).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCode } from '@wardwall/common';
import type { Route } from './router.js';

/** Whether a socket address is the machine itself (127.0.0.0/8, ::1, or IPv4-mapped 127.x). */
export function isLoopbackAddress(addr: string | null | undefined): boolean {
  if (!addr) return false;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || addr === '::1';
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** The bearer token of an Authorization header, or null (absent, another scheme, malformed). */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const m = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * Decides a metrics request from its Authorization header and socket address (pure; throws the
 * coded refusal). `token` null: loopback only.
 */
export function checkMetricsAccess(authorization: string | string[] | undefined, remoteAddress: string | null | undefined, token: string | null): void {
  const sent = bearerToken(authorization);
  if (token !== null) {
    if (sent === null) throw new AppError(ErrorCode.UNAUTHENTICATED, 'metrics: send Authorization: Bearer <metrics.token>', 401);
    // Compared as digests: same length, constant time, whatever was sent.
    if (!timingSafeEqual(digest(sent), digest(token))) throw new AppError(ErrorCode.UNAUTHENTICATED, 'metrics: wrong token', 401);
    return;
  }
  if (sent !== null) throw new AppError(ErrorCode.UNAUTHENTICATED, 'metrics: no metrics.token is configured; only loopback may read metrics, without a token', 401);
  if (!isLoopbackAddress(remoteAddress)) throw new AppError(ErrorCode.FORBIDDEN, 'metrics: only loopback may read metrics when metrics.token is not configured', 403);
}

export interface MetricsRouteOptions {
  /** `metrics.token` (null: loopback only). */
  token: string | null;
  /** The exposition text and its content type (prom-client's `registry.metrics()` / `contentType`). */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * `GET /metrics`. Declared 'public' for the route table's session guard (a scraper has no session);
 * its own check above runs first in the handler.
 */
export function metricsRoute(opts: MetricsRouteOptions): Route {
  return {
    method: 'GET',
    path: '/metrics',
    access: 'public',
    handle: async ({ req, res }) => {
      try {
        checkMetricsAccess(req.headers.authorization, req.socket.remoteAddress, opts.token);
      } catch (e) {
        if (e instanceof AppError && e.status === 401) res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        throw e;
      }
      const { contentType, body } = await opts.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(isHead(req) ? undefined : body);
    },
  };
}

function isHead(req: IncomingMessage): boolean {
  return req.method === 'HEAD';
}
