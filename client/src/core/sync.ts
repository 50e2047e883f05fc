/**
 * Synchronised playback maths. Pure: no DOM, no hls.js; the clock takes `now` from its caller.
 *
 * One master clock runs in wall-clock time (ms since the epoch, the recording's real time). Each
 * recorded tile maps that instant to its own media time through the playlist's fragments
 * (EXT-X-PROGRAM-DATE-TIME = wall-clock time of the fragment's first sample; `start` = the
 * fragment's media time as hls.js placed it) and corrects its drift.
 */

/** A playlist fragment as hls.js exposes it: media start (s), duration (s), wall-clock start (ms). */
export interface FragTime {
  start: number;
  duration: number;
  programDateTime: number;
}

export type MediaPosition =
  | { kind: 'media'; time: number; frag: FragTime }
  /** The instant is not recorded: `next` is the first fragment after it (null: none). */
  | { kind: 'gap'; next: FragTime | null };

/** Playback speeds offered, slowest first. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
export const MIN_SPEED = SPEEDS[0];
export const MAX_SPEED = SPEEDS[SPEEDS.length - 1]!;

/** Clamps a requested speed to [0.25, 16]; non-finite or non-positive becomes 1. */
export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0) return 1;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** The next offered speed up (+1) or down (-1) from `speed`, staying at the ends. */
export function stepSpeed(speed: number, dir: 1 | -1): number {
  const s = clampSpeed(speed);
  if (dir > 0) return SPEEDS.find((x) => x > s + 1e-9) ?? MAX_SPEED;
  return [...SPEEDS].reverse().find((x) => x < s - 1e-9) ?? MIN_SPEED;
}

/**
 * Sorted copy of fragments with a wall-clock time (fragments without one cannot be mapped and are
 * dropped).
 */
export function usableFrags(frags: readonly { start: number; duration: number; programDateTime: number | null }[]): FragTime[] {
  return frags
    .filter((f): f is FragTime => typeof f.programDateTime === 'number' && Number.isFinite(f.programDateTime) && f.duration > 0)
    .map((f) => ({ start: f.start, duration: f.duration, programDateTime: f.programDateTime }))
    .sort((a, b) => a.programDateTime - b.programDateTime);
}

