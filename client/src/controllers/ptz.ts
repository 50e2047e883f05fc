/**
 * Steering a PTZ camera from its tile (docs/ptz.md). While PTZ mode is on, the tile's gestures
 * steer the camera instead of the digital zoom: a drag is a joystick, the wheel zooms, arrow keys
 * and + / − move while held, 1–9 go to a preset, Esc leaves. A move is renewed every 400 ms while
 * held (the server stops the camera when renewals stop); commands go out one at a time, the latest
 * wish winning, so a fast drag never queues up stale moves.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { resolveShortcut } from '../core/shortcuts.js';
import { PTZ_KEYS, STILL, dragVelocity, isStill, keysVelocity, sameVelocity, wheelVelocity, type PtzVelocity } from '../core/ptz.js';
import { PtzApi, PtzError, type PtzInfo } from '../services/ptz-api.js';

const RENEW_MS = 400;
const WHEEL_IDLE_MS = 350;

export class PtzController implements ReactiveController {
  active = false;
  info: PtzInfo | null = null;
  private camera = '';
  private target: HTMLElement | null = null;
  private current: PtzVelocity = STILL;
  private drag: { id: number; x0: number; y0: number } | null = null;
  private readonly keys = new Set<string>();
  private wheelTimer: ReturnType<typeof setTimeout> | null = null;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private inflight = false;
  private dirty = false;
  /** Commands sent (tests and the status line). */
  sent = 0;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onError: (e: PtzError) => void,
    readonly api: PtzApi = new PtzApi(),
  ) {
    host.addController(this);
  }

  /** Turns PTZ mode on for a camera: learns its presets and whether this user may steer it. */
  async enter(camera: string): Promise<boolean> {
    this.leave();
    this.camera = camera;
    try {
      const info = await this.api.info(camera);
      if (!info.available) throw new PtzError('PTZ_UNAVAILABLE', 'no PTZ');
      if (!info.control) throw new PtzError('FORBIDDEN', 'no control right', 403);
      if (this.camera !== camera) return false;
      this.info = info;
      this.active = true;
      this.host.addEventListener('keydown', this.onKeyDown);
      this.host.addEventListener('keyup', this.onKeyUp);
      this.host.addEventListener('blur', this.onBlur);
      this.renewTimer = setInterval(() => {
        if (!isStill(this.current)) this.push();
      }, RENEW_MS);
      this.host.requestUpdate();
      return true;
    } catch (e) {
      this.onError(e instanceof PtzError ? e : new PtzError('PTZ_FAILED', String(e)));
      this.host.requestUpdate();
      return false;
    }
  }

  leave(): void {
    if (!this.active) return;
    if (!isStill(this.current)) this.want(STILL);
    this.active = false;
    this.info = null;
    this.drag = null;
    this.keys.clear();
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.wheelTimer) clearTimeout(this.wheelTimer);
    this.renewTimer = null;
    this.wheelTimer = null;
    this.host.removeEventListener('keydown', this.onKeyDown);
    this.host.removeEventListener('keyup', this.onKeyUp);
    this.host.removeEventListener('blur', this.onBlur);
    this.host.requestUpdate();
  }

  /** `target` receives the gestures (capture phase: they do not reach the digital zoom). */
  attach(target: HTMLElement): void {
    if (this.target === target) return;
    this.detach();
    this.target = target;
    target.addEventListener('pointerdown', this.onDown, { capture: true });
    target.addEventListener('pointermove', this.onMove, { capture: true });
    target.addEventListener('pointerup', this.onUp, { capture: true });
    target.addEventListener('pointercancel', this.onUp, { capture: true });
    target.addEventListener('wheel', this.onWheel, { capture: true, passive: false });
  }

  async gotoPreset(token: string): Promise<void> {
    if (!this.active) return;
    try {
      await this.api.preset(this.camera, token);
      this.sent++;
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof PtzError ? e : new PtzError('PTZ_FAILED', String(e));
    this.onError(err);
    if (err.code === 'FORBIDDEN' || err.code === 'UNAUTHENTICATED') this.leave();
  }

  private want(v: PtzVelocity): void {
    if (sameVelocity(v, this.current) && isStill(v) === isStill(this.current)) return;
    this.current = v;
    this.push();
  }

  private push(): void {
    this.dirty = true;
    if (!this.inflight) void this.loop();
  }

  private async loop(): Promise<void> {
    this.inflight = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        const v = this.current;
        try {
          if (isStill(v)) await this.api.stop(this.camera);
          else await this.api.move(this.camera, v);
          this.sent++;
        } catch (e) {
          this.current = STILL;
          this.fail(e);
          return;
        }
      }
    } finally {
      this.inflight = false;
    }
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (!this.active || (e.button !== 0 && e.pointerType === 'mouse')) return;
    if (e.composedPath().some((n) => n instanceof HTMLElement && n.matches('button, input, select, a, option'))) return;
    e.stopImmediatePropagation();
    e.preventDefault();
    this.drag = { id: e.pointerId, x0: e.clientX, y0: e.clientY };
    this.target?.setPointerCapture(e.pointerId);
    this.host.focus({ preventScroll: true });
  };

  private readonly onMove = (e: PointerEvent): void => {
    if (!this.active || !this.drag || e.pointerId !== this.drag.id || !this.target) return;
    e.stopImmediatePropagation();
    const r = this.target.getBoundingClientRect();
    this.want(dragVelocity(this.drag.x0, this.drag.y0, e.clientX, e.clientY, r.width, r.height));
  };

  private readonly onUp = (e: PointerEvent): void => {
    if (!this.active || !this.drag || e.pointerId !== this.drag.id) return;
    e.stopImmediatePropagation();
    this.drag = null;
    this.want(STILL);
  };

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.active) return;
    e.stopImmediatePropagation();
    e.preventDefault();
    this.want(wheelVelocity(e.deltaY));
    if (this.wheelTimer) clearTimeout(this.wheelTimer);
    this.wheelTimer = setTimeout(() => {
      this.wheelTimer = null;
      if (!this.drag && this.keys.size === 0) this.want(STILL);
    }, WHEEL_IDLE_MS);
  };

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (!this.active || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.composedPath().some((n) => n instanceof HTMLElement && n.matches('input, select, textarea'))) return;
    const s = resolveShortcut('live', e, 'ptz');
    if (!s) return;
    if (s.action === 'exit') {
      e.stopPropagation();
      this.leave();
      return;
    }
    if (s.action === 'preset') {
      const p = this.info?.presets[Number(e.key) - 1];
      e.stopPropagation();
      e.preventDefault();
      if (p && !e.repeat) void this.gotoPreset(p.token);
      return;
    }
    if (!PTZ_KEYS.has(e.key)) return;
    e.stopPropagation();
    e.preventDefault();
    this.keys.add(e.key);
    this.want(keysVelocity(this.keys));
  };

  private readonly onKeyUp = (e: KeyboardEvent): void => {
    if (!this.active || !this.keys.has(e.key)) return;
    e.stopPropagation();
    this.keys.delete(e.key);
    this.want(keysVelocity(this.keys));
  };

  private readonly onBlur = (): void => {
    if (this.keys.size === 0) return;
    this.keys.clear();
    if (!this.drag) this.want(STILL);
  };

  private detach(): void {
    const t = this.target;
    if (!t) return;
    t.removeEventListener('pointerdown', this.onDown, { capture: true });
    t.removeEventListener('pointermove', this.onMove, { capture: true });
    t.removeEventListener('pointerup', this.onUp, { capture: true });
    t.removeEventListener('pointercancel', this.onUp, { capture: true });
    t.removeEventListener('wheel', this.onWheel, { capture: true });
    this.target = null;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.leave();
    this.detach();
  }
}
