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
 * The SFU's own calls to the recorder (evidence holds, incident exports) and the recorder's calls to
 * the SFU (audit appends) carry a short-lived service token in this header: `svc.<expiresMs>.<mac>`
 * with the shared secret, or `svc.<expiresMs>.<actor>.<mac>` when the call is made for a user
 * (actor = base64url JSON `{u: name, s: session, f: floor}`, covered by the MAC). Only processes
 * that can read the secret file can make one. `f`, when present, is the earliest footage (ms) the
 * user may see (a city central user's look-back, from the centre's assertion): the recorder
 * refuses footage before it as it does for its own users.
 */
export const SERVICE_HEADER = 'x-wardwall-service';
const SERVICE_TOKEN_MS = 60_000;

/** The user a service call is made for (an incident export, a bookmark deletion releasing holds). */
export interface ServiceActor {
  name: string;
  /** The first characters of the user's session id, when known. */
  session?: string | null;
  /** The earliest footage (epoch ms) the user may see; absent or null: no look-back limit. */
  floor?: number | null;
}

export function signServiceToken(secret: Buffer, now: number, actor?: ServiceActor): string {
  const floor = actor?.floor;
  if (floor !== undefined && floor !== null && !Number.isSafeInteger(floor)) throw new Error(`bad look-back floor ${floor}`);
  const who = actor
    ? `.${Buffer.from(JSON.stringify({ u: actor.name.slice(0, 120), ...(actor.session ? { s: actor.session.slice(0, 8) } : {}), ...(floor !== undefined && floor !== null ? { f: floor } : {}) })).toString('base64url')}`
    : '';
  const payload = `svc.${now + SERVICE_TOKEN_MS}${who}`;
  return `${payload}.${mac(secret, payload)}`;
}

export type ServiceCheck = { ok: true; actor: ServiceActor | null } | { ok: false };

/** Checks a service token; with a valid one, the user it was made for (null: the system itself). */
export function checkServiceToken(secret: Buffer, token: string, now: number): ServiceCheck {
  if (token.length > 700) return { ok: false };
  const m = /^(svc\.(\d{1,15})(?:\.([A-Za-z0-9_-]{1,600}))?)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false };
  const want = Buffer.from(mac(secret, m[1]!), 'base64url');
  const got = Buffer.from(m[4]!, 'base64url');
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false };
  if (Number(m[2]) <= now) return { ok: false };
  if (m[3] === undefined) return { ok: true, actor: null };
  try {
    const o = JSON.parse(Buffer.from(m[3], 'base64url').toString('utf8')) as { u?: unknown; s?: unknown; f?: unknown };
    // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
    if (typeof o.u !== 'string' || !o.u || o.u.length > 120 || /[\u0000-\u001f]/.test(o.u)) return { ok: false };
    const session = typeof o.s === 'string' && /^[A-Za-z0-9_-]{1,8}$/.test(o.s) ? o.s : null;
    // A floor that is not an integer is a token this code did not make: refused, never read as "no limit".
    if (o.f !== undefined && !Number.isSafeInteger(o.f)) return { ok: false };
    return { ok: true, actor: { name: o.u, session, ...(o.f !== undefined ? { floor: o.f as number } : {}) } };
  } catch {
    return { ok: false };
  }
}

export function verifyServiceToken(secret: Buffer, token: string, now: number): boolean {
  return checkServiceToken(secret, token, now).ok;
}
