/**
 * RTSP authentication as a client answers it (RFC 2617 as RTSP uses it): the camera URL's
 * user-info split off the URL that goes on the wire, WWW-Authenticate challenges parsed, Basic and
 * Digest (MD5, qop=auth or none) Authorization headers computed. Pure apart from the cnonce.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface RtspCredentials {
  user: string;
  password: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * An rtsp:// URL split into what goes on the wire (no user-info) and its credentials
 * (percent-decoded), or null when it is not an rtsp:// URL with a host.
 */
export function splitRtspUrl(url: string): { wireUrl: string; host: string; port: number; credentials: RtspCredentials | null } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'rtsp:' || !u.hostname) return null;
  const port = u.port === '' ? 554 : Number(u.port);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const credentials = u.username || u.password ? { user: decode(u.username), password: decode(u.password) } : null;
  return { wireUrl: `rtsp://${u.host}${u.pathname}${u.search}`, host, port, credentials };
}

export interface AuthChallenge {
  scheme: 'basic' | 'digest' | string;
  params: Record<string, string>;
}

/** Parses `k=v, k2="v 2"` auth parameters (quoted strings may contain commas and escaped quotes). */
function parseAuthParams(s: string): { params: Record<string, string>; rest: string } {
  const params: Record<string, string> = {};
  let i = 0;
  for (;;) {
    const m = /^\s*,?\s*([A-Za-z0-9_-]+)\s*=\s*/.exec(s.slice(i));
    if (!m) break;
    // A following "Scheme k=v" is the next challenge, not a parameter.
    const key = m[1]!.toLowerCase();
    i += m[0].length;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      i++;
    } else {
      const v = /^[^,\s]*/.exec(s.slice(i))![0];
      value = v;
      i += v.length;
    }
    params[key] = value;
  }
  return { params, rest: s.slice(i) };
}

/** Every challenge of the WWW-Authenticate headers (several headers, or several challenges in one). */
export function parseChallenges(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const v of values) {
    let rest = v;
    for (let guard = 0; guard < 8; guard++) {
      const m = /^\s*,?\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)/.exec(rest);
      if (!m) break;
      const parsed = parseAuthParams(rest.slice(m[0].length));
      out.push({ scheme: m[1]!.toLowerCase(), params: parsed.params });
      if (parsed.rest.length === rest.length) break;
      rest = parsed.rest;
    }
  }
  return out;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export interface DigestInput {
  user: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** 'auth' or undefined (RFC 2069 compatibility). */
  qop?: 'auth';
  nc?: number;
  cnonce?: string;
}

/** The Digest `response` value (RFC 2617 §3.2.2.1, algorithm MD5). */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(`${d.user}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  if (d.qop === 'auth') return md5(`${ha1}:${d.nonce}:${ncString(d.nc ?? 1)}:${d.cnonce ?? ''}:auth:${ha2}`);
  return md5(`${ha1}:${d.nonce}:${ha2}`);
}

const ncString = (nc: number): string => nc.toString(16).padStart(8, '0');
const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * An answerer for one accepted challenge: Authorization header values per request. Digest counts
 * its nonce uses (nc). Null when the challenge is not one this client can answer (e.g. Digest with
 * SHA-256, MD5-sess or only qop=auth-int).
 */
export interface Authorizer {
  scheme: 'basic' | 'digest';
  authorization(method: string, uri: string): string;
}

export function makeAuthorizer(challenge: AuthChallenge, cred: RtspCredentials, cnonce: () => string = () => randomBytes(8).toString('hex')): Authorizer | null {
  if (challenge.scheme === 'basic') {
    const token = Buffer.from(`${cred.user}:${cred.password}`, 'utf8').toString('base64');
    return { scheme: 'basic', authorization: () => `Basic ${token}` };
  }
  if (challenge.scheme !== 'digest') return null;
  const p = challenge.params;
  const algorithm = p.algorithm;
  if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return null;
  if (p.nonce === undefined) return null;
  let qop: 'auth' | undefined;
  if (p.qop !== undefined) {
    const offered = p.qop.split(',').map((q) => q.trim().toLowerCase());
    if (!offered.includes('auth')) return null;
    qop = 'auth';
  }
  const realm = p.realm ?? '';
  const nonce = p.nonce;
  let nc = 0;
  return {
    scheme: 'digest',
    authorization(method, uri) {
      nc++;
      const cn = qop ? cnonce() : undefined;
      const response = digestResponse({ user: cred.user, password: cred.password, realm, nonce, method, uri, qop, nc, cnonce: cn });
      const parts = [`username=${quote(cred.user)}`, `realm=${quote(realm)}`, `nonce=${quote(nonce)}`, `uri=${quote(uri)}`, `response=${quote(response)}`];
      if (algorithm !== undefined) parts.push(`algorithm=${algorithm}`);
      if (p.opaque !== undefined) parts.push(`opaque=${quote(p.opaque)}`);
      if (qop) parts.push(`qop=auth`, `nc=${ncString(nc)}`, `cnonce=${quote(cn!)}`);
      return `Digest ${parts.join(', ')}`;
    },
  };
}

/** The authorizer for a 401's challenges: Digest when offered and answerable, else Basic, else null. */
export function chooseAuthorizer(challenges: readonly AuthChallenge[], cred: RtspCredentials): Authorizer | null {
  for (const c of challenges) {
    if (c.scheme !== 'digest') continue;
    const a = makeAuthorizer(c, cred);
    if (a) return a;
  }
  const basic = challenges.find((c) => c.scheme === 'basic');
  return basic ? makeAuthorizer(basic, cred) : null;
}
