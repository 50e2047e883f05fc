// Over ~350 lines (by ~35): the pursuit's layout (centre, ring of neighbours by side) and its keys;
// the trails are in controllers/follow-trails.ts, the look in ww-follow.styles.ts.
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CameraInfo, ResolvedNeighbour } from '@wardwall/common';
import { NEIGHBOUR_DIRECTIONS, neighbourOnSide, type NeighbourDirection } from '@wardwall/common/neighbours';
import { LocaleController } from '../../controllers/locale.js';
import { ReviewSession } from '../../controllers/review-session.js';
import { WarmConsumersController } from '../../controllers/warm-consumers.js';
import { fromDateTimeInputs, hcmDateInput, hcmTimeText } from '../../core/hcm-time.js';
import { newRecordId } from '../../core/ids.js';
import type { WardArea } from '../../core/city.js';
import { addHop, endTrail, isOpen, startTrail, type Trail } from '../../core/trail.js';
import { t } from '../../i18n/i18n.js';
import { resolveShortcut, type FollowAction } from '../../core/shortcuts.js';
import type { LiveMediaService } from '../../services/live-media.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import type { TrailStore } from '../../services/trail-store.js';
import { theme } from '../../styles/theme.js';
import { formControls, errorText } from '../../styles/forms.js';
import '../ww-tile/ww-tile.js';
import '../ww-review-tile/ww-review-tile.js';
import '../ww-map/ww-map.js';
import '../ww-trail/ww-trail.js';
import { wwFollowStyles } from './ww-follow.styles.js';
import { FollowTrailsController } from '../../controllers/follow-trails.js';

const ARROW_SIDES: Record<string, NeighbourDirection> = { ArrowUp: 'ahead', ArrowRight: 'right', ArrowDown: 'behind', ArrowLeft: 'left' };
const RING_DELAY_MS = 400;
const sideLabel = (side: NeighbourDirection): string =>
  ({ ahead: t('follow.dir.ahead'), right: t('follow.dir.right'), behind: t('follow.dir.behind'), left: t('follow.dir.left') })[side];
const SIDE_ARROWS: Record<NeighbourDirection, string> = { ahead: '↑', right: '→', behind: '↓', left: '←' };

/**
 * Follow mode (pursuit): the followed camera large in the centre, its neighbours around it, each on
 * the side it lies on (ahead above, behind below, left, right; see common/src/neighbours.ts). A click
 * or an arrow key on a neighbour makes it the centre. Live, the neighbours' main streams are kept
 * warm (WarmConsumersController) so the centre shows live video at once; on a recording ("follow in
 * the past") every tile plays the same instant of one review clock, so a hop lands on the neighbour
 * at the same moment. Every hop is recorded in a trail (camera, time in, time out), saved at once.
 *
 * Test hooks: `[data-role=centre]` tile (camera-id, frames), `[data-neighbour][data-direction]`
 * wrappers, attributes `centre`, `source` (live/recording), `warm` (warm consumer count).
 */
export class WwFollow extends LitElement {
  static override properties = {
    cameras: { attribute: false },
    camerasLoaded: { attribute: false },
    live: { attribute: false },
    wardAreas: { attribute: false },
    recorder: { attribute: false },
    trails: { attribute: false },
    serverConnected: { attribute: false },
    centre: { type: String, reflect: true },
    source: { type: String, reflect: true },
    trail: { state: true },
    saved: { state: true },
    shown: { state: true },
    dateText: { state: true },
    timeText: { state: true },
    position: { state: true },
    error: { state: true },
    exportNote: { state: true },
    ring: { type: String, reflect: true },
  };

