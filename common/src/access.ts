/**
 * The access contract both sides of the wall share (browser-safe): the role names, the permission
 * names and the shape of `me` (GET /api/auth/me, the login reply). The server computes rights from
 * them (@wardwall/accounts); the client only reads them to offer what would not be refused.
 */

export const ROLES = ['admin', 'operator', 'commander', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
/** System-wide rights. */
export const SYSTEM_PERMISSIONS = ['admin', 'control', 'bookmark', 'audit'] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];
/** Per-camera rights. */
export const CAMERA_PERMISSIONS = ['live', 'playback', 'export'] as const;
export type CameraPermission = (typeof CAMERA_PERMISSIONS)[number];
export type Permission = CameraPermission | SystemPermission;
/** The id of the `Me` the server answers when access control is off (no sign-in, no sign-out). */
export const ANONYMOUS_ID = 'local';
/** The key of a rule (and of `Me.cameras`) for every camera. */
export const ALL_CAMERAS = '*';

/**
 * What a camera rule may name (docs/city.md, "Central users"): '*', a station camera id, every
 * camera of a ward '<ward>/*' or a ward camera '<ward>/<camera>' (city centre). Not the ward "hub".
 */
export const CAMERA_RULE_TARGET = /^(\*|[a-z0-9][a-z0-9_-]{0,63}|(?!hub\/)[a-z0-9][a-z0-9_-]{0,31}\/(\*|[a-z0-9][a-z0-9_-]{0,63}))$/;

/** What the wall learns about the signed-in user. */
export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  system: SystemPermission[];
  /** Camera id (or '*') → what the viewer may do on it. */
  cameras: Record<string, CameraPermission[]>;
  /** Days of recordings the viewer may play back; null = unlimited. */
  lookbackDays: number | null;
}
