/**
 * Who is asking and what they may do. Every feature checks access through an `AccessPolicy`
 * (HTTP routes declare it in the route table, signaling handlers call `require`), so the whole
 * system changes behaviour in one place when accounts and roles are switched on.
 *
 * Until access control is configured the policy is `OPEN_ACCESS`: one anonymous local operator
 * allowed everything (the SFU then listens on loopback only).
 */
import { AppError, ErrorCode } from '@wardwall/common';

/** Per-camera rights, and system-wide ones: the shared contract (common/src/access.ts). */
export type { CameraPermission, SystemPermission, Permission } from '@wardwall/common';
import type { Permission } from '@wardwall/common';

export interface Principal {
  userId: string;
  /** Shown in the watermark, the audit trail and as an author. */
  name: string;
  role: string;
  /** The session (login) this principal came from, for revocation and audit. */
  sessionId: string | null;
  /** The login name (audit trail); absent for the anonymous operator. */
  username?: string;
}

export interface AccessPolicy {
  /** Whether `principal` may do `permission` (on `cameraId` for camera permissions). */
  can(principal: Principal | null, permission: Permission, cameraId?: string): boolean;
  /** Throws AppError 401 without a principal, 403 without the right. */
  require(principal: Principal | null, permission: Permission, cameraId?: string): Principal;
  /** Earliest instant (ms since epoch) the principal may play back on this camera, or -Infinity. */
  playbackFloorMs(principal: Principal, cameraId: string, now: number): number;
}

export const ANONYMOUS_OPERATOR: Principal = Object.freeze({ userId: 'local', name: 'local', role: 'admin', sessionId: null, username: 'local' });

export const OPEN_ACCESS: AccessPolicy = {
  can: () => true,
  require: (p) => p ?? ANONYMOUS_OPERATOR,
  playbackFloorMs: () => -Infinity,
};

/** Whether the principal may see a camera at all (any camera right): lists and state pushes show only these. */
export function canSeeCamera(policy: AccessPolicy, p: Principal | null, cameraId: string): boolean {
  return policy.can(p, 'live', cameraId) || policy.can(p, 'playback', cameraId) || policy.can(p, 'export', cameraId);
}

export function unauthenticated(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
}

export function forbidden(what: string): AppError {
  return new AppError(ErrorCode.FORBIDDEN, `not allowed: ${what}`, 403);
}

/** How a principal appears in the audit trail: the login name, and the session it acted in. */
export function actorOf(p: Principal): { name: string; sessionId: string | null } {
  return { name: p.username ?? p.name, sessionId: p.sessionId };
}
