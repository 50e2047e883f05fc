/**
 * A review session: the one master clock, the recorded players of the cameras under review, the
 * wall-clock window their playlists cover, and the loop that keeps every player on the clock
 * (core/sync.ts decides how; RecordedPlayer applies it). No rendering; components listen to
 * 'change' (state) and 'tick' (clock position, a few times a second).
 */
import { DRIFT_DEFAULTS, MasterClock, clampSpeed, stepAction, type StepState } from '../core/sync.js';
import { Emitter } from '../services/emitter.js';
import type { RecorderApi } from '../services/recorder-api.js';
import type { RecordedPlayer } from './recorded-player.js';

export interface SessionOptions {
  /** Half width of the playlist window around the clock (ms). */
  halfWindowMs: number;
  /** Reload the window when the clock comes this close to one of its ends (ms). */
  edgeMs: number;
  /** How often players are corrected (ms). */
  syncEveryMs: number;
  /** The live edge: the newest instant that can be recorded already, behind now (ms). */
  liveLagMs: number;
}

/** A window ending this close to now is live: the recorder serves it as a growing playlist (recorder/src/playback/http.ts). */
const LIVE_WINDOW_MS = 10_000;

const DEFAULTS: SessionOptions = { halfWindowMs: 10 * 60_000, edgeMs: 20_000, syncEveryMs: 100, liveLagMs: 1500 };

type Events = { change: []; tick: [position: number]; 'live-edge': [] };

export class ReviewSession extends Emitter<Events> {
  readonly clock: MasterClock;
  readonly players = new Set<RecordedPlayer>();
  /** The playlists' window; `live` when it reaches the present (the recorder's playlist then grows). */
  window: { from: number; to: number; live: boolean } | null = null;
  private readonly opts: SessionOptions;
  private raf: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSync = 0;
  private lastTick = 0;
  private lastEdgeCheck = 0;
  private reloading: Promise<void> | null = null;
  private closed = false;
  private atLiveEdge = false;
  /** The current frame-locked step at fast speeds (null when playing normally or paused). */
  private fastStep: StepState | null = null;

  constructor(
    readonly api: RecorderApi,
    start: number,
    opts: Partial<SessionOptions> = {},
    private readonly wallNow: () => number = Date.now,
    private readonly mono: () => number = () => performance.now(),
  ) {
    super();
    this.opts = { ...DEFAULTS, ...opts };
    this.clock = new MasterClock(start, mono);
    this.window = this.windowAround(start);
    this.loop();
  }

  private windowAround(t: number): { from: number; to: number; live: boolean } {
    const edge = this.wallNow();
    const to = Math.min(edge, t + this.opts.halfWindowMs);
    return { from: Math.min(t, to - 1000) - this.opts.halfWindowMs, to, live: to >= edge - LIVE_WINDOW_MS };
  }

  /** Where the loaded footage can reach: the present for a live window. */
  private windowEnd(w: { to: number; live: boolean }): number {
    return w.live ? this.wallNow() : w.to;
  }

  /** Adds a player (it loads the current window); returns the detach function. */
  attach(player: RecordedPlayer): () => void {
    this.players.add(player);
    if (this.window) void player.load(this.window.from, this.window.to, this.window.live).catch(() => this.emit('change'));
    this.emit('change');
    return () => {
      this.players.delete(player);
      this.emit('change');
    };
  }

