/**
 * Access control for the SFU: accounts and sessions in the SFU database, the login/admin routes,
 * the Router guard, the WebSocket upgrade check and the closing of revoked sessions' sockets.
 * With `auth.enabled: false` everyone is the anonymous local operator (OPEN_ACCESS).
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, retryLater, type Config } from '@wardwall/common';
import type { Logger } from 'pino';
import type { AppDb } from '@wardwall/server-kit';
import type { Router } from '@wardwall/server-kit';
import type { AuditLog } from '@wardwall/accounts';
import type { SignalingServer } from '../signaling/ws-server.js';
import { ANONYMOUS_OPERATOR, OPEN_ACCESS, type AccessPolicy, type Principal } from '@wardwall/accounts';
import { AuthStore } from '@wardwall/accounts';
import { AuthService } from './auth-service.js';
import { loadOrCreateSecret, secretFilePath } from '@wardwall/accounts';
import { storePolicy } from '@wardwall/accounts';
import { accessGuard } from './http-guard.js';
import { authRoutes } from './auth-routes.js';
import { adminRoutes } from './admin-routes.js';
import { SERVICE_HEADER, signServiceToken, verifyServiceToken, type ServiceActor } from '@wardwall/accounts';
import { RateLimiter } from './rate-limit.js';
import { clientAddress } from './http-guard.js';

export interface AuthDeps {
  config: Readonly<Config>;
  db: AppDb;
  router: Router;
  audit: AuditLog;
  log: Logger;
  /** Camera ids the system has now. */
  cameras: () => readonly string[];
  /** Served over HTTPS (the cookie gets Secure). */
  secure: boolean;
}

export interface Auth {
  policy: AccessPolicy;
  /** null when access control is off. */
  service: AuthService | null;
  /** For the WebSocket upgrade; undefined when access control is off. */
  authenticate: ((req: IncomingMessage) => Principal | null) | undefined;
  /** Set at first start when `admin` was created with a random password (printed once by the launcher). */
  initialAdmin: { username: string; password: string | null } | null;
  /**
   * Headers that let the SFU's own calls through the recorder's access control (empty when off).
   * With `actor`, the call is made for that user (the recorder audits it under their name).
   */
  serviceHeaders(actor?: ServiceActor): Record<string, string>;
  /** Whether a request carries a valid service token (the recorder's internal calls). */
  isServiceCall(req: IncomingMessage): boolean;
  /** Closes revoked and expired sessions' sockets (4401) and re-checks sockets whose rights changed. */
  watch(signaling: SignalingServer): void;
  close(): void;
}

export const SWEEP_MS = 5000;
/** Housekeeping of the login limiters and the session table. */
export const MAINTAIN_MS = 30_000;

/** The SFU prints the first admin's generated password on stdout after this prefix (launcher: console only). */
export const INITIAL_ADMIN_LINE = 'Initial admin account: ';

/** Paths whose requests are limited per client address (`auth.rateLimit`): sign-in and the owner links. */
export function rateLimitedPath(pathname: string): boolean {
  return pathname.startsWith('/api/auth/') || pathname.startsWith('/owner/');
}

/** Router middleware: 429 RATE_LIMITED (with retryAfterS) beyond `auth.rateLimit` per client address. */
export function authRateLimit(config: Readonly<Config>, now: () => number = Date.now): (req: IncomingMessage, url: URL) => void {
  const limiter = new RateLimiter(config.auth.rateLimit);
  return (req, url) => {
    if (!rateLimitedPath(url.pathname)) return;
    const wait = limiter.take(clientAddress(req) ?? '?', now());
    if (wait > 0) throw retryLater(ErrorCode.RATE_LIMITED, 'too many requests from this address; slow down', wait);
  };
}

export async function installAuth(d: AuthDeps): Promise<Auth> {
  const store = new AuthStore(d.db);
  d.router.before(authRateLimit(d.config));
  if (!d.config.auth.enabled) {
    d.log.warn('access control is OFF (auth.enabled = false): anyone who reaches the wall may use it');
    d.router.guard((ctx) => void (ctx.principal = ANONYMOUS_OPERATOR));
    d.router.add(...authRoutes({ service: null, cameras: d.cameras, secureCookie: d.secure }));
    return { policy: OPEN_ACCESS, service: null, authenticate: undefined, initialAdmin: null, serviceHeaders: () => ({}), isServiceCall: () => false, watch: () => undefined, close: () => undefined };
  }
  const secret = loadOrCreateSecret(secretFilePath(d.config));
  const service = new AuthService(store, secret, d.config, d.audit, d.log);
  const initialAdmin = await service.ensureInitialAdmin();
  const policy = storePolicy((id) => store.user(id), d.cameras);
  const authenticate = (req: IncomingMessage): Principal | null => service.verifier.fromCookieHeader(req.headers.cookie)?.principal ?? null;
  d.router.guard(accessGuard(authenticate, policy));
  d.router.add(...authRoutes({ service, cameras: d.cameras, secureCookie: d.secure }), ...adminRoutes(() => service));
  let sweep: NodeJS.Timeout | null = null;
  service.maintain();
  // Lock summaries, expired locks and old sessions: bounded tables whatever callers send.
  const upkeep = setInterval(() => {
    try {
      service.maintain();
    } catch (e) {
      d.log.error({ err: e }, 'auth upkeep failed');
    }
  }, MAINTAIN_MS);
  upkeep.unref();
  return {
    policy,
    service,
    authenticate,
    initialAdmin,
    serviceHeaders: (actor) => ({ [SERVICE_HEADER]: signServiceToken(secret, Date.now(), actor) }),
    isServiceCall: (req) => {
      const h = req.headers[SERVICE_HEADER];
      return typeof h === 'string' && verifyServiceToken(secret, h, Date.now());
    },
    watch(signaling) {
      service.onRevoke((ids) => {
        const gone = new Set(ids);
        signaling.closeWhere((s) => s.principal?.sessionId != null && gone.has(s.principal.sessionId), 4401, 'signed out');
      });
      // Role or camera rules changed: the client reconnects and consumes again under the new rights.
      service.onRightsChanged((userId) => signaling.closeWhere((s) => s.principal?.userId === userId, 4001, 'rights changed'));
      // Expiry, and changes made by another process (the CLI): checked every few seconds.
      sweep = setInterval(() => {
        signaling.closeWhere((s) => s.principal?.sessionId != null && !service.verifier.stillValid(s.principal.sessionId), 4401, 'session ended');
      }, SWEEP_MS);
      sweep.unref();
    },
    close() {
      if (sweep) clearInterval(sweep);
      clearInterval(upkeep);
      try {
        service.maintain();
      } catch {
        /* the database may be closing */
      }
    },
  };
}
