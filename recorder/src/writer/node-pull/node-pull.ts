/**
 * The Node pull: the recorder's in-process replacement of pull.py for RTSP H.264 video without
 * reordering (pull-engine.ts says which cameras). One RtspClient session at a time (interleaved
 * RTP over TCP) whose packets pull-records.ts turns into pull.py's records, handed straight to the
 * writer (no process, no pipe). It keeps the GStreamer pull's supervision contract (start, stop,
 * restart, `started`/`exited` with a back-off delay), so camera-writer.ts treats both alike, plus a
 * `fallback` event when the camera is one for pull.py (decided on the DESCRIBE answer, or a
 * reordered stream seen at run time). The URL's credentials never reach a record, a log line or an
 * error (RtspError messages are redacted).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { backoffDelay } from '@wardwall/common';
import { isShuttingDown, RtspClient, RtspError, spropParameterSets, spsInfo, type ExitInfo, type RtspTrack } from '@wardwall/server-kit';
import type { PullRecord } from '../pull-protocol.js';
import type { PullEngineChoice } from './pull-engine.js';
import { pullErrorCode } from './pull-faults.js';
import { PullRecords, type PullRecordsStop } from './pull-records.js';

export interface NodePullOptions {
  name: string;
  url: string;
  ioTimeoutMs: number;
  backoffMs: readonly number[];
  stableAfterMs: number;
  log: Logger;
  /** Called before every run (the writer resets its reader state). */
  beforeRun: () => void;
  onRecord: (record: PullRecord) => void;
  /** The engine for this camera, given the DESCRIBE answer. */
  decide: (tracks: readonly RtspTrack[], profileIdc: number | null) => PullEngineChoice;
  now?: () => number;
}

/** H.264 baseline profile_idc: no B-slices. */
const BASELINE = 66;

interface Events {
  started: [pid: number];
  exited: [info: ExitInfo];
  /** The camera needs the GStreamer pull; this pull has stopped for good. */
  fallback: [reason: string];
}

export class NodePull extends EventEmitter<Events> {
  private client: RtspClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = true;
  private ended: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: NodePullOptions) {
    super();
    this.now = opts.now ?? Date.now;
  }

  /** No process of its own. */
  get pid(): number | undefined {
    return undefined;
  }
  get running(): boolean {
    return this.client !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.launch();
  }

  /** Ends the current session; the next starts after the back-off step. */
  restart(reason: string): void {
    if (this.stopped || !this.client) return;
    this.opts.log.info({ proc: this.opts.name, reason }, 'restarting the node pull');
    void this.client.close();
  }

  /** Idempotent: ends the session and starts no other. Resolves when it has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    if (c) await c.close();
    await this.ended;
  }

  private launch(): void {
    this.timer = null;
    if (this.stopped) return;
    this.opts.beforeRun();
    const startedAt = this.now();
    let choice: PullEngineChoice | null = null;
    let records: PullRecords | null = null;
    let stop: PullRecordsStop | null = null;
    let client: RtspClient;
    try {
      client = new RtspClient({
        url: this.opts.url,
        requestTimeoutMs: this.opts.ioTimeoutMs,
        idleTimeoutMs: this.opts.ioTimeoutMs,
        select: (tracks) => {
          const video = tracks.find((t) => t.media === 'video');
          const sprop = video?.encodingName === 'H264' ? spropParameterSets(video.fmtp['sprop-parameter-sets'] ? `sprop-parameter-sets=${video.fmtp['sprop-parameter-sets']}` : '') : null;
          const profileIdc = sprop ? (spsInfo(sprop.sps)?.profileIdc ?? null) : null;
          choice = this.opts.decide(tracks, profileIdc);
          if (choice.engine !== 'node' || !video) return [];
          records = new PullRecords({ payloadType: video.payloadType, clockRate: video.clockRate || 90000, paramSets: sprop, reorderPossible: profileIdc !== BASELINE, emit: (r) => this.record(r) });
          records.caps();
          return [video];
        },
      });
    } catch (e) {
      this.emitSafe('fallback', e instanceof RtspError ? e.code : 'url');
      return;
    }
    this.client = client;
    let resolveEnded!: () => void;
    this.ended = new Promise((r) => (resolveEnded = r));
    client.on('rtp', (_i, packet) => {
      if (!records || stop) return;
      stop = records.rtp(packet, Date.now());
      if (stop) void client.close();
    });
    client.on('rtcp', (_i, packet) => records?.rtcp(packet));
    client.once('close', (err) => {
      this.client = null;
      try {
        this.onEnd(err, choice, stop, records, startedAt);
      } finally {
        resolveEnded();
      }
    });
    client.start().catch(() => undefined); // the same error arrives with 'close'
    this.emitSafe('started', process.pid);
  }

  private onEnd(err: RtspError | null, choice: PullEngineChoice | null, stop: PullRecordsStop | null, records: PullRecords | null, startedAt: number): void {
    const fallback = choice && choice.engine !== 'node' ? choice.reason : stop ? stop.code : err?.code === 'unsupported' ? 'rtsp unsupported' : null;
    if (fallback && !this.stopped) {
      this.stopped = true;
      this.opts.log.info({ proc: this.opts.name, reason: fallback, detail: stop?.message ?? err?.message }, 'camera handed to the GStreamer pull');
      this.emitSafe('fallback', fallback);
      return;
    }
    const tail: string[] = [];
    if (err) {
      const code = pullErrorCode(err.code) ?? 'unsupported';
      this.record({ header: { k: 'ev', ev: 'error', code, message: err.message.slice(0, 500) }, payload: Buffer.alloc(0) });
      tail.push(`pull error ${code}: ${err.message}`.slice(0, 300));
      if (err.code === 'closed' && records) records.end(Date.now());
    }
    const ranMs = this.now() - startedAt;
    if (ranMs >= this.opts.stableAfterMs) this.attempt = 0;
    if (isShuttingDown()) this.stopped = true;
    const restartInMs = this.stopped ? null : backoffDelay(this.opts.backoffMs, this.attempt++);
    this.emitSafe('exited', { code: null, signal: null, stderrTail: tail, ranMs, restartInMs });
    if (restartInMs !== null) this.timer = setTimeout(() => this.launch(), restartInMs);
  }

  private record(r: PullRecord): void {
    try {
      this.opts.onRecord(r);
    } catch (e) {
      this.opts.log.error({ proc: this.opts.name, err: e }, 'recording a pull record failed');
    }
  }

  private emitSafe<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const l of this.listeners(event)) {
      try {
        (l as (...a: Events[K]) => void)(...args);
      } catch (e) {
        this.opts.log.error({ proc: this.opts.name, err: e }, `listener for ${String(event)} failed`);
      }
    }
  }
}