  declare cameras: ReadonlyMap<string, CameraInfo>;
  declare camerasLoaded: boolean;
  declare live: LiveMediaService | null;
  /** City centre: the wards' maps on the city map (docs/city.md). */
  declare wardAreas: readonly WardArea[];
  declare recorder: RecorderApi | null;
  declare trails: TrailStore | null;
  declare serverConnected: boolean;
  declare centre: string;
  declare source: 'live' | 'recording';
  /** The trail being followed now (null when not following). */
  declare trail: Trail | null;
  /** Saved trails, newest first. */
  declare saved: Trail[];
  /** The saved trail shown on the map and in the list (when not following). */
  declare shown: string | null;
  declare dateText: string;
  declare timeText: string;
  declare position: number;
  declare error: string | null;
  /** The trail export in progress or done (with its download link). */
  declare exportNote: { text: string; href?: string; failed?: boolean } | null;
  /**
   * The camera whose neighbours the ring of tiles shows. After a hop it follows the centre once
   * the new centre presented its first frame (at most RING_DELAY_MS later), so building the new
   * neighbour tiles never delays the picture that matters.
   */
  declare ring: string;
  private ringTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly warmer = new WarmConsumersController(this);
  private session: ReviewSession | null = null;
  private sessionOffs: (() => void)[] = [];
  private readonly onKey = (e: KeyboardEvent): void => this.handleKey(e);
  /** The trails: save queue, saved list, resume, delete, export (controllers/follow-trails.ts). */
  private readonly trailStore = new FollowTrailsController(this);

  constructor() {
    super();
    new LocaleController(this);
    this.cameras = new Map();
    this.camerasLoaded = false;
    this.live = null;
    this.wardAreas = [];
    this.recorder = null;
    this.trails = null;
    this.serverConnected = false;
    this.centre = '';
    this.source = 'live';
    this.trail = null;
    this.saved = [];
    this.shown = null;
    const start = Date.now() - 5 * 60_000;
    this.dateText = hcmDateInput(start);
    this.timeText = hcmTimeText(start);
    this.position = 0;
    this.error = null;
    this.exportNote = null;
    this.ring = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
    this.closeSession();
  }

  /** Settles once the saved trails are read (and this browser's unfinished pursuit resumed). */
  get ready(): Promise<void> {
    return this.trailStore.ready;
  }

  /** The neighbours of the centre camera (resolved by the server). */
  get neighbours(): ResolvedNeighbour[] {
    const list = this.cameras.get(this.centre)?.neighbours ?? [];
    return list.filter((n) => this.cameras.has(n.id));
  }

  /** Cameras whose consumers are warm now (tests, benchmark). */
  get warm(): string[] {
    return this.warmer.warm;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The ring's cameras are kept warm: after a hop the new neighbours' consumers are opened once
    // the ring moves (after the new centre's first frame), so their set-up does not compete with it.
    const wantWarm = this.source === 'live' && this.centre ? this.ringNeighbours.map((n) => n.id) : [];
    this.warmer.set(this.live, this.cameras, wantWarm);
    if (changed.has('cameras') && this.centre && this.camerasLoaded && !this.cameras.has(this.centre)) this.centre = '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The app keeps the centre (and the instant on a recording) in the address bar.
    if (changed.has('centre') || changed.has('source')) this.dispatchEvent(new CustomEvent('ww-view-change', { bubbles: true, composed: true }));
    this.setAttribute('warm', String(this.warmer.warm.length));
    if (this.ring !== this.centre && !this.ringTimer) this.moveRing();
  }

  private moveRing(): void {
    const target = this.centre;
    const done = (): void => {
      if (this.ringTimer) clearTimeout(this.ringTimer);
      this.ringTimer = null;
      this.ring = this.centre;
    };
    const video = this.renderRoot.querySelector('[data-role=centre]')?.shadowRoot?.querySelector('video');
    if (!this.ring || !target || !video || this.source !== 'live') return done();
    this.ringTimer = setTimeout(done, RING_DELAY_MS);
    // The first frame presented after the switch is the new centre's (the tile cleared the old one).
    video.requestVideoFrameCallback?.(() => this.centre === target && done());
  }

  /** The neighbours the ring shows (those of `ring`). */
  private get ringNeighbours(): ResolvedNeighbour[] {
    const list = this.cameras.get(this.ring)?.neighbours ?? [];
    return list.filter((n) => this.cameras.has(n.id) && n.id !== this.centre);
  }

  // --- following -------------------------------------------------------------------------------

  /** The time a hop happens at: now live, the review clock on a recording. */
  private now(): number {
    return this.source === 'recording' && this.session ? Math.round(this.session.clock.position()) : Date.now();
  }

