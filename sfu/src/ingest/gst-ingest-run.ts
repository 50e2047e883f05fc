/**
 * The GStreamer engine of a camera stream's ingest: gst-ingest.py under a SupervisedProcess (its
 * config, URL included, on stdin), keyframe stills and thumbnails read as multipart from its stdout,
 * the GOP bridge asked for with SIGUSR1. Carries what the relay cannot: transcoding, H.265, live
 * audio (paced for lip-sync).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SupervisedProcess, type ProcessSpec } from '@wardwall/server-kit';
import { classifyExit } from './offline-reason.js';
import { MultipartParser } from './multipart.js';
import { isJpeg, parsePgm } from './pgm.js';
import { STILL_BOUNDARY } from './pipeline-args.js';
import type { IngestRun, IngestRunEvents } from './ingest-run.js';

export interface GstIngestRunOptions {
  name: string;
  /** Called before every (re)start: the run's command and stdin (ports and RTP offsets change). */
  spec: () => ProcessSpec;
  /** Whether the run has a GOP-bridge branch. */
  bridge: boolean;
  backoffMs: readonly number[];
  stableAfterMs: number;
  log: Logger;
  now?: () => number;
}

export class GstIngestRun extends EventEmitter<IngestRunEvents> implements IngestRun {
  private readonly proc: SupervisedProcess;
  private readyRef = false;
  private readonly now: () => number;

  constructor(private readonly opts: GstIngestRunOptions) {
    super();
    this.now = opts.now ?? Date.now;
    let stills = new MultipartParser(STILL_BOUNDARY);
    this.proc = new SupervisedProcess({
      name: opts.name,
      spec: opts.spec,
      backoffMs: opts.backoffMs,
      stableAfterMs: opts.stableAfterMs,
      log: opts.log,
      onStdout: (chunk) => {
        for (const part of stills.push(chunk)) {
          const at = this.now();
          if (isJpeg(part)) {
            // The still branch decodes keyframes only: one still per keyframe. Its bridge branch
            // listens for SIGUSR1 from now on (the handler is installed before the pipeline runs).
            this.readyRef = true;
            this.emit('keyframe', at);
            this.emit('still', part, at);
          } else {
            const thumb = parsePgm(part);
            if (thumb) this.emit('thumbnail', thumb, at);
          }
        }
      },
    });
    this.proc.on('started', () => {
      this.readyRef = false;
      stills = new MultipartParser(STILL_BOUNDARY);
      this.emit('started');
    });
    this.proc.on('exited', (info) => {
      this.readyRef = false;
      this.emit('exited', { reason: classifyExit(info.stderrTail, info.code), code: info.code, signal: info.signal, restartInMs: info.restartInMs, detail: info.stderrTail.slice(-3) });
    });
  }

  get running(): boolean {
    return this.proc.running;
  }
  get pid(): number | undefined {
    return this.proc.pid;
  }
  get ready(): boolean {
    return this.readyRef && this.proc.running;
  }

  start(): void {
    this.proc.start();
  }
  stop(): Promise<void> {
    return this.proc.stop();
  }
  restart(why: string): void {
    this.proc.restart(why);
  }

  requestBridge(): boolean {
    const pid = this.proc.pid;
    // Only once the run has written a still: Python's default SIGUSR1 action would end a process
    // that has not installed its handler yet.
    if (!this.opts.bridge || !pid || !this.ready) return false;
    try {
      process.kill(pid, 'SIGUSR1');
    } catch {
      return false;
    }
    return true;
  }
}
