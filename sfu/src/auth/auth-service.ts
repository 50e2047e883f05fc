/**
 * Logins, logouts, password changes and revocation: the account store, the token secret, the
 * failed-login limiters and the audit trail put together. HTTP routes and the CLI call this.
 */
import { AppError, ErrorCode, type Config } from '@wardwall/common';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import { actorOf, type Principal } from './access.js';
import { AuthStore, type User } from './auth-store.js';
import { FailureLimiter } from './lockout.js';
import { hashPassword, randomPassword, verifyPassword } from './password.js';
import { SessionVerifier } from './session-verifier.js';
import { newSessionId, signToken } from './token.js';

export interface LoginResult {
  user: User;
  token: string;
  expiresMs: number;
}

export class AuthService {
  readonly verifier: SessionVerifier;
  private readonly byUser: FailureLimiter;
  private readonly byAddress: FailureLimiter;
  private readonly revokeListeners: ((sessionIds: readonly string[]) => void)[] = [];
  private readonly rightsListeners: ((userId: string) => void)[] = [];

  constructor(
    readonly store: AuthStore,
    private readonly secret: Buffer,
    private readonly config: Readonly<Config>,
    readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.verifier = new SessionVerifier(store, secret, now);
    const { maxFailuresPerUser, maxFailuresPerAddress, windowMs, lockoutMs } = config.auth.lockout;
    this.byUser = new FailureLimiter({ maxFailures: maxFailuresPerUser, windowMs, lockoutMs });
    this.byAddress = new FailureLimiter({ maxFailures: maxFailuresPerAddress, windowMs, lockoutMs });
    for (const { key, until } of store.activeLocks(now())) (key.startsWith('a:') ? this.byAddress : this.byUser).restore(key, until);
  }

  get sessionMs(): number {
    return Math.round(this.config.auth.sessionHours * 3600000);
  }

  /** Registers who closes the sockets of revoked sessions. */
  onRevoke(fn: (sessionIds: readonly string[]) => void): void {
    this.revokeListeners.push(fn);
  }

  /** Registers who re-checks a user's open sockets when their role or camera rules change. */
  onRightsChanged(fn: (userId: string) => void): void {
    this.rightsListeners.push(fn);
  }

  rightsChanged(userId: string): void {
    for (const fn of this.rightsListeners) fn(userId);
  }

  lockedUntil(username: string): number | null {
    return this.byUser.lockedUntil(`u:${username.toLowerCase()}`, this.now());
  }

  /** Lifts a user's login lock (an administrator set a new password). */
  unlock(username: string): void {
    const key = `u:${username.toLowerCase()}`;
    this.byUser.clear(key);
    this.store.clearLock(key);
  }

  async login(username: string, password: string, client: { address: string | null; userAgent: string | null }): Promise<LoginResult> {
    const now = this.now();
    const userKey = `u:${username.toLowerCase()}`;
    const addrKey = `a:${client.address ?? '?'}`;
    const wait = Math.max(this.byUser.lockedFor(userKey, now), this.byAddress.lockedFor(addrKey, now));
    if (wait > 0) {
      this.audit.append(username, 'login_locked', null, { address: client.address });
      throw lockedOut(wait);
    }
    const user = this.store.userByName(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!ok || !user || user.disabled) {
      const t = this.now();
      const lockU = this.byUser.fail(userKey, t);
      const lockA = this.byAddress.fail(addrKey, t);
      if (lockU !== null) this.store.saveLock(userKey, lockU);
      if (lockA !== null) this.store.saveLock(addrKey, lockA);
      this.audit.append(username, 'login_failed', null, { address: client.address, reason: !user ? 'unknown_user' : user.disabled ? 'disabled' : 'bad_password' });
      if (lockU !== null || lockA !== null) {
        this.audit.append(username, 'lockout', null, { address: client.address, until: Math.max(lockU ?? 0, lockA ?? 0), scope: lockU !== null ? 'user' : 'address' });
        this.log.warn({ user: username.slice(0, 64), address: client.address }, 'login locked after repeated failures');
      }
      throw new AppError(ErrorCode.BAD_CREDENTIALS, 'wrong user name or password', 401);
    }
    this.byUser.clear(userKey);
    this.store.clearLock(userKey);
    const id = newSessionId();
    const expiresMs = now + this.sessionMs;
    this.store.createSession({ id, userId: user.id, createdMs: now, expiresMs, address: client.address, userAgent: client.userAgent });
    this.audit.append({ name: user.username, sessionId: id }, 'login', null, { address: client.address });
    return { user, token: signToken(this.secret, id, expiresMs), expiresMs };
  }

