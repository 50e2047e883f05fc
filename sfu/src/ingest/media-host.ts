/**
 * The SFU's side of the media host (media-host.py, docs/media-host.md): ONE supervised
 * python3+GStreamer process that decodes keyframes into stills and runs GOP bridges for every
 * camera whose RTP the SFU forwards itself. Requests and replies are framed (media-host-framing.ts)
 * on the host's stdin/stdout; nothing secret passes (no URLs, only access units).
 *
 * Stills: one request in flight per camera, at most `maxQueuedPerCam` waiting behind it (a camera
 * that floods loses its oldest waiting requests: `superseded`). Every pending request fails with a
 * code when the host exits (`host_exited`), is stopped (`stopped`), is down (`host_unavailable`) or
 * does not answer in time (`timeout`, and the host is restarted).
 */
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SupervisedProcess } from '@wardwall/server-kit';
import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_PAYLOAD_BYTES, type Frame } from './media-host-framing.js';
import { INGEST_PYTHON } from './pipeline-args.js';
import { parsePgm, type GrayImage } from './pgm.js';

export const MEDIA_HOST_SCRIPT = fileURLToPath(new URL('./media-host.py', import.meta.url));

/** Where a GOP bridge sends its RTP: the bridge producer's PlainTransport (comedia). */
export interface MediaHostBridgeTarget {
  /** The transport's address: loopback (the host sends from 127.0.0.1:sourcePort). */
  host: string;
  port: number;
  /** Fixed local port the host sends from (the address mediasoup's comedia learns). */
  sourcePort: number;
  ssrc: number;
  payloadType: number;
  mtu: number;
  bitrateKbps: number;
  gopFrames: number;
}

/**
 * One H.264 access unit, Annex-B (start codes). `pts`: 90 kHz ticks, unwrapped (a monotonic
 * integer, not the 32-bit RTP timestamp that wraps); only their order and differences matter.
 */
export interface AccessUnit {
  pts: number;
  key: boolean;
  data: Buffer;
}

export interface StillResult {
  /** JPEG (quality 80, at most 640 wide, square pixels). */
  jpeg: Buffer;
  /** 64×36 GRAY8 (camera health). */
  thumb: GrayImage;
  /** The JPEG's size. */
  width: number;
  height: number;
}

export interface BridgeEvent {
  cam: string;
  state: 'started' | 'ended';
  /** Frames the bridge encoder wrote so far. */
  frames: number;
  /** Why it ended early: `bridge_failed`, `bad_request`, `host_exited`, `host_unavailable`, `stopped`. */
  code?: string;
}

export type MediaHostErrorCode = 'decode_failed' | 'superseded' | 'dropped' | 'idle' | 'host_exited' | 'host_unavailable' | 'stopped' | 'timeout' | 'too_large' | 'bad_request' | 'bad_reply';

