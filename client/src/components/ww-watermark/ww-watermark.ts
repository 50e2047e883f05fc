import { LitElement, html, nothing } from 'lit';
import { SecondClockController } from '../../controllers/second-clock.js';
import { drawSparseWatermarkLayer, drawWatermarkLayer } from '../../controllers/watermark-layer.js';
import { tracedViewer, watermarkText } from '../../core/watermark.js';
import type { Me } from '../../core/access.js';
import { currentViewer, onViewerChange, onWatermarkSettings, watermarkSettings } from '../../services/viewer.js';
import { wwWatermarkStyles } from './ww-watermark.styles.js';

/**
 * The viewer watermark over a live or recorded picture: the signed-in viewer's name and the current
 * Vietnam time, so a photographed or cropped screen still shows who watched and when. Live tiles
 * follow the station's `wall.watermark` config: `sparse` (default: one faint copy per quarter,
 * opacity 0.18, so plates and faces stay visible), `corner` (one small line in a corner) or `dense`
 * (the text repeated over the whole tile); redrawn every second on one canvas the size of the tile;
 * never takes pointer events (zoom, pan and the tile's buttons work through it).
 * It sits outside the zoom layer, so it keeps its size when the picture is zoomed.
 * Test hooks: `data-text` (the current line), `data-viewer`, `data-drawn` (the line on the canvas).
 */
export class WwWatermark extends LitElement {
  static override properties = { compact: { type: Boolean, reflect: true } };
  /**
   * One line in a corner instead of the full-tile pattern: for recorded tiles in review, where a
   * translucent layer over the whole picture measurably upset the frame-accurate sync of 4–9 tiles
   * on a 2-core machine without GPU (A/B: full layer 1–3 of 6 sync checks pass, none 6 of 6).
   */
  declare compact: boolean;
  private readonly clock = new SecondClockController(this);
  private viewer: Me | null = tracedViewer(currentViewer());
  private off: (() => void) | null = null;
  private offSettings: (() => void) | null = null;
  private readonly resize = new ResizeObserver(() => this.requestUpdate());

  constructor() {
    super();
    this.compact = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.viewer = tracedViewer(currentViewer());
    this.off = onViewerChange((me) => {
      this.viewer = tracedViewer(me);
      this.requestUpdate();
    });
    this.offSettings = onWatermarkSettings(() => this.requestUpdate());
    this.resize.observe(this);
  }

  /** One line in a corner: review tiles, or live tiles when the station chose the `corner` style. */
  private get corner(): boolean {
    return this.compact || watermarkSettings().style === 'corner';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
    this.offSettings?.();
    this.offSettings = null;
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
    const settings = watermarkSettings();
    this.setAttribute('data-style', this.compact ? 'compact' : settings.style);
    this.toggleAttribute('corner', this.corner);
    if (this.corner) {
      this.setAttribute('data-drawn', text);
      return;
    }
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(this.clientWidth * dpr);
    const h = Math.round(this.clientHeight * dpr);
    if (!w || !h) return;
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    if (settings.style === 'dense') drawWatermarkLayer(ctx, w, h, text, dpr);
    else drawSparseWatermarkLayer(ctx, w, h, text, dpr, settings.density);
    this.setAttribute('data-drawn', text);
  }

  override render(): unknown {
    const { opacity } = watermarkSettings();
    if (this.corner) return this.text ? html`<span class="line" aria-hidden="true" style=${this.compact ? '' : `opacity: ${Math.max(opacity, 0.6)}`}>${this.text}</span>` : nothing;
    return this.text ? html`<canvas aria-hidden="true" style="opacity: ${opacity}"></canvas>` : nothing;
  }

  static override styles = wwWatermarkStyles;
}

customElements.define('ww-watermark', WwWatermark);

declare global {
  interface HTMLElementTagNameMap {
    'ww-watermark': WwWatermark;
  }
}
