import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The host's content size in CSS and device pixels (ResizeObserver), re-rendering on change. */
export class ElementSizeController implements ReactiveController {
  cssWidth = 0;
  cssHeight = 0;
  deviceWidth = 0;
  deviceHeight = 0;
  private observer: ResizeObserver | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new ResizeObserver((entries) => {
      const e = entries[entries.length - 1];
      if (!e) return;
      const css = e.contentBoxSize?.[0];
      const dev = e.devicePixelContentBoxSize?.[0];
      const cssWidth = css ? css.inlineSize : e.contentRect.width;
      const cssHeight = css ? css.blockSize : e.contentRect.height;
      const dpr = window.devicePixelRatio || 1;
      const deviceWidth = dev ? dev.inlineSize : Math.round(cssWidth * dpr);
      const deviceHeight = dev ? dev.blockSize : Math.round(cssHeight * dpr);
      if (deviceWidth === this.deviceWidth && deviceHeight === this.deviceHeight && cssWidth === this.cssWidth) return;
      Object.assign(this, { cssWidth, cssHeight, deviceWidth, deviceHeight });
      this.host.requestUpdate();
    });
    try {
      this.observer.observe(this.host, { box: 'device-pixel-content-box' });
    } catch {
      this.observer.observe(this.host);
    }
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
  }
}
