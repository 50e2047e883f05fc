/** Login, logout, the signed-in user and their own password (contract: briefs/AUTH-CONTRACT.md). */
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import { readJsonBody, sendJson, type Route } from '@wardwall/server-kit';
import { USERNAME } from '@wardwall/accounts';
import type { AuthService } from './auth-service.js';
import { clientAddress, principalOf } from './http-guard.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '@wardwall/accounts';
import { meOf, type Me } from '@wardwall/accounts';
import { clearedCookie, sessionCookie } from '@wardwall/accounts';
import { parseBody } from '@wardwall/server-kit';
import { ANONYMOUS_OPERATOR, type Principal } from '@wardwall/accounts';

const LOGIN_BODY_LIMIT = 4096;
const loginBody = z.object({ username: z.string().trim().toLowerCase().max(64).regex(USERNAME, 'letters, digits, ".", "_" or "-"'), password: z.string().min(1).max(PASSWORD_MAX) }).strict();
export const newPassword = z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);
const passwordBody = z.object({ current: z.string().min(1).max(PASSWORD_MAX), next: newPassword }).strict();

export interface AuthRoutesDeps {
  service: AuthService | null; // null: access control is off
  cameras: () => readonly string[];
  secureCookie: boolean;
}

export function authRoutes(d: AuthRoutesDeps): Route[] {
  const me = (p: Principal): Me => {
    // Access control off: the anonymous local operator, an admin.
    if (!d.service || p === ANONYMOUS_OPERATOR) return meOf({ id: p.userId, username: p.username ?? p.name, displayName: p.name, role: 'admin', cameraRules: [] }, d.cameras());
    const user = d.service.store.user(p.userId);
    if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    return meOf(user, d.cameras());
  };
  const service = (): AuthService => {
    if (!d.service) throw new AppError(ErrorCode.BAD_REQUEST, 'access control is off (auth.enabled = false)', 409);
    return d.service;
  };
  return [
    {
      method: 'POST',
      path: '/api/auth/login',
      access: 'public',
      doc: { summary: 'Sign in: sets the session cookie.', body: loginBody },
      handle: async ({ req, res }) => {
        const s = service();
        const b = parseBody(loginBody, await readJsonBody(req, LOGIN_BODY_LIMIT));
        const ua = req.headers['user-agent'];
        const r = await s.login(b.username, b.password, { address: clientAddress(req), userAgent: typeof ua === 'string' ? ua : null });
        res.setHeader('set-cookie', sessionCookie(r.token, { secure: d.secureCookie, maxAgeS: (r.expiresMs - Date.now()) / 1000 }));
        sendJson(res, 200, { me: meOf(r.user, d.cameras()) });
      },
    },
    {
      method: 'POST',
      path: '/api/auth/logout',
      access: 'session',
      handle: (ctx) => {
        d.service?.logout(principalOf(ctx));
        ctx.res.setHeader('set-cookie', clearedCookie(d.secureCookie));
        return { ok: true };
      },
    },
    { method: 'GET', path: '/api/auth/me', access: 'session', handle: (ctx) => ({ me: me(principalOf(ctx)) }) },
    {
      // An open wall keeps its session alive (up to auth.maxSessionDays after the login).
      method: 'POST',
      path: '/api/auth/renew',
      access: 'session',
      handle: (ctx) => {
        const r = service().renew(principalOf(ctx));
        ctx.res.setHeader('set-cookie', sessionCookie(r.token, { secure: d.secureCookie, maxAgeS: (r.expiresMs - Date.now()) / 1000 }));
        return { expiresMs: r.expiresMs, capMs: r.capMs };
      },
    },
    {
      method: 'POST',
      path: '/api/auth/password',
      access: 'session',
      doc: { summary: 'Change the own password.', body: passwordBody },
      handle: async (ctx) => {
        const b = parseBody(passwordBody, await readJsonBody(ctx.req, LOGIN_BODY_LIMIT));
        await service().changeOwnPassword(principalOf(ctx), b.current, b.next);
        return { ok: true };
      },
    },
  ];
}
