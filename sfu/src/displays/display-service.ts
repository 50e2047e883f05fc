/**
 * The displays' live state: what each display shows, which are online, and the tours, which run
 * here on the server (a tour keeps cycling when the browser that started it closes). Every change
 * is saved (a display survives reloads and restarts) and announced with the `change` event.
 */
import { EventEmitter } from 'node:events';
import { AppError, ErrorCode, type DisplayContent, type DisplayRuleTrigger, type DisplayState, type Tour, type TourAction } from '@wardwall/common';
import type { Logger } from 'pino';
import type { DisplayStore } from './store.js';
import { blankDisplay, camerasScreen, nextStepIndex, presetScreen, stepScreen, type Screen } from './resolve.js';

interface Events {
  change: [DisplayState];
}

export interface DisplayServiceDeps {
  store: DisplayStore;
  log: Logger;
  cameraExists: (id: string) => boolean;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Most displays a station may register (each costs a row and a few pushes). */
export const MAX_DISPLAYS = 64;

export class DisplayService extends EventEmitter<Events> {
  private readonly states = new Map<string, DisplayState>();
  private readonly online = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private closed = false;

  constructor(private readonly deps: DisplayServiceDeps) {
    super();
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
    for (const s of deps.store.loadDisplays()) {
      this.states.set(s.name, { ...s, online: false });
      if (s.tour && !s.tour.paused) this.schedule(s.name, s.tour.intervalSec * 1000);
    }
  }

  list(): DisplayState[] {
    return [...this.states.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): DisplayState | undefined {
    return this.states.get(name);
  }

  /** A window shows this display (creating it on first use). Returns its state. */
  attach(name: string): DisplayState {
    let state = this.states.get(name);
    if (!state) {
      if (this.states.size >= MAX_DISPLAYS) throw new AppError(ErrorCode.BAD_REQUEST, `name: at most ${MAX_DISPLAYS} displays`);
      state = blankDisplay(name, this.now());
      this.deps.store.saveDisplay(state);
    }
    this.online.set(name, (this.online.get(name) ?? 0) + 1);
    return this.update(name, { ...state, online: true }, false);
  }

  /** A window that showed this display went away. */
  detach(name: string): void {
    const n = (this.online.get(name) ?? 0) - 1;
    if (n > 0) {
      this.online.set(name, n);
      return;
    }
    this.online.delete(name);
    const state = this.states.get(name);
    if (state) this.update(name, { ...state, online: false }, false);
  }

  /** Pushes content to a display; `by` is who did it (shown on the display). */
  push(name: string, content: DisplayContent, by: string): DisplayState {
    const state = this.require(name);
    const { store } = this.deps;
    switch (content.kind) {
      case 'camera':
        this.requireCameras([content.cameraId]);
        return this.show(state, camerasScreen([content.cameraId]), { kind: 'camera', id: content.cameraId, label: content.cameraId }, by);
      case 'incident':
        this.requireCameras(content.cameraIds);
        return this.show(state, camerasScreen(content.cameraIds), { kind: 'incident', id: null, label: content.title }, by);
      case 'preset': {
        const preset = store.preset(content.presetId);
        if (!preset) throw new AppError(ErrorCode.NOT_FOUND, 'content.presetId: no such preset', 404);
        return this.show(state, presetScreen(preset), { kind: 'preset', id: preset.id, label: preset.name }, by);
      }
      case 'tour': {
        const tour = store.tour(content.tourId);
        if (!tour) throw new AppError(ErrorCode.NOT_FOUND, 'content.tourId: no such tour', 404);
        this.stopTimer(name);
        const tourState: NonNullable<DisplayState['tour']> = { tourId: tour.id, name: tour.name, index: -1, steps: tour.steps.length, paused: false, intervalSec: tour.intervalSec, nextAt: null, upcoming: null };
        const started = this.advance({ ...state, tour: tourState, source: { kind: 'tour', id: tour.id, label: tour.name }, changedBy: by, changedAt: this.now() });
        if (!started) throw new AppError(ErrorCode.BAD_REQUEST, 'content.tourId: none of the tour\'s steps can be shown');
        return started;
      }
    }
  }

  /** Cameras pushed by a rule (health alert, urgent bookmark). Unknown displays are ignored. */
  pushByRule(name: string, cameraIds: readonly string[], trigger: DisplayRuleTrigger): void {
    const state = this.states.get(name);
    const cams = cameraIds.filter((c) => this.deps.cameraExists(c));
    if (!state || !cams.length) return;
    this.show(state, camerasScreen(cams), { kind: 'rule', id: null, label: trigger }, `rule:${trigger}`);
  }

  tourAction(name: string, action: TourAction, by: string): DisplayState {
    const state = this.require(name);
    if (!state.tour) throw new AppError(ErrorCode.BAD_REQUEST, 'action: this display runs no tour');
    const changed = { changedBy: by, changedAt: this.now() };
    switch (action) {
      case 'pause':
        this.stopTimer(name);
        return this.update(name, { ...state, ...changed, tour: { ...state.tour, paused: true, nextAt: null } });
      case 'resume':
        if (!state.tour.paused) return state;
        this.schedule(name, state.tour.intervalSec * 1000);
        return this.update(name, { ...state, ...changed, tour: { ...state.tour, paused: false, nextAt: this.now() + state.tour.intervalSec * 1000 } });
      case 'next':
        return this.advance({ ...state, ...changed }) ?? this.stopTour(name, by);
      case 'stop':
        return this.stopTour(name, by);
    }
  }

  close(): void {
    this.closed = true;
    for (const name of [...this.timers.keys()]) this.stopTimer(name);
    this.removeAllListeners();
  }

  // --- internals -----------------------------------------------------------------------------

  private require(name: string): DisplayState {
    const s = this.states.get(name);
    if (!s) throw new AppError(ErrorCode.NOT_FOUND, 'name: no such display', 404);
    return s;
  }

  private requireCameras(ids: readonly string[]): void {
    const unknown = ids.find((id) => !this.deps.cameraExists(id));
    if (unknown) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `content: unknown camera ${unknown}`, 404);
  }

