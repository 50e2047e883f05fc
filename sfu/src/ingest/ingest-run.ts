/**
 * One running ingest of a camera stream, whatever engine carries it: the GStreamer process
 * (gst-ingest-run.ts: transcoding, live audio, H.265) or the relay in the SFU's own process
 * (relay-ingest-run.ts: H.264 passthrough). CameraStream owns the producer, the live state and the
 * restarts' reasons; a run owns the camera connection and says what it saw.
 */
import type { EventEmitter } from 'node:events';
import type { OfflineReason } from '@wardwall/common';
import type { GrayImage } from './pgm.js';

export interface IngestExit {
  /** Why the run ended, as shown to browsers (a code, never a URL). */
  reason: OfflineReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Delay before the next start, ms (null: stopped). */
  restartInMs: number | null;
  /** The last lines of diagnostics (credentials removed), for the log. */
  detail: string[];
}

export interface IngestRunEvents {
  /** A (re)start: the camera connection is being opened. */
  started: [];
  exited: [info: IngestExit];
  /** The camera's keyframe arrived (time of arrival, ms since epoch). */
  keyframe: [at: number];
  /** A keyframe decoded as a JPEG still. */
  still: [jpeg: Buffer, at: number];
  /** A keyframe decoded as a small grayscale picture (camera health). */
  thumbnail: [image: GrayImage, at: number];
}

export interface IngestRun extends EventEmitter<IngestRunEvents> {
  readonly running: boolean;
  /** The process carrying the run (GStreamer engine), for tests and benches. */
  readonly pid: number | undefined;
  /** The run has seen a keyframe since it started: a GOP bridge can start. */
  readonly ready: boolean;
  start(): void;
  /** Ends the run for good. */
  stop(): Promise<void>;
  /** Ends the current connection and starts again (with the supervisor's back-off). */
  restart(why: string): void;
  /** A viewer joins: start a GOP bridge (or a keyframe in the running one). False: not possible now. */
  requestBridge(): boolean;
}
