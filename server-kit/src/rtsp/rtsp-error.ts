/**
 * The one error type of the RTSP client: a code the caller can act on and a message that never
 * carries the camera URL's credentials (every message passes through `redactCredentials`).
 */
import { redactCredentials } from '@wardwall/common';

export const RTSP_ERROR_CODES = ['connect_failed', 'auth_failed', 'not_found', 'timeout', 'protocol', 'refused', 'closed', 'unsupported'] as const;
export type RtspErrorCode = (typeof RTSP_ERROR_CODES)[number];

export class RtspError extends Error {
  override readonly name = 'RtspError';
  constructor(
    readonly code: RtspErrorCode,
    message: string,
    /** The RTSP status that caused it, when a response did. */
    readonly status?: number,
  ) {
    super(redactCredentials(message));
  }
}

/** The error code of a non-2xx RTSP status (3xx are refused: redirects are never followed). */
export function errorCodeOfStatus(status: number): RtspErrorCode {
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 404) return 'not_found';
  if (status === 461) return 'unsupported';
  return 'refused';
}
