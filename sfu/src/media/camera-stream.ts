/**
 * One stream (main or sub) of one camera: the supervised ingest pipeline, the mediasoup
 * PlainTransport + Producer it feeds, the latest keyframe still, and the stream's live state.
 * The upstream connection is shared by every viewer: browsers consume the producer, never the camera.
 */
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { CameraConfig, OfflineReason, StreamKind, StreamStatus } from '@wardwall/common';
import { freeUdpPort, isShuttingDown, type ProcessSpec } from '@wardwall/server-kit';
import { gstIngestSpec, probeSpec, type IngestTarget } from '../ingest/pipeline-args.js';
import { GstIngestRun } from '../ingest/gst-ingest-run.js';
import type { IngestRun } from '../ingest/ingest-run.js';
import { decideIngest, relayCarries, type IngestPlan } from '../ingest/ingest-decision.js';
import { RelayIngestRun, type RelaySettings } from '../ingest/relay-ingest-run.js';
import { runProbe } from '../ingest/probe.js';
import { backoffDelay } from '@wardwall/common';
import { classifyExit } from '../ingest/offline-reason.js';
import type { GrayImage } from '../ingest/pgm.js';
import { ingestRtpParameters, INGEST_PAYLOAD_TYPE } from './codecs.js';
import { CameraAudio } from './camera-audio.js';
import { CameraBridge } from './camera-bridge.js';
import { decideBridge, type BridgeDecision } from './bridge-decision.js';
import { RtpContinuity } from './rtp-continuity.js';
import type { PoolSlot } from './worker-pool.js';

export interface IngestTiming {
  backoffMs: readonly number[];
  stableAfterMs: number;
  offlineAfterMs: number;
  /** Turns a camera URL into the URL the pipeline opens (internal endpoint credentials); default: as is. */
  pullUrl?: (url: string) => string;
  /** 'gstreamer': never the relay engine (config sfu.ingest.engine). */
  engine?: 'auto' | 'gstreamer';
  /** The relay engine's shared media host and still rate; absent: GStreamer for every stream. */
  relay?: RelaySettings | null;
}

export interface Still {
  jpeg: Buffer;
  at: number;
}

interface Events {
  status: [status: StreamStatus];
  /** A new producer exists (first start, or after its worker was replaced). */
  producer: [producer: types.Producer];
  /** A keyframe arrived, as a small grayscale picture. */
  thumbnail: [image: GrayImage, at: number];
}

const RTP_HOST = '127.0.0.1';
/** A pipeline that has not delivered media this long after starting counts as failed. */
const CONNECT_TIMEOUT_MS = 15000;

/** The producer's cumulative counters as the watchdog last read them (one getStats a second). */
export interface StreamCounters {
  packets: number;
  bytes: number;
  /** RTP packets the producer found missing (mediasoup's packetsLost, cumulative). */
  lost: number;
  /** mediasoup's received bitrate at the reading, bits/s. */
  bitrate: number;
  at: number;
}

export class CameraStream extends EventEmitter<Events> {
  readonly ssrc = randomInt(1, 2 ** 31);
  /** Each pipeline run continues the previous run's RTP time and sequence (viewers keep their consumers). */
  private readonly rtpContinuity = new RtpContinuity(90000, performance.now(), randomInt(0, 2 ** 32), randomInt(0, 2 ** 16));
  private transport: types.PlainTransport | null = null;
  private producerRef: types.Producer | null = null;
  private readonly piped = new Map<string, Promise<void>>();
  private ingest: IngestRun | null = null;
  private sourcePort = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private lastPackets = 0;
  private countersRef: StreamCounters = { packets: 0, bytes: 0, lost: 0, bitrate: 0, at: 0 };
  private reconnectsRef = 0;
  private everLive = false;
  private lastKeyframeAt: number | null = null;
  private keyframeIntervalRef: number | null = null;
  private lastMediaAt = 0;
  private procStartedAt = 0;
  private stillRef: Still | null = null;
  private thumbRef: { image: GrayImage; at: number } | null = null;
  private statusRef: StreamStatus;
  private closed = false;
  /** Set when we end the pipeline ourselves, so its exit keeps the reason we gave. */
  private restartReason: OfflineReason | null = null;
  private planRef: IngestPlan | null = null;
  private readonly probeAbort = new AbortController();
  /** Live audio (main stream with `audio` not false; the branch idles when the camera has none): null otherwise. */
  readonly audio: CameraAudio | null;
  /** GOP bridge (docs/gop-bridge.md): H.264 passthrough streams only, null until the ingest decision. */
  private bridgeRef: CameraBridge | null = null;

