/**
 * Camera URLs carry credentials (rtsp://user:pass@host/...). Nothing outside the ingest process
 * arguments may see them: logs use these helpers, browsers never get URLs at all.
 */
// The user-info runs to the LAST "@" of the authority (a password may contain "@"); the authority
// ends at the first "/", "?", "#" or white space.
const URL_WITH_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*@)/gi;

/**
 * Resident camera secrets (common/src/residents.ts): push keys `rk_…`, the internal stream names
 * `rs_…` of pushed streams on the embedded endpoint and owner link tokens `ro_…`. Recognisable by their prefix so
 * every log line can drop them, wherever they appear (URL paths, library messages). Also the embedded
 * endpoint's publish keys `pk_…` of plain paths (endpoint/src/endpoint-secret.ts).
 */
const STREAM_SECRET = /\b(r[kso]_|pk_)[A-Za-z0-9_-]{8,}/g;

/** Replaces the user-info part of every URL in `text` with `***@`, and stream secrets with `rk_***`/`rs_***`. */
export function redactCredentials(text: string): string {
  return text.replace(URL_WITH_USERINFO, '$1***@').replace(STREAM_SECRET, '$1***');
}

/** A URL reduced to scheme, host and port, for log lines that need to say which camera host failed. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<invalid url>';
  }
}

/** Field names whose values are secrets wherever they appear in a logged object. */
const SECRET_KEY = /^(pass(word|wd|phrase)?|secret|token|cookie|set-cookie|authorization|x-wardwall-service|api[-_]?key|private[-_]?key|credentials?)$/i;

/**
 * A copy of a value to be logged with every string scrubbed (`redactCredentials`) at any depth and
 * secret-named fields (password, token, cookie, authorization, …) replaced by "***". Arrays and
 * plain objects are walked up to `depth` levels (deeper ones become "[depth]"); cycles are cut.
 */
export function redactDeep(value: unknown, depth = 8, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactCredentials(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[cycle]';
  if (depth <= 0) return '[depth]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth - 1, seen));
  if (value instanceof Error) {
    // Same class (serializers name it by its constructor), every own field scrubbed.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(value)) {
      const v = (value as unknown as Record<string, unknown>)[k];
      copy[k] = SECRET_KEY.test(k) && v ? '***' : redactDeep(v, depth - 1, seen);
    }
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // Buffers, Dates, class instances: left to their serializers
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' ? '***' : redactDeep(v, depth - 1, seen);
  return out;
}

/** The mask that stands for a stored password in a URL shown to an administrator. */
export const PASSWORD_MASK = '***';

/**
 * A camera URL as an administrator may see it: scheme, user, host, path and query, the password
 * replaced by `***` (rtsp://admin:***@10.0.0.5/stream1). Stream secrets in the path are masked too
 * (`pk_***`). A URL that does not parse is shown as `<invalid url>`.
 */
export function redactPassword(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<invalid url>';
  }
  if (u.password) u.password = PASSWORD_MASK;
  return u.toString().replace(STREAM_SECRET, '$1***');
}

/**
 * An edited camera URL with the stored password put back: an administrator who edits a camera
 * sees `rtsp://user:***@host/…`; submitting that mask (same user) keeps the stored password. Any
 * other password, or no password, is taken as given. Pure.
 */
export function keepStoredPassword(submitted: string, stored: string | undefined): string {
  if (stored === undefined) return submitted;
  let s: URL;
  let old: URL;
  try {
    s = new URL(submitted);
    old = new URL(stored);
  } catch {
    return submitted;
  }
  if (s.password !== PASSWORD_MASK || !old.password) return submitted;
  // Same user (or none given): the stored password, as stored (already percent-encoded).
  if (s.username && s.username !== old.username) return submitted;
  s.username = old.username;
  s.password = old.password;
  return s.toString();
}
