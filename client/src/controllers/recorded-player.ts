/**
 * Recorded playback of one camera on one <video>: hls.js loads the recorder's playlist of a
 * wall-clock window; the player maps the master clock's instant to its own media time through the
 * fragments' EXT-X-PROGRAM-DATE-TIME and corrects its drift (core/sync.ts decides; this applies).
 * Counts presented frames and knows the wall-clock time of the frame on screen.
 */
import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';

/** hls.js is loaded on first use (the live wall does not need it). */
let hlsModule: Promise<typeof import('hls.js')> | null = null;
const loadHls = (): Promise<typeof Hls> => (hlsModule ??= import('hls.js')).then((m) => m.default);
import {
  driftAction,
  fragsRange,
  frameDurationMs,
  mediaToWall,
  pausedNeedsSeek,
  pausedFrameSeek,
  usableFrags,
  wallToMedia,
  type FragTime,
} from '../core/sync.js';
import { RecorderError, type RecorderApi } from '../services/recorder-api.js';
/** How often a paused tile re-seeks when the presented frame is not the target's, and how far apart. */
const PAUSED_SEEK_RETRIES = 4;
const PAUSED_SEEK_SPACING_MS = 300;

export type PlayerPhase = 'idle' | 'loading' | 'ready' | 'gap' | 'error';

export interface PresentedFrame {
  mediaTime: number;
  /** Wall-clock instant of the frame (null when it cannot be mapped). */
  wallMs: number | null;
  width: number;
  height: number;
}

const LOAD_TIMEOUT_MS = 15000;

export class RecordedPlayer {
  phase: PlayerPhase = 'idle';
  errorCode: string | null = null;
  /** Frames presented since the player was created. */
  frames = 0;
  lastFrame: PresentedFrame | null = null;
  /** The loaded wall-clock window. */
  window: { from: number; to: number } | null = null;
  /** Recent seek-to-frame latencies (ms), newest last. */
  readonly seekMs: number[] = [];

  private hls: Hls | null = null;
  private cachedFrags: FragTime[] = [];
  private fragsDirty = true;
  private readonly recentMedia: number[] = [];
  private rvfc: number | null = null;
  private seekStartedAt = 0;
  private seekTarget: number | null = null;
  private estSeekMs = 150;
  /** The last target a paused tile sought (not sought again: no seek loops). */
  private pausedTarget: number | null = null;
  /** Seeks made for the current paused target, and when the last one was made (performance.now()). */
  private pausedSeeks = 0;
  private pausedSeekAt = 0;
  private closed = false;
  private loadToken = 0;
  /** Frames presented when the tile last froze (a step is settled only by a newer frame). */
  private framesAtFreeze = 0;

  constructor(
    readonly video: HTMLVideoElement,
    private readonly api: RecorderApi,
    readonly camera: string,
    private readonly onChange: () => void = () => undefined,
    /** Holds the last shown picture while the video moves to the next step (fast review). */
    private readonly hold: HTMLCanvasElement | null = null,
  ) {
    video.muted = true;
    video.defaultMuted = true;
    video.playsInline = true;
    video.preservesPitch = false;
    this.watchFrames();
  }

  /** Frame duration estimate from presented frames (40 ms until known). */
  get frameMs(): number {
    return frameDurationMs(this.recentMedia, 40);
  }

  frags(): FragTime[] {
    if (this.fragsDirty && this.hls) {
      const level = this.hls.levels[Math.max(0, this.hls.currentLevel)] ?? this.hls.levels[0];
      const frags = level?.details?.fragments ?? [];
      this.cachedFrags = usableFrags(frags.map((f) => ({ start: f.start, duration: f.duration, programDateTime: f.programDateTime })));
      this.fragsDirty = false;
    }
    return this.cachedFrags;
  }

  /** The recorded wall-clock range of the loaded playlist. */
  range(): { startMs: number; endMs: number } | null {
    return fragsRange(this.frags());
  }

  /** Whether `wallMs` lies within the loaded window with `marginMs` to spare (or at its recorded end). */
  covers(wallMs: number, marginMs: number): boolean {
    const w = this.window;
    return !!w && wallMs >= w.from + marginMs && wallMs <= w.to - marginMs;
  }

