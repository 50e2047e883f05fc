import { LitElement, css, html, nothing } from 'lit';
import { SecondClockController } from '../../controllers/second-clock.js';
import { drawWatermarkLayer } from '../../controllers/watermark-layer.js';
import { WATERMARK_ALPHA, watermarkText } from '../../core/watermark.js';
import type { Me } from '../../core/access.js';
import { currentViewer, onViewerChange } from '../../services/viewer.js';

/**
 * The viewer watermark over a live or recorded picture: the signed-in viewer's name and the current
 * Vietnam time, repeated diagonally over the whole tile so a photographed or cropped screen still
 * shows who watched and when; redrawn every second on one canvas the size of the tile;
 * semi-transparent; never takes pointer events (zoom, pan and the tile's buttons work through it).
 * It sits outside the zoom layer, so it keeps its size when the picture is zoomed.
 * Test hooks: `data-text` (the current line), `data-viewer`, `data-drawn` (the line on the canvas).
 */
export class WwWatermark extends LitElement {
  private readonly clock = new SecondClockController(this);
  private viewer: Me | null = currentViewer();
  private off: (() => void) | null = null;
  private readonly resize = new ResizeObserver(() => this.requestUpdate());

  override connectedCallback(): void {
    super.connectedCallback();
    this.viewer = currentViewer();
    this.off = onViewerChange((me) => {
      this.viewer = me;
      this.requestUpdate();
    });
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
    this.resize.disconnect();
  }

  /** The line on show ('' without a viewer). */
  get text(): string {
    return this.viewer ? watermarkText(this.viewer, this.clock.now) : '';
  }

  protected override updated(): void {
    const text = this.text;
    if (!text) {
      for (const a of ['data-text', 'data-viewer', 'data-drawn']) this.removeAttribute(a);
      return;
    }
    this.setAttribute('data-text', text);
    this.setAttribute('data-viewer', this.viewer!.username);
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(this.clientWidth * dpr);
    const h = Math.round(this.clientHeight * dpr);
    if (!w || !h) return;
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    drawWatermarkLayer(ctx, w, h, text, dpr);
    this.setAttribute('data-drawn', text);
  }

  override render(): unknown {
    return this.text ? html`<canvas aria-hidden="true" style="opacity: ${WATERMARK_ALPHA}"></canvas>` : nothing;
  }

  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      overflow: hidden;
      pointer-events: none;
      user-select: none;
      z-index: 2;
      contain: strict;
    }
    canvas {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
    }
  `;
}

customElements.define('ww-watermark', WwWatermark);

declare global {
  interface HTMLElementTagNameMap {
    'ww-watermark': WwWatermark;
  }
}
