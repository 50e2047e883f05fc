/**
 * Access control on the recorder's own port. The recorder verifies the wall's session tokens with
 * the same secret file and looks the session and its user up in the SFU's database file (the same
 * SQLite file, opened by this process; it never migrates nor writes the account tables). Chosen over
 * asking the SFU over HTTP: no dependency on the SFU process being up, revocation is seen at once
 * (the same rows), and no extra network hop per HLS fragment. Playback and export entries go to the
 * same hash-chained audit trail; each append is an IMMEDIATE transaction, so SQLite's write lock
 * keeps the chain single-writer across the two processes.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type Config } from '@wardwall/common';
import { actorOf, ANONYMOUS_OPERATOR, forbidden, OPEN_ACCESS, unauthenticated, type AccessPolicy, type Permission, type Principal } from '../../sfu/src/auth/access.js';
import { AuthStore } from '../../sfu/src/auth/auth-store.js';
import { SessionVerifier } from '../../sfu/src/auth/session-verifier.js';
import { storePolicy } from '../../sfu/src/auth/policy.js';
import { loadOrCreateSecret, secretFilePath } from '../../sfu/src/auth/secret.js';
import { AuditLog } from '../../sfu/src/audit/audit-log.js';
import { APP_DB_FILE } from '../../sfu/src/store/app-db.js';
import { SERVICE_HEADER, verifyServiceToken } from '../../sfu/src/auth/token.js';

/** The SFU's own calls (evidence holds, incident exports), signed with the shared secret. */
export const SERVICE_PRINCIPAL: Principal = Object.freeze({ userId: 'service', name: 'system', role: 'admin', sessionId: null });

export interface RecorderAccess {
  /** The caller from the session cookie; AppError 401 without a valid session, 503 before the SFU created its database. */
  principal(req: IncomingMessage): Principal;
  /** AppError 403 without the right (on the camera). */
  require(p: Principal, permission: Permission, camera?: string): void;
  /** Whether the principal has the right (the service has every right). */
  can(p: Principal, permission: Permission, camera?: string): boolean;
  /** AppError 403 when `fromMs` is earlier than the principal may look back on `camera`. */
  requireLookback(p: Principal, camera: string, fromMs: number): void;
  audit(p: Principal, action: string, camera: string | null, detail: Record<string, unknown>): void;
  close(): void;
}

/** Access control off (`auth.enabled: false`): everyone is the anonymous operator; nothing is audited here. */
export const OPEN_RECORDER_ACCESS: RecorderAccess = {
  principal: () => ANONYMOUS_OPERATOR,
  require: () => undefined,
  can: () => true,
  requireLookback: () => undefined,
  audit: () => undefined,
  close: () => undefined,
};

export function recorderAccess(config: Readonly<Config>, cameras: readonly string[], log: Logger, now: () => number = Date.now): RecorderAccess {
  if (!config.auth.enabled) return OPEN_RECORDER_ACCESS;
  const secret = loadOrCreateSecret(secretFilePath(config));
  const file = join(config.sfu.dataDir, APP_DB_FILE);
  let open: { db: Database.Database; verifier: SessionVerifier; policy: AccessPolicy; audit: AuditLog } | null = null;
  const state = () => {
    if (open) return open;
    let db: Database.Database | null = null;
    try {
      if (existsSync(file)) {
        db = new Database(file, { fileMustExist: true });
        db.pragma('busy_timeout = 5000');
        if (AuthStore.ready(db) && AuditLog.ready(db)) {
          const store = new AuthStore(db, { migrate: false });
          open = { db, verifier: new SessionVerifier(store, secret, now), policy: storePolicy((id) => store.user(id), () => cameras), audit: new AuditLog(db, log, now, { migrate: false }) };
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
  return {
    principal(req) {
      const svc = req.headers[SERVICE_HEADER];
      if (svc !== undefined) {
        if (typeof svc === 'string' && verifyServiceToken(secret, svc, now())) return SERVICE_PRINCIPAL;
        throw unauthenticated();
      }
      const a = state().verifier.fromCookieHeader(req.headers.cookie);
      if (!a) throw unauthenticated();
      return a.principal;
    },
    require(p, permission, camera) {
      if (p === SERVICE_PRINCIPAL) return;
      if (!policy().can(p, permission, camera)) throw forbidden(camera ? `${permission} on camera ${camera}` : permission);
    },
    can(p, permission, camera) {
      return p === SERVICE_PRINCIPAL || policy().can(p, permission, camera);
    },
    requireLookback(p, camera, fromMs) {
      if (p === SERVICE_PRINCIPAL) return;
      const floor = policy().playbackFloorMs(p, camera, now());
      if (fromMs < floor) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: footage before ${new Date(floor).toISOString()} (look-back limit)`, 403);
    },
    audit(p, action, camera, detail) {
      if (p === SERVICE_PRINCIPAL) state();
      open?.audit.append(p === SERVICE_PRINCIPAL ? 'system' : actorOf(p), action, camera, detail);
    },
    close() {
      open?.db.close();
      open = null;
    },
  };
}
