/**
 * Same-origin access to the recorder: the wall reaches recorded footage, thumbnails, holds and
 * exports through the SFU's own address (one origin, one port for remote viewers, and the place
 * where access control will sit). Streams both ways, passes range requests, never buffers media.
 * Recording itself never depends on the SFU: the recorder pulls its cameras on its own.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { AppError, ErrorCode } from '@wardwall/common';
import type { Logger } from 'pino';
import type { Route, RouteAccess } from '@wardwall/server-kit';

/** Path prefixes served by the recorder. Pure. */
export const RECORDER_PREFIXES = ['/api/recordings/', '/api/exports', '/api/holds', '/api/recorder/'] as const;

export function isRecorderPath(pathname: string): boolean {
  return RECORDER_PREFIXES.some((p) => (p.endsWith('/') ? pathname.startsWith(p) : pathname === p || pathname.startsWith(`${p}/`)));
}

/** /api/recorder/health → /api/health on the recorder; everything else keeps its path. Pure. */
export function recorderPath(pathAndQuery: string): string {
  return pathAndQuery.startsWith('/api/recorder/') ? `/api/${pathAndQuery.slice('/api/recorder/'.length)}` : pathAndQuery;
}

// The session cookie goes along: the recorder checks the same session itself.
const PASS_REQUEST_HEADERS = ['content-type', 'content-length', 'range', 'if-none-match', 'if-modified-since', 'accept', 'cookie'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers']);

/** `pathAndQuery` must be normalised (no dot segments): the caller passes URL.pathname + search. */
export function proxyToRecorder(target: { host: string; port: number }, pathAndQuery: string, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  const headers: Record<string, string> = {};
  for (const h of PASS_REQUEST_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host;
  const upstream = request({ host, port: target.port, method: req.method, path: recorderPath(pathAndQuery), headers, timeout: 30000 }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  const fail = (e: Error) => {
    log.warn({ err: e.message }, 'recorder unavailable');
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ code: ErrorCode.RECORDER_UNAVAILABLE, message: 'the recorder does not answer' }));
    } else res.destroy();
  };
  upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('error', fail);
  req.on('aborted', () => upstream.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

/**
 * The recorder's API as routes of the SFU's table, each with the access it needs, so the SFU's guard
 * checks them before proxying (the recorder checks again, with the look-back limit, on its side).
 */
export function recorderRoutes(target: { host: string; port: number } | null, log: Logger): Route[] {
  const proxy: Route['handle'] = ({ req, res, url }) => {
    if (!target) throw new AppError(ErrorCode.RECORDER_UNAVAILABLE, 'recording is disabled', 503);
    // Settles when the response is over, so the router does not answer in its place.
    return new Promise<void>((resolve) => {
      res.once('close', resolve);
      proxyToRecorder(target, url.pathname + url.search, req, res, log);
    });
  };
  const route = (method: Route['method'], path: RegExp, access: RouteAccess): Route => ({ method, path, access, handle: proxy });
  const playback = { permission: 'playback', camera: 'camera' } as const;
  return [
    route('GET', /^\/api\/recordings\/(?<camera>[^/]+)\/.+$/, playback),
    route('GET', /^\/api\/holds$/, { permission: 'playback' }),
    route('POST', /^\/api\/holds$/, { permission: 'bookmark' }),
    route('DELETE', /^\/api\/holds\/[^/]+$/, { permission: 'bookmark' }),
    route('POST', /^\/api\/exports$/, { permission: 'export' }),
    route('GET', /^\/api\/exports\/[^/]+(?:\/download|\/verify)?$/, { permission: 'export' }),
    // openapi.json: the recorder's own API description (its bodies and queries).
    route('GET', /^\/api\/recorder\/(?:health|cameras|station-key|openapi\.json)$/, 'session'),
  ];
}