  constructor(
    readonly camera: CameraConfig,
    readonly kind: StreamKind,
    private slotRef: PoolSlot,
    private readonly timing: IngestTiming,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statusRef = { state: 'connecting', reason: 'starting', since: now() };
    this.audio = kind === 'main' && camera.audio !== false ? new CameraAudio(RTP_HOST, { cameraId: camera.id, stream: kind }) : null;
  }

  get status(): StreamStatus {
    return this.statusRef;
  }
  get still(): Still | null {
    return this.stillRef;
  }
  /** The latest keyframe as a 64x36 grayscale picture (camera health). */
  get thumbnail(): { image: GrayImage; at: number } | null {
    return this.thumbRef;
  }
  /** The producer's cumulative counters at the watchdog's last reading (camera health; no extra stats call). */
  get counters(): Readonly<StreamCounters> {
    return this.countersRef;
  }
  /** Times the stream came back live after having been live (reconnects since start). */
  get reconnects(): number {
    return this.reconnectsRef;
  }
  /** Seconds between the last two keyframes (each makes a still); null until two arrived while live. */
  get keyframeIntervalS(): number | null {
    return this.keyframeIntervalRef;
  }
  get producer(): types.Producer | null {
    return this.producerRef;
  }
  get slot(): PoolSlot {
    return this.slotRef;
  }
  /** The GOP-bridge producer (null: no bridge for this stream). */
  get bridge(): CameraBridge | null {
    return this.bridgeRef;
  }
  get ingestPid(): number | undefined {
    return this.ingest?.pid;
  }
  /** Which engine carries the ingest (null until the probe decided). */
  get engine(): 'relay' | 'gstreamer' | null {
    return this.planRef?.info.engine ?? null;
  }
  /** How the ingest handles this stream (after the probe at start). */
  get plan(): IngestPlan | null {
    return this.planRef;
  }
  private get url(): string {
    const url = this.kind === 'main' ? this.camera.main : this.camera.sub!;
    return this.timing.pullUrl ? this.timing.pullUrl(url) : url;
  }

  async start(): Promise<void> {
    this.sourcePort = await freeUdpPort();
    // Probe and decide first (transcode: 'auto'): the producer declares what the pipeline will send.
    // Runs in the background: an unreachable camera is probed again with back-off until it answers.
    void this.probeAndStart();
  }

