/**
 * From a Cookie header to a principal: token form, MAC and expiry (token.ts), then the session row
 * and its user in the account store (revoked, expired, disabled or deleted → nobody). Used by the
 * SFU (HTTP guard, WebSocket upgrade) and by the recorder on its own port.
 */
import type { Principal } from './access.js';
import type { AuthStore, User } from './auth-store.js';
import { readCookie, SESSION_COOKIE, verifyToken } from './token.js';

export interface Authenticated {
  principal: Principal;
  user: User;
  expiresMs: number;
}

export class SessionVerifier {
  constructor(
    private readonly store: AuthStore,
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  fromCookieHeader(header: string | string[] | undefined): Authenticated | null {
    const token = readCookie(header, SESSION_COOKIE);
    return token ? this.fromToken(token) : null;
  }

  fromToken(token: string): Authenticated | null {
    const now = this.now();
    const t = verifyToken(this.secret, token, now);
    if (!t.ok) return null;
    const found = this.store.activeSession(t.sessionId, t.expiresMs, now);
    if (!found) return null;
    const { user } = found;
    return { principal: { userId: user.id, name: user.displayName, role: user.role, sessionId: t.sessionId, username: user.username }, user, expiresMs: t.expiresMs };
  }

  /** Whether a session is still live (for sockets opened earlier). */
  stillValid(sessionId: string): boolean {
    const s = this.store.session(sessionId);
    return s !== null && this.store.activeSession(sessionId, s.expiresMs, this.now()) !== null;
  }
}
