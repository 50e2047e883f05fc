/**
 * The audit trail feature: the keyed hash-chained log in the SFU database, `GET /api/audit`
 * (`audit` permission), the signed chain head written outside the database, and the internal
 * endpoint the recorder appends through (`POST /api/internal/audit`, service token only).
 * Other features record with `audit.record(principal, action, camera, detail)` (refuses the action
 * when the entry cannot be written) or `audit.append(...)` (events that happened anyway).
 */
import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type Config } from '@wardwall/common';
import type { AppDb } from '@wardwall/server-kit';
import type { Route, Router } from '@wardwall/server-kit';
import { readJsonBody, sendJson } from '@wardwall/server-kit';
import { parseBody, queryObject } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { chainKeyPath, loadOrCreateChainKey } from '@wardwall/accounts';
import { HeadWriter, headFilePath } from '@wardwall/accounts';

export { AuditLog } from '@wardwall/accounts';
export { auditCameraSet } from './camera-changes.js';

const ms = z.string().regex(/^\d{1,15}$/, 'milliseconds since the epoch').transform(Number);
const text = z.string().min(1).max(120);
const auditQuery = z
  .object({ user: text.optional(), camera: text.optional(), action: text.optional(), from: ms.optional(), to: ms.optional(), before: ms.optional(), limit: z.string().regex(/^\d{1,4}$/).transform(Number).pipe(z.number().int().min(1).max(1000)).optional() })
  .strict();

/** The actions the recorder may append (it cannot write sign-ins, user changes or anything else). */
export const RECORDER_ACTIONS = ['playback', 'hold_add', 'hold_release', 'export_create', 'export_download', 'export_expired'] as const;

export const INTERNAL_AUDIT_PATH = '/api/internal/audit';

const internalEntry = z
  .object({
    // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
    user: z.string().min(1).max(120).regex(/^[^\u0000-\u001f]*$/, 'no control characters'),
    session: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable().optional(),
    action: z.enum(RECORDER_ACTIONS),
    camera: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .strict();

export function auditRoutes(audit: AuditLog): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/audit',
      access: { permission: 'audit' },
      doc: { summary: 'Search the audit trail.', query: auditQuery },
      handle: ({ url }) => {
        const q = parseBody(auditQuery, queryObject(url), 'query');
        return audit.query({ ...q, limit: q.limit ?? 100 });
      },
    },
  ];
}

/**
 * `POST /api/internal/audit`: the recorder's appends. No session: the route is open to the router
 * but answers 401 unless the request carries a valid service token (which only processes that
 * read the auth secret can make). The entry is written before the reply: 201 {seq}, or 503
 * AUDIT_UNAVAILABLE, and the recorder then refuses the action.
 */
export function internalAuditRoutes(audit: AuditLog, isServiceCall: (req: IncomingMessage) => boolean): Route[] {
  return [
    {
      method: 'POST',
      path: INTERNAL_AUDIT_PATH,
      access: 'public',
      doc: { summary: "The recorder's audit appends (service token only, no session).", body: internalEntry, status: 201 },
      handle: async ({ req, res }) => {
        if (!isServiceCall(req)) throw new AppError(ErrorCode.UNAUTHENTICATED, 'service token required', 401);
        const e = parseBody(internalEntry, await readJsonBody(req, 16 * 1024), 'body');
        const seq = audit.record(e.session ? { name: e.user, sessionId: e.session } : e.user, e.action, e.camera, e.detail);
        sendJson(res, 201, { seq });
        return undefined;
      },
    },
  ];
}

export interface AuditFeature {
  log: AuditLog;
  head: HeadWriter;
  close(): void;
}

export function installAudit(deps: { db: AppDb; router: Router; log: Logger; config?: Readonly<Config> }): AuditLog {
  return installAuditFeature(deps).log;
}

export function installAuditFeature(deps: { db: AppDb; router: Router; log: Logger; config?: Readonly<Config> }): AuditFeature {
  const key = deps.config && deps.config.sfu.dataDir !== ':memory:' ? loadOrCreateChainKey(chainKeyPath(deps.config)) : undefined;
  const audit = new AuditLog(deps.db, deps.log, Date.now, key ? { key } : {});
  deps.router.add(...auditRoutes(audit));
  const file = deps.config && deps.config.sfu.dataDir !== ':memory:' ? headFilePath(deps.config) : null;
  const head = new HeadWriter({
    tail: () => audit.tail(),
    keyedFrom: audit.keyedFrom,
    key: audit.key,
    file: file ?? '/dev/null',
    everyMs: deps.config?.audit.headEveryMs ?? 10000,
    webhook: deps.config?.audit.headWebhook ?? null,
    log: deps.log,
    // The WAL synced (and copied back) before a head names its entries.
    sync: () => void deps.db.pragma('wal_checkpoint(PASSIVE)'),
  });
  if (file) head.start();
  return { log: audit, head, close: () => (file ? head.close() : undefined) };
}