  /** Loads the playlist of [from, to); resolves when its fragments are known. */
  /** `live`: the window reaches the present; its playlist grows as footage is written. */
  async load(from: number, to: number, live = false): Promise<void> {
    const token = ++this.loadToken;
    this.destroyHls();
    this.window = { from, to };
    this.phase = 'loading';
    this.errorCode = null;
    this.fragsDirty = true;
    this.cachedFrags = [];
    this.onChange();
    const Hls = await loadHls();
    if (token !== this.loadToken) return;
    if (!Hls.isSupported()) return Promise.reject(this.fail('UNSUPPORTED', 'this browser cannot play recordings (no MediaSource)'));
    const hls = new Hls({
      enableWorker: true,
      maxBufferLength: 8,
      maxMaxBufferLength: 20,
      backBufferLength: 8,
      startFragPrefetch: true,
      fragLoadingMaxRetry: 2,
      manifestLoadingMaxRetry: 1,
    });
    this.hls = hls;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(this.fail('TIMEOUT', 'the recording did not load in time')), LOAD_TIMEOUT_MS);
      const dirty = () => (this.fragsDirty = true);
      hls.on(Hls.Events.LEVEL_LOADED, () => {
        dirty();
        if (token !== this.loadToken) return;
        clearTimeout(timer);
        this.phase = 'ready';
        this.onChange();
        resolve();
      });
      hls.on(Hls.Events.LEVEL_UPDATED, dirty);
      hls.on(Hls.Events.FRAG_PARSED, dirty);
      hls.on(Hls.Events.FRAG_CHANGED, dirty);
      hls.on(Hls.Events.ERROR, (_e, data: ErrorData) => {
        if (!data.fatal || token !== this.loadToken) return;
        clearTimeout(timer);
        const status = data.response?.code ?? 0;
        const code = status === 404 ? 'NO_RECORDING' : status === 502 ? 'RECORDER_UNAVAILABLE' : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'MEDIA_ERROR' : 'NETWORK_ERROR';
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && this.phase === 'ready') {
          hls.recoverMediaError();
          return;
        }
        reject(this.fail(code, data.details));
      });
      hls.loadSource(this.api.playlistUrl(this.camera, from, to, live));
      hls.attachMedia(this.video);
    });
  }

  private fail(code: string, message: string): RecorderError {
    this.phase = 'error';
    this.errorCode = code;
    this.onChange();
    return new RecorderError(code, message);
  }

  /**
   * Brings the tile to the master clock: `target` wall-clock ms, playing or paused at `speed`.
   * Called every animation frame by the sync controller.
   */
  sync(target: number, playing: boolean, speed: number): void {
    if (this.closed || this.phase === 'error' || this.phase === 'loading' || this.phase === 'idle') return;
    const v = this.video;
    const frags = this.frags();
    if (frags.length === 0) return;
    const pos = wallToMedia(frags, target);
    if (pos.kind === 'gap') {
      if (!v.paused) v.pause();
      // Park on the next recorded picture so it shows at once when the clock gets there.
      if (pos.next && !v.seeking && Math.abs(v.currentTime - pos.next.start) > 0.05) this.seekTo(pos.next.start);
      this.setPhase('gap');
      return;
    }
    this.setPhase('ready');
    const t = pos.time;
    if (v.seeking) return;
    if (!playing) {
      if (!v.paused) v.pause();
      // Paused: the frame on screen must be the one whose interval holds the target. The
      // presented frame can lag currentTime by a frame after a pause, so judge by the frame.
      const shown = this.lastFrame && Math.abs(this.lastFrame.mediaTime - v.currentTime) < 0.5 ? this.lastFrame.mediaTime : null;
      const fd = this.frameMs / 1000;
      const grid = shown === null ? null : pausedFrameSeek(shown, t, fd);
      const wrongFrame = grid ? grid.wrong : pausedNeedsSeek(v.currentTime, t, this.frameMs);
      const newTarget = this.pausedTarget === null || Math.abs(this.pausedTarget - t) > 0.001;
      if (newTarget) this.pausedSeeks = 0;
      // A seek issued while the last frames of playback were still being presented can land on the
      // wrong frame: retry a few times, spaced out, until the frame on screen is the target's.
      const now = performance.now();
      if (wrongFrame && (newTarget || (this.pausedSeeks < PAUSED_SEEK_RETRIES && now - this.pausedSeekAt > PAUSED_SEEK_SPACING_MS))) {
        this.pausedTarget = t;
        this.pausedSeeks++;
        this.pausedSeekAt = now;
        this.seekTo(grid ? grid.seekTo : t);
      }
      return;
    }
    this.pausedTarget = null;
    this.pausedSeeks = 0;
    const action = driftAction((v.currentTime - t) * 1000, speed, t);
    switch (action.kind) {
      case 'step':
        // Fast speeds are stepped by the session (see ReviewSession): show the target's frame.
        this.sync(target, false, speed);
        return;
      case 'seek':
        // Aim where the clock will be when the seek has landed.
        this.seekTo(t + (this.estSeekMs / 1000) * speed);
        v.playbackRate = speed;
        break;
      case 'hold':
      case 'nudge':
        if (Math.abs(v.playbackRate - action.rate) > 0.001) v.playbackRate = action.rate;
        break;
    }
    if (v.paused) void v.play().catch(() => undefined);
  }

  /**
   * Fast review shows one frame per step on every tile at once: the tile keeps its current picture
   * on the hold canvas while its video seeks to the next step's frame, then all tiles reveal together.
   */
  freeze(): void {
    this.framesAtFreeze = this.frames;
    const c = this.hold;
    const v = this.video;
    if (!c || !v.videoWidth || this.phase !== 'ready') return;
    if (c.width !== v.videoWidth || c.height !== v.videoHeight) {
      c.width = v.videoWidth;
      c.height = v.videoHeight;
    }
    c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
    c.hidden = false;
  }

  /** Shows the video again (see freeze). */
  thaw(): void {
    if (this.hold) this.hold.hidden = true;
  }

  /**
   * Whether the frame on screen is the one holding `target` (presented after the last freeze), or
   * the tile has nothing to show there (gap, error, still loading) and must not hold the others up.
   */
  settledAt(target: number): boolean {
    if (this.phase !== 'ready') return true;
    if (this.video.seeking || this.frames <= this.framesAtFreeze || !this.lastFrame) return false;
    const shown = mediaToWall(this.frags(), this.lastFrame.mediaTime);
    return shown !== null && shown <= target + 1 && target < shown + this.frameMs;
  }

  private seekTo(t: number): void {
    this.seekStartedAt = performance.now();
    this.seekTarget = t;
    this.video.currentTime = Math.max(0, t);
  }

  private setPhase(p: PlayerPhase): void {
    if (this.phase === p) return;
    this.phase = p;
    this.onChange();
  }

  private watchFrames(): void {
    const v = this.video;
    if (!('requestVideoFrameCallback' in v)) return;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (this.closed) return;
      this.frames++;
      this.recentMedia.push(meta.mediaTime);
      if (this.recentMedia.length > 30) this.recentMedia.shift();
      this.lastFrame = { mediaTime: meta.mediaTime, wallMs: mediaToWall(this.frags(), meta.mediaTime), width: meta.width, height: meta.height };
      if (this.seekTarget !== null && Math.abs(meta.mediaTime - this.seekTarget) < 1.2) {
        const ms = performance.now() - this.seekStartedAt;
        this.seekMs.push(ms);
        if (this.seekMs.length > 50) this.seekMs.shift();
        this.estSeekMs = Math.min(1000, Math.max(50, this.estSeekMs * 0.7 + ms * 0.3));
        this.seekTarget = null;
      }
      this.rvfc = v.requestVideoFrameCallback(onFrame);
    };
    this.rvfc = v.requestVideoFrameCallback(onFrame);
  }

  /**
   * Wall-clock ms of the frame on screen: from the last presented frame, or from currentTime
   * when paused after a seek whose frame was presented before the callback could see it.
   */
  shownWallMs(): number | null {
    const f = this.lastFrame;
    if (f && Math.abs(f.mediaTime - this.video.currentTime) < 0.5) return mediaToWall(this.frags(), f.mediaTime);
    return mediaToWall(this.frags(), this.video.currentTime);
  }

  private destroyHls(): void {
    if (!this.hls) return;
    this.hls.destroy();
    this.hls = null;
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.loadToken++;
    if (this.rvfc !== null && 'cancelVideoFrameCallback' in this.video) this.video.cancelVideoFrameCallback(this.rvfc);
    this.destroyHls();
    this.thaw();
    this.video.removeAttribute('src');
    this.video.load();
  }
}