  private async probeAndStart(): Promise<void> {
    const setting = this.camera.transcode;
    let attempt = 0;
    let plan: IngestPlan;
    for (;;) {
      if (this.closed) return;
      if (setting !== 'auto') {
        plan = decideIngest(setting, null);
        break;
      }
      const result = await runProbe(probeSpec(this.url), this.probeAbort.signal);
      if (this.closed) return;
      if (result.report) {
        plan = decideIngest(setting, result.report);
        break;
      }
      this.setStatus('offline', classifyExit(result.stderrTail, result.code));
      const delay = backoffDelay(this.timing.backoffMs, attempt++);
      await new Promise((r) => setTimeout(r, delay));
    }
    if (plan.mode !== 'unplayable') plan = { ...plan, info: { ...plan.info, engine: this.useRelay(plan) ? 'relay' : 'gstreamer' } };
    this.planRef = plan;
    this.log.info({ camera: this.camera.id, stream: this.kind, ingest: plan.info }, 'ingest decision');
    this.statusRef = { ...this.statusRef, ingest: plan.info };
    this.emitSafe('status', this.statusRef);
    if (plan.mode === 'unplayable') {
      this.setStatus('offline', 'unsupported', true);
      return;
    }
    if (plan.mode === 'passthrough' && plan.codec === 'H264') this.bridgeRef = new CameraBridge(RTP_HOST, { cameraId: this.camera.id, stream: this.kind });
    // Produce on the current slot; if its worker dies meanwhile, moveTo() switches the slot: try again there.
    for (;;) {
      if (this.closed) return;
      try {
        await this.produce();
        break;
      } catch (e) {
        this.log.warn({ camera: this.camera.id, stream: this.kind, err: (e as Error).message }, 'could not produce, retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (this.closed) return;
    const run = (this.ingest = this.createRun(plan));
    run.on('started', () => {
      this.procStartedAt = this.now();
    });
    run.on('keyframe', (at) => {
      if (this.lastKeyframeAt !== null && at > this.lastKeyframeAt) this.keyframeIntervalRef = (at - this.lastKeyframeAt) / 1000;
      this.lastKeyframeAt = at;
    });
    run.on('still', (jpeg, at) => {
      this.stillRef = { jpeg, at };
    });
    run.on('thumbnail', (image, at) => {
      this.thumbRef = { image, at };
      this.emitSafe('thumbnail', image, at);
    });
    run.on('exited', (info) => {
      // Closed, or the SFU is shutting down (expectShutdown): an expected end, not an outage.
      if (this.closed || isShuttingDown()) return;
      const reason = this.restartReason ?? info.reason;
      this.restartReason = null;
      this.log.warn({ camera: this.camera.id, stream: this.kind, code: info.code, signal: info.signal, reason, restartInMs: info.restartInMs, stderr: info.detail }, 'ingest pipeline exited');
      this.setStatus('offline', reason);
    });
    this.ingest.start();
    this.watchdog = setInterval(() => void this.checkMedia(), 1000);
  }

  /** The engine that carries this stream's ingest (docs/relay-ingest.md). */
  private useRelay(plan: IngestPlan): boolean {
    return Boolean(this.timing.relay) && this.timing.engine !== 'gstreamer' && relayCarries(plan, this.audio !== null);
  }

  private createRun(plan: IngestPlan): IngestRun {
    const relay = this.timing.relay;
    if (relay && plan.info.engine === 'relay') {
      return new RelayIngestRun({
        name: `ingest ${this.camera.id}/${this.kind}`,
        key: `${this.camera.id}/${this.kind}`,
        url: () => this.url,
        target: () => this.ingestTarget(),
        bridge: () => this.bridgeRef?.target ?? null,
        relay,
        backoffMs: this.timing.backoffMs,
        stableAfterMs: this.timing.stableAfterMs,
        log: this.log,
        now: this.now,
      });
    }
    return new GstIngestRun({
      name: `ingest ${this.camera.id}/${this.kind}`,
      spec: () => this.processSpec(),
      bridge: this.bridgeRef !== null && plan.mode === 'passthrough',
      backoffMs: this.timing.backoffMs,
      stableAfterMs: this.timing.stableAfterMs,
      log: this.log,
      now: this.now,
    });
  }

  /** Where the ingest sends the video RTP (throws while the stream has no transport). */
  private ingestTarget(): IngestTarget {
    // No transport while the stream moves to a new worker (moveTo): the engine retries the start.
    if (!this.transport) throw new Error('the stream has no media transport yet');
    return { rtpHost: RTP_HOST, rtpPort: this.transport.tuple.localPort, sourcePort: this.sourcePort, ssrc: this.ssrc, payloadType: INGEST_PAYLOAD_TYPE };
  }

  private processSpec(): ProcessSpec {
    // No transport while the stream moves to a new worker (moveTo): the supervisor retries the start.
    if (!this.transport || !this.planRef) throw new Error('the stream has no media transport yet');
    const target: IngestTarget = {
      rtpHost: RTP_HOST,
      rtpPort: this.transport.tuple.localPort,
      sourcePort: this.sourcePort,
      ssrc: this.ssrc,
      payloadType: INGEST_PAYLOAD_TYPE,
      rtpStart: this.rtpContinuity.next(performance.now(), this.countersRef.packets),
    };
    const plan = this.planRef;
    // The URL (credentials, read secrets) goes to the launcher's stdin, never on a command line.
    return gstIngestSpec(this.url, target, { transcode: plan.mode === 'transcode', codec: plan.codec, fps: plan.info.fps, audio: this.audio?.nextRunTarget() ?? null, cameraHasAudio: plan.info.audio.length > 0, bridge: this.bridgeRef?.target ?? null });
  }

  private async produce(): Promise<void> {
    const transport = await this.slotRef.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: RTP_HOST },
      rtcpMux: true,
      comedia: true,
    });
    const producer = await transport.produce({ kind: 'video', rtpParameters: ingestRtpParameters(this.ssrc, this.planRef?.profileLevelId), appData: { cameraId: this.camera.id, stream: this.kind } });
    this.transport = transport;
    this.producerRef = producer;
    this.lastPackets = 0;
    this.piped.clear();
    producer.observer.once('close', () => {
      if (this.producerRef === producer) {
        this.producerRef = null;
        this.piped.clear();
      }
    });
    if (this.audio) await this.audio.produce(this.slotRef.router);
    if (this.bridgeRef) await this.bridgeRef.produce(this.slotRef.router);
    this.emitSafe('producer', producer);
  }

