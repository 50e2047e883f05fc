/**
 * One camera's recording: a supervised ffmpeg segmenter (stepped back-off) plus a once-a-second
 * tick that follows the files it writes. The tick indexes the segment being written (so listing
 * and playback see footage up to the last complete fragment), closes finished segments (repair,
 * final name, index row) and restarts ffmpeg when the segment stops growing (a stalled camera).
 */
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SupervisedProcess } from '@wardwall/common/node';
import type { SpawnOptions, ChildProcess } from 'node:child_process';
import type { SegmentStore } from '../store/store.js';
import { readFmp4, fmp4DurationMs, type Fmp4Info } from '../store/fmp4.js';
import { incomingPattern, newRunId, parseIncomingName, runListName } from '../store/naming.js';
import { writerArgs, classifyStderr, type WriterFault } from './ffmpeg-args.js';
import { AnchorEstimator, parseProgress } from './progress.js';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

export type WriterState = 'starting' | 'recording' | 'retrying' | 'stopped';

export interface WriterOptions {
  camera: string;
  /** The camera's main RTSP URL (may carry credentials: only ffmpeg's arguments see it). */
  url: string;
  segmentSeconds: number;
  backoffMs: readonly number[];
  stableAfterMs: number;
  /** No growth of the segment being written for this long restarts ffmpeg. */
  stallMs: number;
  tickMs: number;
  ioTimeoutMs: number;
  ffmpegPath?: string;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  now?: () => number;
}

export interface WriterStatus {
  camera: string;
  state: WriterState;
  /** Wall-clock end of the newest recorded footage. */
  lastFootageMs: number | null;
  since: number;
  restarts: number;
  lastFault: WriterFault | null;
  lastFaultAt: number | null;
}

interface Events {
  fault: [fault: WriterFault];
  segment: [camera: string];
}

interface OpenFile {
  name: string;
  info: Fmp4Info | null;
  rowId: number | null;
}

export class CameraWriter extends EventEmitter<Events> {
  private readonly proc: SupervisedProcess;
  private readonly now: () => number;
  private runId: string | null = null;
  private runStartedAt = 0;
  private anchor = new AnchorEstimator();
  /** Frame period of the stream (from its fragments), 40 ms until known. */
  private frameMs = 40;
  private progressRest = '';
  /** The first progress block with a frame out: output time and frame count. */
  private firstOut: { outUs: number; frames: number } | null = null;
  private lastGrowthAt = 0;
  private lastSize = -1;
  private open: OpenFile | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private closed = false;
  private readonly status: WriterStatus;
  private tickErrorLoggedAt = 0;

