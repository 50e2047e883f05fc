/**
 * The signaling protocol between the wall and the SFU over one WebSocket (JSON text frames).
 * Requests carry a numeric `id`; the server answers each with a `response` of the same id.
 * The server also pushes camera state and consumer closures unasked.
 */
import { z } from 'zod';
import { CAMERA_ID, REMOTE_CAMERA_ID } from './config.js';
import { ErrorCode, type ErrorBody } from './errors.js';
import type { ResolvedNeighbour } from './neighbours.js';
import { BOOKMARK_LIMITS, type Bookmark, type ChangeResult, type Incident } from './bookmarks.js';
import { healthMessageSchemas, type HealthAlert, type HealthResponseData } from './health.js';
import type { ResidentLabel } from './residents.js';
import { displayContentSchema, displayNameSchema, TOUR_ACTIONS, type DisplayState } from './displays.js';

export const STREAMS = ['main', 'sub'] as const;
export type StreamKind = (typeof STREAMS)[number];
export const CAMERA_STATES = ['connecting', 'live', 'offline'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** Why a stream is not live: a code the client translates; never a URL or a host. */
export const OFFLINE_REASONS = [
  'starting', // pipeline started, no media yet
  'no_media', // connected but no video arrived for a few seconds
  'unreachable', // the camera did not answer (network, refused, timeout)
  'unauthorized', // the camera refused the credentials
  'not_found', // the camera has no such stream (or nobody publishes it)
  'unsupported', // the stream's codec cannot be forwarded (use transcode)
  'stream_ended', // the camera ended the stream
  'pipeline_error', // the ingest process failed for another reason
  'worker_restart', // the media worker restarted; the camera is being re-produced
  'paused', // a resident camera whose owner paused sharing (not a fault)
  'link_down', // city centre: the camera's ward is offline (its link to the centre is down; docs/city.md)
] as const;
export type OfflineReason = (typeof OFFLINE_REASONS)[number];

export interface StreamStatus {
  state: CameraState;
  /** Why the stream is not live, null when live. */
  reason: OfflineReason | null;
  /** Server time (ms since epoch) of the last state change. */
  since: number;
  /** What the ingest learned about the stream and decided (passthrough/transcode, and why). */
  ingest?: import('./ingest.js').IngestInfo;
}

/** What a browser may know about a camera: never its URL or credentials. */
export interface CameraInfo {
  id: string;
  name: string;
  streams: Partial<Record<StreamKind, StreamStatus>> & { main: StreamStatus };
  position: { x: number; y: number; heading?: number } | null;
  /** Follow mode: the cameras around this one and the side each lies on (see neighbours.ts). */
  neighbours: ResolvedNeighbour[];
  /** Set for cameras installed by residents (common/src/residents.ts). */
  resident?: ResidentLabel;
  /** The camera can be steered (ONVIF PTZ configured; docs/ptz.md). */
  ptz?: boolean;
  /** The camera's live audio is offered (consume with media 'audio'); it may still be silent. */
  audio?: true;
  /** City centre: a ward's camera (id `<ward>/<camera>`), built by the wall from `cityWards` (docs/city.md). */
  city?: { ward: string; wardName: string; linkDown: boolean };
}

// mediasoup's own structures are passed through opaquely; mediasoup validates them itself.
const opaque = z.record(z.string(), z.unknown());
const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const entityId = z.string().min(1).max(64);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), id: requestId, lang: z.enum(['vi', 'en']).optional() }).strict(),
  z.object({ type: z.literal('ping'), id: requestId }).strict(),
  z.object({ type: z.literal('createTransport'), id: requestId }).strict(),
  z.object({ type: z.literal('connectTransport'), id: requestId, transportId: entityId, dtlsParameters: opaque }).strict(),
  z.object({ type: z.literal('restartIce'), id: requestId, transportId: entityId }).strict(),
  z
    .object({
      type: z.literal('consume'),
      id: requestId,
      transportId: entityId,
      /** A station camera, or at a city centre a ward's camera `<ward>/<camera>` (docs/city.md). */
      cameraId: z.union([z.string().regex(CAMERA_ID), z.string().regex(REMOTE_CAMERA_ID)]),
      stream: z.enum(STREAMS),
      rtpCapabilities: opaque,
      /**
       * 'audio': the camera's live audio (Opus), from its main stream; default 'video'. 'bridge': the
       * stream's GOP bridge (docs/gop-bridge.md), a short-lived re-encode that starts with a keyframe
       * when the consumer is resumed, for a session that already consumes the stream's video.
       */
      media: z.enum(['video', 'audio', 'bridge']).optional(),
    })
    .strict(),
  z.object({ type: z.literal('resumeConsumer'), id: requestId, consumerId: entityId }).strict(),
  z.object({ type: z.literal('pauseConsumer'), id: requestId, consumerId: entityId }).strict(),
  z.object({ type: z.literal('closeConsumer'), id: requestId, consumerId: entityId }).strict(),
  // Bookmarks (common/src/bookmarks.ts): each change is parsed on its own by the handler, so one
  // bad change is answered with its error while the others are applied.
  z.object({ type: z.literal('bookmarksPush'), id: requestId, changes: z.array(z.unknown()).min(1).max(BOOKMARK_LIMITS.batch) }).strict(),
  z.object({ type: z.literal('bookmarksPull'), id: requestId, since: z.number().int().min(0) }).strict(),
  ...healthMessageSchemas,
  // Duty-room displays (sfu/src/displays).
  z.object({ type: z.literal('displayRegister'), id: requestId, name: displayNameSchema }).strict(),
  z.object({ type: z.literal('displayList'), id: requestId }).strict(),
  z.object({ type: z.literal('displayPush'), id: requestId, name: displayNameSchema, content: displayContentSchema }).strict(),
  z.object({ type: z.literal('displayTour'), id: requestId, name: displayNameSchema, action: z.enum(TOUR_ACTIONS) }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = clientMessageSchema.options.map((o) => o.shape.type.value);

/** Response payloads per request type. */
export interface ResponseData extends HealthResponseData {
  hello: { sessionId: string; serverTime: number; routerRtpCapabilities: Record<string, unknown>; cameras: CameraInfo[]; city?: CityHello };
  ping: { serverTime: number };
  createTransport: {
    transportId: string;
    iceParameters: Record<string, unknown>;
    iceCandidates: Record<string, unknown>[];
    dtlsParameters: Record<string, unknown>;
  };
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: Record<string, unknown> };
  consume: {
    consumerId: string;
    producerId: string;
    kind: 'video' | 'audio';
    rtpParameters: Record<string, unknown>;
    cameraId: string;
    stream: StreamKind;
  };
  resumeConsumer: Record<string, never>;
  pauseConsumer: Record<string, never>;
  closeConsumer: Record<string, never>;
  bookmarksPush: { results: ChangeResult[]; serverTime: number };
  /** Every record changed after `since` that the session may see (tombstones included); `seq` is the next cursor. */
  bookmarksPull: { bookmarks: Bookmark[]; incidents: Incident[]; seq: number; more: boolean; serverTime: number };
  displayRegister: { display: DisplayState };
  displayList: { displays: DisplayState[] };
  displayPush: { display: DisplayState };
  displayTour: { display: DisplayState };
}

