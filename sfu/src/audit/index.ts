/**
 * The audit trail feature: the hash-chained log in the SFU database and `GET /api/audit`
 * (`audit` permission). Other features record with `audit.append(principal, action, camera, detail)`.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import type { AppDb } from '../store/app-db.js';
import type { Route, Router } from '../http/router.js';
import { parseBody, queryObject } from '../auth/validate.js';
import { AuditLog } from './audit-log.js';

export { AuditLog } from './audit-log.js';
export { auditCameraSet } from './camera-changes.js';

const ms = z.string().regex(/^\d{1,15}$/, 'milliseconds since the epoch').transform(Number);
const text = z.string().min(1).max(120);
const auditQuery = z
  .object({ user: text.optional(), camera: text.optional(), action: text.optional(), from: ms.optional(), to: ms.optional(), before: ms.optional(), limit: z.string().regex(/^\d{1,4}$/).transform(Number).pipe(z.number().int().min(1).max(1000)).optional() })
  .strict();

export function auditRoutes(audit: AuditLog): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/audit',
      access: { permission: 'audit' },
      handle: ({ url }) => {
        const q = parseBody(auditQuery, queryObject(url), 'query');
        return audit.query({ ...q, limit: q.limit ?? 100 });
      },
    },
  ];
}

export function installAudit(deps: { db: AppDb; router: Router; log: Logger }): AuditLog {
  const audit = new AuditLog(deps.db, deps.log);
  deps.router.add(...auditRoutes(audit));
  return audit;
}