  /** Shows a screen, ending any tour. */
  private show(state: DisplayState, screen: Screen, source: DisplayState['source'], by: string): DisplayState {
    this.stopTimer(state.name);
    return this.update(state.name, { ...state, ...screen, source, changedBy: by, changedAt: this.now(), tour: null });
  }

  private stopTour(name: string, by: string): DisplayState {
    this.stopTimer(name);
    const state = this.require(name);
    return this.update(name, { ...state, tour: null, source: { kind: 'none', id: null, label: '' }, changedBy: by, changedAt: this.now() });
  }

  /** Moves a touring display to its next showable step and schedules the one after; null when none can be shown. */
  private advance(state: DisplayState): DisplayState | null {
    const t = state.tour;
    if (!t) return null;
    const tour = this.deps.store.tour(t.tourId);
    if (!tour) return null;
    const next = this.showableStep(tour, t.index);
    if (!next) return null;
    const upcoming = this.showableStep(tour, next.index);
    const interval = tour.intervalSec * 1000;
    this.stopTimer(state.name);
    if (!t.paused) this.schedule(state.name, interval);
    return this.update(state.name, {
      ...state,
      ...next.screen,
      tour: {
        ...t,
        name: tour.name,
        index: next.index,
        steps: tour.steps.length,
        intervalSec: tour.intervalSec,
        nextAt: t.paused ? null : this.now() + interval,
        upcoming: upcoming && upcoming.index !== next.index ? upcoming.screen : null,
      },
    });
  }

  /** The first step after `index` that can be shown (cameras known, preset present), or null. */
  private showableStep(tour: Tour, index: number): { index: number; screen: Screen } | null {
    for (let tries = 0; tries < tour.steps.length; tries++) {
      index = nextStepIndex(index, tour.steps.length);
      const step = tour.steps[index]!;
      if (step.kind === 'camera' && !this.deps.cameraExists(step.cameraId)) continue;
      const shown = stepScreen(step, (id) => this.deps.store.preset(id));
      if (shown) return { index, screen: shown.screen };
    }
    return null;
  }

  private schedule(name: string, ms: number): void {
    if (this.closed) return;
    this.stopTimer(name);
    this.timers.set(
      name,
      this.setTimer(() => {
        this.timers.delete(name);
        const s = this.states.get(name);
        if (!s?.tour || s.tour.paused) return;
        try {
          if (!this.advance(s)) this.stopTour(name, s.changedBy);
        } catch (e) {
          this.deps.log.error({ err: e, display: name }, 'tour step failed');
        }
      }, ms),
    );
  }

  private stopTimer(name: string): void {
    const h = this.timers.get(name);
    if (h !== undefined) {
      this.clearTimer(h);
      this.timers.delete(name);
    }
  }

  private update(name: string, state: DisplayState, persist = true): DisplayState {
    const next = { ...state, online: (this.online.get(name) ?? 0) > 0 };
    this.states.set(name, next);
    if (persist) this.deps.store.saveDisplay(next);
    this.emit('change', next);
    return next;
  }
}
