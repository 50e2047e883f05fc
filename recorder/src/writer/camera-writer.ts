/**
 * One camera's recording. A pull delivers access units stamped with the server's wall clock at
 * arrival: the in-process Node pull (node-pull/, RTSP H.264 without reordering, audio absent or not
 * recorded) or the supervised GStreamer pull (pull.py: the camera URL goes in on stdin, never on a
 * command line) for everything else, chosen by node-pull/pull-engine.ts and `recorder.pullEngine`;
 * the segment clock (segment-clock.ts) dates them and decides where segments are cut (duration,
 * timestamp discontinuities such as an encoder restart with a new SSRC, gaps, drift between media
 * and wall time); each segment is written by its own ffmpeg, fed MPEG-TS on stdin, into a
 * fragmented MP4 file with ~1 s fragments flushed at once. A once-a-second tick indexes the segment
 * being written (so listing and playback see footage up to the last complete fragment) and restarts
 * the pull when no frames arrive (a stalled camera); closed segments are repaired, renamed and
 * indexed with the start the clock gave them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import { spawn as nodeSpawn, type SpawnOptions, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { isShuttingDown, SupervisedProcess, type ExitInfo } from '@wardwall/server-kit';
import type { SegmentStore } from '../store/store.js';
import { readFmp4, fmp4DurationMs, type Fmp4Info } from '../store/fmp4.js';
import { compactUtc, newRunId, parseIncomingName } from '../store/naming.js';
import { aacDecoderDelayMs } from './aac-delay.js';
import { segmentArgs, classifyStderr, type WriterFault } from './ffmpeg-args.js';
import { PullReader, type PullRecord } from './pull-protocol.js';
import { SegmentClock, type CutReason } from './segment-clock.js';
import { TsMuxer, type VideoCodec } from './ts-mux.js';
import { NodePull } from './node-pull/node-pull.js';
import { choosePullEngine, type PullEngine, type PullEngineSetting } from './node-pull/pull-engine.js';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
/** Debian's python3 (with python3-gi), not whatever python3 comes first on PATH. */
const PYTHON = ['/usr/bin/python3', '/bin/python3'].find((p) => existsSync(p)) ?? 'python3';
/** A camera clock off by this much or more is logged as a warning (less: info). */
const CAMERA_CLOCK_WARN_MS = 1000;
export const PULL_SCRIPT = fileURLToPath(new URL('./pull.py', import.meta.url));

export type WriterState = 'starting' | 'recording' | 'retrying' | 'stopped';

/**
 * Cameras the Node pull handed to the GStreamer pull (a reordered stream, an SDP it cannot carry):
 * remembered for the recorder's lifetime, so a camera does not flap between the engines.
 */
const pullEngineByCamera = new Map<string, { engine: PullEngine; url: string; audio: boolean }>();

/** The engine remembered for a camera (its URL and audio setting unchanged), if any. */
export function rememberedPullEngine(camera: string, url: string, audio: boolean): PullEngine | null {
  const r = pullEngineByCamera.get(camera);
  return r && r.url === url && r.audio === audio ? r.engine : null;
}

/** What the writer and the GStreamer pull share: one supervised run after another. */
interface PullRunner {
  readonly pid: number | undefined;
  readonly running: boolean;
  start(): void;
  restart(reason: string): void;
  stop(): Promise<void>;
  on(event: 'started', l: (pid: number) => void): unknown;
  on(event: 'exited', l: (info: ExitInfo) => void): unknown;
}

export interface WriterOptions {
  camera: string;
  /** The camera's main RTSP URL (may carry credentials: it goes to the pull on stdin only). */
  url: string;
  /** Record the camera's audio (G.711 transcoded to AAC, AAC copied). */
  audio: boolean;
  segmentSeconds: number;
  /** Cut a segment whose media time and wall time drift apart by more than this, ms. */
  maxDriftMs: number;
  /** A media-time step larger than this is a discontinuity (or a gap), ms. */
  maxGapMs: number;
  backoffMs: readonly number[];
  stableAfterMs: number;
  /** No frame from the camera for this long restarts the pull. */
  stallMs: number;
  tickMs: number;
  ioTimeoutMs: number;
  ffmpegPath?: string;
  pythonPath?: string;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  now?: () => number;
  /** 'auto': the in-process Node pull where it can carry the camera, else pull.py; 'gstreamer': pull.py always. */
  pullEngine?: PullEngineSetting;
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
  /** Segments cut by the clock (not by duration) since start, by reason. */
  cuts: Partial<Record<CutReason, number>>;
  /** How far the camera's clock is off the server's when its sender reports are not trusted, ms. */
  cameraClockOffMs: number | null;
  /** The camera's codecs as the pull found them. */
  video: VideoCodec | null;
  audio: 'aac' | 'g711' | null;
  /** Which pull carries the camera ('node' until the DESCRIBE answer says otherwise). */
  pullEngine: PullEngine;
}

