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
