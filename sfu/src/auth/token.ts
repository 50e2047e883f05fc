/**
 * Session tokens and the session cookie. A token is `<sessionId>.<expiresMs>.<mac>` with
 * mac = HMAC-SHA256(secret, "<sessionId>.<expiresMs>") in base64url; the session row in SQLite
 * makes it revocable. Pure apart from randomness (sign/verify take the secret and the clock).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'ww_session';
const SESSION_ID = /^[A-Za-z0-9_-]{22,64}$/;

export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signToken(secret: Buffer, sessionId: string, expiresMs: number): string {
  const payload = `${sessionId}.${expiresMs}`;
  return `${payload}.${mac(secret, payload)}`;
}

export type TokenCheck = { ok: true; sessionId: string; expiresMs: number } | { ok: false; reason: 'malformed' | 'bad_mac' | 'expired' };

/** Checks the form, the MAC (constant time) and the expiry; the caller then checks the session row. */
export function verifyToken(secret: Buffer, token: string, now: number): TokenCheck {
  if (token.length > 200) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [sid, exp, given] = parts as [string, string, string];
  if (!SESSION_ID.test(sid) || !/^\d{1,15}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(given)) return { ok: false, reason: 'malformed' };
  const want = Buffer.from(mac(secret, `${sid}.${exp}`), 'base64url');
  const got = Buffer.from(given, 'base64url');
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'bad_mac' };
  const expiresMs = Number(exp);
  if (expiresMs <= now) return { ok: false, reason: 'expired' };
  return { ok: true, sessionId: sid, expiresMs };
}

/** The value of one cookie from a Cookie header; null when absent or given twice (ambiguous). */
export function readCookie(header: string | string[] | undefined, name: string): string | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (text.length > 8192) return null;
  let found: string | null = null;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    if (found !== null) return null;
    found = part.slice(eq + 1).trim();
  }
  return found;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 clears the cookie. */
  maxAgeS: number;
}

export function sessionCookie(token: string, o: CookieOptions): string {
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(o.maxAgeS))}`, ...(o.secure ? ['Secure'] : [])].join('; ');
}

export function clearedCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeS: 0 });
}

/**
 * The SFU's own calls to the recorder (evidence holds, incident exports) carry a short-lived service
 * token in this header: `svc.<expiresMs>.<mac>` with the shared secret. Only processes that can read
 * the secret file can make one; the recorder accepts it as the system principal.
 */
export const SERVICE_HEADER = 'x-wardwall-service';
const SERVICE_TOKEN_MS = 60_000;

export function signServiceToken(secret: Buffer, now: number): string {
  const payload = `svc.${now + SERVICE_TOKEN_MS}`;
  return `${payload}.${mac(secret, payload)}`;
}

export function verifyServiceToken(secret: Buffer, token: string, now: number): boolean {
  if (token.length > 100) return false;
  const m = /^svc\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const want = Buffer.from(mac(secret, `svc.${m[1]}`), 'base64url');
  const got = Buffer.from(m[2]!, 'base64url');
  if (want.length !== got.length || !timingSafeEqual(want, got)) return false;
  return Number(m[1]) > now;
}
