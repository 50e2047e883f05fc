/**
 * Maps what an ingest process said on stderr (and how it ended) to a short reason code that may
 * be shown to browsers: no URLs, hosts or credentials ever leave the server, only these codes.
 */
import type { OfflineReason } from '@wardwall/common';

const RULES: [RegExp, OfflineReason][] = [
  [/\b401\b|unauthori[sz]ed|authenticat/i, 'unauthorized'],
  [/\b404\b|not found|no such stream|stream not found/i, 'not_found'],
  [/could not connect|failed to connect|connection refused|no route to host|network is unreachable|could not open resource|timed? ?out|host is down|name or service not known|temporary failure in name resolution/i, 'unreachable'],
  [/unsupported|not negotiated|no element|codec|hevc|h265/i, 'unsupported'],
  [/end of stream|\beos\b|end of file/i, 'stream_ended'],
];

export function classifyExit(stderrTail: readonly string[], code: number | null): OfflineReason {
  const text = stderrTail.join('\n');
  for (const [re, reason] of RULES) if (re.test(text)) return reason;
  return code === 0 ? 'stream_ended' : 'pipeline_error';
}
