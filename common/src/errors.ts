/** Error codes shared by every service and the client. Clients receive `{ code, message }`. */
export const ErrorCode = {
  BAD_MESSAGE: 'BAD_MESSAGE',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  UNKNOWN_CAMERA: 'UNKNOWN_CAMERA',
  UNKNOWN_STREAM: 'UNKNOWN_STREAM',
  UNKNOWN_TRANSPORT: 'UNKNOWN_TRANSPORT',
  UNKNOWN_CONSUMER: 'UNKNOWN_CONSUMER',
  CAMERA_OFFLINE: 'CAMERA_OFFLINE',
  CANNOT_CONSUME: 'CANNOT_CONSUME',
  NO_STILL: 'NO_STILL',
  /** SFU: no GOP bridge for this join (the camera's keyframe is due, the stream is transcoded, …): consume the video alone. */
  NO_BRIDGE: 'NO_BRIDGE',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  /** Recorder: a time parameter or window that is malformed, reversed, too long or absurd. */
  BAD_TIME_RANGE: 'BAD_TIME_RANGE',
  /** Recorder: nothing recorded in the requested window or at the requested instant. */
  NO_RECORDING: 'NO_RECORDING',
  /** Recorder: the export is not finished (or failed). */
  EXPORT_NOT_READY: 'EXPORT_NOT_READY',
  /** Recorder: the store's disk is full. */
  STORAGE_FULL: 'STORAGE_FULL',
  /** SFU: the recorder service does not answer (live video is unaffected). */
  RECORDER_UNAVAILABLE: 'RECORDER_UNAVAILABLE',
  /** No valid session (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Signed in, but not allowed this action or camera (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** City ward: the centre's assertion is missing, forged, expired, replayed or not for this request (HTTP 401). */
  CENTRE_ASSERTION: 'CENTRE_ASSERTION',
  /** City centre: the ward's SFU cannot be reached over HTTP (no address published, ward offline) (HTTP 503). */
  WARD_UNAVAILABLE: 'WARD_UNAVAILABLE',
  /** A record with this key exists already (HTTP 409). */
  CONFLICT: 'CONFLICT',
  /** Wrong user name or password (HTTP 401). */
  BAD_CREDENTIALS: 'BAD_CREDENTIALS',
  /** Too many failed logins: locked for a while (HTTP 429, `retryAfterS`). */
  LOCKED_OUT: 'LOCKED_OUT',
  /** The account store cannot be reached (recorder before the SFU created it) (HTTP 503). */
  AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
  /** The audit trail cannot be written: the action that needed an entry is refused (HTTP 503). */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** Bookmarks: a field of a bookmark or incident is invalid (the message names it). */
  BAD_BOOKMARK: 'BAD_BOOKMARK',
  /** A field of a request body fails validation (the message names the field). */
  INVALID_FIELD: 'INVALID_FIELD',
  /** A field is longer than allowed (the message names the field and the limit). */
  FIELD_TOO_LONG: 'FIELD_TOO_LONG',
  /** A camera URL that is malformed or not rtsp://, rtsps:// or rtmp://. */
  BAD_URL: 'BAD_URL',
  /** A state change that the record's current state does not allow (e.g. resuming a revoked camera). */
  BAD_STATE: 'BAD_STATE',
  /** Camera health checks are switched off (`sfu.health.enabled`): nothing to re-learn (HTTP 409). */
  HEALTH_DISABLED: 'HEALTH_DISABLED',
  /** A state-changing request or a WebSocket from a page of another site (HTTP 403). */
  BAD_ORIGIN: 'BAD_ORIGIN',
  /** Recorder: the user's exports (count or bytes) are at their quota (HTTP 429, `retryAfterS`). */
  EXPORT_QUOTA_USER: 'EXPORT_QUOTA_USER',
  /** Recorder: every user's exports together are at the station's quota (HTTP 429, `retryAfterS`). */
  EXPORT_QUOTA_TOTAL: 'EXPORT_QUOTA_TOTAL',
  /** Recorder: the export's package has expired and was deleted (HTTP 410). */
  EXPORT_EXPIRED: 'EXPORT_EXPIRED',
  /** Recorder: a hold's window is too long or reaches too far into the future (HTTP 400). */
  HOLD_TOO_LONG: 'HOLD_TOO_LONG',
  /** Recorder: the user has as many active holds as allowed (HTTP 429). */
  HOLD_QUOTA: 'HOLD_QUOTA',
  /** PTZ: the camera has no ONVIF PTZ configured or offers none (HTTP 409). */
  PTZ_UNAVAILABLE: 'PTZ_UNAVAILABLE',
  /** PTZ: the camera did not answer, refused our credentials or the command (HTTP 502). */
  PTZ_FAILED: 'PTZ_FAILED',
  /** ONVIF discovery: the device's service address did not answer (HTTP 502). */
  ONVIF_UNREACHABLE: 'ONVIF_UNREACHABLE',
  /** ONVIF discovery: the device refused the user name or password (HTTP 502). */
  ONVIF_AUTH: 'ONVIF_AUTH',
  /** ONVIF discovery: the device answered with a fault or something unreadable (HTTP 502). */
  ONVIF_FAILED: 'ONVIF_FAILED',
  /** ONVIF discovery: the profiles reply's token is unknown, expired or another user's (HTTP 410). */
  ONVIF_EXPIRED: 'ONVIF_EXPIRED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** An error that is safe to show to a client: a code and a message without secrets. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AppError';
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** A refusal the client may retry after `waitMs` (429 by default): the body carries `retryAfterS`. */
export function retryLater(code: ErrorCode, message: string, waitMs: number, status = 429): AppError & { retryAfterS: number } {
  const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
  const e = new AppError(code, message, status) as AppError & { retryAfterS: number };
  e.retryAfterS = retryAfterS;
  e.toBody = () => ({ code, message, retryAfterS }) as ErrorBody;
  return e;
}
