/**
 * The Router guard: resolves the caller from the session cookie (401 without a valid one) and
 * checks the route's declared access against the policy (403 without the right).
 */
import type { IncomingMessage } from 'node:http';
import type { Guard, RequestContext } from '@wardwall/server-kit';
import { forbidden, unauthenticated, type AccessPolicy, type Permission, type Principal } from '@wardwall/accounts';

export type PrincipalResolver = (req: IncomingMessage) => Principal | null;

export function accessGuard(resolve: PrincipalResolver, policy: AccessPolicy): Guard {
  return (ctx, access) => {
    const p = resolve(ctx.req);
    if (!p) throw unauthenticated();
    ctx.principal = p;
    if (access === 'public' || access === 'session') return;
    const camera = access.camera ? ctx.params[access.camera] : undefined;
    if (!policy.can(p, access.permission as Permission, camera)) throw forbidden(camera ? `${access.permission} on camera ${camera.slice(0, 64)}` : access.permission);
  };
}

/** The caller of a guarded route (set by the guard). */
export function principalOf(ctx: RequestContext): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal as Principal;
}

/** The client's address as the socket sees it (proxies' headers are not trusted). */
export function clientAddress(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