  /** Makes the producer consumable on `router` (same router: nothing to do; else pipeToRouter once). */
  async ensureOn(router: types.Router): Promise<types.Producer> {
    const producer = this.producerRef;
    if (!producer) throw new Error('stream has no producer');
    if (router.id === this.slotRef.router.id) return producer;
    let p = this.piped.get(router.id);
    if (!p) {
      p = this.slotRef.router.pipeToRouter({ producerId: producer.id, router }).then(() => undefined);
      this.piped.set(router.id, p);
      p.catch(() => this.piped.delete(router.id));
      router.observer.once('close', () => this.piped.delete(router.id));
    }
    await p;
    return producer;
  }

  /** Whether a viewer joining now should start on a GOP bridge (pure decision on what the stream knows). */
  bridgeDecision(): BridgeDecision {
    return decideBridge({
      now: this.now(),
      hasBridge: this.bridgeRef?.producer != null,
      live: this.statusRef.state === 'live',
      ingestReady: this.ingest?.ready === true,
      lastKeyframeAt: this.lastKeyframeAt,
      keyframeIntervalMs: this.keyframeIntervalRef === null ? null : this.keyframeIntervalRef * 1000,
    });
  }

  /**
   * Asks the ingest for a GOP bridge (SIGUSR1; its config came on stdin, which is closed): a
   * keyframe on the bridge producer at once, re-encoded from the kept GOP, until the camera's next
   * keyframe. A bridge already running writes a keyframe for the new viewer. False: not sent.
   */
  requestBridge(): boolean {
    if (!this.bridgeRef || !this.ingest?.requestBridge()) return false;
    this.bridgeRef.requests++;
    return true;
  }

  /** The worker under this stream died and was replaced: produce again on the new router. */
  async moveTo(slot: PoolSlot): Promise<void> {
    if (this.closed) return;
    this.slotRef = slot;
    this.transport = null;
    this.producerRef = null;
    if (!this.ingest) return; // still probing: it produces on the new slot when done
    this.setStatus('connecting', 'worker_restart');
    await this.produce();
    this.restartIngest('worker_restart', 'media worker replaced');
  }

  private async checkMedia(): Promise<void> {
    const producer = this.producerRef;
    if (this.closed || !producer || producer.closed) return;
    let packets: number;
    let bytes: number;
    let lost: number;
    let bitrate: number;
    try {
      const stats = await producer.getStats();
      packets = stats.reduce((n, s) => n + (s.packetCount ?? 0), 0);
      bytes = stats.reduce((n, s) => n + (s.byteCount ?? 0), 0);
      lost = stats.reduce((n, s) => n + Math.max(0, s.packetsLost ?? 0), 0);
      bitrate = stats.reduce((n, s) => n + (s.bitrate ?? 0), 0);
    } catch {
      return; // producer closed meanwhile (worker death); moveTo() takes over
    }
    const now = this.now();
    this.countersRef = { packets, bytes, lost, bitrate, at: now };
    if (packets > this.lastPackets) {
      this.lastPackets = packets;
      this.lastMediaAt = now;
      if (this.statusRef.state !== 'live') this.setStatus('live', null);
      return;
    }
    if (this.statusRef.state === 'live' && now - this.lastMediaAt > this.timing.offlineAfterMs) {
      this.setStatus('offline', 'no_media');
      this.restartIngest('no_media', 'no media');
    } else if (this.statusRef.state !== 'live' && this.ingest?.running && now - this.procStartedAt > CONNECT_TIMEOUT_MS) {
      this.setStatus('offline', 'no_media');
      this.restartIngest('no_media', 'no media after start');
    }
  }

  private restartIngest(reason: OfflineReason, why: string): void {
    if (!this.ingest?.running) return;
    this.restartReason = reason;
    this.ingest.restart(why);
  }

  private setStatus(state: StreamStatus['state'], reason: OfflineReason | null, force = false): void {
    if (!force && this.statusRef.state === state && this.statusRef.reason === reason) return;
    if (state === 'live') {
      if (this.everLive) this.reconnectsRef++;
      this.everLive = true;
    } else {
      this.lastKeyframeAt = null; // the next interval is measured within one connection
      this.keyframeIntervalRef = null;
    }
    this.statusRef = { state, reason, since: this.now(), ...(this.planRef ? { ingest: this.planRef.info } : {}) };
    this.log.info({ camera: this.camera.id, stream: this.kind, state, reason }, 'camera stream state');
    this.emitSafe('status', this.statusRef);
  }

  private emitSafe<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const l of this.listeners(event)) {
      try {
        (l as (...a: Events[K]) => void)(...args);
      } catch (e) {
        this.log.error({ err: e }, `${String(event)} listener failed`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.probeAbort.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    await this.ingest?.stop();
    this.transport?.close();
    this.transport = null;
    this.producerRef = null;
    this.audio?.close();
    this.bridgeRef?.close();
  }
}