export class MediaHostError extends Error {
  constructor(
    readonly code: MediaHostErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

export interface MediaHostOptions {
  log: Logger;
  /** Restart delays after the host exits (default 250 ms, 1 s, 5 s). */
  backoffMs?: readonly number[];
  /** A run this long resets the back-off (default 30 s). */
  stableAfterMs?: number;
  /** A still request unanswered this long fails (`timeout`) and the host is restarted (default 10 s). */
  requestTimeoutMs?: number;
  /** Still requests waiting per camera behind the one in flight (default 2). */
  maxQueuedPerCam?: number;
  /** Bytes written to the host and not read yet beyond which it counts as stuck and is restarted (default 64 MiB). */
  maxStdinBacklog?: number;
  /** A camera without a message this long is dropped in the host (default 60 s; tests shorten it). */
  idleSeconds?: number;
}

interface Events {
  bridge: [event: BridgeEvent];
}

interface StillRequest {
  id: number;
  cam: string;
  au: Buffer;
  resolve: (r: StillResult) => void;
  reject: (e: MediaHostError) => void;
  timer: NodeJS.Timeout | null;
  jpeg: { data: Buffer; width: number; height: number } | null;
}

const KNOWN_CODES = new Set<string>(['decode_failed', 'superseded', 'dropped', 'idle', 'bad_request']);

const Reply = z.discriminatedUnion('op', [
  z.object({ op: z.literal('still'), cam: z.string(), id: z.number().int(), width: z.number().int().positive(), height: z.number().int().positive() }),
  z.object({ op: z.literal('thumb'), cam: z.string(), id: z.number().int() }),
  z.object({ op: z.literal('error'), cam: z.string().optional(), id: z.number().int().nullish(), code: z.string(), message: z.string().optional() }),
  z.object({ op: z.literal('bridge'), cam: z.string(), state: z.enum(['started', 'ended']), frames: z.number().int().nonnegative() }),
]);

export class MediaHost extends EventEmitter<Events> {
  private readonly proc: SupervisedProcess;
  private decoder = new FrameDecoder();
  private nextId = 1;
  /** Sent, waiting for the reply (by request id). */
  private readonly inFlight = new Map<number, StillRequest>();
  /** Per camera: the request in flight (id) and those waiting behind it. */
  private readonly cams = new Map<string, { busy: number | null; waiting: StillRequest[] }>();
  /** Cameras with a bridge running (bridgeStart sent, no 'ended' yet). */
  private readonly bridges = new Set<string>();
  /** The host's error about a camera's bridge, reported with its 'ended'. */
  private readonly bridgeErrors = new Map<string, string>();
  private readonly requestTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly maxBacklog: number;
  private stopped = true;

  constructor(private readonly opts: MediaHostOptions) {
    super();
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10000;
    this.maxQueued = opts.maxQueuedPerCam ?? 2;
    this.maxBacklog = opts.maxStdinBacklog ?? 64 * 1024 * 1024;
    this.proc = new SupervisedProcess({
      name: 'media host',
      spec: () => ({ command: INGEST_PYTHON, args: [MEDIA_HOST_SCRIPT, ...(opts.idleSeconds !== undefined ? ['--idle-seconds', String(opts.idleSeconds)] : [])], stdinPipe: true }),
      backoffMs: opts.backoffMs ?? [250, 1000, 5000],
      stableAfterMs: opts.stableAfterMs ?? 30000,
      log: opts.log,
      onStdout: (chunk) => this.onStdout(chunk),
    });
    this.proc.on('started', () => {
      this.decoder = new FrameDecoder();
    });
    this.proc.on('exited', (info) => {
      if (!this.stopped) this.opts.log.warn({ code: info.code, signal: info.signal, restartInMs: info.restartInMs, stderr: info.stderrTail.slice(-3) }, 'media host exited');
      this.failAll(this.stopped ? 'stopped' : 'host_exited');
    });
  }

  /** The host's pid (undefined while it is down). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  start(): void {
    this.stopped = false;
    this.proc.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.proc.stop();
    this.failAll('stopped');
  }

  /** Decodes one keyframe access unit (Annex-B, with SPS and PPS) of `cam` into a still and a thumbnail. */
  still(cam: string, annexB: Buffer): Promise<StillResult> {
    return new Promise<StillResult>((resolve, reject) => {
      if (this.stopped || !this.proc.running) return reject(new MediaHostError('host_unavailable', 'the media host is not running'));
      if (annexB.length > MAX_PAYLOAD_BYTES) return reject(new MediaHostError('too_large', `access unit of ${annexB.length} bytes`));
      const req: StillRequest = { id: this.nextId++, cam, au: annexB, resolve, reject, timer: null, jpeg: null };
      let state = this.cams.get(cam);
      if (!state) this.cams.set(cam, (state = { busy: null, waiting: [] }));
      state.waiting.push(req);
      while (state.waiting.length > this.maxQueued) state.waiting.shift()!.reject(new MediaHostError('superseded', 'a newer still of the camera replaced it'));
      this.pump(cam);
    });
  }

  /**
   * Starts a GOP bridge of `cam` towards `target`: the kept GOP (from its keyframe, oldest first)
   * is decoded, frames before `cutoffPts` (90 kHz ticks) are dropped, the first one encoded is an
   * IDR. Feed the live AUs with bridgeAu() until bridgeStop(). Progress: the 'bridge' event.
   */
  bridgeStart(cam: string, target: MediaHostBridgeTarget, cutoffPts: number, gop: readonly AccessUnit[]): void {
    if (this.stopped || !this.proc.running) {
      queueMicrotask(() => this.emitBridge({ cam, state: 'ended', frames: 0, code: 'host_unavailable' }));
      return;
    }
    this.bridges.add(cam);
    this.send({ op: 'bridgeStart', cam, target, cutoffPts: Math.round(cutoffPts) });
    for (const au of gop) this.sendAu(cam, au);
  }

  /** A live access unit for `cam`'s running bridge (ignored without one). */
  bridgeAu(cam: string, au: AccessUnit): void {
    if (this.bridges.has(cam)) this.sendAu(cam, au);
  }

  /** Another IDR on the running bridge (a second viewer joins). */
  bridgeKeyframe(cam: string): void {
    if (this.bridges.has(cam)) this.send({ op: 'bridgeKeyframe', cam });
  }

  /** Ends the running bridge (the camera's own keyframe arrived): frames in flight go out, then 'ended'. */
  bridgeStop(cam: string): void {
    if (!this.bridges.has(cam)) return;
    this.send({ op: 'bridgeStop', cam });
  }

  /** Forgets `cam` in the host (its bridge ends; waiting stills fail with `dropped`). */
  drop(cam: string): void {
    const state = this.cams.get(cam);
    if (state) for (const r of state.waiting.splice(0)) r.reject(new MediaHostError('dropped', 'camera dropped'));
    this.send({ op: 'drop', cam });
  }

  private sendAu(cam: string, au: AccessUnit): void {
    if (au.data.length > MAX_PAYLOAD_BYTES) return;
    this.send({ op: 'au', cam, pts: Math.round(au.pts), key: au.key }, au.data);
  }

  private send(header: Record<string, unknown>, payload?: Buffer): boolean {
    let frame: Buffer;
    try {
      frame = encodeFrame(header, payload);
    } catch (e) {
      if (e instanceof FrameTooLargeError) return false;
      throw e;
    }
    if (!this.proc.write(frame)) return false;
    if (this.proc.stdinBacklog > this.maxBacklog) this.proc.restart(`the media host is ${this.proc.stdinBacklog} bytes behind`);
    return true;
  }

  private pump(cam: string): void {
    const state = this.cams.get(cam);
    if (!state || state.busy !== null) return;
    const req = state.waiting.shift();
    if (!req) {
      this.cams.delete(cam);
      return;
    }
    if (!this.send({ op: 'still', cam, id: req.id }, req.au)) {
      req.reject(new MediaHostError('host_unavailable', 'the media host is not running'));
      return this.pump(cam);
    }
    state.busy = req.id;
    this.inFlight.set(req.id, req);
    req.timer = setTimeout(() => {
      this.finish(req, new MediaHostError('timeout', `no answer in ${this.requestTimeoutMs} ms`));
      this.proc.restart('a still request timed out');
    }, this.requestTimeoutMs);
  }

  /** Settles an in-flight request and sends the camera's next one. */
  private finish(req: StillRequest, result: StillResult | MediaHostError): void {
    if (!this.inFlight.delete(req.id)) return;
    if (req.timer) clearTimeout(req.timer);
    const state = this.cams.get(req.cam);
    if (state && state.busy === req.id) state.busy = null;
    if (result instanceof MediaHostError) req.reject(result);
    else req.resolve(result);
    this.pump(req.cam);
  }

  private failAll(code: 'host_exited' | 'stopped'): void {
    const message = code === 'stopped' ? 'the media host was stopped' : 'the media host exited';
    for (const req of [...this.inFlight.values()]) {
      this.inFlight.delete(req.id);
      if (req.timer) clearTimeout(req.timer);
      req.reject(new MediaHostError(code, message));
    }
    for (const state of this.cams.values()) for (const r of state.waiting) r.reject(new MediaHostError(code, message));
    this.cams.clear();
    for (const cam of [...this.bridges]) this.emitBridge({ cam, state: 'ended', frames: 0, code });
    this.bridges.clear();
    this.bridgeErrors.clear();
  }

  private onStdout(chunk: Buffer): void {
    for (const r of this.decoder.push(chunk)) {
      if ('error' in r) {
        this.opts.log.error({ code: r.error, err: r.message }, 'media host: bad frame on stdout');
        if (r.error === 'frame_too_large') this.proc.restart('bad frame from the media host');
        continue;
      }
      this.onReply(r.frame);
    }
  }

  private onReply(frame: Frame): void {
    const parsed = Reply.safeParse(frame.header);
    if (!parsed.success) {
      this.opts.log.warn({ header: JSON.stringify(frame.header).slice(0, 200) }, 'media host: unknown reply');
      return;
    }
    const m = parsed.data;
    switch (m.op) {
      case 'still': {
        const req = this.inFlight.get(m.id);
        if (req && req.cam === m.cam) req.jpeg = { data: frame.payload, width: m.width, height: m.height };
        return;
      }
      case 'thumb': {
        const req = this.inFlight.get(m.id);
        if (!req || req.cam !== m.cam) return;
        const thumb = parsePgm(frame.payload);
        if (!req.jpeg || !thumb) return this.finish(req, new MediaHostError('bad_reply', 'still without a JPEG or a readable thumbnail'));
        return this.finish(req, { jpeg: req.jpeg.data, thumb, width: req.jpeg.width, height: req.jpeg.height });
      }
      case 'error': {
        const req = m.id != null ? this.inFlight.get(m.id) : undefined;
        if (req) return this.finish(req, new MediaHostError(KNOWN_CODES.has(m.code) ? (m.code as MediaHostErrorCode) : 'bad_reply', m.message ?? m.code));
        if (m.id == null) {
          this.opts.log.warn({ cam: m.cam, code: m.code, err: m.message }, 'media host error');
          if (m.cam !== undefined && this.bridges.has(m.cam)) this.bridgeErrors.set(m.cam, m.code);
        }
        return;
      }
      case 'bridge': {
        const code = m.state === 'ended' ? this.bridgeErrors.get(m.cam) : undefined;
        if (m.state === 'ended') {
          this.bridges.delete(m.cam);
          this.bridgeErrors.delete(m.cam);
        }
        this.emitBridge({ cam: m.cam, state: m.state, frames: m.frames, ...(code ? { code } : {}) });
        return;
      }
    }
  }

  private emitBridge(event: BridgeEvent): void {
    for (const l of this.listeners('bridge')) {
      try {
        (l as (e: BridgeEvent) => void)(event);
      } catch (e) {
        this.opts.log.error({ err: e }, 'bridge listener failed');
      }
    }
  }
}