  /**
   * Renews the caller's session: it now ends `sessionHours` from now, but never later than
   * `maxSessionDays` after the login. Returns a token for the renewed end (the same one when the
   * cap is reached). AppError 401 when the session is no longer live.
   */
  renew(principal: Principal): { token: string; expiresMs: number; capMs: number } {
    const now = this.now();
    const s = principal.sessionId ? this.store.session(principal.sessionId) : null;
    if (!s || s.revokedMs !== null || s.expiresMs <= now) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    const capMs = s.createdMs + Math.round(this.config.auth.maxSessionDays * 86_400_000);
    const want = Math.min(now + this.sessionMs, capMs);
    const expiresMs = want > s.expiresMs && this.store.extendSession(s.id, want, now) ? want : s.expiresMs;
    return { token: signToken(this.secret, s.id, expiresMs), expiresMs, capMs };
  }

  logout(principal: Principal): void {
    if (!principal.sessionId) return;
    this.revoke([principal.sessionId]);
    this.audit.append(actorOf(principal), 'logout');
  }

  async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = this.store.user(principal.userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    if (!(await verifyPassword(current, user.passwordHash))) {
      this.audit.append(actorOf(principal), 'password_change_failed');
      throw new AppError(ErrorCode.BAD_CREDENTIALS, 'current password is wrong', 401);
    }
    this.store.updateUser(user.id, { passwordHash: await hashPassword(next) }, this.now());
    // Other logins of this user end; this one stays.
    this.revoke(this.store.revokeUserSessions(user.id, this.now(), principal.sessionId ?? undefined));
    this.audit.append(actorOf(principal), 'password_change', null, { user: user.username });
  }

  /** Ends every session of a user (disable, delete, password reset, explicit revoke). */
  revokeUser(userId: string): number {
    const ids = this.store.revokeUserSessions(userId, this.now());
    this.revoke(ids);
    return ids.length;
  }

  private revoke(ids: readonly string[]): void {
    const now = this.now();
    for (const id of ids) this.store.revokeSession(id, now);
    if (ids.length) for (const fn of this.revokeListeners) fn(ids);
  }

  /**
   * First start: with no account at all, creates `admin` with the configured password (or env
   * WARDWALL_ADMIN_PASSWORD), else a random one, which is returned so the launcher prints it once.
   */
  async ensureInitialAdmin(): Promise<{ username: string; password: string | null } | null> {
    if (this.store.userCount() > 0) return null;
    const given = this.config.auth.initialAdminPassword;
    const password = given ?? randomPassword();
    try {
      this.store.addUser({ username: 'admin', displayName: 'Quản trị viên', role: 'admin', passwordHash: await hashPassword(password) }, this.now());
    } catch (e) {
      if (this.store.userCount() > 0) return null; // another process created it meanwhile
      throw e;
    }
    this.audit.append('system', 'user_create', null, { user: 'admin', role: 'admin', initial: true });
    return { username: 'admin', password: given ? null : password };
  }
}

export function lockedOut(waitMs: number): AppError & { retryAfterS: number } {
  const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
  const e = new AppError(ErrorCode.LOCKED_OUT, `too many failed logins; try again in ${retryAfterS} s`, 429) as AppError & { retryAfterS: number };
  e.retryAfterS = retryAfterS;
  e.toBody = () => ({ code: ErrorCode.LOCKED_OUT, message: e.message, retryAfterS } as ReturnType<AppError['toBody']>);
  return e;
}
