import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import { gapsOf, rangeRects, thumbnailInstant, ticks, timeToX, xToTime, zoomView, type TimeRange, type View } from '../../core/timeline.js';
import { formatTime, t } from '../../i18n/i18n.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import { theme } from '../../styles/theme.js';
import { wwTimelineStyles } from './ww-timeline.styles.js';

/** A bookmark drawn on the rows of its cameras (an instant or a window). */
export interface TimelineMark {
  id: string;
  cameras: readonly string[];
  startMs: number;
  endMs: number;
  title: string;
  /** Not yet confirmed by the server. */
  pending: boolean;
  /** Marked urgent (drawn red). */
  urgent?: boolean;
}

export interface TimelineRow {
  camera: string;
  name: string;
  spans: readonly TimeRange[] | null;
  failed: boolean;
  /** Camera outages (offline, black, covered, frozen, moved) from the health history, drawn as bands. */
  outages?: readonly TimeRange[];
}

/**
 * The review timeline: one row per camera with its recorded spans and gaps over a shared view, the
 * clock's position, a thumbnail of the hovered instant, click or drag to seek (ww-seek {at}), wheel
 * to zoom the view (ww-view {view}).
 */
export class WwTimeline extends LitElement {
  static override properties = {
    rows: { attribute: false },
    view: { attribute: false },
    position: { attribute: false },
    api: { attribute: false },
    marks: { attribute: false },
    hover: { state: true },
    width: { state: true },
  };

  declare rows: TimelineRow[];
  declare view: View;
  declare position: number;
  declare api: RecorderApi | null;
  declare marks: readonly TimelineMark[];
  declare hover: { camera: string; at: number; x: number } | null;
  declare width: number;
  private dragging = false;
  private readonly ro = new ResizeObserver((e) => (this.width = e[0]?.contentRect.width ?? 0));

  constructor() {
    super();
    new LocaleController(this);
    this.rows = [];
    this.view = { from: Date.now() - 3600_000, to: Date.now() };
    this.position = Date.now();
    this.api = null;
    this.marks = [];
    this.hover = null;
    this.width = 0;
  }

  protected override firstUpdated(): void {
    const axis = this.renderRoot.querySelector('.tracks');
    if (axis) this.ro.observe(axis);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ro.disconnect();
  }

  private at(e: PointerEvent | WheelEvent): number {
    const track = this.renderRoot.querySelector<HTMLElement>('.tracks')!;
    const r = track.getBoundingClientRect();
    return xToTime(e.clientX - r.left, this.view, r.width);
  }

  private seek(at: number): void {
    this.dispatchEvent(new CustomEvent('ww-seek', { detail: { at }, bubbles: true, composed: true }));
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.dragging = true;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    this.seek(this.at(e));
  }

  private onMove(e: PointerEvent, camera: string): void {
    const at = this.at(e);
    const track = this.renderRoot.querySelector<HTMLElement>('.tracks')!;
    this.hover = { camera, at, x: timeToX(at, this.view, track.getBoundingClientRect().width) };
    if (this.dragging) this.seek(at);
  }

  private onUp(): void {
    this.dragging = false;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const view = zoomView(this.view, this.at(e), e.deltaY > 0 ? 1.25 : 0.8);
    this.dispatchEvent(new CustomEvent('ww-view', { detail: { view }, bubbles: true, composed: true }));
  }