  /** Reloads every player's playlist around the clock (new recordings, or the clock left the window). */
  reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    const w = this.windowAround(this.clock.position());
    this.window = w;
    this.reloading = Promise.allSettled([...this.players].map((p) => p.load(w.from, w.to, w.live))).then(() => {
      this.reloading = null;
      this.syncNow();
      this.emit('change');
    });
    this.emit('change');
    return this.reloading;
  }

  // --- transport -------------------------------------------------------------------------------

  play(): void {
    this.atLiveEdge = false;
    this.clock.play();
    this.changed();
  }

  pause(): void {
    this.clock.pause();
    this.changed();
  }

  toggle(): void {
    if (this.clock.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(clampSpeed(speed));
    this.changed();
  }

  seek(wallMs: number): void {
    this.clock.seek(Math.min(wallMs, this.wallNow() - this.opts.liveLagMs));
    this.atLiveEdge = false;
    this.changed();
    if (this.window && (wallMs < this.window.from || wallMs > this.windowEnd(this.window))) void this.reload();
  }

  jump(deltaMs: number): void {
    this.seek(this.clock.position() + deltaMs);
  }

  /** Frame duration of the session: the shortest estimate among players (40 ms by default). */
  frameMs(): number {
    let ms = 40;
    let first = true;
    for (const p of this.players) {
      const f = p.frameMs;
      if (first || f < ms) ms = f;
      first = false;
    }
    return ms;
  }

  step(frames: number): void {
    this.clock.step(frames, this.frameMs());
    this.changed();
  }

  private changed(): void {
    this.syncNow();
    this.emit('change');
    this.emit('tick', this.clock.position());
  }

  // --- the loop --------------------------------------------------------------------------------

  /** Whether the clock runs fast enough for frame-locked stepping. */
  private get stepping(): boolean {
    return this.clock.playing && this.clock.speed >= DRIFT_DEFAULTS.stepFromSpeed;
  }

  syncNow(): void {
    const pos = this.clock.position();
    this.lastSync = this.mono();
    if (this.stepping) return this.syncStep(pos);
    if (this.fastStep) this.endStepping();
    for (const p of this.players) p.sync(pos, this.clock.playing, this.clock.speed);
  }

  /** Fast review: every tile seeks the same instant behind its held picture; all reveal together. */
  private syncStep(pos: number): void {
    const now = this.mono();
    const step = this.fastStep;
    const settled = !!step && [...this.players].every((p) => p.settledAt(step.target));
    const action = stepAction(step, now, pos, settled);
    if (action.kind === 'reveal') {
      for (const p of this.players) p.thaw();
      step!.revealedAt = now;
      return;
    }
    if (action.kind === 'next') {
      this.fastStep = { target: action.target, startedAt: now, revealedAt: null };
      for (const p of this.players) p.freeze();
    }
    // Seeking (and retrying a wrong frame) toward the step's instant, as a paused tile does.
    for (const p of this.players) p.sync(this.fastStep!.target, false, this.clock.speed);
  }

  private endStepping(): void {
    this.fastStep = null;
    for (const p of this.players) p.thaw();
  }

  private loop(): void {
    if (this.closed) return;
    const now = this.mono();
    // Stepping reveals as soon as every tile has its frame: check every animation frame.
    if (now - this.lastSync >= this.opts.syncEveryMs || this.stepping || this.fastStep) {
      this.checkLiveEdge();
      this.syncNow();
    }
    if (now - this.lastTick >= 200) {
      this.lastTick = now;
      this.emit('tick', this.clock.position());
    }
    if (now - this.lastEdgeCheck >= 1000) {
      this.lastEdgeCheck = now;
      this.checkWindow();
    }
    // Animation frames stop in a hidden page; a timer keeps the clock's players corrected.
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') this.raf = requestAnimationFrame(() => this.loop());
    else this.timer = setTimeout(() => this.loop(), this.opts.syncEveryMs);
  }

  /** Playing into the present: stop at the live edge (and tell listeners, e.g. instant replay). */
  private checkLiveEdge(): void {
    const edge = this.wallNow() - this.opts.liveLagMs;
    if (this.clock.playing && this.clock.position() >= edge) {
      this.clock.seek(edge);
      if (!this.atLiveEdge) {
        this.atLiveEdge = true;
        this.clock.pause();
        this.emit('change');
        this.emit('live-edge');
      }
    }
  }

  private checkWindow(): void {
    const w = this.window;
    if (!w || this.reloading) return;
    const pos = this.clock.position();
    const end = this.windowEnd(w);
    // Near the end of the window, reload only when enough newer footage can exist (else every
    // reload near the live edge would interrupt playback for nothing). A live window grows by itself.
    const behind = this.wallNow() - end;
    // Paused, nothing new is needed until the clock moves (a reload would flash the picture).
    const nearEnd = this.clock.playing && ((pos > end - this.opts.edgeMs && behind > this.opts.edgeMs) || (pos > end - 3000 && behind > 5000));
    const nearStart = pos < w.from + this.opts.edgeMs;
    if (nearEnd || nearStart || pos > end || pos < w.from) void this.reload();
  }

  /** Idempotent. Players belong to their tiles and are closed there. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    if (this.timer) clearTimeout(this.timer);
    this.players.clear();
    this.removeAllListeners();
  }
}