  constructor(
    private readonly opts: WriterOptions,
    private readonly store: SegmentStore,
    private readonly log: Logger,
  ) {
    super();
    this.now = opts.now ?? Date.now;
    this.status = { camera: opts.camera, state: 'stopped', lastFootageMs: null, since: this.now(), restarts: 0, lastFault: null, lastFaultAt: null };
    const dir = store.incomingDir(opts.camera);
    this.proc = new SupervisedProcess({
      name: `recorder ${opts.camera}`,
      backoffMs: opts.backoffMs,
      stableAfterMs: opts.stableAfterMs,
      log,
      ...(opts.spawn ? { spawn: opts.spawn } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      onStdout: (chunk) => this.onProgress(chunk),
      spec: () => {
        this.runId = newRunId(this.now());
        this.runStartedAt = this.now();
        this.anchor = new AnchorEstimator();
        this.progressRest = '';
        this.firstOut = null;
        this.lastGrowthAt = this.now();
        this.lastSize = -1;
        const ffmpeg = opts.ffmpegPath ?? 'ffmpeg';
        const args = writerArgs({
            url: opts.url,
            outputPattern: join(dir, incomingPattern(this.runId)),
            listPath: join(dir, runListName(this.runId)),
            segmentSeconds: opts.segmentSeconds,
            ioTimeoutMs: opts.ioTimeoutMs,
          });
        // ffmpeg ignores SIGPIPE, so a dead recorder would leave it recording on as an orphan (and a
        // restarted recorder would run a second writer): it gets SIGTERM when its parent dies.
        const [command, allArgs] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGTERM', ffmpeg, ...args]] : [ffmpeg, args];
        return { command, args: allArgs, env: { ...process.env, TZ: 'UTC' } /* strftime in the file names: UTC */ };
      },
    });
    this.proc.on('started', () => this.setState('starting'));
    this.proc.on('exited', (info) => {
      const fault = this.pendingFault ?? classifyStderr(info.stderrTail);
      this.pendingFault = null;
      if (info.restartInMs !== null) {
        this.status.restarts++;
        this.status.lastFault = fault;
        this.status.lastFaultAt = this.now();
        this.setState('retrying');
        this.log.warn({ camera: opts.camera, code: info.code, signal: info.signal, fault, ranMs: info.ranMs, restartInMs: info.restartInMs, stderr: info.stderrTail.slice(-3) }, 'recorder ffmpeg exited');
        this.emitSafe('fault', fault);
      }
      // Close what that run wrote.
      void this.tick();
    });
  }

  private pendingFault: WriterFault | null = null;

  get pid(): number | undefined {
    return this.proc.pid;
  }

  start(): void {
    if (this.closed) return;
    this.proc.start();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  getStatus(): WriterStatus {
    return { ...this.status };
  }

  private setState(state: WriterState): void {
    if (this.status.state !== state) {
      this.status.state = state;
      this.status.since = this.now();
    }
  }

  private onProgress(chunk: Buffer): void {
    const { blocks, rest } = parseProgress(this.progressRest + chunk.toString('utf8'));
    this.progressRest = rest.slice(-4096);
    const at = this.now();
    for (const b of blocks) {
      const us = Number(b.out_time_us ?? b.out_time_ms);
      this.anchor.add(at, us);
      const frames = Number(b.frame);
      if (!this.firstOut && frames >= 1 && us > 0) this.firstOut = { outUs: us, frames };
    }
  }

  /** One pass over the incoming folder. Never throws: a full disk or a broken file is logged. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tickInner();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
        this.status.lastFault = 'disk-full';
        this.status.lastFaultAt = this.now();
        this.emitSafe('fault', 'disk-full');
      }
      if (this.now() - this.tickErrorLoggedAt > 10000) {
        this.tickErrorLoggedAt = this.now();
        this.log.error({ camera: this.opts.camera, err: e }, 'recorder tick failed');
      }
    } finally {
      this.ticking = false;
    }
  }

  private async tickInner(): Promise<void> {
    const camera = this.opts.camera;
    const dir = this.store.incomingDir(camera);
    const files = readdirSync(dir)
      .map((name) => ({ name, inc: parseIncomingName(name) }))
      .filter((f): f is { name: string; inc: NonNullable<ReturnType<typeof parseIncomingName>> } => f.inc !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
    const live = this.proc.running && this.runId !== null;
    const current = live ? files.filter((f) => f.inc.runId === this.runId) : [];
    const newest = current.length > 0 ? current[current.length - 1]! : null;
    const list = this.runId ? this.store.runList(camera, this.runId) : new Map<string, { start: number; end: number }>();
    // ffmpeg's RTSP demuxer hands a frame on only when the next one starts arriving, so progress
    // reports run one frame period behind capture: take that frame back off the anchor.
    const anchor = this.anchor.anchorMs === null ? null : this.anchor.anchorMs - this.frameMs;
    // Close everything but the file being written.
    for (const f of files) {
      if (newest && f.name === newest.name) continue;
      // The CSV end of a closed segment is exact on the output timeline (its start is not for the
      // first segment of a run: ffmpeg drops the frames before the first keyframe).
      let hint: { endMs?: number } = {};
      if (f.inc.runId === this.runId && anchor !== null) {
        const entry = list.get(f.name);
        if (entry) hint = { endMs: Math.round(anchor + entry.end * 1000) };
      }
      const res = await this.store.finalizeIncoming(camera, f.name, hint);
      if (this.open?.name === f.name) this.open = null;
      if (res.row) {
        this.status.lastFootageMs = Math.max(this.status.lastFootageMs ?? 0, res.row.endMs);
        this.emitSafe('segment', camera);
      }
      if (res.truncatedBytes > 0 && res.row) this.log.warn({ camera, segment: res.row.path, cutBytes: res.truncatedBytes }, 'cut a truncated last fragment');
    }
    // Lists of runs that are over (their files are closed by now).
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.csv')) continue;
      if (live && name === runListName(this.runId!)) continue;
      unlinkSync(join(dir, name));
    }
    if (!live) return;
    const now = this.now();
    if (!newest) {
      if (now - this.lastGrowthAt > this.opts.stallMs + 5000) this.stall('no segment written');
      return;
    }
    const abs = join(dir, newest.name);
    const size = statSync(abs).size;
    if (size !== this.lastSize) {
      this.lastSize = size;
      this.lastGrowthAt = now;
    } else if (now - this.lastGrowthAt > this.opts.stallMs) {
      this.stall('segment stopped growing');
      return;
    }
    if (!this.open || this.open.name !== newest.name) this.open = { name: newest.name, info: null, rowId: null };
    const info = await readFmp4(abs, this.open.info ?? undefined);
    this.open.info = info;
    const f = info.fragments[0];
    if (f && f.samples > 0 && info.timescale > 0) this.frameMs = (f.duration / f.samples / info.timescale) * 1000;
    if (anchor === null) return;
    // Start on the output timeline: the end of the previous segment of this run (CSV, written
    // before ffmpeg opens the next file). The first segment of a run starts at the first keyframe,
    // after the frames ffmpeg dropped before it: the first progress report's output time minus the
    // frames written by then. The row exists from the moment the file does, so a crash at any
    // point leaves the writer's start time behind for the repair.
    let streamStart = -1;
    for (const e of list.values()) if (e.end > streamStart) streamStart = e.end;
    if (streamStart < 0) {
      const f0 = info.fragments[0];
      if (!f0 || !this.firstOut) return;
      const frameS = f0.samples > 0 ? f0.duration / f0.samples / info.timescale : 0;
      streamStart = Math.max(0, this.firstOut.outUs / 1e6 - this.firstOut.frames * frameS);
    }
    const startMs = Math.round(anchor + streamStart * 1000);
    const endMs = startMs + Math.round(fmp4DurationMs(info));
    this.store.upsertOpen(camera, this.store.rel(abs), startMs, endMs, info.validBytes);
    if (info.fragments.length === 0) return;
    this.status.lastFootageMs = endMs;
    this.setState('recording');
  }

  private stall(reason: string): void {
    this.pendingFault = 'stalled';
    this.lastGrowthAt = this.now();
    this.proc.restart(reason);
  }

  private emitSafe<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const l of this.listeners(event)) {
      try {
        (l as (...a: Events[K]) => void)(...args);
      } catch (e) {
        this.log.error({ camera: this.opts.camera, err: e }, `listener for ${event} failed`);
      }
    }
  }

  /** Idempotent: stops ffmpeg (it finishes the segment), then closes and indexes what it wrote. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.proc.stop();
    // Wait for a running tick, then close the last files.
    while (this.ticking) await new Promise((r) => setTimeout(r, 20));
    await this.tick();
    this.setState('stopped');
  }
}
