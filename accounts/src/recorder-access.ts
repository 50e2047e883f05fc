/**
 * The recorder's narrow view of the accounts (`@wardwall/accounts/recorder`): who is calling, and
 * may they do this ("may this caller play camera X from T?", `authorize`), plus appending to the
 * audit trail through the SFU. The recorder imports nothing else of the accounts.
 *
 * Access control on the recorder's own port. The recorder verifies the wall's session tokens with
 * the same secret file and looks the session and its user up in the SFU's database file, opened
 * READ-ONLY (no dependency on the SFU process for sign-in checks, revocation seen at once, no extra
 * hop per HLS fragment). It never writes that database: playback and export entries are appended
 * through the SFU (`audit-client.ts`), which alone keys the audit chain. An append that fails
 * refuses the action (503 AUDIT_UNAVAILABLE).
 *
 * The SFU's own calls (evidence holds, incident exports) carry a service token; when made for a
 * user (an incident export, a bookmark deletion releasing holds) the token names that user and the
 * entry is written under their name. A service call has every right, except that a token carrying
 * a look-back floor (a city central user, via the ward SFU: docs/city.md) is refused footage before
 * it, by the same `requireLookback` that bounds the recorder's own users (spans, playlists, segments
 * by id, thumbnails, exports).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type Config } from '@wardwall/common';
import { actorOf, ANONYMOUS_OPERATOR, forbidden, OPEN_ACCESS, unauthenticated, type AccessPolicy, type Permission, type Principal } from './access.js';
import { AuthStore } from './auth-store.js';
import { SessionVerifier } from './session-verifier.js';
import { storePolicy } from './policy.js';
import { loadOrCreateSecret, secretFilePath } from './secret.js';
import { APP_DB_FILE } from '@wardwall/server-kit';
import { checkServiceToken, SERVICE_HEADER } from './token.js';
import { sfuAuditClient, type AuditClient, type AuditClientStatus } from './audit-client.js';
export type { Permission, Principal };
export { SESSION_COOKIE } from './token.js';
export type { AuditClient, AuditClientStatus } from './audit-client.js';

/** The SFU's own calls (evidence holds, incident exports), signed with the shared secret. */
export const SERVICE_PRINCIPAL: Principal = Object.freeze({ userId: 'service', name: 'system', role: 'admin', sessionId: null });

/** Service calls made for a user (kept by identity: rights of the service, the user's name). */
const onBehalf = new WeakMap<Principal, { name: string; session: string | null; floor: number | null }>();

/** Whether `p` is the SFU's service (alone or acting for a user). */
export function isService(p: Principal): boolean {
  return p === SERVICE_PRINCIPAL || onBehalf.has(p);
}

/** What a request asks to do: a right, on a camera, over footage from `from` (ms) on. */
export interface AccessRequest {
  permission: Permission;
  camera?: string;
  /** The earliest footage asked for: refused before the caller's look-back floor on `camera`. */
  from?: number;
}

export interface RecorderAccess {
  /** The caller from the session cookie; AppError 401 without a valid session, 503 before the SFU created its database. */
  principal(req: IncomingMessage): Principal;
  /** AppError 403 unless `p` may do `what` (the right on the camera, and no earlier than its look-back). */
  authorize(p: Principal, what: AccessRequest): void;
  /** AppError 403 without the right (on the camera). */
  require(p: Principal, permission: Permission, camera?: string): void;
  /** Whether the principal has the right (the service has every right). */
  can(p: Principal, permission: Permission, camera?: string): boolean;
  /** AppError 403 when `fromMs` is earlier than the principal may look back on `camera`. */
  requireLookback(p: Principal, camera: string, fromMs: number): void;
  /** Appends to the audit trail through the SFU; AppError 503 AUDIT_UNAVAILABLE when it cannot (refuse the action). */
  audit(p: Principal, action: string, camera: string | null, detail: Record<string, unknown>): Promise<void>;
  /** The audit appends' state (recorder health). */
  auditStatus(): AuditClientStatus;
  close(): void;
}

