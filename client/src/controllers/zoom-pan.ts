/**
 * Digital zoom and pan on a tile: wheel zooms at the cursor, two fingers pinch, a drag pans once
 * zoomed. The transform goes on the picture layer; the math is core/zoom.ts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { NO_ZOOM, panBy, wheelFactor, zoomAt, zoomTransform, type Zoom } from '../core/zoom.js';

export class ZoomPanController implements ReactiveController {
  zoom: Zoom = NO_ZOOM;
  private target: HTMLElement | null = null;
  private layer: HTMLElement | null = null;
  private readonly pointers = new Map<number, { x: number; y: number }>();
  private pinchDist = 0;
  private panned = false;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  get zoomed(): boolean {
    return this.zoom.scale > 1;
  }

  /** Whether the last pointer sequence panned (so its click should not count as a click). */
  get didPan(): boolean {
    return this.panned;
  }

  /** `target` receives the gestures; `layer` gets the transform. */
  attach(target: HTMLElement, layer: HTMLElement): void {
    if (this.target === target && this.layer === layer) return;
    this.detach();
    this.target = target;
    this.layer = layer;
    target.addEventListener('wheel', this.onWheel, { passive: false });
    target.addEventListener('pointerdown', this.onDown);
    target.addEventListener('pointermove', this.onMove);
    target.addEventListener('pointerup', this.onUp);
    target.addEventListener('pointercancel', this.onUp);
    target.style.touchAction = 'none';
    this.apply();
  }

  reset(): void {
    this.set(NO_ZOOM);
  }

  private set(z: Zoom): void {
    const was = this.zoomed;
    this.zoom = z;
    this.apply();
    if (was !== this.zoomed || this.zoomed) this.host.requestUpdate();
  }

  private apply(): void {
    if (this.layer) {
      this.layer.style.transformOrigin = '0 0';
      this.layer.style.transform = zoomTransform(this.zoom);
    }
  }

  private box(): { w: number; h: number; left: number; top: number } {
    const r = this.target!.getBoundingClientRect();
    return { w: r.width, h: r.height, left: r.left, top: r.top };
  }

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.target) return;
    e.preventDefault();
    const b = this.box();
    const dy = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
    this.set(zoomAt(this.zoom, wheelFactor(dy), e.clientX - b.left, e.clientY - b.top, b.w, b.h));
  };

  private readonly onDown = (e: PointerEvent): void => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    // Controls over the picture keep their clicks (a captured pointer would retarget them).
    if (e.composedPath().some((n) => n instanceof HTMLElement && n.matches('button, input, select, a'))) return;
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    this.panned = false;
    if (this.pointers.size === 2) this.pinchDist = this.distance();
    if (this.zoomed || this.pointers.size === 2) this.target?.setPointerCapture(e.pointerId);
  };

  private distance(): number {
    const [a, b] = [...this.pointers.values()];
    return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }

  private readonly onMove = (e: PointerEvent): void => {
    const prev = this.pointers.get(e.pointerId);
    if (!prev || !this.target) return;
    const cur = { x: e.clientX, y: e.clientY };
    this.pointers.set(e.pointerId, cur);
    const b = this.box();
    if (this.pointers.size === 2) {
      const d = this.distance();
      if (this.pinchDist > 0 && d > 0) {
        const [a, c] = [...this.pointers.values()];
        this.set(zoomAt(this.zoom, d / this.pinchDist, (a!.x + c!.x) / 2 - b.left, (a!.y + c!.y) / 2 - b.top, b.w, b.h));
        this.panned = true;
      }
      this.pinchDist = d;
      return;
    }
    if (!this.zoomed) return;
    const dx = cur.x - prev.x;
    const dy = cur.y - prev.y;
    if (dx || dy) {
      this.panned = true;
      e.preventDefault();
      this.set(panBy(this.zoom, dx, dy, b.w, b.h));
    }
  };

  private readonly onUp = (e: PointerEvent): void => {
    this.pointers.delete(e.pointerId);
    if (this.pointers.size < 2) this.pinchDist = 0;
  };

  private detach(): void {
    const t = this.target;
    if (!t) return;
    t.removeEventListener('wheel', this.onWheel);
    t.removeEventListener('pointerdown', this.onDown);
    t.removeEventListener('pointermove', this.onMove);
    t.removeEventListener('pointerup', this.onUp);
    t.removeEventListener('pointercancel', this.onUp);
    this.target = null;
    this.layer = null;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.detach();
    this.pointers.clear();
  }
}
