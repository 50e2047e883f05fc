/**
 * Pure builders for the recorder's ffmpeg. ffmpeg no longer pulls the camera (the GStreamer pull,
 * pull.py, does: the URL stays off every command line, and every frame is stamped with the server's
 * arrival time). One ffmpeg per segment reads MPEG-TS on stdin, with the timestamps the segment
 * clock decided, and copies video and AAC audio into one fragmented MP4 file with ~1 s fragments,
 * each complete fragment flushed at once (a crash loses about a second). Its arguments name only
 * the output file.
 */
export interface SegmentArgsSpec {
  /** Absolute path of the segment file. */
  output: string;
  /** The input carries an AAC stream. */
  audio: boolean;
}

export function segmentArgs(spec: SegmentArgsSpec): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    // The TS comes from our own muxer: PAT/PMT and a keyframe with its parameter sets first.
    '-f', 'mpegts', '-probesize', '2000000', '-analyzeduration', '1500000',
    '-i', 'pipe:0',
    '-map', '0:v:0', ...(spec.audio ? ['-map', '0:a:0?'] : []),
    '-c', 'copy', ...(spec.audio ? ['-bsf:a', 'aac_adtstoasc'] : []),
    '-f', 'mp4',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration', '1000000',
    // Every complete fragment reaches the file at once (not held in a 32 KB I/O buffer).
    '-flush_packets', '1',
    spec.output,
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