  private renderRow(row: TimelineRow): unknown {
    const w = this.width;
    const spans = row.spans ?? [];
    const spanRects = w > 0 ? rangeRects(spans, this.view, w, 1) : [];
    const gapRects = w > 0 && row.spans ? rangeRects(gapsOf(spans, this.view), this.view, w, 0) : [];
    const hover = this.hover && this.hover.camera === row.camera ? this.hover : null;
    const outageRects = w > 0 && row.outages ? rangeRects(row.outages, this.view, w, 2) : [];
    return html`<div class="row" data-timeline-camera=${row.camera}>
      <span class="label" title=${row.name}>${row.name}</span>
      <div
        class="track"
        @pointerdown=${(e: PointerEvent) => this.onDown(e)}
        @pointermove=${(e: PointerEvent) => this.onMove(e, row.camera)}
        @pointerup=${() => this.onUp()}
        @pointercancel=${() => this.onUp()}
        @pointerleave=${() => (this.hover = null)}
        @wheel=${(e: WheelEvent) => this.onWheel(e)}
      >
        ${gapRects.map((r) => html`<span class="gap" style="left:${r.x}px;width:${r.width}px" title=${t('timeline.gap')}></span>`)}
        ${spanRects.map((r) => html`<span class="span" data-span-start=${r.startMs} data-span-end=${r.endMs} style="left:${r.x}px;width:${r.width}px"></span>`)}
        ${w > 0 ? this.renderMarks(row.camera, w) : nothing}
        ${outageRects.map(
          (r) => html`<span class="outage" data-outage-start=${r.startMs} data-outage-end=${r.endMs} style="left:${r.x}px;width:${r.width}px"
            title=${t('health.outageBand', { from: hcmTimeText(r.startMs), to: hcmTimeText(r.endMs) })}></span>`,
        )}
        ${row.failed ? html`<span class="failed">${t('timeline.loadFailed')}</span>` : nothing}
        ${hover && this.api ? this.renderHover(row, hover, w) : nothing}
      </div>
    </div>`;
  }

  /** The hovered instant and its picture; over a gap the words "no recording" instead of a broken image. */
  private renderHover(row: TimelineRow, hover: { at: number; x: number }, w: number): unknown {
    const at = thumbnailInstant(row.spans ?? [], hover.at);
    return html`<div class="hover" style="left:${Math.min(Math.max(hover.x, 90), w - 90)}px">
      ${at === null
        ? html`<em class="none">${t('timeline.gap')}</em>`
        : html`<img alt="" src=${this.api!.thumbnailUrl(row.camera, at, 1)} @error=${(e: Event) => this.thumbnailFailed(e.target as HTMLImageElement)} @load=${(e: Event) => ((e.target as HTMLImageElement).style.visibility = 'visible')} />`}
      <span>${hcmTimeText(hover.at)}</span>
    </div>`;
  }

  /** A failed picture (a fragment not yet flushed, a busy recorder) is asked for again twice, a second apart. */
  private thumbnailFailed(img: HTMLImageElement): void {
    img.style.visibility = 'hidden';
    const src = img.src;
    const tries = img.dataset.src === src ? Number(img.dataset.tries ?? 0) : 0;
    img.dataset.src = src;
    img.dataset.tries = String(tries + 1);
    if (tries < 2) setTimeout(() => img.isConnected && img.src === src && img.setAttribute('src', src), 1000);
  }

  private renderMarks(camera: string, w: number): unknown {
    const marks = this.marks.filter((m) => m.cameras.includes(camera) && m.endMs >= this.view.from && m.startMs <= this.view.to);
    return marks.map((m) => {
      const x = timeToX(m.startMs, this.view, w);
      const width = Math.max(3, timeToX(m.endMs, this.view, w) - x);
      return html`<span class="mark ${m.pending ? 'pending' : ''} ${m.urgent ? 'urgent' : ''}" data-bookmark-mark=${m.id} style="left:${x - 1}px;width:${width}px"
        title=${`${t('timeline.bookmark', { title: m.title || '—' })} · ${hcmTimeText(m.startMs)}`}
        @pointerdown=${(e: PointerEvent) => (e.stopPropagation(), this.seek(m.startMs))}></span>`;
    });
  }

  override render(): unknown {
    const w = this.width;
    const tk = ticks(this.view, w, 90);
    const posX = timeToX(this.position, this.view, w);
    return html`
      <div class="wrap" title=${t('timeline.hint')}>
        <div class="axis"><span class="label"></span><div class="tracks">
          ${tk.at.map((at) => html`<span class="tick" style="left:${timeToX(at, this.view, w)}px">${formatTime(at).slice(0, tk.step < 60_000 ? 8 : 5)}</span>`)}
        </div></div>
        ${this.rows.map((r) => this.renderRow(r))}
        ${posX >= 0 && posX <= w ? html`<div class="cursor" style="--x:${posX}px"></div>` : nothing}
      </div>
    `;
  }

  static override styles = [theme, wwTimelineStyles];
}

customElements.define('ww-timeline', WwTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'ww-timeline': WwTimeline;
  }
}
