/**
 * HLS (fMP4) playlists of a wall-clock window, for hls.js. Pure.
 *
 * Every recorded segment file is ftyp+moov followed by ~1 s moof/mdat fragments. The playlist points
 * into the files with byte ranges: EXT-X-MAP for the init section, one media segment per run of
 * fragments that starts with a keyframe (a seek lands on something decodable). Each file's
 * timestamps start at 0, so each file begins a discontinuity; gaps in the recording are simply not
 * in the playlist. EXT-X-PROGRAM-DATE-TIME on every media segment maps media time to wall-clock time.
 *
 * A window that reaches the present is an open EVENT playlist (no ENDLIST): hls.js reloads it and
 * the newest footage joins as it is written. Listed parts never change afterwards: the last part of
 * the file being written (it may still grow) is listed only once a later part follows it.
 */
import type { Fmp4Info } from '../store/fmp4.js';

export interface PlaylistFile {
  segmentId: number;
  /** Wall-clock time of the file's first sample. */
  startMs: number;
  info: Fmp4Info;
  /** The file is still being written. */
  open?: boolean;
}

export interface MediaPart {
  segmentId: number;
  offset: number;
  length: number;
  startMs: number;
  durationMs: number;
}

/** The keyframe-aligned parts of a file, with wall-clock times. */
export function fileParts(file: PlaylistFile): MediaPart[] {
  const { info } = file;
  const frags = info.fragments;
  if (!info.timescale || frags.length === 0) return [];
  const base = frags[0]!.baseTime;
  const toMs = (t: number): number => (t * 1000) / info.timescale;
  const parts: MediaPart[] = [];
  for (const f of frags) {
    const startMs = file.startMs + toMs(f.baseTime - base);
    const last = parts[parts.length - 1];
    if (last && !f.keyframe && last.offset + last.length === f.offset) {
      last.length += f.length;
      last.durationMs += toMs(f.duration);
    } else {
      parts.push({ segmentId: file.segmentId, offset: f.offset, length: f.length, startMs, durationMs: toMs(f.duration) });
    }
  }
  return parts;
}

export interface PlaylistOptions {
  from: number;
  to: number;
  /** URI of a segment file, relative to the playlist. */
  uri: (segmentId: number) => string;
  /** An EVENT playlist that grows (the window reaches the present). */
  live?: boolean;
}

/** The playlist's text, how many media parts it lists, and the wall-clock span they cover (null when none). */
export function buildPlaylist(files: readonly PlaylistFile[], opts: PlaylistOptions): { text: string; parts: number; span: { from: number; to: number } | null } {
  const body: string[] = [];
  let spanFrom = Infinity;
  let spanTo = -Infinity;
  let target = 1;
  let count = 0;
  let firstFile = true;
  for (const file of files) {
    const all = fileParts(file);
    // The last part of a file being written may still grow: not listed yet.
    if (file.open) all.pop();
    const parts = all.filter((p) => p.startMs < opts.to && p.startMs + p.durationMs > opts.from);
    if (parts.length === 0 || file.info.initLength === 0) continue;
    if (!firstFile) body.push('#EXT-X-DISCONTINUITY');
    firstFile = false;
    const uri = opts.uri(file.segmentId);
    body.push(`#EXT-X-MAP:URI="${uri}",BYTERANGE="${file.info.initLength}@0"`);
    for (const p of parts) {
      const secs = p.durationMs / 1000;
      target = Math.max(target, Math.ceil(secs));
      body.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Math.round(p.startMs)).toISOString()}`);
      body.push(`#EXTINF:${secs.toFixed(3)},`);
      body.push(`#EXT-X-BYTERANGE:${p.length}@${p.offset}`);
      body.push(uri);
      count++;
      spanFrom = Math.min(spanFrom, p.startMs);
      spanTo = Math.max(spanTo, p.startMs + p.durationMs);
    }
  }
  const type = opts.live ? 'EVENT' : 'VOD';
  const head = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${type}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  return { text: [...head, ...body, ...(opts.live ? [] : ['#EXT-X-ENDLIST']), ''].join('\n'), parts: count, span: count ? { from: spanFrom, to: spanTo } : null };
}