/** Access control off (`auth.enabled: false`): everyone is the anonymous operator; nothing is audited here. */
export const OPEN_RECORDER_ACCESS: RecorderAccess = {
  principal: () => ANONYMOUS_OPERATOR,
  authorize: () => undefined,
  require: () => undefined,
  can: () => true,
  requireLookback: () => undefined,
  audit: () => Promise.resolve(),
  auditStatus: () => ({ ok: true, lastError: null, failedAt: null }),
  close: () => undefined,
};

export function recorderAccess(config: Readonly<Config>, cameras: readonly string[] | (() => readonly string[]), log: Logger, now: () => number = Date.now, auditClient?: AuditClient): RecorderAccess {
  if (!config.auth.enabled) return OPEN_RECORDER_ACCESS;
  const secret = loadOrCreateSecret(secretFilePath(config));
  const trail = auditClient ?? sfuAuditClient(config, secret, log, now);
  const file = join(config.sfu.dataDir, APP_DB_FILE);
  let open: { db: Database.Database; verifier: SessionVerifier; policy: AccessPolicy } | null = null;
  const state = () => {
    if (open) return open;
    let db: Database.Database | null = null;
    try {
      if (existsSync(file)) {
        db = new Database(file, { readonly: true, fileMustExist: true });
        db.pragma('busy_timeout = 5000');
        if (AuthStore.ready(db)) {
          const store = new AuthStore(db, { migrate: false });
          open = { db, verifier: new SessionVerifier(store, secret, now), policy: storePolicy((id) => store.user(id), typeof cameras === 'function' ? cameras : () => cameras) };
          return open;
        }
      }
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'cannot open the account store');
    }
    db?.close();
    throw new AppError(ErrorCode.AUTH_UNAVAILABLE, 'the account store is not available yet (is the SFU running?)', 503);
  };
  const policy = (): AccessPolicy => (open ? open.policy : OPEN_ACCESS);
  const access: RecorderAccess = {
    authorize(p, what) {
      access.require(p, what.permission, what.camera);
      if (what.camera !== undefined && what.from !== undefined) access.requireLookback(p, what.camera, what.from);
    },
    principal(req) {
      const svc = req.headers[SERVICE_HEADER];
      if (svc !== undefined) {
        const c = typeof svc === 'string' ? checkServiceToken(secret, svc, now()) : ({ ok: false } as const);
        if (!c.ok) throw unauthenticated();
        if (!c.actor) return SERVICE_PRINCIPAL;
        const p: Principal = Object.freeze({ userId: 'service', name: c.actor.name, username: c.actor.name, role: 'admin', sessionId: null });
        onBehalf.set(p, { name: c.actor.name, session: c.actor.session ?? null, floor: c.actor.floor ?? null });
        return p;
      }
      const a = state().verifier.fromCookieHeader(req.headers.cookie);
      if (!a) throw unauthenticated();
      return a.principal;
    },
    require(p, permission, camera) {
      if (isService(p)) return;
      if (!policy().can(p, permission, camera)) throw forbidden(camera ? `${permission} on camera ${camera}` : permission);
    },
    can(p, permission, camera) {
      return p === SERVICE_PRINCIPAL || policy().can(p, permission, camera);
    },
    requireLookback(p, camera, fromMs) {
      // The service's own calls have no look-back; one made for a user may carry that user's floor.
      const floor = isService(p) ? (onBehalf.get(p)?.floor ?? -Infinity) : policy().playbackFloorMs(p, camera, now());
      if (fromMs < floor) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: footage before ${new Date(floor).toISOString()} (look-back limit)`, 403);
    },
    async audit(p, action, camera, detail) {
      const behalf = onBehalf.get(p);
      if (p === SERVICE_PRINCIPAL) await trail.append({ user: 'system', action, camera, detail });
      else if (behalf) await trail.append({ user: behalf.name, session: behalf.session, action, camera, detail: { ...detail, via: 'sfu' } });
      else {
        const a = actorOf(p);
        await trail.append({ user: a.name, session: a.sessionId, action, camera, detail });
      }
    },
    auditStatus: () => trail.status(),
    close() {
      open?.db.close();
      open = null;
    },
  };
  return access;
}
