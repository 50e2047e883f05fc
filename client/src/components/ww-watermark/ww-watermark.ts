import { LitElement, css, html, nothing } from 'lit';
import { SecondClockController } from '../../controllers/second-clock.js';
import { WATERMARK_ALPHA, WATERMARK_ANGLE_DEG, watermarkText } from '../../core/watermark.js';
import type { Me } from '../../core/access.js';
import { currentViewer, onViewerChange } from '../../services/viewer.js';

/** Copies of the text: enough rows and columns to cover a rotated 16:9 tile with margin to spare. */
const ROWS = 9;
const PER_ROW = 5;

/**
 * The viewer watermark over a live or recorded picture: the signed-in viewer's name and the current
 * Vietnam time, repeated diagonally over the whole tile so a photographed or cropped screen still
 * shows who watched and when; updated every second; semi-transparent; never takes pointer events
 * (zoom, pan and the tile's buttons work through it). It sits outside the zoom layer, so it stays
 * the same size when the picture is zoomed. Test hooks: `data-text` (the current line), `data-viewer`.
 */
export class WwWatermark extends LitElement {
  private readonly clock = new SecondClockController(this);
  private viewer: Me | null = currentViewer();
  private off: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.viewer = currentViewer();
    this.off = onViewerChange((me) => {
      this.viewer = me;
      this.requestUpdate();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
  }

  /** The line on show ('' without a viewer). */
  get text(): string {
    return this.viewer ? watermarkText(this.viewer, this.clock.now) : '';
  }

  protected override updated(): void {
    const text = this.text;
    if (text) {
      this.setAttribute('data-text', text);
      this.setAttribute('data-viewer', this.viewer!.username);
    } else {
      this.removeAttribute('data-text');
      this.removeAttribute('data-viewer');
    }
  }

  override render(): unknown {
    const text = this.text;
    if (!text) return nothing;
    const row = html`<div class="row">${Array.from({ length: PER_ROW }, () => html`<span>${text}</span>`)}</div>`;
    return html`<div class="sheet" style="transform: rotate(${WATERMARK_ANGLE_DEG}deg); opacity: ${WATERMARK_ALPHA}" aria-hidden="true">
      ${Array.from({ length: ROWS }, (_, i) => html`<div class="line ${i % 2 ? 'odd' : ''}">${row}</div>`)}
    </div>`;
  }

  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      overflow: hidden;
      pointer-events: none;
      user-select: none;
      z-index: 2;
      container-type: size;
      contain: strict;
    }
    .sheet {
      position: absolute;
      left: -50%;
      top: -50%;
      width: 200%;
      height: 200%;
      display: flex;
      flex-direction: column;
      justify-content: space-evenly;
      transform-origin: 50% 50%;
    }
    .line {
      display: flex;
      justify-content: center;
    }
    .line.odd {
      transform: translateX(12%);
    }
    .row {
      display: flex;
      gap: 6cqmax;
      white-space: nowrap;
    }
    span {
      font: 600 clamp(9px, 3.6cqmin, 22px) / 1 system-ui, 'Noto Sans', Arial, sans-serif;
      color: #fff;
      text-shadow: 0 0 2px #000;
      letter-spacing: 0.02em;
    }
  `;
}

customElements.define('ww-watermark', WwWatermark);

declare global {
  interface HTMLElementTagNameMap {
    'ww-watermark': WwWatermark;
  }
}