  /** Makes `cameraId` the centre (a hop when following; starts a trail otherwise). */
  follow(cameraId: string): void {
    if (!this.cameras.has(cameraId) || cameraId === this.centre) return;
    const at = this.now();
    this.centre = cameraId;
    this.error = null;
    const trail = this.trail && isOpen(this.trail) ? addHop(this.trail, cameraId, at) : this.newTrail(cameraId, at);
    this.trailStore.setTrail(trail);
  }

  private newTrail(cameraId: string, at: number): Trail {
    const title = t('follow.trailTitle', { time: hcmTimeText(at) });
    return startTrail(newRecordId(), title, this.source, cameraId, at);
  }

  /** Ends the pursuit: the trail's last hop gets its time out. */
  stop(): void {
    if (this.trail && isOpen(this.trail)) this.trailStore.setTrail(endTrail(this.trail, this.now()));
    this.trail = null;
    this.centre = '';
  }

  private handleKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || !this.isConnected) return;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(origin.tagName))) return;
    const hit = resolveShortcut('follow', e, 'follow');
    if (!hit || this.keyActions[hit.action](e) === false) return;
    e.preventDefault();
  }

  /** What each of follow's shortcuts does (core/shortcuts.ts holds the keys and the help lines); false: not handled. */
  private readonly keyActions: Record<FollowAction, (e: KeyboardEvent) => boolean | void> = {
    hop: (e) => {
      const side = ARROW_SIDES[e.key];
      const id = side ? neighbourOnSide(this.neighbours, side) : null;
      if (id) this.follow(id);
    },
    playPause: () => {
      if (!this.session) return false;
      this.session.toggle();
    },
  };

  // --- follow in the past ----------------------------------------------------------------------

  /** Follows on the recording from `start` (same navigation; hops keep the instant). */
  openPast(start: number | null = fromDateTimeInputs(this.dateText, this.timeText)): boolean {
    if (!this.recorder || start === null) {
      this.error = t('review.badTime');
      return false;
    }
    if (this.trail && isOpen(this.trail)) this.trailStore.setTrail(endTrail(this.trail, this.now()));
    this.trail = null;
    this.closeSession();
    const session = new ReviewSession(this.recorder, Math.min(start, Date.now() - 2000));
    this.session = session;
    this.source = 'recording';
    this.position = session.clock.position();
    this.sessionOffs.push(
      session.on('tick', (p) => (this.position = p)),
      session.on('change', () => this.requestUpdate()),
    );
    const centre = this.centre;
    this.centre = '';
    if (centre) this.follow(centre);
    session.play();
    return true;
  }

  /** Follows `cameraId` on the recording from `at` (review mode's "follow from here"). */
  followPast(cameraId: string, at: number): void {
    if (this.trail && isOpen(this.trail)) this.trailStore.setTrail(endTrail(this.trail, this.now()));
    this.trail = null;
    this.centre = this.cameras.has(cameraId) ? cameraId : '';
    this.openPast(at);
  }

  /** Back to live following. */
  backToLive(): void {
    if (this.trail && isOpen(this.trail)) this.trailStore.setTrail(endTrail(this.trail, this.now()));
    this.trail = null;
    this.closeSession();
    this.source = 'live';
    const centre = this.centre;
    this.centre = '';
    if (centre) this.follow(centre);
  }

  private closeSession(): void {
    for (const off of this.sessionOffs.splice(0)) off();
    this.session?.close();
    this.session = null;
  }

  // --- rendering -------------------------------------------------------------------------------

  private renderTile(cameraId: string, role: 'centre' | 'neighbour'): unknown {
    const cam = this.cameras.get(cameraId);
    if (this.source === 'recording' && this.session) {
      return html`<ww-review-tile data-role=${role} .cameraId=${cameraId} .cameraName=${cam?.name ?? cameraId} .session=${this.session}></ww-review-tile>`;
    }
    return html`<ww-tile data-role=${role} .cameraId=${cameraId} .camera=${cam} .camerasLoaded=${this.camerasLoaded} .live=${this.live}
      .serverConnected=${this.serverConnected}></ww-tile>`;
  }

  private renderSide(side: NeighbourDirection): unknown {
    const list = this.ringNeighbours.filter((n) => n.direction === side);
    return html`<div class="side ${side}" data-side=${side}>
      ${repeat(
        list,
        (n) => n.id,
        (n) => html`<div class="nb" data-neighbour=${n.id} data-direction=${side} role="button" tabindex="0"
            title=${t('follow.hopTo', { name: this.cameras.get(n.id)?.name ?? n.id })}
            @click=${(e: Event) => (e.stopPropagation(), this.follow(n.id))}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.follow(n.id)}>
          <span class="dir">${SIDE_ARROWS[side]} ${sideLabel(side)}</span>
          ${this.renderTile(n.id, 'neighbour')}
        </div>`,
      )}
    </div>`;
  }

  private renderPastBar(): unknown {
    const s = this.session;
    if (this.source === 'recording' && s) {
      return html`<div class="bar past">
        <button type="button" data-action="back10" @click=${() => s.jump(-10_000)}>−10s</button>
        <button type="button" class="primary" data-action="play" @click=${() => s.toggle()}>${s.clock.playing ? '❚❚' : '▶︎'}</button>
        <button type="button" data-action="fwd10" @click=${() => s.jump(10_000)}>+10s</button>
        <span class="clock" data-position=${Math.round(this.position)}>${hcmTimeText(this.position)}</span>
        <button type="button" data-action="live" @click=${() => this.backToLive()}>${t('follow.backToLive')}</button>
      </div>`;
    }
    return html`<form class="bar" @submit=${(e: Event) => (e.preventDefault(), this.openPast())}>
      <span class="hint">${t('follow.hint')}</span>
      <label>${t('review.date')} <input type="date" data-field="date" .value=${this.dateText} @change=${(e: Event) => (this.dateText = (e.target as HTMLInputElement).value)} /></label>
      <label>${t('review.time')} <input type="text" class="time" placeholder="HH:mm:ss" data-field="time" .value=${this.timeText}
        @change=${(e: Event) => (this.timeText = (e.target as HTMLInputElement).value)} /></label>
      <button type="submit" data-action="past" ?disabled=${!this.recorder}>${t('follow.past')}</button>
    </form>`;
  }

  override render(): unknown {
    const current = this.trail;
    const trails = current ? [current, ...this.saved.filter((tr) => tr.id !== current.id)] : this.saved;
    const shownTrail = trails.find((tr) => tr.id === this.shown) ?? current;
    const centre = this.centre;
    return html`
      <aside>
        <ww-map .cameras=${this.cameras} .wardAreas=${this.wardAreas} .centre=${centre || null} .neighbours=${this.neighbours.map((n) => n.id)} .trail=${shownTrail}
          @ww-map-pick=${(e: CustomEvent<{ cameraId: string }>) => this.follow(e.detail.cameraId)}></ww-map>
        <ww-trail .trails=${trails} .current=${this.trail?.id ?? null} .shown=${shownTrail?.id ?? null} .cameras=${this.cameras}
          @ww-trail-show=${(e: CustomEvent<{ id: string }>) => (this.shown = e.detail.id)}
          @ww-trail-stop=${() => this.stop()}
          @ww-trail-export=${(e: CustomEvent<{ trail: Trail }>) => void this.trailStore.exportTrail(e.detail.trail.id)}
          @ww-trail-delete=${(e: CustomEvent<{ id: string }>) => void this.trailStore.deleteTrail(e.detail.id)}></ww-trail>
        ${this.exportNote
          ? html`<p class="export ${this.exportNote.failed ? 'failed' : ''}" role="status">
              ${this.exportNote.href ? html`<a href=${this.exportNote.href} download data-action="download">${this.exportNote.text}</a>` : this.exportNote.text}
            </p>`
          : nothing}
      </aside>
      <section class="stage">
        ${this.renderPastBar()}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        ${centre
          ? html`<div class="grid">
              ${NEIGHBOUR_DIRECTIONS.map((side) => this.renderSide(side))}
              <div class="centre">${this.renderTile(centre, 'centre')}</div>
            </div>`
          : html`<div class="empty">${t('follow.pick')}</div>`}
      </section>
    `;
  }

  static override styles = [theme, formControls, errorText, wwFollowStyles];
}

customElements.define('ww-follow', WwFollow);

declare global {
  interface HTMLElementTagNameMap {
    'ww-follow': WwFollow;
  }
}