/** City centre (docs/city.md): a ward's camera as the centre lists it; consumed as `remoteId` (`<ward>/<camera>`). */
export interface CityCameraInfo {
  remoteId: string;
  ward: string;
  id: string;
  name: string;
  state: CameraState;
  reason: OfflineReason | null;
  position: { x: number; y: number; heading?: number } | null;
  since: number;
  /** The ward is offline: the camera cannot be reached (shown 'offline'). */
  linkDown: boolean;
  /** The caller's rights on this camera (`live`, `playback`, `export`): the review offers the ones with playback. */
  rights?: ('live' | 'playback' | 'export')[];
}

/** Where a ward's map (0..1000 units) lies on the centre's city map: its top-left corner at (x, y), `scale` city units per ward unit. */
export interface CityMapPlacement {
  x: number;
  y: number;
  scale: number;
}

/** The SFU's city role in `hello` (absent when city mode is off); a centre adds where each ward's map lies (`city.wards[].map`). */
export interface CityHello {
  role: 'ward' | 'centre';
  placements: { ward: string; map: CityMapPlacement }[];
  /** The reach of a derived neighbour on the city map (the centre's `map.neighbourDistance`, city units). */
  neighbourDistance: number;
}

/** City centre: a ward, online or not, with its cameras. */
export interface CityWardInfo {
  ward: string;
  name: string;
  online: boolean;
  since: number;
  cameras: CityCameraInfo[];
}

