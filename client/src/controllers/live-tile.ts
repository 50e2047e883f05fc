import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CameraInfo, StreamKind, StreamStatus } from '@wardwall/common';
import { backoffDelay } from '../core/backoff.js';
import { keepsConsumerThroughCut } from '../core/city.js';
import { computeVideoStats, extractVideoSample, type VideoSample, type VideoStats } from '../core/stats.js';
import { effectiveStream, preferredStream } from '../core/stream-choice.js';
import { errorCodeOf } from '../services/errors.js';
import type { LiveLease, LiveMediaService } from '../services/live-media.js';
import { GopBridgeView } from './gop-bridge.js';

export type TilePhase = 'empty' | 'still' | 'playing' | 'offline' | 'error' | 'paused';

export interface LiveTileInputs {
  cameraId: string;
  camera: CameraInfo | undefined;
  /** Whether the camera list has arrived (so a missing camera is really unknown). */
  camerasLoaded: boolean;
  /** On screen and page visible now. */
  visible: boolean;
  /** Visible, or not for less than the grace period: keep consuming. */
  active: boolean;
  /** The tile's width in device pixels (0 until laid out). */
  deviceWidth: number;
  showStats: boolean;
  /** The link is poor: take the sub stream whatever the tile's size (bandwidth-aware wall). */
  forceSub?: boolean;
}

const CONSUME_RETRY_MS = [1000, 2000, 5000, 10000];
/** Codes that just mean "wait for the next session / camera state"; not shown as tile errors. */
const QUIET_CODES = new Set(['NOT_READY', 'DISCONNECTED', 'CAMERA_OFFLINE']);
const STREAM_SWITCH_DELAY_MS = 400;
const STALL_AFTER_MS = 3000;
const RECONSUME_AFTER_STALL_MS = 10000;
/** A consumer attached this long without presenting a frame (camera live, tile visible) is rebuilt. */
const RECONSUME_WITHOUT_FIRST_FRAME_MS = 8000;

/**
 * Live consumption of one camera for one tile: leases a consumer of the right stream while the tile
 * is active and the camera live, attaches it to the tile's <video>, counts presented frames with
 * requestVideoFrameCallback, freezes the last frame while switching or reconnecting, polls stats,
 * and re-consumes on its own after a loss (consumer closed, session rebuilt, camera back online).
 */
export class LiveTileController implements ReactiveController {
  /** Frames presented on this tile since its camera was set. */
  frames = 0;
  /**
   * Browser wall-clock time (ms since epoch) at which the frame now on screen arrived: the last
   * packet's receive time from requestVideoFrameCallback (WebRTC frames carry it), else its
   * presentation time. The recorder stamps footage on arrival too, so this instant (corrected by
   * the server clock offset) finds the same frame in the recording, within the ingest latency
   * (a few ms over the GStreamer path). null before the first frame.
   */
  presentedAtMs: number | null = null;
  /** Whether the current lease has presented its first frame. */
  firstFrame = false;
  /** Frames stopped arriving while playing. */
  stalled = false;
  /** Whether the freeze canvas holds the last picture of a stopped stream. */
  hasFreeze = false;
  stats: VideoStats | null = null;
  /** The last consume failure code (null after success). */
  errorCode: string | null = null;
  /** Shows the stream's GOP bridge until the first frame of a new consumer (controllers/gop-bridge.ts). */
  readonly bridge: GopBridgeView;

