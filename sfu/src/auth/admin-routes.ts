/** Account administration (`admin` permission): users, their camera rules and look-back, revocation, roles. */
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import { readJsonBody, sendJson, type Route } from '@wardwall/server-kit';
import { cameraRuleSchema, USERNAME, type User, type UserChange } from '@wardwall/accounts';
import type { AuthService } from './auth-service.js';
import { actorOf } from '@wardwall/accounts';
import { principalOf } from './http-guard.js';
import { hashPassword } from '@wardwall/accounts';
import { newPassword } from './auth-routes.js';
import { ROLE_SPECS, ROLES, type CameraRule } from '@wardwall/accounts';
import { parseBody } from '@wardwall/server-kit';

// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
const displayName = z.string().trim().min(1).max(120).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const lookback = z.number().min(0).max(36500).nullable();
const rules = z.array(cameraRuleSchema).max(1000);
const createBody = z
  .object({ username: z.string().trim().toLowerCase().regex(USERNAME, 'letters, digits, ".", "_" or "-", at most 64'), displayName, role: z.enum(ROLES), password: newPassword, cameraRules: rules.optional(), lookbackDays: lookback.optional() })
  .strict();
const patchBody = z
  .object({ displayName: displayName.optional(), role: z.enum(ROLES).optional(), password: newPassword.optional(), disabled: z.boolean().optional(), cameraRules: rules.optional(), lookbackDays: z.union([lookback, z.literal('role')]).optional() })
  .strict();
const USER_PATH = /^\/api\/admin\/users\/(?<id>[^/]+)$/;

/** The contract's `User` (no password hash, ever). */
export function publicUser(u: User, lockedUntil: number | null) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabled, cameraRules: u.cameraRules, ...('lookbackDays' in u ? { lookbackDays: u.lookbackDays } : {}), lockedUntil };
}

export function adminRoutes(service: () => AuthService): Route[] {
  const ADMIN = { permission: 'admin' } as const;
  const find = (id: string): User => {
    const u = service().store.user(id);
    if (!u) throw new AppError(ErrorCode.NOT_FOUND, 'no such user', 404);
    return u;
  };
  const keepAnAdmin = (u: User, change: { role?: string; disabled?: boolean; deleting?: boolean }) => {
    const losing = u.role === 'admin' && !u.disabled && (change.deleting || change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (losing && service().store.adminCount(u.id) === 0) throw new AppError(ErrorCode.CONFLICT, 'the last enabled admin cannot be removed, disabled or demoted', 409);
  };
  const view = (u: User) => publicUser(u, service().lockedUntil(u.username));
  return [
    { method: 'GET', path: '/api/admin/users', access: ADMIN, handle: () => ({ users: service().store.users().map(view) }) },
    {
      method: 'POST',
      path: '/api/admin/users',
      access: ADMIN,
      doc: { summary: 'Create a user.', body: createBody, status: 201 },
      handle: async (ctx) => {
        const b = parseBody(createBody, await readJsonBody(ctx.req));
        const s = service();
        if (s.store.userByName(b.username)) throw new AppError(ErrorCode.CONFLICT, `user ${b.username} exists already`, 409);
        const passwordHash = await hashPassword(b.password);
        // The change and its audit entry in one transaction: not audited, not done (503 AUDIT_UNAVAILABLE).
        const u = s.store.db.transaction(() => {
          const made = s.store.addUser({ username: b.username, displayName: b.displayName, role: b.role, passwordHash, cameraRules: b.cameraRules as CameraRule[] | undefined, ...(b.lookbackDays !== undefined ? { lookbackDays: b.lookbackDays } : {}) }, Date.now());
          s.audit.record(actorOf(principalOf(ctx)), 'user_create', null, { user: made.username, role: made.role, cameraRules: made.cameraRules, lookbackDays: b.lookbackDays });
          return made;
        })();
        sendJson(ctx.res, 201, { user: view(u) });
      },
    },
    {
      method: 'PATCH',
      path: USER_PATH,
      access: ADMIN,
      doc: { summary: 'Change a user (role, rules, password, disabled).', body: patchBody },
      handle: async (ctx) => {
        const b = parseBody(patchBody, await readJsonBody(ctx.req));
        const u = find(ctx.params.id!);
        keepAnAdmin(u, b);
        const s = service();
        const { password, ...shown } = b;
        const change: UserChange = { ...shown, cameraRules: shown.cameraRules as CameraRule[] | undefined, ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}) };
        const updated = s.store.db.transaction(() => {
          const done = s.store.updateUser(u.id, change, Date.now())!;
          s.audit.record(actorOf(principalOf(ctx)), 'user_update', null, { user: u.username, ...shown, ...(password !== undefined ? { passwordReset: true } : {}) });
          return done;
        })();
        if (password !== undefined) s.unlock(u.username);
        if (password !== undefined || b.disabled === true) s.revokeUser(u.id);
        else if (b.role !== undefined || b.cameraRules !== undefined) s.rightsChanged(u.id);
        return { user: view(updated) };
      },
    },
    {
      method: 'DELETE',
      path: USER_PATH,
      access: ADMIN,
      handle: (ctx) => {
        const u = find(ctx.params.id!);
        keepAnAdmin(u, { deleting: true });
        const s = service();
        s.audit.record(actorOf(principalOf(ctx)), 'user_delete', null, { user: u.username });
        s.revokeUser(u.id);
        s.store.deleteUser(u.id);
        return { ok: true };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/admin\/users\/(?<id>[^/]+)\/revoke$/,
      access: ADMIN,
      handle: (ctx) => {
        const u = find(ctx.params.id!);
        service().audit.record(actorOf(principalOf(ctx)), 'user_revoke', null, { user: u.username });
        const n = service().revokeUser(u.id);
        return { ok: true, sessions: n };
      },
    },
    { method: 'GET', path: '/api/admin/roles', access: ADMIN, handle: () => ({ roles: ROLES.map((r) => ROLE_SPECS[r]) }) },
  ];
}
