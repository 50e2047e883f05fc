/**
 * The Node pull's errors in the words of pull.py's `error` events (pure), so the writer's fault
 * codes (ffmpeg-args.ts WriterFault) and its status read the same whichever engine ran.
 */
import type { RtspErrorCode } from '@wardwall/server-kit';

/** pull.py's error code for an RtspError code; `null` for `unsupported` (the camera goes to pull.py). */
export function pullErrorCode(code: RtspErrorCode): string | null {
  switch (code) {
    case 'connect_failed':
    case 'refused':
      return 'connect-failed';
    case 'auth_failed':
      return 'unauthorized';
    case 'not_found':
      return 'not-found';
    case 'timeout':
      return 'timeout';
    case 'unsupported':
      return null;
    case 'protocol':
      return 'protocol';
    case 'closed':
      return 'closed';
  }
}
