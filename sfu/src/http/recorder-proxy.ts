/**
 * Same-origin access to the recorder: the wall reaches recorded footage, thumbnails, holds and
 * exports through the SFU's own address (one origin, one port for remote viewers, and the place
 * where access control will sit). Streams both ways, passes range requests, never buffers media.
 * Recording itself never depends on the SFU: the recorder pulls its cameras on its own.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** How a proxied request differs from the wall's own (the city's calls between centre and ward). */
export interface ProxyOptions {
  /** Added to (and winning over) the passed request headers, e.g. a service token. */
  headers?: Record<string, string>;
  /** Do not pass the caller's cookie (another site's session means nothing there). */
  dropCookie?: boolean;
  /** The request body already read (then `req` is not piped). */
  body?: Buffer;
  /** 'https:' to reach a ward's SFU over TLS (default 'http:'). */
  protocol?: 'http:' | 'https:';
  /** The upstream path as given (no /api/recorder/ mapping). */
  rawPath?: boolean;
  /** The status sent to the caller for the upstream's (e.g. a ward's 401 is not the wall's session ending). */
  mapStatus?: (status: number) => number;
}

/** `pathAndQuery` must be normalised (no dot segments): the caller passes URL.pathname + search. */
export function proxyToRecorder(target: { host: string; port: number }, pathAndQuery: string, req: IncomingMessage, res: ServerResponse, log: Logger, opts: ProxyOptions = {}): void {
  const headers: Record<string, string> = {};
  for (const h of PASS_REQUEST_HEADERS) {
    if (h === 'cookie' && opts.dropCookie) continue;
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  Object.assign(headers, opts.headers);
  if (opts.body) headers['content-length'] = String(opts.body.length);
  const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host;
  const send = opts.protocol === 'https:' ? httpsRequest : request;
  const upstream = send({ host, port: target.port, method: req.method, path: opts.rawPath ? pathAndQuery : recorderPath(pathAndQuery), headers, timeout: 30000 }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    const status = up.statusCode ?? 502;
    res.writeHead(opts.mapStatus ? opts.mapStatus(status) : status, out);
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
  if (opts.body) upstream.end(opts.body);
  else req.pipe(upstream);
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
