// The review page (about 360 lines: its picker, session lifecycle and timeline wiring share the
// session state). Its parts live beside it: the transport
// bar and keys (review-transport.ts), spans and outages (controllers/review-timeline-data.ts), trail
// replay (controllers/trail-replay.ts), the look (ww-review.styles.ts).
import { LitElement, html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { ReviewSession } from '../../controllers/review-session.js';
import { fromDateTimeInputs, hcmDateInput, hcmTimeText, parseHcmTime } from '../../core/hcm-time.js';
import { follow, type View } from '../../core/timeline.js';
import { t } from '../../i18n/i18n.js';
import type { RecordedCamera, RecorderApi } from '../../services/recorder-api.js';
import { theme } from '../../styles/theme.js';
import { formControls, timeInput } from '../../styles/forms.js';
import type { WwExport } from '../ww-export/ww-export.js';
import type { TimelineMark, TimelineRow } from '../ww-timeline/ww-timeline.js';
import type { BookmarkService } from '../../services/bookmarks.js';
import type { HealthAlertService } from '../../services/health-alerts.js';
import { ReviewTimelineData } from '../../controllers/review-timeline-data.js';
import '../ww-review-tile/ww-review-tile.js';
import '../ww-timeline/ww-timeline.js';
import '../ww-export/ww-export.js';
import { clampToLookback, lookbackMinDate, type Me } from '../../core/access.js';
import { exportGroups } from './export-groups.js';
import type { Trail } from '../../core/trail.js';
import { watchHop } from '../../controllers/trail-replay.js';
import { wwReviewStyles } from './ww-review.styles.js';
import { runReviewAction, transportTemplate } from './review-transport.js';
import { resolveShortcut } from '../../core/shortcuts.js';

export const MAX_REVIEW_CAMERAS = 9;

/**
 * Review mode: choose up to 9 cameras and an instant (Asia/Ho_Chi_Minh); they play in sync on one
 * master clock, with transport controls, a timeline of recorded spans per camera, and export.
 */
export class WwReview extends LitElement {
  static override properties = {
    api: { attribute: false },
    bookmarks: { attribute: false },
    cameras: { attribute: false },
    recordedOnly: { state: true },
    wardCameras: { state: true },
    initialCameras: { attribute: false },
    me: { attribute: false },
    selected: { state: true },
    dateText: { state: true },
    timeText: { state: true },
    gotoText: { state: true },
    formError: { state: true },
    session: { state: true },
    sessionCameras: { state: true },
    position: { state: true },
    health: { attribute: false },
    view: { state: true },
    replay: { state: true },
  };

  declare api: RecorderApi | null;
  declare bookmarks: BookmarkService | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  /** Recorded cameras absent from the live list (see loadRecordedOnly). */
  declare recordedOnly: readonly RecordedCamera[];
  /** City centre: the wards' cameras the viewer may play back (`<ward>/<camera>`, named "<ward> · <camera>"). */
  declare wardCameras: readonly RecordedCamera[];
  declare initialCameras: string[];
  /** The viewer: the look-back limits the date, export needs the right on each camera. */
  declare me: Me | null;
  declare selected: string[];
  declare dateText: string;
  declare timeText: string;
  declare gotoText: string;
  declare formError: string | null;
  declare session: ReviewSession | null;
  declare sessionCameras: string[];
  declare position: number;
  /** Camera health alerts: their outages are drawn on the timeline. */
  declare health: HealthAlertService | null;
  declare view: View;
  /** A pursuit trail being replayed: the hop on screen (attribute replay-hop for tests). */
  declare replay: { trail: Trail; index: number } | null;
  private offs: (() => void)[] = [];
  /** Recorded spans and health outages of the reviewed cameras, for the view on screen. */
  private readonly timeline = new ReviewTimelineData(this, () => ({ api: this.api, health: this.health }));
  private readonly onKey = (e: KeyboardEvent): void => this.handleKey(e);
  private offBookmarks: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.bookmarks = null;
    this.cameras = new Map();
    this.recordedOnly = [];
    this.wardCameras = [];
    this.initialCameras = [];
    this.me = null;
    this.selected = [];
    const start = Date.now() - 5 * 60_000;
    this.dateText = hcmDateInput(start);
    this.timeText = hcmTimeText(start);
    this.gotoText = '';
    this.formError = null;
    this.session = null;
    this.sessionCameras = [];
    this.position = start;
    this.health = null;
    this.view = { from: start - 5 * 60_000, to: start + 5 * 60_000 };
    this.replay = null;
  }

  /** Replays a pursuit trail: each hop's camera from its time in to its time out, in sequence. */
  replayTrail(trail: Trail): void {
    this.playHop(trail, 0);
  }

  private playHop(trail: Trail, index: number): void {
    const hop = trail.hops[index];
    if (!hop || !this.open([hop.cameraId], hop.inAt)) {
      this.replay = null;
      this.removeAttribute('replay-hop');
      return;
    }
    this.replay = { trail, index };
    this.setAttribute('replay-hop', String(index));
    const session = this.session!;
    session.pause();
    const end = hop.outAt ?? Date.now();
    this.offs.push(
      ...watchHop(session, hop.inAt, end, () => this.replay?.trail === trail && this.replay.index === index, (p) => {
        if (index + 1 < trail.hops.length) queueMicrotask(() => this.session === session && this.playHop(trail, index + 1));
        else {
          this.replay = null;
          this.setAttribute('replay-hop', 'done');
          session.pause();
          session.seek(Math.min(p, end));
        }
      }),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.selected.length === 0) this.selected = this.initialCameras.filter((c) => this.cameras.has(c)).slice(0, MAX_REVIEW_CAMERAS);
    void this.loadRecordedOnly();
    window.addEventListener('keydown', this.onKey);
    this.offBookmarks = this.bookmarks?.on('change', () => this.requestUpdate()) ?? null;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    // The recorder's list depends on who is viewing (rights) and which recorder API is used.
    if ((changed.has('api') && changed.get('api') !== undefined) || (changed.has('me') && changed.get('me') !== undefined)) void this.loadRecordedOnly();
  }

  /** Asks the app for the bookmark form at the master clock's instant on the reviewed cameras. */
  requestBookmark(urgent = false): void {
    if (!this.session || this.sessionCameras.length === 0) return;
    const at = Math.round(this.position);
    this.dispatchEvent(new CustomEvent('ww-bookmark-request', { detail: { cameras: [...this.sessionCameras], startMs: at, endMs: at, urgent }, bubbles: true, composed: true }));
  }

  private marks(): TimelineMark[] {
    const svc = this.bookmarks;
    if (!svc) return [];
    return this.sessionCameras.length
      ? svc
          .bookmarks({ from: this.view.from, to: this.view.to })
          .filter((b) => b.cameras.some((c) => this.sessionCameras.includes(c)))
          .map((b) => ({ id: b.id, cameras: b.cameras, startMs: b.startMs, endMs: b.endMs, title: b.title, pending: b.sync !== 'synced', urgent: !!b.urgent }))
      : [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    this.offBookmarks?.();
    this.offBookmarks = null;
    this.closeSession();
  }

  private closeSession(): void {
    for (const off of this.offs.splice(0)) off();
    this.timeline.stop();
    this.session?.close();
    this.session = null;
  }

  private toggleCamera(id: string, on: boolean): void {
    if (on && !this.selected.includes(id)) {
      if (this.selected.length >= MAX_REVIEW_CAMERAS) {
        this.formError = t('review.maxReached', { max: MAX_REVIEW_CAMERAS });
        return;
      }
      this.selected = [...this.selected, id];
    } else if (!on) this.selected = this.selected.filter((c) => c !== id);
    this.formError = null;
  }

  /** Opens the chosen cameras at the chosen instant (also callable directly). */
  open(cameras: string[] = this.selected, start: number | null = fromDateTimeInputs(this.dateText, this.timeText)): boolean {
    if (!this.api) return false;
    if (start === null) {
      this.formError = t('review.badTime');
      return false;
    }
    const reviewable = this.reviewable();
    const list = cameras.filter((c) => reviewable.has(c)).slice(0, MAX_REVIEW_CAMERAS);
    if (list.length === 0) {
      this.formError = t('review.pickCameras');
      return false;
    }
    const limited = clampToLookback(this.me, start, Date.now());
    start = limited.start;
    this.formError = limited.clamped ? t('review.lookbackClamped', { days: this.me?.lookbackDays ?? 0 }) : null;
    this.closeSession();
    const session = new ReviewSession(this.api, Math.min(start, Date.now() - 2000));
    this.session = session;
    this.sessionCameras = list;
    this.position = session.clock.position();
    this.view = { from: this.position - 5 * 60_000, to: this.position + 5 * 60_000 };
    this.offs.push(
      session.on('tick', (p) => {
        this.position = p;
        const v = follow(this.view, p);
        if (v !== this.view) {
          this.view = v;
          this.timeline.setView(v);
        }
      }),
      session.on('change', () => (this.requestUpdate(), this.viewChanged())),
    );
    this.selected = list;
    this.timeline.start(list, this.view);
    // The export window starts around the opened instant; mark-in/out refine it.
    const at = this.position;
    void this.updateComplete.then(() => this.renderRoot.querySelectorAll('ww-export').forEach((p) => p.setRange(at - 30_000, at + 30_000)));
    this.viewChanged();
    return true;
  }

  /** Tells the app the view changed (cameras, instant, play/pause/seek): the address bar follows. */
  private viewChanged(): void {
    this.dispatchEvent(new CustomEvent('ww-view-change', { bubbles: true, composed: true }));
  }

  private goto(): void {
    const s = this.session;
    if (!s) return;
    const at = parseHcmTime(this.gotoText, s.clock.position());
    if (at === null) {
      this.formError = t('review.badTime');
      return;
    }
    this.formError = null;
    s.seek(at);
  }

  private handleKey(e: KeyboardEvent): void {
    const s = this.session;
    if (!s || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(origin.tagName))) return;
    const hit = resolveShortcut('review', e, 'review');
    if (!hit) return;
    runReviewAction(hit.action, s, { bookmark: (urgent) => this.requestBookmark(urgent) });
    e.preventDefault();
  }

  private name(id: string): string {
    return this.cameras.get(id)?.name ?? this.recordedOnly.find((c) => c.id === id)?.name ?? this.wardCameras.find((c) => c.id === id)?.name ?? id;
  }

  /**
   * Cameras the recorder has footage of that the live list does not hold: resident cameras shared
   * for recording only (never live). The server lists only what the viewer may play back.
   */
  private async loadRecordedOnly(): Promise<void> {
    if (!this.api) return;
    try {
      // The recorder lists only what this viewer may play back (checked there, with fresh rights).
      this.recordedOnly = await this.api.recordedCameras();
    } catch (e) {
      console.warn('[review] cannot list the recorded cameras', e);
    }
    try {
      // At a city centre: the wards' cameras the viewer may play back (their recordings come through the centre).
      this.wardCameras = await this.api.cityCameras();
    } catch (e) {
      console.warn("[review] cannot list the wards' cameras", e);
    }
  }

  /** Everything review can open: the live list's cameras and the recorded-only ones. */
  private reviewable(): Map<string, { id: string; name: string; recordedOnly: boolean }> {
    const out = new Map<string, { id: string; name: string; recordedOnly: boolean }>();
    for (const c of this.cameras.values()) out.set(c.id, { id: c.id, name: c.name, recordedOnly: false });
    for (const c of this.recordedOnly) if (!out.has(c.id)) out.set(c.id, { ...c, recordedOnly: true });
    for (const c of this.wardCameras) if (!out.has(c.id)) out.set(c.id, { ...c, recordedOnly: false });
    return out;
  }

  private renderPicker(): unknown {
    const all = [...this.reviewable().values()];
    return html`<form class="picker" @submit=${(e: Event) => (e.preventDefault(), (this.replay = null), this.open())}>
      <fieldset>
        <legend>${t('review.cameras', { n: this.selected.length, max: MAX_REVIEW_CAMERAS })}</legend>
        ${all.map(
          (c) => html`<label class="cam"><input type="checkbox" data-review-camera=${c.id} .checked=${this.selected.includes(c.id)}
            @change=${(e: Event) => this.toggleCamera(c.id, (e.target as HTMLInputElement).checked)} />${c.name}${c.recordedOnly
              ? html` <span class="recorded-only" title=${t('review.recordedOnlyHint')}>${t('review.recordedOnly')}</span>`
              : nothing}</label>`,
        )}
      </fieldset>
      <label>${t('review.date')} <input type="date" data-field="date" min=${lookbackMinDate(this.me, Date.now())} .value=${this.dateText} @change=${(e: Event) => (this.dateText = (e.target as HTMLInputElement).value)} /></label>
      <label>${t('review.time')} <input type="text" class="time" inputmode="numeric" placeholder="HH:mm:ss" data-field="time" .value=${this.timeText}
        @change=${(e: Event) => (this.timeText = (e.target as HTMLInputElement).value)} /></label>
      <button type="submit" class="primary" data-action="open">${t('review.open')}</button>
      <span class="tz">${t('header.clock')}</span>
      ${this.me && this.me.lookbackDays !== null ? html`<span class="tz" data-lookback=${this.me.lookbackDays}>${t('review.lookback', { days: this.me.lookbackDays })}</span>` : nothing}
    </form>`;
  }

  override render(): unknown {
    const s = this.session;
    const n = this.sessionCameras.length;
    const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
    const exports = exportGroups(this.sessionCameras, this.me, this.wardCameras, (c) => this.name(c));
    const rows: TimelineRow[] = this.sessionCameras.map((c) => ({ camera: c, name: this.name(c), spans: this.timeline.spans.get(c)?.spans ?? null, failed: this.timeline.spans.get(c)?.failed ?? false, outages: this.timeline.outages.get(c) ?? [] }));
    return html`
      ${this.renderPicker()}
      ${this.formError ? html`<div class="form-error" role="alert">${this.formError}</div>` : nothing}
      ${this.replay
        ? html`<div class="replay" role="status">${t('follow.replayHop', {
            n: this.replay.index + 1,
            total: this.replay.trail.hops.length,
            name: this.name(this.replay.trail.hops[this.replay.index]!.cameraId),
          })}</div>`
        : nothing}
      ${s
        ? html`
            <div class="grid" style="--cols:${cols};--rows:${Math.ceil(n / cols)}">
              ${this.sessionCameras.map((c, i) => html`<ww-review-tile data-index=${i} .cameraId=${c} .cameraName=${this.name(c)} .session=${s}></ww-review-tile>`)}
            </div>
            ${transportTemplate(s, {
              position: this.position,
              sessionCameras: this.sessionCameras,
              gotoText: this.gotoText,
              setGotoText: (v) => (this.gotoText = v),
              goto: () => this.goto(),
              bookmark: () => this.requestBookmark(),
              followPast: (detail) => this.dispatchEvent(new CustomEvent('ww-follow-past', { detail, bubbles: true, composed: true })),
            })}
            <ww-timeline .rows=${rows} .view=${this.view} .position=${this.position} .api=${this.api} .marks=${this.marks()}
              @ww-seek=${(e: CustomEvent<{ at: number }>) => s.seek(e.detail.at)}
              @ww-view=${(e: CustomEvent<{ view: View }>) => ((this.view = e.detail.view), this.timeline.setView(e.detail.view))}></ww-timeline>
            ${exports.map((g) =>
              g.ward === null
                ? html`<ww-export .api=${this.api} .cameras=${g.cameras} .position=${this.position}></ww-export>`
                : html`<ww-export data-ward=${g.ward} .api=${this.wardApi(g.ward)} .cameras=${g.cameras} .position=${this.position}
                    .heading=${t('export.titleWard', { ward: g.wardName ?? g.ward })}></ww-export>`,
            )}
          `
        : html`<div class="empty">${t('review.pickCameras')}</div>`}
    `;
  }

  /** The export panel of the station's own cameras, else the first (for mark-in/out from outside, and tests). */
  get exportPanel(): WwExport | null {
    return this.renderRoot.querySelector('ww-export:not([data-ward])') ?? this.renderRoot.querySelector('ww-export');
  }

  /** A ward's exports go through the centre (`/api/city/<ward>/exports…`): one API per ward, kept. */
  private wardApi(ward: string): RecorderApi | null {
    if (!this.api) return null;
    let api = this.wardApis.get(ward);
    if (!api || this.wardApisOf !== this.api) {
      if (this.wardApisOf !== this.api) this.wardApis.clear();
      this.wardApisOf = this.api;
      api = this.api.forWard(ward);
      this.wardApis.set(ward, api);
    }
    return api;
  }
  private readonly wardApis = new Map<string, RecorderApi>();
  private wardApisOf: RecorderApi | null = null;

  static override styles = [theme, formControls, timeInput, wwReviewStyles];
}

customElements.define('ww-review', WwReview);

declare global {
  interface HTMLElementTagNameMap {
    'ww-review': WwReview;
  }
}