  private live: LiveMediaService | null = null;
  private liveOff: (() => void) | null = null;
  private inputs: LiveTileInputs = {
    cameraId: '',
    camera: undefined,
    camerasLoaded: false,
    visible: true,
    active: true,
    deviceWidth: 0,
    showStats: false,
  };
  private lease: LiveLease | null = null;
  private leaseOff: (() => void) | null = null;
  private video: HTMLVideoElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private preferred: StreamKind | null = null;
  private pendingPreferred: StreamKind | null = null;
  private preferTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connected = false;
  private scheduled = false;
  private running = false;
  private dirty = false;
  private lastFrameAt = 0;
  private attachedAt = 0;
  private lastPresented = -1;
  private rvfcVideo: HTMLVideoElement | null = null;
  private rvfcHandle: number | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private prevSample: VideoSample | null = null;
  private statsBusy = false;
  private lastFramesFlush = 0;
  private framesTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onFrames: (frames: number) => void,
  ) {
    host.addController(this);
    this.bridge = new GopBridgeView(() => host.requestUpdate());
  }

  // --- outputs -------------------------------------------------------------------------------

  get phase(): TilePhase {
    const { cameraId, camera, camerasLoaded, active } = this.inputs;
    if (!cameraId) return 'empty';
    if (camerasLoaded && !camera) return 'error';
    if (this.status()?.state === 'offline') return 'offline';
    if (this.lease && (this.firstFrame || this.bridge.showing)) return 'playing';
    if (!active && !this.lease) return 'paused';
    if (this.errorCode && !QUIET_CODES.has(this.errorCode)) return 'error';
    return 'still';
  }

  /** The stream being consumed, '' when none. */
  /** The current lease's RTCRtpReceiver (null when none). */
  get receiver(): RTCRtpReceiver | null {
    return this.lease?.receiver ?? null;
  }

  get stream(): StreamKind | '' {
    return this.lease?.stream ?? '';
  }

  /** Whether a stream is being opened (leased, first frame not yet shown, or acquiring). */
  get opening(): boolean {
    return this.running || (!!this.lease && !this.firstFrame);
  }

  /** Status of the stream the tile consumes or would consume. */
  status(): StreamStatus | undefined {
    const cam = this.inputs.camera;
    if (!cam) return undefined;
    return cam.streams[this.targetStream()] ?? cam.streams.main;
  }

  // --- inputs --------------------------------------------------------------------------------

  setService(live: LiveMediaService | null): void {
    if (live === this.live) return;
    this.liveOff?.();
    this.liveOff = null;
    this.dropLease({ freeze: true, linger: false });
    this.live = live;
    if (live && this.connected) this.liveOff = live.on('state', () => this.schedule());
    this.schedule();
  }

  setElements(video: HTMLVideoElement, canvas: HTMLCanvasElement): void {
    this.video = video;
    this.canvas = canvas;
    this.schedule();
  }

  setInputs(next: LiveTileInputs): void {
    const prev = this.inputs;
    if (
      prev.cameraId === next.cameraId &&
      prev.camera === next.camera &&
      prev.camerasLoaded === next.camerasLoaded &&
      prev.visible === next.visible &&
      prev.active === next.active &&
      prev.deviceWidth === next.deviceWidth &&
      prev.showStats === next.showStats &&
      !!prev.forceSub === !!next.forceSub
    ) {
      return;
    }
    this.inputs = next;
    if (next.cameraId !== prev.cameraId) {
      // Another camera: nothing of the old one may show.
      this.dropLease({ freeze: false, linger: true });
      this.clearFreeze();
      this.frames = 0;
      this.presentedAtMs = null;
      this.onFrames(0);
      this.stats = null;
      this.prevSample = null;
      this.errorCode = null;
      this.stalled = false;
      this.preferred = null;
      this.cancelPreferTimer();
      this.resetRetry();
    } else {
      const was = prev.camera ? this.statusOf(prev.camera) : undefined;
      const now = next.camera ? this.statusOf(next.camera) : undefined;
      if (now?.state === 'live' && was?.state !== 'live') this.resetRetry();
    }
    if (next.showStats !== prev.showStats && !next.showStats) {
      this.stats = null;
      this.prevSample = null;
    }
    this.updatePreferred();
    this.schedule();
  }

  // --- lifecycle -----------------------------------------------------------------------------

  hostConnected(): void {
    this.connected = true;
    if (this.live && !this.liveOff) this.liveOff = this.live.on('state', () => this.schedule());
    this.tickTimer = setInterval(() => void this.tick(), 1000);
    this.schedule();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.liveOff?.();
    this.liveOff = null;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.cancelPreferTimer();
    this.resetRetry();
    if (this.framesTimer) clearTimeout(this.framesTimer);
    this.framesTimer = null;
    // Linger: the same camera often reappears at once (tile moved, layout changed).
    this.dropLease({ freeze: false, linger: true });
  }

  // --- decisions -----------------------------------------------------------------------------

  private statusOf(camera: CameraInfo): StreamStatus | undefined {
    return camera.streams[effectiveStream(this.preferred ?? 'main', camera)];
  }

  private targetStream(): StreamKind {
    return effectiveStream(this.preferred ?? 'main', this.inputs.camera);
  }

  private updatePreferred(): void {
    const { camera, deviceWidth } = this.inputs;
    const hasSub = !!camera?.streams.sub;
    if (!hasSub) {
      this.cancelPreferTimer();
      this.preferred = 'main';
      return;
    }
    if (!(deviceWidth > 0)) return; // not laid out yet: decide when the size is known
    const next = this.inputs.forceSub ? 'sub' : preferredStream(deviceWidth, this.preferred, hasSub);
    if (this.preferred === null || !this.lease) {
      this.cancelPreferTimer();
      this.preferred = next;
      return;
    }
    if (next === this.preferred) {
      this.cancelPreferTimer();
      return;
    }
    if (this.pendingPreferred === next && this.preferTimer) return;
    this.cancelPreferTimer();
    this.pendingPreferred = next;
    this.preferTimer = setTimeout(() => {
      this.preferTimer = null;
      if (this.pendingPreferred) this.preferred = this.pendingPreferred;
      this.pendingPreferred = null;
      this.schedule();
    }, STREAM_SWITCH_DELAY_MS);
  }

  private cancelPreferTimer(): void {
    if (this.preferTimer) clearTimeout(this.preferTimer);
    this.preferTimer = null;
    this.pendingPreferred = null;
  }

  private resetRetry(): void {
    this.attempt = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** What should be consumed now, or null. */
  private want(): { cameraId: string; stream: StreamKind } | null {
    const { cameraId, camera, active } = this.inputs;
    if (!this.connected || !cameraId || !camera || !active || !this.live?.ready || !this.video) return null;
    if (this.retryTimer || this.preferred === null) return null;
    const stream = effectiveStream(this.preferred, camera);
    const status = camera.streams[stream];
    if (status?.state !== 'live') {
      // A ward camera whose link is cut (city centre): keep the consumer, its pipe resumes by itself.
      const held = this.lease;
      return held && !held.closed && held.cameraId === cameraId && held.stream === stream && keepsConsumerThroughCut(status) ? { cameraId, stream } : null;
    }
    return { cameraId, stream };
  }

  // --- reconciliation ------------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.dirty = false;
        await this.step();
      } while (this.dirty);
    } catch (err) {
      console.warn('[tile] live reconcile failed', err);
    } finally {
      this.running = false;
      this.host.requestUpdate();
    }
  }

  private async step(): Promise<void> {
    if (this.lease?.closed) this.dropLease({ freeze: true, linger: false });
    const want = this.want();
    const cur = this.lease;
    if (cur && want && cur.cameraId === want.cameraId && cur.stream === want.stream) return;
    if (!want) {
      // Off-screen / hidden past the grace, or the camera went offline. A consumer of a stream that
      // went away is not kept for later: the camera's next session starts on a fresh one.
      if (cur) this.dropLease({ freeze: true, linger: this.inputs.active && this.inputs.camera?.streams[cur.stream]?.state === 'live' });
      return;
    }
    const live = this.live!;
    this.host.requestUpdate();
    let lease: LiveLease;
    try {
      lease = await live.acquire(want.cameraId, want.stream);
    } catch (err) {
      this.onAcquireError(err);
      return;
    }
    const again = this.want();
    if (!again || again.cameraId !== lease.cameraId || again.stream !== lease.stream || lease.closed) {
      lease.release({ linger: true });
      this.dirty = true;
      return;
    }
    this.errorCode = null;
    if (this.lease) this.dropLease({ freeze: true, linger: true });
    this.lease = lease;
    this.leaseOff = lease.onClosed(() => {
      // Called before the track stops: keep its last picture.
      this.freeze();
      this.schedule();
    });
    this.attach(lease.track);
    this.bridge.start(this.live, lease.cameraId, lease.stream, lease.track);
    this.host.requestUpdate();
  }

  private onAcquireError(err: unknown): void {
    const code = errorCodeOf(err);
    this.errorCode = code;
    if (code === 'NOT_READY' || code === 'DISCONNECTED') return; // the next session triggers a retry
    if (code !== 'CAMERA_OFFLINE') console.warn(`[tile] cannot consume ${this.inputs.cameraId}: ${code}`, err);
    const delay = backoffDelay(this.attempt++, CONSUME_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, delay);
  }

  private dropLease({ freeze, linger }: { freeze: boolean; linger: boolean }): void {
    const lease = this.lease;
    if (!lease) return;
    // A lease closed under us was frozen when it closed, while its track was still alive.
    if (freeze && !lease.closed) this.freeze();
    this.detach();
    this.leaseOff?.();
    this.leaseOff = null;
    this.lease = null;
    this.stalled = false;
    this.prevSample = null;
    lease.release({ linger });
    this.host.requestUpdate();
  }

  // --- video ---------------------------------------------------------------------------------

  private attach(track: MediaStreamTrack): void {
    const video = this.video;
    if (!video) return;
    this.firstFrame = false;
    this.lastPresented = -1;
    this.attachedAt = performance.now();
    video.srcObject = new MediaStream([track]);
    video.play().catch(() => {
      /* autoplay of a muted video is allowed; a rejected play() is retried by the next frame */
    });
    this.watchFrames(video);
  }

  private detach(): void {
    this.bridge.stop();
    this.firstFrame = false;
    this.stopWatchingFrames();
    const video = this.video;
    if (video && video.srcObject) {
      video.srcObject = null;
      video.removeAttribute('src');
    }
  }

  /** Keeps the last presented picture on the canvas while the stream is replaced or gone. */
  private freeze(): void {
    const video = this.video;
    const canvas = this.canvas;
    if (!video || !canvas || !this.firstFrame || video.readyState < 2 || !video.videoWidth) return;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    this.hasFreeze = true;
  }

  private clearFreeze(): void {
    if (!this.hasFreeze) return;
    this.hasFreeze = false;
    if (this.canvas) this.canvas.width = 0;
  }

  private watchFrames(video: HTMLVideoElement): void {
    this.stopWatchingFrames();
    this.rvfcVideo = video;
    const source = video.srcObject;
    if (typeof video.requestVideoFrameCallback !== 'function') {
      this.pollFrames(video, source);
      return;
    }
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      this.rvfcHandle = null;
      if (this.rvfcVideo !== video || video.srcObject !== source) return;
      const presented = meta.presentedFrames;
      const arrived = (meta as VideoFrameCallbackMetadata & { receiveTime?: number }).receiveTime;
      this.presentedAtMs = performance.timeOrigin + (typeof arrived === 'number' && arrived > 0 ? arrived : meta.presentationTime);
      const delta = this.lastPresented >= 0 && presented > this.lastPresented ? Math.min(presented - this.lastPresented, 100) : 1;
      this.lastPresented = presented;
      this.onPresented(delta);
      this.rvfcHandle = video.requestVideoFrameCallback(onFrame);
    };
    this.rvfcHandle = video.requestVideoFrameCallback(onFrame);
  }

  /** Fallback for browsers without requestVideoFrameCallback: poll the playback quality counters. */
  private pollFrames(video: HTMLVideoElement, source: MediaProvider | null): void {
    let last = 0;
    const poll = (): void => {
      this.pollTimer = null;
      if (this.rvfcVideo !== video || video.srcObject !== source) return;
      const total = video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0;
      if (total > last && video.readyState >= 2) {
        this.presentedAtMs = Date.now();
        this.onPresented(total - last);
        last = total;
      }
      this.pollTimer = setTimeout(poll, 100);
    };
    poll();
  }

  private onPresented(delta: number): void {
    this.frames += delta;
    this.lastFrameAt = performance.now();
    if (!this.firstFrame) {
      this.firstFrame = true;
      this.bridge.stop();
      this.attempt = 0;
      this.clearFreeze();
      this.host.requestUpdate();
    }
    if (this.stalled) {
      this.stalled = false;
      this.host.requestUpdate();
    }
    this.flushFrames();
  }

  private stopWatchingFrames(): void {
    if (this.rvfcVideo && this.rvfcHandle !== null) this.rvfcVideo.cancelVideoFrameCallback(this.rvfcHandle);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.rvfcHandle = null;
    this.rvfcVideo = null;
  }

  /** Reports the frame count at most every 100 ms, with a trailing report. */
  private flushFrames(): void {
    const now = performance.now();
    if (now - this.lastFramesFlush >= 100) {
      this.lastFramesFlush = now;
      this.onFrames(this.frames);
      return;
    }
    if (this.framesTimer) return;
    this.framesTimer = setTimeout(() => {
      this.framesTimer = null;
      this.lastFramesFlush = performance.now();
      this.onFrames(this.frames);
    }, 110);
  }

  // --- once a second: stall watchdog and stats ----------------------------------------------

  private async tick(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    if (this.firstFrame && this.inputs.visible) {
      const silent = performance.now() - this.lastFrameAt;
      if (silent > STALL_AFTER_MS && !this.stalled) {
        this.stalled = true;
        this.host.requestUpdate();
      }
      if (silent > RECONSUME_AFTER_STALL_MS && this.status()?.state === 'live') {
        console.warn(`[tile] ${lease.cameraId}/${lease.stream}: no frame for ${Math.round(silent)} ms; consuming again`);
        this.dropLease({ freeze: true, linger: false });
        this.schedule();
        return;
      }
    } else if (!this.firstFrame && this.inputs.visible && this.status()?.state === 'live' && !this.bridge.fresh(STALL_AFTER_MS)) {
      const waited = performance.now() - this.attachedAt;
      if (waited > RECONSUME_WITHOUT_FIRST_FRAME_MS) {
        console.warn(`[tile] ${lease.cameraId}/${lease.stream}: no first frame in ${Math.round(waited)} ms; consuming again`);
        this.dropLease({ freeze: false, linger: false });
        this.schedule();
        return;
      }
    }
    if (!this.inputs.showStats || this.statsBusy) return;
    this.statsBusy = true;
    try {
      const report = await lease.getStats();
      if (!report || lease !== this.lease) return;
      const sample = extractVideoSample(report.values());
      if (!sample) return;
      this.stats = computeVideoStats(this.prevSample, sample);
      this.prevSample = sample;
      this.host.requestUpdate();
    } catch {
      /* stats are best effort */
    } finally {
      this.statsBusy = false;
    }
  }
}
