/**
 * Pure builders for the recorder's ffmpeg: pull the camera's main stream over RTSP/TCP, copy the
 * video (no re-encoding) into fragmented MP4 segments cut at wall-clock boundaries, ~1 s fragments
 * (a crash loses about a second), a CSV list of closed segments, and progress on stdout. The
 * progress lines double as a lifeline: when the recorder dies, the next write hits a closed pipe and
 * ffmpeg ends with SIGPIPE instead of recording on as an orphan.
 */
export interface WriterArgsSpec {
  url: string;
  /** Absolute paths. */
  outputPattern: string;
  listPath: string;
  segmentSeconds: number;
  /** RTSP socket I/O timeout, ms. */
  ioTimeoutMs: number;
}

export function writerArgs(spec: WriterArgsSpec): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-rtsp_transport', 'tcp', '-timeout', String(spec.ioTimeoutMs * 1000),
    '-fflags', '+genpts',
    '-i', spec.url,
    '-map', '0:v:0', '-c', 'copy',
    '-f', 'segment',
    '-segment_time', String(spec.segmentSeconds),
    '-segment_atclocktime', '1',
    '-reset_timestamps', '1',
    '-strftime', '1',
    '-segment_format', 'mp4',
    // Every complete fragment reaches the file at once (not held in a 32 KB I/O buffer): a hard
    // death loses only the fragment in progress.
    '-flush_packets', '1',
    '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1',
    '-segment_list', spec.listPath, '-segment_list_type', 'csv',
    '-stats_period', '0.5', '-progress', 'pipe:1',
    spec.outputPattern,
  ];
}

/** Why a writer run ended, from its stderr tail (never the raw text: it may quote the URL). */
export type WriterFault = 'disk-full' | 'not-found' | 'unauthorized' | 'connect-failed' | 'timeout' | 'stalled' | 'exited';

export function classifyStderr(lines: readonly string[]): WriterFault {
  const text = lines.join('\n');
  if (/No space left on device|ENOSPC/i.test(text)) return 'disk-full';
  if (/404 Not Found|Stream not found/i.test(text)) return 'not-found';
  if (/401 Unauthorized|403 Forbidden/i.test(text)) return 'unauthorized';
  if (/Connection refused|No route to host|Network is unreachable|Name or service not known/i.test(text)) return 'connect-failed';
  if (/timed out|Operation timed out/i.test(text)) return 'timeout';
  return 'exited';
}
