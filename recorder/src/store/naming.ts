/**
 * Segment file naming. Final segments live at `<camera>/<YYYY-MM-DD>/<camera>_<YYYYMMDDTHHMMSS.mmmZ>.mp4`
 * (UTC, ms), so a listing of the store alone tells camera and start time. ffmpeg writes into
 * `<camera>/.incoming/<runId>_<YYYYMMDDTHHMMSS>Z.mp4` (seconds, from its strftime) plus a per-run
 * CSV segment list; the writer renames a segment to its final name once it is closed.
 */
import { CAMERA_ID } from '@wardwall/common';

export const INCOMING_DIR = '.incoming';
const FINAL_RE = /^([a-z0-9][a-z0-9_-]{0,63})_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(?:~(\d{1,4}))?\.mp4$/;
const INCOMING_RE = /^(r[a-z0-9]{1,24})_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.mp4$/;
const RUN_RE = /^r[a-z0-9]{1,24}$/;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `YYYYMMDDTHHMMSS.mmmZ` of an epoch ms (UTC). */
export function compactUtc(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

/** `YYYY-MM-DD` (UTC): the day folder of a segment. */
export function dayFolder(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Relative path (to the store root) of a closed segment; `dup` > 0 disambiguates equal start times. */
export function segmentRelPath(camera: string, startMs: number, dup = 0): string {
  if (!CAMERA_ID.test(camera)) throw new Error(`bad camera id ${JSON.stringify(camera)}`);
  if (!Number.isSafeInteger(startMs) || startMs < 0) throw new Error(`bad start ${startMs}`);
  return `${camera}/${dayFolder(startMs)}/${segmentFileName(camera, startMs, dup)}`;
}

export function segmentFileName(camera: string, startMs: number, dup = 0): string {
  return `${camera}_${compactUtc(startMs)}${dup > 0 ? `~${dup}` : ''}.mp4`;
}

function utc(m: RegExpMatchArray, from: number, ms: string | undefined): number | null {
  const [y, mo, d, h, mi, s] = m.slice(from, from + 6).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms === undefined ? 0 : Number(ms));
  const back = new Date(t);
  // Reject dates that Date.UTC silently normalised (month 13, 31 February, hour 25...).
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return null;
  return t;
}

/** Parses a final segment file name; null when it is not one. */
export function parseSegmentFileName(name: string): { camera: string; startMs: number; dup: number } | null {
  const m = FINAL_RE.exec(name);
  if (!m) return null;
  const startMs = utc(m, 2, m[8]);
  if (startMs === null) return null;
  return { camera: m[1]!, startMs, dup: m[9] ? Number(m[9]) : 0 };
}

/** ffmpeg's output pattern (strftime, UTC) for one run of a camera's writer. */
export function incomingPattern(runId: string): string {
  if (!RUN_RE.test(runId)) throw new Error(`bad run id ${runId}`);
  return `${runId}_%Y%m%dT%H%M%SZ.mp4`;
}

/** Parses an incoming (being written, or left by a crash) segment name. */
export function parseIncomingName(name: string): { runId: string; startSecMs: number } | null {
  const m = INCOMING_RE.exec(name);
  if (!m) return null;
  const t = utc(m, 2, undefined);
  return t === null ? null : { runId: m[1]!, startSecMs: t };
}

export function runListName(runId: string): string {
  if (!RUN_RE.test(runId)) throw new Error(`bad run id ${runId}`);
  return `${runId}.csv`;
}

let runCounter = 0;
/** A run id unique within this store: base-36 time plus a counter. */
export function newRunId(now: number): string {
  runCounter = (runCounter + 1) % 1296;
  return `r${now.toString(36)}${runCounter.toString(36).padStart(2, '0')}`;
}
