/**
 * What the ingest learned about a camera stream and what it decided (shown in the camera list and
 * the admin page; never the URL). Browser-safe.
 */
export const INGEST_MODES = ['passthrough', 'transcode', 'unplayable'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

/** Why: a code the client translates. */
export const INGEST_REASONS = [
  'browser_ready', // H.264 without reordering: browsers play it as it is
  'forced_passthrough', // transcode: false in the config
  'forced_transcode', // transcode: true in the config
  'h265', // browsers cannot receive H.265 over WebRTC
  'bframes', // B-frames (reordering): WebRTC players drop reordered frames
  'profile', // an H.264 profile browsers do not decode (e.g. High 10, 4:2:2)
  'codec', // another codec (MJPEG, MPEG-4...): the live ingest cannot take it
  'no_video', // the stream has no video track
  'needs_transcode', // would need transcoding but transcode: false
  'probe_failed', // the stream could not be examined: passthrough as configured
] as const;
export type IngestReason = (typeof INGEST_REASONS)[number];

export interface IngestInfo {
  mode: IngestMode;
  reason: IngestReason;
  codec: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bframes: boolean | null;
  /** Audio codecs of the camera (e.g. ['PCMA']). */
  audio: string[];
  /** Which engine carries the live stream (docs/relay-ingest.md); absent until decided. */
  engine?: 'relay' | 'gstreamer';
}
