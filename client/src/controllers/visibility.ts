import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Whether the host is seen: on screen (IntersectionObserver) and the page visible
 * (document.visibilityState). `active` follows `visible` at once when it turns on and after a grace
 * period when it turns off, so scrolling or a quick tab switch does not tear streams down.
 */
export class VisibilityController implements ReactiveController {
  /** Raw: on screen and the page visible now. */
  visible = true;
  /** Debounced: false only after `graceMs` of not being visible. */
  active = true;
  private intersecting = true;
  private observer: IntersectionObserver | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly onVisibility = (): void => this.recompute();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly graceMs = 2500,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new IntersectionObserver((entries) => {
      const last = entries[entries.length - 1];
      if (last) this.intersecting = last.isIntersecting;
      this.recompute();
    });
    this.observer.observe(this.host);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.recompute();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
    document.removeEventListener('visibilitychange', this.onVisibility);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private recompute(): void {
    const visible = this.intersecting && document.visibilityState !== 'hidden';
    if (visible !== this.visible) {
      this.visible = visible;
      this.host.requestUpdate();
    }
    if (visible) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (!this.active) {
        this.active = true;
        this.host.requestUpdate();
      }
    } else if (this.active && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.visible && this.active) {
          this.active = false;
          this.host.requestUpdate();
        }
      }, this.graceMs);
    }
  }
}