/** City centre: a ward's camera health alert (the ward's alert id; the camera as `<ward>/<camera>` in `remoteId`). */
export interface CityAlertInfo {
  ward: string;
  remoteId: string;
  id: number;
  cameraId: string;
  kind: HealthAlert['kind'];
  state: HealthAlert['state'];
  openedAt: number;
  ackedAt: number | null;
  ackedBy: string | null;
  closedAt: number | null;
  detail: Record<string, number>;
}

/** City centre: a bookmark that became urgent at a ward (its cameras as `<ward>/<camera>`; the note stays at the ward). */
export interface CityUrgentInfo {
  ward: string;
  id: string;
  cameras: string[];
  startMs: number;
  endMs: number;
  title: string;
  by: string;
  at: number;
}

export type ServerMessage =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number | null; ok: false; error: ErrorBody }
  | { type: 'cameras'; cameras: CameraInfo[] }
  | { type: 'cameraState'; cameraId: string; stream: StreamKind; status: StreamStatus }
  | { type: 'consumerClosed'; consumerId: string; reason: string }
  | { type: 'bookmarkChanged'; bookmark: Bookmark }
  | { type: 'incidentChanged'; incident: Incident }
  /** A camera health alert was opened, acknowledged or closed. */
  | { type: 'alert'; alert: HealthAlert }
  /** A consumer's quality (mediasoup score 0–10: what reaches the browser, and what the producer sends). */
  | { type: 'consumerScore'; consumerId: string; score: number; producerScore: number }
  /** A duty-room display changed (pushed to every session). */
  | { type: 'displayState'; display: DisplayState }
  /** City centre only: the wards and their cameras changed (a ward online/offline, a camera's state); the whole list the session may see. */
  | { type: 'cityWards'; wards: CityWardInfo[] }
  /** City centre only: a ward's alert opened, was acknowledged or closed (to sessions with `live` on its camera). */
  | { type: 'cityAlert'; alert: CityAlertInfo }
  /** City centre only: a bookmark became urgent at a ward (to sessions with `live` on one of its cameras). */
  | { type: 'cityUrgent'; urgent: CityUrgentInfo };

/** A failure keeps the known `type` and the raw fields when it got that far (access is checked on them first). */
export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; id: number | null; error: ErrorBody; type?: string; fields?: Record<string, unknown> };

/**
 * Parses one raw text frame. Never throws: every failure becomes an error body with a code, and the
 * request id is recovered when the frame had one so the client can match the error.
 */
export function parseClientMessage(raw: string, maxBytes: number): ParseResult {
  if (raw.length > maxBytes) {
    return { ok: false, id: null, error: { code: ErrorCode.MESSAGE_TOO_LARGE, message: `message exceeds ${maxBytes} bytes` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, id: null, error: { code: ErrorCode.BAD_MESSAGE, message: 'message is not valid JSON' } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: null, error: { code: ErrorCode.BAD_MESSAGE, message: 'message must be a JSON object' } };
  }
  const record = value as Record<string, unknown>;
  const id = requestId.safeParse(record.id).success ? (record.id as number) : null;
  if (typeof record.type !== 'string') {
    return { ok: false, id, error: { code: ErrorCode.BAD_MESSAGE, message: 'field "type" must be a string' } };
  }
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(record.type)) {
    return { ok: false, id, error: { code: ErrorCode.UNKNOWN_TYPE, message: `unknown message type "${record.type.slice(0, 40)}"` } };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(message)';
    const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    return { ok: false, id, error: { code: ErrorCode.BAD_MESSAGE, message: `${field}: ${detail}` }, type: record.type, fields: record };
  }
  return { ok: true, message: parsed.data };
}
