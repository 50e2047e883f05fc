/**
 * The AccessPolicy backed by the account store: every check reads the principal's user afresh
 * (a few microseconds in SQLite), so role, rule and disable changes apply at the next request or
 * message, also when another process (the CLI) made them.
 */
import type { Me } from '@wardwall/common';
import type { AccessPolicy, Permission, Principal } from './access.js';
import { forbidden, unauthenticated } from './access.js';
import { allows, cameraMap, lookbackDays, playbackFloor, systemRights, type Grantee } from './roles.js';
import type { User } from './auth-store.js';

export function storePolicy(userOf: (userId: string) => Grantee | null, cameras: () => readonly string[]): AccessPolicy {
  const can = (p: Principal | null, permission: Permission, cameraId?: string): boolean => {
    if (!p) return false;
    const g = userOf(p.userId);
    return g !== null && allows(g, permission, cameraId, cameras());
  };
  return {
    can,
    require(p, permission, cameraId) {
      if (!p || !userOf(p.userId)) throw unauthenticated();
      if (!can(p, permission, cameraId)) throw forbidden(cameraId ? `${permission} on camera ${cameraId}` : permission);
      return p;
    },
    playbackFloorMs(p, _cameraId, now) {
      const g = userOf(p.userId);
      return g ? playbackFloor(g, now) : Infinity;
    },
  };
}

/** What the wall learns about the signed-in user (`GET /api/auth/me`): the shared contract. */
export type { Me };

export function meOf(user: Pick<User, 'id' | 'username' | 'displayName'> & Grantee, cameras: readonly string[]): Me {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    system: systemRights(user),
    cameras: cameraMap(user, cameras),
    lookbackDays: lookbackDays(user),
  };
}
