import type { ErrorCode } from '@wardwall/common';

/** Error codes the client makes up itself, next to the server's. */
export type LocalErrorCode = 'DISCONNECTED' | 'TIMEOUT' | 'NOT_READY' | 'CLOSED';

/** An error from the signaling server (its code) or from the client side of a request. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode | LocalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

export function errorCodeOf(err: unknown): string {
  if (err instanceof SignalingError) return err.code;
  return 'INTERNAL';
}
