/**
 * Roles and how a user's rights are computed from the role and the user's own camera rules. Pure.
 * A camera rule for the exact camera wins over a '*' rule, which wins over the role's defaults;
 * admin has every right whatever the rules say. Look-back: the user's override, else the role's.
 */
import { CAMERA_PERMISSIONS, CAMERA_RULE_TARGET, ROLES, SYSTEM_PERMISSIONS, type CameraPermission, type Role, type SystemPermission } from '@wardwall/common';

/** The role and permission names are the shared contract (common/src/access.ts). */
export { CAMERA_PERMISSIONS, CAMERA_RULE_TARGET, ROLES, SYSTEM_PERMISSIONS, type Role };

export interface RoleSpec {
  name: Role;
  system: SystemPermission[];
  cameraPermissions: CameraPermission[];
  /** null = unlimited. */
  lookbackDays: number | null;
}

export const ROLE_SPECS: Readonly<Record<Role, RoleSpec>> = {
  admin: { name: 'admin', system: ['admin', 'control', 'bookmark', 'audit'], cameraPermissions: ['live', 'playback', 'export'], lookbackDays: null },
  operator: { name: 'operator', system: ['control', 'bookmark'], cameraPermissions: ['live', 'playback', 'export'], lookbackDays: 7 },
  commander: { name: 'commander', system: ['control', 'bookmark', 'audit'], cameraPermissions: ['live', 'playback', 'export'], lookbackDays: null },
  viewer: { name: 'viewer', system: [], cameraPermissions: ['live'], lookbackDays: null },
};

export interface CameraRule {
  /** A station camera id, '*', a ward's every camera '<ward>/*' or a ward camera '<ward>/<camera>' (city centre). */
  camera: string;
  permissions: CameraPermission[];
}


/** The rule that decides a camera: the exact id, else (for '<ward>/<camera>') '<ward>/*', else '*'. Pure. */
export function ruleFor(rules: readonly CameraRule[], cameraId: string): CameraRule | undefined {
  const exact = rules.find((r) => r.camera === cameraId);
  if (exact) return exact;
  const slash = cameraId.indexOf('/');
  if (slash > 0) {
    const ward = rules.find((r) => r.camera === `${cameraId.slice(0, slash)}/*`);
    if (ward) return ward;
  }
  return rules.find((r) => r.camera === '*');
}

export interface Grantee {
  role: Role;
  cameraRules: readonly CameraRule[];
  /** undefined = the role's default; null = unlimited. */
  lookbackDays?: number | null;
}

export function cameraRights(g: Grantee, cameraId: string): CameraPermission[] {
  if (g.role === 'admin') return [...CAMERA_PERMISSIONS];
  const rule = ruleFor(g.cameraRules, cameraId);
  return rule ? CAMERA_PERMISSIONS.filter((p) => rule.permissions.includes(p)) : [...ROLE_SPECS[g.role].cameraPermissions];
}

export function systemRights(g: Grantee): SystemPermission[] {
  return [...ROLE_SPECS[g.role].system];
}

export function lookbackDays(g: Grantee): number | null {
  return g.lookbackDays === undefined ? ROLE_SPECS[g.role].lookbackDays : g.lookbackDays;
}

/** Earliest playable instant for this grantee (ms), or -Infinity. */
export function playbackFloor(g: Grantee, now: number): number {
  const days = lookbackDays(g);
  return days === null ? -Infinity : now - days * 86400000;
}

/** The rights per camera for the `cameras` the system has (cameras with no right are left out). */
export function cameraMap(g: Grantee, cameras: readonly string[]): Record<string, CameraPermission[]> {
  const out: Record<string, CameraPermission[]> = {};
  for (const c of cameras) {
    const r = cameraRights(g, c);
    if (r.length) out[c] = r;
  }
  return out;
}

/** Whether `g` may do `permission` (on `cameraId`; without one, a camera permission on any of `cameras`). */
export function allows(g: Grantee, permission: CameraPermission | SystemPermission, cameraId: string | undefined, cameras: readonly string[]): boolean {
  if ((SYSTEM_PERMISSIONS as readonly string[]).includes(permission)) return g.role === 'admin' || systemRights(g).includes(permission as SystemPermission);
  const p = permission as CameraPermission;
  if (cameraId !== undefined) return cameraRights(g, cameraId).includes(p);
  return cameras.some((c) => cameraRights(g, c).includes(p));
}
