/**
 * The SFU's account API (same origin; see AUTH-CONTRACT.md): sign-in, the signed-in viewer, sign-out,
 * own password, and for admins users/roles, for auditors the audit trail. No DOM. Replies enter as
 * `unknown` and are checked. Any 401 on a signed-in call (here, or through `fetch` handed to other
 * services) fires `unauthorized` once per sign-in, so the page can go back to the login page.
 */
import { parseMe, type Me } from '../core/access.js';
import { parseAuditPage, type AuditPage } from '../core/audit-query.js';
import { isObj, ParseError } from '../core/parse.js';
import { parseRoles, parseUser, parseUsers, type RoleInfo, type UserRecord } from '../core/user-admin.js';
import { Emitter } from './emitter.js';
import { readJson, replyError } from './json-reply.js';

export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    /** LOCKED_OUT: seconds until the next attempt is allowed. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface AuthApiEvents {
  /** A signed-in request was answered 401: the session ended (expired, revoked, logged out elsewhere). */
  unauthorized: [];
}

type Fetch = typeof fetch;

export class AuthApi extends Emitter<AuthApiEvents> {
  private signedIn = false;
  /** Counts sign-ins, so a late 401 of a previous sign-in's request cannot end the current one. */
  private generation = 0;

  constructor(
    private readonly base = '',
    private readonly fetchFn: Fetch = (...a) => fetch(...a),
  ) {
    super();
  }

  /** fetch for the other services: same call, and a 401 ends the sign-in. */
  readonly fetch: Fetch = async (input, init) => {
    const generation = this.generation;
    const res = await this.fetchFn(input, init);
    if (res.status === 401) this.sessionEnded(generation);
    return res;
  };

  /**
   * Marks the sign-in as over (ws closed with 4401, a 401 anywhere); fires `unauthorized` once.
   * With `generation`, only when no new sign-in happened since the request started.
   */
  sessionEnded(generation = this.generation): void {
    if (!this.signedIn || generation !== this.generation) return;
    this.signedIn = false;
    this.emit('unauthorized');
  }

  private async call(path: string, init: { method?: string; body?: unknown; query?: Record<string, string> } = {}, signedIn = true): Promise<unknown> {
    const q = init.query ? `?${new URLSearchParams(init.query).toString()}` : '';
    const generation = this.generation;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}${q}`, {
        method: init.method ?? 'GET',
        cache: 'no-store',
        credentials: 'same-origin',
        ...(init.body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {}),
      });
    } catch {
      throw new AuthError('DISCONNECTED', 'the server cannot be reached');
    }
    const body = await readJson(res);
    if (!res.ok) {
      const e = replyError(res, body);
      // A wrong current password (own password change) is 401 too, but the session stands.
      if (res.status === 401 && signedIn && e.code !== 'BAD_CREDENTIALS') this.sessionEnded(generation);
      throw new AuthError(e.code, e.message, e.status, e.retryAfterS);
    }
    return body;
  }

  private parsed<T>(raw: unknown, parse: (raw: unknown) => T): T {
    try {
      return parse(raw);
    } catch (err) {
      throw new AuthError('BAD_REPLY', err instanceof ParseError ? err.message : 'unexpected reply');
    }
  }

  /** The signed-in viewer, or null without a valid session. */
  async me(): Promise<Me | null> {
    try {
      const raw = await this.call('/api/auth/me', {}, false);
      const me = this.parsed(raw, (r) => parseMe(isObj(r) ? r.me : r));
      this.begin();
      return me;
    } catch (err) {
      if (err instanceof AuthError && err.status === 401) return null;
      throw err;
    }
  }

  /** Signs in; AuthError BAD_CREDENTIALS (401) or LOCKED_OUT (429, retryAfterS) otherwise. */
  async login(username: string, password: string): Promise<Me> {
    const raw = await this.call('/api/auth/login', { method: 'POST', body: { username, password } }, false);
    const me = this.parsed(raw, (r) => parseMe(isObj(r) ? r.me : r));
    this.begin();
    return me;
  }

  /**
   * The wall starts from the saved sign-in while the server cannot be reached: the session is taken
   * as valid until the server answers otherwise (a 401 then ends it as usual).
   */
  resumeOffline(): void {
    this.begin();
  }

  /** A sign-in is (still) valid: a new one when none was. */
  private begin(): void {
    if (this.signedIn) return;
    this.signedIn = true;
    this.generation++;
  }

  /**
   * Keeps the session alive while the wall is open (the server extends it up to its cap). A 401
   * ends the sign-in as for any call; being offline is not an error here (the next renewal retries).
   */
  async renew(): Promise<void> {
    if (!this.signedIn) return;
    try {
      await this.call('/api/auth/renew', { method: 'POST', body: {} });
    } catch (err) {
      if (!(err instanceof AuthError) || err.status !== 401) console.warn('[auth] session renewal failed; retrying later', err);
    }
  }

  /** Signs out (the server revokes the session); never throws. */
  async logout(): Promise<void> {
    this.signedIn = false;
    try {
      await this.call('/api/auth/logout', { method: 'POST', body: {} }, false);
    } catch (err) {
      console.warn('[auth] logout failed', err);
    }
  }

  async changePassword(current: string, next: string): Promise<void> {
    await this.call('/api/auth/password', { method: 'POST', body: { current, next } });
  }

  // --- admin -----------------------------------------------------------------------------------

  async users(): Promise<UserRecord[]> {
    return this.parsed(await this.call('/api/admin/users'), parseUsers);
  }

  async roles(): Promise<RoleInfo[]> {
    return this.parsed(await this.call('/api/admin/roles'), parseRoles);
  }

  async createUser(body: Record<string, unknown>): Promise<UserRecord | null> {
    const raw = await this.call('/api/admin/users', { method: 'POST', body });
    return isObj(raw) && isObj(raw.user) ? this.parsed(raw.user, parseUser) : null;
  }

  async updateUser(id: string, body: Record<string, unknown>): Promise<void> {
    await this.call(`/api/admin/users/${encodeURIComponent(id)}`, { method: 'PATCH', body });
  }

  async deleteUser(id: string): Promise<void> {
    await this.call(`/api/admin/users/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  async revokeSessions(id: string): Promise<void> {
    await this.call(`/api/admin/users/${encodeURIComponent(id)}/revoke`, { method: 'POST', body: {} });
  }

  // --- audit -----------------------------------------------------------------------------------

  async audit(query: Record<string, string>): Promise<AuditPage> {
    return this.parsed(await this.call('/api/audit', { query }), parseAuditPage);
  }
}