/** Index of the last fragment whose key is <= x (binary search), -1 when none. */
function lastAtOrBefore(frags: readonly FragTime[], x: number, key: (f: FragTime) => number): number {
  let lo = 0;
  let hi = frags.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(frags[mid]!) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Wall-clock instant → media time of this tile (fragments sorted by programDateTime). */
export function wallToMedia(frags: readonly FragTime[], wallMs: number): MediaPosition {
  const i = lastAtOrBefore(frags, wallMs, (f) => f.programDateTime);
  if (i >= 0) {
    const f = frags[i]!;
    const offset = (wallMs - f.programDateTime) / 1000;
    if (offset < f.duration) return { kind: 'media', time: f.start + offset, frag: f };
  }
  return { kind: 'gap', next: frags[i + 1] ?? null };
}

/** Media time of this tile → wall-clock instant (ms), null outside every fragment. */
export function mediaToWall(frags: readonly FragTime[], mediaTime: number): number | null {
  // Fragments are in wall-clock order, which is also media order in one playlist.
  const i = lastAtOrBefore(frags, mediaTime + 1e-6, (f) => f.start);
  if (i < 0) return null;
  const f = frags[i]!;
  const offset = mediaTime - f.start;
  // A small tolerance past the end: the last frame of a fragment ends at start + duration.
  if (offset > f.duration + 0.05) return null;
  return f.programDateTime + Math.max(0, offset) * 1000;
}

/** The wall-clock span the fragments cover, null when empty. */
export function fragsRange(frags: readonly FragTime[]): { startMs: number; endMs: number } | null {
  if (frags.length === 0) return null;
  const last = frags[frags.length - 1]!;
  return { startMs: frags[0]!.programDateTime, endMs: last.programDateTime + last.duration * 1000 };
}

// --- drift correction -----------------------------------------------------------------------------

export interface DriftOptions {
  /** Below this |drift| nothing is done (ms). */
  deadbandMs: number;
  /** Above this |drift| (ms, at 1×; scaled with speed, at least half) the tile seeks instead of nudging. */
  seekAboveMs: number;
  /** The rate nudge removes the drift over this many wall-clock ms. */
  horizonMs: number;
  /** A nudged rate stays within speed × (1 ± maxNudge). */
  maxNudge: number;
  /** At or above this speed, tiles do not play: the session steps them frame-locked (see stepAction). */
  stepFromSpeed: number;
}

export const DRIFT_DEFAULTS: DriftOptions = { deadbandMs: 20, seekAboveMs: 600, horizonMs: 1000, maxNudge: 0.25, stepFromSpeed: 8 };

export type DriftAction =
  | { kind: 'hold'; rate: number }
  | { kind: 'nudge'; rate: number }
  | { kind: 'seek'; to: number }
  /** High speed: show the frame of the target (media time `to`); the session paces the steps. */
  | { kind: 'step'; to: number };

/**
 * What a playing tile should do. `driftMs` = tile media position minus target, in media ms
 * (positive: ahead). `speed` is the master clock's rate; `target` the media time it should show.
 */
export function driftAction(driftMs: number, speed: number, target: number, opts: DriftOptions = DRIFT_DEFAULTS): DriftAction {
  const s = clampSpeed(speed);
  if (s >= opts.stepFromSpeed) return { kind: 'step', to: target };
  const abs = Math.abs(driftMs);
  // Scaled with speed: slow playback cannot catch up by nudging, fast playback drifts more per frame.
  if (abs > opts.seekAboveMs * Math.max(0.5, s)) return { kind: 'seek', to: target };
  if (abs <= opts.deadbandMs) return { kind: 'hold', rate: s };
  // Media ms to remove per wall ms: drift / horizon. A tile ahead plays slower.
  const delta = -driftMs / opts.horizonMs;
  const rate = Math.min(s * (1 + opts.maxNudge), Math.max(s * (1 - opts.maxNudge), s + delta));
  return { kind: 'nudge', rate: Math.round(rate * 1000) / 1000 };
}

// --- frame-locked stepping (fast review) ----------------------------------------------------------

/**
 * At 8× and 16× no decoder keeps four tiles playing in step (and a browser decoding 16× four times
 * over would drop frames at random). Instead every tile shows the exact frame of one clock instant,
 * all revealed at once; then the next instant the clock has reached. So tiles always agree to a
 * frame, and the picture advances a few times a second.
 */
export interface StepState {
  /** The wall-clock instant every tile is moving to (or showing). */
  target: number;
  /** When the step began (monotonic ms). */
  startedAt: number;
  /** When its frames were revealed (monotonic ms), null while tiles are still seeking. */
  revealedAt: number | null;
}

export interface StepOptions {
  /** Each revealed step stays on screen at least this long (ms), so the eye can read it. */
  minShowMs: number;
  /** A tile that has not found its frame by then does not hold the others any longer (ms). */
  timeoutMs: number;
}

export const STEP_DEFAULTS: StepOptions = { minShowMs: 120, timeoutMs: 1500 };

export type StepAction = { kind: 'wait' } | { kind: 'reveal' } | { kind: 'next'; target: number };

/** What the session does now: keep seeking, reveal the step's frames on every tile, or start the next step. */
export function stepAction(step: StepState | null, now: number, position: number, allSettled: boolean, opts: StepOptions = STEP_DEFAULTS): StepAction {
  if (!step) return { kind: 'next', target: position };
  if (step.revealedAt === null) return allSettled || now - step.startedAt >= opts.timeoutMs ? { kind: 'reveal' } : { kind: 'wait' };
  if (now - step.revealedAt < opts.minShowMs || position === step.target) return { kind: 'wait' };
  return { kind: 'next', target: position };
}

/** Whether a paused tile showing media time `current` must seek to `target` (more than half a frame off). */
export function pausedNeedsSeek(current: number, target: number, frameMs: number): boolean {
  return Math.abs(current - target) * 1000 > frameMs / 2;
}

/**
 * Frame duration (ms) from the presented media times of consecutive frames: the shortest step,
 * since a dropped or skipped frame (fast playback, a busy machine) only makes steps longer.
 * Fallback when fewer than 3 steps are known.
 */
export function frameDurationMs(mediaTimes: readonly number[], fallbackMs = 40): number {
  let min = Infinity;
  let n = 0;
  for (let i = 1; i < mediaTimes.length; i++) {
    const d = (mediaTimes[i]! - mediaTimes[i - 1]!) * 1000;
    if (d > 1 && d < 1000) {
      n++;
      if (d < min) min = d;
    }
  }
  return n < 3 ? fallbackMs : min;
}

// --- the master clock -----------------------------------------------------------------------------

export interface ClockState {
  /** Wall-clock position (ms) at `anchorAt`. */
  position: number;
  /** Local monotonic time (ms, performance.now()) of the anchor. */
  anchorAt: number;
  speed: number;
  playing: boolean;
}

/**
 * The one master clock of a review session: wall-clock position advancing at `speed` while
 * playing. Pure value semantics on top of a caller-provided monotonic `now`.
 */
export class MasterClock {
  private s: ClockState;

  constructor(position: number, private readonly now: () => number) {
    this.s = { position, anchorAt: now(), speed: 1, playing: false };
  }

  get playing(): boolean {
    return this.s.playing;
  }

  get speed(): number {
    return this.s.speed;
  }

  /** The wall-clock instant the tiles should show now. */
  position(): number {
    const s = this.s;
    return s.playing ? s.position + (this.now() - s.anchorAt) * s.speed : s.position;
  }

  private reanchor(patch: Partial<ClockState>): void {
    this.s = { ...this.s, position: this.position(), anchorAt: this.now(), ...patch };
  }

  play(): void {
    if (!this.s.playing) this.reanchor({ playing: true });
  }

  pause(): void {
    if (this.s.playing) this.reanchor({ playing: false });
  }

  setSpeed(speed: number): number {
    this.reanchor({ speed: clampSpeed(speed) });
    return this.s.speed;
  }

  seek(wallMs: number): void {
    this.reanchor({ position: wallMs });
  }

  jump(deltaMs: number): void {
    this.seek(this.position() + deltaMs);
  }

  /** Pauses and moves by whole frames (`frames` may be negative). */
  step(frames: number, frameMs: number): void {
    this.pause();
    this.seek(this.position() + frames * frameMs);
  }

  /** Clamps the position into [min, max] (pausing at the end of what is recorded). */
  clamp(min: number, max: number): boolean {
    const p = this.position();
    if (p > max) {
      this.reanchor({ position: max, playing: false });
      return true;
    }
    if (p < min) {
      this.reanchor({ position: min });
      return true;
    }
    return false;
  }
}

/**
 * Paused on `target` (media seconds) while the frame presented starts at `shown`: whether it is the
 * wrong frame, and where to seek. Frames lie on a grid of `frameS` from the presented one, so the
 * seek aims at the middle of the target's frame: aiming at the instant itself lands on either
 * neighbour when it falls within a millisecond or two of a frame boundary. Pure.
 */
export function pausedFrameSeek(shown: number, target: number, frameS: number): { wrong: boolean; seekTo: number } {
  const k = Math.floor((target - shown) / frameS + 1e-6);
  return { wrong: k !== 0, seekTo: shown + k * frameS + frameS / 2 };
}