interface Events {
  fault: [fault: WriterFault];
  segment: [camera: string];
  cut: [reason: CutReason, detail: { driftMs?: number; detail?: string }];
}

interface Segment {
  name: string;
  abs: string;
  child: ChildProcess;
  mux: TsMuxer;
  startMs: number;
  lastEndMs: number;
  info: Fmp4Info | null;
  exited: Promise<void>;
  ended: boolean;
  stderrTail: string[];
}

const MAX_BACKLOG = 64 * 1024 * 1024;

export class CameraWriter extends EventEmitter<Events> {
  private proc: PullRunner;
  private readonly gst: SupervisedProcess;
  private readonly now: () => number;
  private reader = new PullReader();
  private clock: SegmentClock;
  private current: Segment | null = null;
  private readonly closing = new Set<Segment>();
  private videoCodec: VideoCodec | null = null;
  private audioSeen = false;
  private bytesRecordedRef = 0;
  private readonly framesRef = { video: 0, key: 0 };
  private lastFrameAt = 0;
  private pullFault: WriterFault | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private closed = false;
  private readonly status: WriterStatus;
  private tickErrorLoggedAt = 0;
  private pendingFault: WriterFault | null = null;

  constructor(
    private readonly opts: WriterOptions,
    private readonly store: SegmentStore,
    private readonly log: Logger,
  ) {
    super();
    this.now = opts.now ?? Date.now;
    this.clock = this.newClock();
    this.status = { camera: opts.camera, state: 'stopped', lastFootageMs: null, since: this.now(), restarts: 0, lastFault: null, lastFaultAt: null, cuts: {}, cameraClockOffMs: null, video: null, audio: null, pullEngine: 'gstreamer' };
    const baseSpawn = opts.spawn ?? nodeSpawn;
    const settings = JSON.stringify({ url: opts.url, audio: opts.audio, tcpTimeoutMs: opts.ioTimeoutMs }) + '\n';
    this.gst = new SupervisedProcess({
      name: `recorder ${opts.camera}`,
      backoffMs: opts.backoffMs,
      stableAfterMs: opts.stableAfterMs,
      log,
      // The URL is written to the pull's stdin: it never appears in /proc/<pid>/cmdline.
      spawn: (command, args, o) => {
        const child = baseSpawn(command, args, { ...o, stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdin?.on('error', () => {});
        child.stdin?.end(settings);
        return child;
      },
      ...(opts.now ? { now: opts.now } : {}),
      onStdout: (chunk) => this.onPull(chunk),
      spec: () => {
        this.beforeRun();
        const py = opts.pythonPath ?? PYTHON;
        const args = ['-u', PULL_SCRIPT];
        // The pull and the segment ffmpegs get SIGTERM when the recorder dies (no orphan recording on).
        const [command, allArgs] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGTERM', py, ...args]] : [py, args];
        return { command, args: allArgs, env: { ...process.env, GST_DEBUG: '0' } };
      },
    });
    const setting = opts.pullEngine ?? 'auto';
    const first = choosePullEngine({ setting, url: opts.url, recordAudio: opts.audio, tracks: null, remembered: rememberedPullEngine(opts.camera, opts.url, opts.audio) });
    this.proc = first.engine === 'node' ? this.nodePull(setting) : this.gst;
    this.status.pullEngine = first.engine;
    this.watch(this.proc);
  }

  private beforeRun(): void {
    this.reader = new PullReader();
    this.clock = this.newClock();
    this.lastFrameAt = this.now();
    this.pullFault = null;
    this.audioSeen = false;
  }

  private nodePull(setting: PullEngineSetting): NodePull {
    const opts = this.opts;
    const pull = new NodePull({
      name: `recorder ${opts.camera}`,
      url: opts.url,
      ioTimeoutMs: opts.ioTimeoutMs,
      backoffMs: opts.backoffMs,
      stableAfterMs: opts.stableAfterMs,
      log: this.log,
      ...(opts.now ? { now: opts.now } : {}),
      beforeRun: () => this.beforeRun(),
      onRecord: (r) => this.onRecord(r),
      decide: (tracks, profileIdc) => choosePullEngine({ setting, url: opts.url, recordAudio: opts.audio, tracks, profileIdc, remembered: rememberedPullEngine(opts.camera, opts.url, opts.audio) }),
    });
    pull.on('fallback', (reason) => {
      // The camera is one for pull.py: from now on (for this URL) it records through GStreamer.
      pullEngineByCamera.set(opts.camera, { engine: 'gstreamer', url: opts.url, audio: opts.audio });
      this.log.info({ camera: opts.camera, reason }, 'recording through the GStreamer pull');
      this.status.pullEngine = 'gstreamer';
      this.endSegment('engine change');
      this.clock.reset();
      this.proc = this.gst;
      this.watch(this.gst);
      if (!this.closed) this.gst.start();
    });
    this.status.pullEngine = 'node';
    return pull;
  }

  private watch(proc: PullRunner): void {
    proc.on('started', () => this.setState('starting'));
    proc.on('exited', (info) => {
      this.endSegment('pull ended');
      this.clock.reset();
      const fault = this.pendingFault ?? this.pullFault ?? classifyStderr(info.stderrTail);
      this.pendingFault = null;
      if (info.restartInMs !== null) {
        this.status.restarts++;
        this.status.lastFault = fault;
        this.status.lastFaultAt = this.now();
        this.setState('retrying');
        this.log.warn({ camera: this.opts.camera, engine: this.status.pullEngine, code: info.code, signal: info.signal, fault, ranMs: info.ranMs, restartInMs: info.restartInMs, stderr: info.stderrTail.slice(-3) }, 'recorder pull exited');
        this.emitSafe('fault', fault);
      }
    });
  }

  private newClock(): SegmentClock {
    return new SegmentClock({ segmentMs: this.opts.segmentSeconds * 1000, maxDriftMs: this.opts.maxDriftMs, maxGapMs: this.opts.maxGapMs });
  }

  /** PID of the camera pull. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** PIDs of every process this writer runs (the pull and the segment ffmpegs). */
  pids(): number[] {
    const out: number[] = [];
    if (this.proc.pid !== undefined) out.push(this.proc.pid);
    for (const s of [this.current, ...this.closing]) if (s?.child.pid !== undefined) out.push(s.child.pid);
    return out;
  }

  start(): void {
    if (this.closed) return;
    this.proc.start();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  /** Bytes of the segments this writer indexed since start (for /metrics; the footage itself may be evicted later). */
  get bytesRecorded(): number {
    return this.bytesRecordedRef;
  }

  /** Video access units (and keyframes among them) the pull delivered since start (for /metrics: the live frame rate). */
  get frames(): Readonly<{ video: number; key: number }> {
    return this.framesRef;
  }

  getStatus(): WriterStatus {
    return { ...this.status, cuts: { ...this.status.cuts } };
  }

  private setState(state: WriterState): void {
    if (this.status.state !== state) {
      this.status.state = state;
      this.status.since = this.now();
    }
  }

  private onPull(chunk: Buffer): void {
    let records: PullRecord[];
    try {
      records = this.reader.push(chunk);
    } catch (e) {
      this.log.error({ camera: this.opts.camera, err: e }, 'corrupt output from the camera pull; restarting it');
      this.pendingFault = 'exited';
      this.proc.restart('corrupt pull output');
      return;
    }
    for (const r of records) {
      try {
        this.onRecord(r);
      } catch (e) {
        this.log.error({ camera: this.opts.camera, err: e }, 'recording a frame failed');
      }
    }
  }

  private onRecord({ header: h, payload }: PullRecord): void {
    if (h.k === 'ev') {
      if (h.ev === 'caps') {
        if (h.media === 'video' && (h.codec === 'h264' || h.codec === 'h265')) this.videoCodec = this.status.video = h.codec;
        if (h.media === 'audio') {
          this.audioSeen = true;
          this.status.audio = h.source === 'g711' ? 'g711' : 'aac';
        }
      } else if (h.ev === 'error') {
        const code = h.code ?? 'exited';
        this.pullFault = (['not-found', 'unauthorized', 'connect-failed', 'timeout'] as const).find((f) => f === code) ?? 'exited';
        this.log.warn({ camera: this.opts.camera, code, message: h.message }, 'camera pull error');
      } else if (h.ev === 'ssrc') {
        this.log.info({ camera: this.opts.camera, media: h.media }, 'camera pull follows an RTP stream');
      }
      return;
    }
    if (h.k === 'a') {
      const seg = this.current;
      if (!seg || !seg.mux.audio || h.pts < 0) return;
      // Written one priming frame early: decoders play it first (aac-delay.ts).
      const delay = aacDecoderDelayMs(payload);
      const rel = this.clock.audio(h.pts / 1e6 - delay, h.ntp === null || h.ntp === undefined ? null : h.ntp - delay);
      if (rel === null) return;
      this.write(seg, seg.mux.audioUnit(rel, payload));
      return;
    }
    // Video.
    this.lastFrameAt = this.now();
    this.framesRef.video++;
    if (h.key) this.framesRef.key++;
    if (h.pts < 0 && h.dts < 0) return;
    const ptsMs = (h.pts >= 0 ? h.pts : h.dts) / 1e6;
    const dtsMs = (h.dts >= 0 ? h.dts : h.pts) / 1e6;
    const d = this.clock.video({ dtsMs, ptsMs, key: h.key, wallMs: h.wall, newStream: h.disc, ntpMs: h.ntp ?? null });
    const off = this.clock.cameraClockOffMs;
    if (off !== this.status.cameraClockOffMs) {
      if (off !== null && (this.status.cameraClockOffMs === null || Math.abs(off - this.status.cameraClockOffMs) > 1000)) {
        // A clock seconds off is a camera to fix (its NTP setting); sender reports off by less are
        // the camera's (or a relay's) own imprecision: noted, not alarmed. Dated by arrival either way.
        const level = Math.abs(off) >= CAMERA_CLOCK_WARN_MS ? 'warn' : 'info';
        this.log[level]({ camera: this.opts.camera, offMs: off }, "the camera's clock (RTCP sender reports) disagrees with the server's: recording is dated by arrival alone");
      }
      this.status.cameraClockOffMs = off;
    }
    if (d.kind === 'drop') return;
    if (d.kind === 'cut') {
      this.endSegment(d.closed ?? d.reason);
      if (d.reason !== 'duration' && d.reason !== 'start') {
        this.status.cuts[d.reason] = (this.status.cuts[d.reason] ?? 0) + 1;
        this.log.warn({ camera: this.opts.camera, reason: d.reason, driftMs: d.driftMs, detail: d.detail }, d.reason === 'drift' ? 'media time drifted from wall time: segment cut' : 'timestamp discontinuity: segment cut');
        this.emitSafe('cut', d.reason, { ...(d.driftMs !== undefined ? { driftMs: d.driftMs } : {}), ...(d.detail ? { detail: d.detail } : {}) });
      }
      this.current = this.openSegment(h.codec, this.clock.startMs ?? Math.round(h.wall));
    }
    const seg = this.current;
    if (!seg) return;
    seg.startMs = this.clock.startMs ?? seg.startMs;
    seg.lastEndMs = seg.startMs + d.dtsMs;
    this.write(seg, seg.mux.videoUnit(d.dtsMs, d.ptsMs, h.key, payload));
  }

  private write(seg: Segment, data: Buffer): void {
    if (seg.ended || data.length === 0) return;
    const stdin = seg.child.stdin;
    if (!stdin || stdin.destroyed) return;
    if (stdin.writableLength > MAX_BACKLOG) {
      this.log.error({ camera: this.opts.camera }, 'segment ffmpeg does not keep up; cutting the segment');
      this.endSegment('backlog');
      this.clock.reset();
      return;
    }
    stdin.write(data);
  }

  private openSegment(codec: VideoCodec, startMs: number): Segment {
    const dir = this.store.incomingDir(this.opts.camera);
    const name = `${newRunId(this.now())}_${compactUtc(startMs).slice(0, 15)}Z.mp4`;
    const abs = join(dir, name);
    const ffmpeg = this.opts.ffmpegPath ?? 'ffmpeg';
    const audio = this.opts.audio && this.audioSeen;
    const args = segmentArgs({ output: abs, audio });
    const [command, allArgs] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGTERM', ffmpeg, ...args]] : [ffmpeg, args];
    const child = (this.opts.spawn ?? nodeSpawn)(command, allArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    const seg: Segment = { name, abs, child, mux: new TsMuxer(codec, audio), startMs, lastEndMs: startMs, info: null, ended: false, stderrTail: [], exited: Promise.resolve() };
    seg.exited = new Promise<void>((resolve) => {
      child.once('error', (e) => {
        seg.stderrTail.push(`spawn failed: ${e.message}`);
        resolve();
      });
      child.once('exit', () => resolve());
    });
    child.stdin?.on('error', () => {});
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (t: string) => {
      for (const line of t.split('\n')) if (line.trim()) seg.stderrTail.push(line.trim().slice(0, 300));
      if (seg.stderrTail.length > 20) seg.stderrTail.splice(0, seg.stderrTail.length - 20);
    });
    void seg.exited.then(() => {
      if (this.current === seg) {
        // ffmpeg died under a segment: close it, the next keyframe opens another.
        const fault = classifyStderr(seg.stderrTail);
        // A terminal's Ctrl-C signals the segment ffmpegs with the recorder: while it shuts down
        // (the in-process Node pull may still deliver a frame), their end is expected.
        if (isShuttingDown()) this.log.info({ camera: this.opts.camera, fault }, 'segment ffmpeg ended with the shutdown');
        else this.log.warn({ camera: this.opts.camera, fault, stderr: seg.stderrTail.slice(-3) }, 'segment ffmpeg exited');
        if (fault === 'disk-full') {
          this.status.lastFault = 'disk-full';
          this.status.lastFaultAt = this.now();
          this.emitSafe('fault', 'disk-full');
        }
        this.endSegment('ffmpeg exited');
        this.clock.reset();
      }
    });
    this.write(seg, seg.mux.tables());
    return seg;
  }

  /** Ends the current segment: its ffmpeg finishes the file, then it is closed and indexed. */
  private endSegment(_why: string): void {
    const seg = this.current;
    if (!seg) return;
    this.current = null;
    seg.ended = true;
    this.closing.add(seg);
    seg.child.stdin?.end();
    const hard = setTimeout(() => seg.child.kill('SIGKILL'), 10000);
    hard.unref();
    void seg.exited.then(async () => {
      clearTimeout(hard);
      await this.serial(() => this.finalize(seg));
      this.closing.delete(seg);
    });
  }

  private queue: Promise<unknown> = Promise.resolve();
  /** Index work runs one at a time (the tick and the closing of segments touch the same rows). */
  private serial<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const run = this.queue.then(fn).catch((e) => {
      this.reportTickError(e);
      return undefined;
    });
    this.queue = run;
    return run;
  }

  private async finalize(seg: Segment): Promise<void> {
    const camera = this.opts.camera;
    const res = await this.store.finalizeIncoming(camera, seg.name, { startMs: seg.startMs });
    if (res.row) {
      this.bytesRecordedRef += res.row.bytes;
      this.status.lastFootageMs = Math.max(this.status.lastFootageMs ?? 0, res.row.endMs);
      // Footage indexed while the pull runs is recording, even when short segments close before a
      // tick sees the open one's first fragment.
      if (this.proc.running && this.status.state === 'starting') this.setState('recording');
      this.emitSafe('segment', camera);
      if (res.truncatedBytes > 0) this.log.warn({ camera, segment: res.row.path, cutBytes: res.truncatedBytes }, 'cut a truncated last fragment');
    }
  }

  /** One pass: index the segment being written, close strays, watch for a stalled camera. Never throws. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.serial(() => this.tickInner());
    } finally {
      this.ticking = false;
    }
  }

  private reportTickError(e: unknown): void {
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
  }

  private async tickInner(): Promise<void> {
    const camera = this.opts.camera;
    const dir = this.store.incomingDir(camera);
    // Files nobody writes any more (a segment whose close was interrupted): close them now.
    const busy = new Set([this.current?.name, ...[...this.closing].map((s) => s.name)]);
    for (const name of readdirSync(dir).sort()) {
      if (busy.has(name)) continue;
      if (name.endsWith('.csv')) continue;
      if (!parseIncomingName(name)) continue;
      const res = await this.store.finalizeIncoming(camera, name);
      if (res.row) {
        this.bytesRecordedRef += res.row.bytes;
        this.emitSafe('segment', camera);
      }
    }
    const now = this.now();
    if (this.proc.running && now - this.lastFrameAt > this.opts.stallMs) {
      this.pendingFault = 'stalled';
      this.lastFrameAt = now;
      this.proc.restart('no frames from the camera');
      return;
    }
    const seg = this.current;
    if (!seg || !existsSync(seg.abs)) return;
    const info = await readFmp4(seg.abs, seg.info ?? undefined);
    seg.info = info;
    if (this.current !== seg || info.fragments.length === 0) return;
    const endMs = seg.startMs + Math.round(fmp4DurationMs(info));
    this.store.upsertOpen(camera, this.store.rel(seg.abs), seg.startMs, endMs, info.validBytes);
    this.status.lastFootageMs = endMs;
    this.setState('recording');
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

  /** Idempotent: stops the pull, lets the segment's ffmpeg finish its file, then closes and indexes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.proc.stop();
    this.endSegment('stop');
    while (this.closing.size > 0) await new Promise((r) => setTimeout(r, 20));
    while (this.ticking) await new Promise((r) => setTimeout(r, 20));
    await this.tick();
    this.setState('stopped');
  }
}
