/**
 * Logins, logouts, password changes and revocation: the account store, the token secret, the
 * failed-login limiters and the audit trail put together. HTTP routes and the CLI call this.
 */
import { AppError, ErrorCode, retryLater, type Config } from '@wardwall/common';
import type { Logger } from 'pino';
import type { AuditLog } from '@wardwall/accounts';
import { actorOf, type Principal } from '@wardwall/accounts';
import { AuthStore, type User } from '@wardwall/accounts';
import { FailureLimiter, type Reservation } from './lockout.js';
import { hashPassword, randomPassword, verifyPassword } from '@wardwall/accounts';
import { SessionVerifier } from '@wardwall/accounts';
import { newSessionId, signToken } from '@wardwall/accounts';

export interface LoginResult {
  user: User;
  token: string;
  expiresMs: number;
}

export class AuthService {
  readonly verifier: SessionVerifier;
  private readonly byUser: FailureLimiter;
  private readonly byAddress: FailureLimiter;
  /** Wrong current passwords when a signed-in user changes theirs (per user id). */
  private readonly passwordChanges: FailureLimiter;
  private fullWarnedAt = 0;
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
    this.passwordChanges = new FailureLimiter({ maxFailures: maxFailuresPerUser, windowMs, lockoutMs });
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

  /**
   * Signs a user in. The attempt is counted (reserved) for the user name and the client address
   * BEFORE the password is hashed, so parallel guesses cannot get past the limit: at most
   * `maxFailuresPerUser` attempts per name are ever in flight or failed within the window.
   */
  async login(username: string, password: string, client: { address: string | null; userAgent: string | null }): Promise<LoginResult> {
    const now = this.now();
    const userKey = `u:${username.toLowerCase()}`;
    const addrKey = `a:${client.address ?? '?'}`;
    const ru = this.byUser.reserve(userKey, now);
    if (!ru.ok) throw this.refused(ru, username, client.address, 'user');
    const ra = this.byAddress.reserve(addrKey, now);
    if (!ra.ok) {
      this.byUser.cancel(userKey);
      throw this.refused(ra, username, client.address, 'address');
    }
    let user: User | null;
    let ok: boolean;
    try {
      user = this.store.userByName(username);
      ok = await verifyPassword(password, user?.passwordHash ?? null);
    } catch (e) {
      this.byUser.cancel(userKey);
      this.byAddress.cancel(addrKey);
      throw e;
    }
    const t = this.now();
    if (!ok || !user || user.disabled) {
      const lockU = this.byUser.settle(userKey, t, true);
      const lockA = this.byAddress.settle(addrKey, t, true);
      if (lockU !== null) this.store.saveLock(userKey, lockU);
      if (lockA !== null) this.store.saveLock(addrKey, lockA);
      this.audit.append(username, 'login_failed', null, { address: client.address, reason: !user ? 'unknown_user' : user.disabled ? 'disabled' : 'bad_password' });
      if (lockU !== null || lockA !== null) {
        this.audit.append(username, 'lockout', null, { address: client.address, until: Math.max(lockU ?? 0, lockA ?? 0), scope: lockU !== null ? 'user' : 'address' });
        this.log.warn({ user: username.slice(0, 64), address: client.address }, 'login locked after repeated failures');
      }
      throw new AppError(ErrorCode.BAD_CREDENTIALS, 'wrong user name or password', 401);
    }
    this.byUser.succeed(userKey);
    this.byAddress.settle(addrKey, t, false);
    this.store.clearLock(userKey);
    const id = newSessionId();
    const expiresMs = t + this.sessionMs;
    this.store.createSession({ id, userId: user.id, createdMs: t, expiresMs, address: client.address, userAgent: client.userAgent });
    this.audit.append({ name: user.username, sessionId: id }, 'login', null, { address: client.address });
    return { user, token: signToken(this.secret, id, expiresMs), expiresMs };
  }

  /**
   * The refusal of an attempt that was not evaluated. Under a lock only the first refused attempt is
   * audited (`login_locked`); the others are counted and summed up once the lock is over
   * (`login_locked_summary`, see `maintain`), so a flood of attempts writes a bounded number of rows.
   */
  private refused(r: Exclude<Reservation, { ok: true }>, username: string, address: string | null, scope: 'user' | 'address'): AppError {
    if (r.reason === 'locked') {
      if (r.firstRefusal) this.audit.append(username, 'login_locked', null, { address, scope });
      return lockedOut(r.waitMs);
    }
    if (r.reason === 'full' && this.now() - this.fullWarnedAt > 60_000) {
      this.fullWarnedAt = this.now();
      this.log.warn({ scope }, 'login limiter table full of locks: refusing new names and addresses');
    }
    return retryLater(ErrorCode.RATE_LIMITED, 'too many sign-in attempts at once; try again in a moment', r.waitMs);
  }

  /**
   * Housekeeping, every few seconds and at close: audits how many attempts each ended lock refused,
   * forgets expired locks in the database and sessions that ended long ago.
   */
  maintain(): void {
    const now = this.now();
    for (const l of [...this.byUser.sweep(now), ...this.byAddress.sweep(now)]) {
      const byUser = l.key.startsWith('u:');
      this.audit.append(byUser ? l.key.slice(2) : 'system', 'login_locked_summary', null, { scope: byUser ? 'user' : 'address', ...(byUser ? {} : { address: l.key.slice(2) }), refused: l.refused, until: l.until });
    }
    this.passwordChanges.sweep(now);
    this.store.dropExpiredLocks(now);
    this.store.pruneSessions(now);
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

  /** Changes the caller's own password; wrong current passwords are limited like logins (per user). */
  async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = this.store.user(principal.userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    const key = `p:${user.id}`;
    const r = this.passwordChanges.reserve(key, this.now());
    if (!r.ok) {
      if (r.reason === 'locked' && r.firstRefusal) this.audit.append(actorOf(principal), 'password_change_locked');
      throw r.reason === 'locked' ? lockedOut(r.waitMs) : retryLater(ErrorCode.RATE_LIMITED, 'a password change is in progress; try again in a moment', r.waitMs);
    }
    let right: boolean;
    try {
      right = await verifyPassword(current, user.passwordHash);
    } catch (e) {
      this.passwordChanges.cancel(key);
      throw e;
    }
    if (!right) {
      const locked = this.passwordChanges.settle(key, this.now(), true);
      this.audit.append(actorOf(principal), 'password_change_failed', null, locked !== null ? { lockedUntil: locked } : {});
      throw new AppError(ErrorCode.BAD_CREDENTIALS, 'current password is wrong', 401);
    }
    this.passwordChanges.succeed(key);
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
  return retryLater(ErrorCode.LOCKED_OUT, `too many failed attempts; try again in ${Math.max(1, Math.ceil(waitMs / 1000))} s`, waitMs);
}
