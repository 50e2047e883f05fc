/**
 * Cross-site request refusal: a page of another site must not use the wall's cookie to change
 * anything (REST POST/PUT/PATCH/DELETE) or to open the signaling socket. Browsers send `Origin` on
 * those requests (and `Sec-Fetch-Site`); it must name the wall itself (the Host the request was sent
 * to) or one of `sfu.allowedOrigins`. Requests without either header are not from a browser page
 * (tools, the services' own calls): the session cookie still decides. Pure.
 */
import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCode } from '@wardwall/common';

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Normalised `scheme://host[:port]` of an allowed-origins entry (or null when it does not parse). */
export function originOf(text: string): string | null {
  try {
    const u = new URL(text);
    return u.origin === 'null' ? null : u.origin;
  } catch {
    return null;
  }
}

/** Whether the request comes from the wall's own pages (or an allowed origin, or no browser page at all). */
export function sameOrigin(req: Pick<IncomingMessage, 'headers'>, allowed: readonly string[] = []): boolean {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (origin === undefined) return site === undefined || site === 'same-origin' || site === 'none';
  // "null": a page with `Referrer-Policy: no-referrer` (the owner page) posting a form, or a sandboxed
  // frame. Only the browser's own Sec-Fetch-Site can tell the first (same-origin) from the second.
  if (origin === 'null') return site === 'same-origin';
  if (typeof origin !== 'string') return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.host === req.headers.host) return true;
  return allowed.some((a) => originOf(a) === o.origin);
}

/** Router middleware: state-changing requests from another site's page get 403 BAD_ORIGIN. */
export function originGuard(allowed: readonly string[]): (req: IncomingMessage) => void {
  return (req) => {
    if (!STATE_CHANGING.has(String(req.method))) return;
    if (!sameOrigin(req, allowed)) throw new AppError(ErrorCode.BAD_ORIGIN, 'a request from a page of another site is refused', 403);
  };
}
