/**
 * Resident cameras: cameras installed by residents and shared with the station. The rules that the
 * SFU (live wall), the embedded endpoint (push admission) and the recorder all apply live here, so
 * the three processes cannot disagree. Pure: no Node or DOM imports.
 *
 * Sharing modes (what the owner consented to):
 * - `live_recorded`: shown live on the wall and recorded with the camera's retention.
 * - `recorded_only`: never shown live (not in the wall's camera list, no live ingest); recorded,
 *   so investigators can review it through the recorder.
 * - `on_request`: neither shown nor recorded by the station; the registry keeps the owner's contact
 *   so the station can ask for footage when an incident happens. A push stream is still admitted
 *   (owners may be asked to stream during an incident) but nothing pulls it.
 *
 * Status: `pending` (registered, waiting for approval), `approved`, `paused` (the owner paused
 * sharing from the owner link, or an administrator did: shown as "paused", not recorded, pushes
 * refused), `revoked` (withdrawn: gone from the wall, not recorded, pushes refused).
 */

export const SHARING_MODES = ['live_recorded', 'recorded_only', 'on_request'] as const;
export type SharingMode = (typeof SHARING_MODES)[number];
export const RESIDENT_STATUSES = ['pending', 'approved', 'paused', 'revoked'] as const;
export type ResidentStatus = (typeof RESIDENT_STATUSES)[number];
export const RESIDENT_SOURCES = ['pull', 'push'] as const;
export type ResidentSource = (typeof RESIDENT_SOURCES)[number];

/** What a browser learns about a resident camera (in CameraInfo): never its source. */
export interface ResidentLabel {
  owner: string;
  sharing: SharingMode;
}

/** What an administrator sees of a registry entry (REST API): no URL, key or token. */
export interface ResidentView {
  id: string;
  name: string;
  ownerName: string;
  ownerContact: string;
  address: string;
  position: { x: number; y: number; heading?: number } | null;
  consent: boolean;
  consentDate: string | null;
  sharing: SharingMode;
  retentionDays: number;
  status: ResidentStatus;
  /** Who set the status last: the owner (pause/resume from the link) or an administrator. */
  statusBy: 'admin' | 'owner';
  statusAt: number;
  /** When the current owner link stops working (ms); a new link is made by the administrator. */
  ownerLinkExpiresAt?: number | null;
  source: ResidentSource;
  /** Pull cameras: scheme, host and port only (never the path or credentials). */
  pullHost: string | null;
  note: string;
  createdAt: number;
  updatedAt: number;
}

/** The part of a registry row the rules look at. */
export interface ResidentRule {
  status: ResidentStatus;
  sharing: SharingMode;
}

/** On the wall: approved or paused (shown as paused) cameras that share live. */
export function onWall(r: ResidentRule): boolean {
  return r.sharing === 'live_recorded' && (r.status === 'approved' || r.status === 'paused');
}
/** Ingested live (not paused). */
export function liveIngested(r: ResidentRule): boolean {
  return r.sharing === 'live_recorded' && r.status === 'approved';
}
/** Recorded by the station's recorder. */
export function recorded(r: ResidentRule): boolean {
  return r.status === 'approved' && (r.sharing === 'live_recorded' || r.sharing === 'recorded_only');
}
/** The embedded endpoint admits a publish with this camera's key. */
export function pushAdmitted(r: ResidentRule): boolean {
  return r.status === 'approved';
}

/**
 * Status changes an administrator may make; the owner may only pause and resume, and may not resume
 * a camera the station paused (`setBy`: who set the current status).
 */
export function statusChangeAllowed(from: ResidentStatus, to: ResidentStatus, by: 'admin' | 'owner', setBy: 'admin' | 'owner' = 'owner'): boolean {
  if (from === to) return true;
  if (by === 'owner') return (from === 'approved' && to === 'paused') || (from === 'paused' && to === 'approved' && setBy === 'owner');
  if (to === 'pending') return false;
  // Only a camera that shares can be paused.
  if (to === 'paused') return from === 'approved';
  return true;
}

/** Push keys (`rk_` + 43 base64url chars, 256 bits) and internal stream names (`rs_` + 32). */
export const PUSH_KEY = /^rk_[A-Za-z0-9_-]{43}$/;
export const STREAM_TOKEN = /^rs_[A-Za-z0-9_-]{32}$/;
/** Owner link tokens (`ro_` + 43 base64url chars, 256 bits). */
export const OWNER_TOKEN = /^ro_[A-Za-z0-9_-]{43}$/;

/** The stream path on the embedded endpoint: `live/<name>`. */
export const ENDPOINT_APP = 'live';

/** What the endpoint does with a publish on `live/<name>`. */
export type PublishKind = { kind: 'key'; key: string } | { kind: 'internal' } | { kind: 'plain'; name: string };

/** Classifies a publish path (`live/<name>` or `<name>`, without a leading slash or query). */
export function classifyPublishPath(path: string): PublishKind {
  const name = path.startsWith(`${ENDPOINT_APP}/`) ? path.slice(ENDPOINT_APP.length + 1) : path;
  if (name.startsWith('rk_')) return { kind: 'key', key: name };
  if (name.startsWith('rs_')) return { kind: 'internal' };
  return { kind: 'plain', name: path };
}

/** The RTSP URL the SFU and the recorder pull a pushed stream from (a server-side secret). */
export function pushedStreamUrl(endpoint: { host: string; rtspPort: number }, streamToken: string): string {
  const host = endpoint.host === '0.0.0.0' ? '127.0.0.1' : endpoint.host;
  return `rtsp://${host}:${endpoint.rtspPort}/${ENDPOINT_APP}/${streamToken}`;
}

/** The URLs a resident's camera publishes to (shown once, to the administrator). */
export function pushUrls(host: string, ports: { rtmpPort: number; rtspPort: number }, key: string): { rtmp: string; rtsp: string } {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { rtmp: `rtmp://${h}:${ports.rtmpPort}/${ENDPOINT_APP}/${key}`, rtsp: `rtsp://${h}:${ports.rtspPort}/${ENDPOINT_APP}/${key}` };
}

/** The answer to create / rotate-key / owner-link: the secrets generated, shown once. */
export interface ResidentReveal {
  camera: ResidentView;
  pushKey?: string;
  pushUrls?: { rtmp: string; rtsp: string };
  /** Path of the owner's private page (`/owner/<token>`), to be prefixed with the station's address. */
  ownerLink?: string;
  /** When that link stops working (ms since the epoch). */
  ownerLinkExpiresAt?: number;
}
