/**
 * The application shell: holds the state the page renders from (wall, selection, page, overlays,
 * connection, cameras), passes services down, and wires the parts that do the work:
 * app/wall-state.ts (the wall and its persistence), app/app-keys.ts (the keyboard, through
 * core/shortcuts.ts), app/screen.ts (phone swipe, full screen), app/url-sync.ts (the address bar),
 * app/display-view.ts (a duty-room display's kiosk view) and app/notices.ts (link and urgent bars).
 * Longer than ~350 lines because its template wires every page and overlay (about 130 lines) and it
 * keeps the public methods main.ts and the e2e tests call (setLayout, putCamera, setMode, ...).
 */
import { LitElement, html, nothing } from 'lit';
import type { CameraInfo, DisplayState } from '@wardwall/common';
import { tileCount, type LayoutName } from '../../core/layout.js';
import { shortcutMode, type ShortcutMode } from '../../core/shortcuts.js';
import { camerasOnWall, pickTarget } from '../../core/wall-ops.js';
import { LocaleController } from '../../controllers/locale.js';
import { t, type Lang } from '../../i18n/i18n.js';
import type { CameraStore } from '../../services/camera-store.js';
import type { LiveMediaService } from '../../services/live-media.js';
import type { ConnectionState, SignalingClient } from '../../services/signaling.js';
import { DEFAULT_WALL_STATE, emptyTiles, type WallState, type WallStore } from '../../storage/wall-store.js';
import { theme } from '../../styles/theme.js';
import type { TileDropDetail } from '../ww-tile/ww-tile.js';
import type { WwWall } from '../ww-wall/ww-wall.js';
import '../ww-header/ww-header.js';
import '../ww-camera-list/ww-camera-list.js';
import '../ww-wall/ww-wall.js';
import '../ww-help/ww-help.js';
import '../ww-review/ww-review.js';
import '../ww-bookmarks/ww-bookmarks.js';
import '../ww-bookmark-form/ww-bookmark-form.js';
import type { BookmarkDraft } from '../ww-bookmark-form/ww-bookmark-form.js';
import type { BookmarkOpenDetail } from '../ww-bookmarks/ww-bookmarks.js';
import type { WwTile } from '../ww-tile/ww-tile.js';
import '../ww-follow/ww-follow.js';
import '../ww-map/ww-map.js';
import type { Trail } from '../../core/trail.js';
import type { TrailStore } from '../../services/trail-store.js';
import type { WwReview } from '../ww-review/ww-review.js';
import type { WwFollow } from '../ww-follow/ww-follow.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import type { AuthApi } from '../../services/auth-api.js';
import { availablePages, permittedCameras, permittedTiles, type AppPage, type Me } from '../../core/access.js';
import '../ww-admin/ww-admin.js';
import '../ww-audit/ww-audit.js';
import '../ww-password/ww-password.js';
import type { BookmarkService, LocalBookmark } from '../../services/bookmarks.js';
import type { HealthAlertService } from '../../services/health-alerts.js';
import type { TileHealth } from '../../core/health-alerts.js';
import '../ww-alerts/ww-alerts.js';
import { ResidentsApi } from '../../services/residents-api.js';
import '../ww-residents/ww-residents.js';
import type { DisplaysClient } from '../../services/displays.js';
import type { LinkMonitor } from '../../services/link-monitor.js';
import { DEFAULT_LINK_POLICY, type LinkLevel } from '../../core/link-quality.js';
import '../ww-displays/ww-displays.js';
import type { ParsedUrl } from '../../core/url-state.js';
import type { FirstWall } from '../../core/wall-settings.js';
import { WallStateController } from '../../app/wall-state.js';
import { AppKeysController } from '../../app/app-keys.js';
import { ScreenController } from '../../app/screen.js';
import { UrlSyncController } from '../../app/url-sync.js';
import { renderDisplayView } from '../../app/display-view.js';
import { renderLinkNotice, renderUrgentNotice, type LinkNotice } from '../../app/notices.js';
import { wwAppStyles } from './ww-app.styles.js';

export type AppMode = AppPage;
export type { LinkNotice } from '../../app/notices.js';

export interface AppServices {
  signaling: SignalingClient;
  cameras: CameraStore;
  live: LiveMediaService;
  store: WallStore;
  recorder: RecorderApi;
  auth: AuthApi;
  trails: TrailStore;
  bookmarks: BookmarkService;
  /** Camera health alerts (tile badges, alerts panel, outage bands). */
  alerts?: HealthAlertService;
  displays: DisplaysClient;
  link: LinkMonitor;
}

export class WwApp extends LitElement {
  static override properties = {
    services: { attribute: false },
    wall: { state: true },
    connection: { state: true },
    cameraMap: { state: true },
    camerasLoaded: { state: true },
    selected: { state: true },
    expanded: { state: true },
    helpOpen: { state: true },
    mode: { state: true },
    me: { attribute: false },
    passwordOpen: { state: true },
    bookmarksOpen: { state: true },
    bookmarkDraft: { state: true },
    health: { state: true },
    displayName: { attribute: false },
    display: { state: true },
    phone: { state: true },
    linkLevel: { state: true },
    startedOffline: { state: true },
    urgentNotices: { state: true },
    mapOpen: { state: true },
    linkNotice: { state: true },
  };

  declare services: AppServices | null;
  declare wall: WallState;
  declare connection: ConnectionState;
  declare cameraMap: ReadonlyMap<string, CameraInfo>;
  declare camerasLoaded: boolean;
  declare selected: number | null;
  declare expanded: number | null;
  declare helpOpen: boolean;
  declare mode: AppMode;
  /** The signed-in viewer: only cameras it may watch are listed and shown. */
  declare me: Me | null;
  declare passwordOpen: boolean;
  declare bookmarksOpen: boolean;
  declare bookmarkDraft: BookmarkDraft | null;
  declare health: ReadonlyMap<string, TileHealth>;
  /** Set when this window runs as a duty-room display (kiosk): `?display=<name>`. */
  declare displayName: string | null;
  /** That display's state, pushed by the server. */
  declare display: DisplayState | null;
  declare phone: boolean;
  declare linkLevel: LinkLevel;
  /** Started from the saved sign-in without the server (a reload while offline): what is shown is this browser's. */
  declare startedOffline: boolean;
  /** Bookmarks another operator just marked urgent (newest first, at most 3), until opened or dismissed. */
  declare urgentNotices: readonly LocalBookmark[];
  /** The mini map under the camera list is shown (it folds away to leave the list more room). */
  declare mapOpen: boolean;
  declare linkNotice: LinkNotice | null;
  /** The link this page was opened with (`location.search`), applied once the wall is up. */
  pendingLink: ParsedUrl | null = null;

  /** The wall and its persistence. */
  readonly wallState = new WallStateController(this);
  /** The address bar. */
  readonly url = new UrlSyncController(this);
  /** Phone swipe and full screen. */
  readonly screen = new ScreenController(this);
  private readonly unsubscribe: (() => void)[] = [];
  private readonly residentsApi = new ResidentsApi();

  constructor() {
    super();
    new LocaleController(this);
    new AppKeysController(this);
    this.services = null;
    this.wall = { ...DEFAULT_WALL_STATE, tiles: emptyTiles() };
    this.connection = { phase: 'connecting', attempt: 0 };
    this.cameraMap = new Map();
    this.camerasLoaded = false;
    this.selected = null;
    this.expanded = null;
    this.helpOpen = false;
    this.mode = 'live';
    this.me = null;
    this.startedOffline = false;
    this.urgentNotices = [];
    this.mapOpen = true;
    this.linkNotice = null;
    this.passwordOpen = false;
    this.bookmarksOpen = false;
    this.bookmarkDraft = null;
    this.health = new Map();
    this.displayName = null;
    this.display = null;
    this.phone = this.screen.isPhone;
    this.linkLevel = 'good';
  }

  /** The pages the viewer may open. */
  get pages(): AppPage[] {
    return availablePages(this.me);
  }

  /** Switches between the live wall, review of recordings, and the admin and audit pages. */
  setMode(mode: AppMode): void {
    if (!this.pages.includes(mode)) return;
    this.mode = mode;
    this.expanded = null;
  }

  /** The mode whose keys are read now (and listed by the help). */
  get shortcutMode(): ShortcutMode {
    return this.displayName ? 'kiosk' : shortcutMode(this.mode);
  }

  // --- the wall (app/wall-state.ts; these stay on the element for main.ts and the e2e tests) ---

  /** Applies the state loaded from storage (before or after connecting). */
  restore(state: WallState): void {
    this.wallState.restore(state);
  }

  /** The first wall of a browser with no wall of its own, saved at once. */
  applyFirstWall(first: FirstWall): void {
    this.wallState.applyFirstWall(first);
  }

  setLayout(layout: LayoutName): void {
    this.wallState.setLayout(layout);
  }

  setLanguage(lang: Lang): void {
    this.wallState.setLanguage(lang);
  }

  toggleStats(): void {
    this.wallState.toggleStats();
  }

  putCamera(index: number, cameraId: string | null): void {
    this.wallState.putCamera(index, cameraId);
  }

  swap(from: number, to: number): void {
    this.wallState.swap(from, to);
  }

  toggleFullscreen(): void {
    this.screen.toggleFullscreen();
  }

  // --- lifecycle ------------------------------------------------------------------------------

  protected override firstUpdated(): void {
    const link = this.pendingLink;
    if (this.displayName) return;
    this.pendingLink = null;
    this.url.start(link);
  }

  protected override updated(changed: Map<string, unknown>): void {
    this.url.updated(changed);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const s = this.services;
    if (s) {
      this.connection = s.signaling.state;
      this.syncCameras();
      this.unsubscribe.push(
        s.signaling.on('state', (state) => (this.connection = state)),
        s.cameras.on('change', () => this.syncCameras()),
        s.displays.on('mine', (d) => (this.display = d)),
        s.link.on('level', (level) => (this.linkLevel = level)),
        s.bookmarks.on('urgent', (b) => (this.urgentNotices = [b, ...this.urgentNotices.filter((x) => x.id !== b.id)].slice(0, 3))),
      );
      const alerts = s.alerts;
      if (alerts) {
        this.health = alerts.byCamera;
        this.unsubscribe.push(alerts.on('change', () => (this.health = alerts.byCamera)));
      }
      if (this.displayName) this.display = s.displays.get(this.displayName) ?? null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private syncCameras(): void {
    const store = this.services?.cameras;
    if (!store) return;
    this.cameraMap = store.snapshot();
    this.camerasLoaded = store.loaded;
  }

  // --- events from children ------------------------------------------------------------------

  private onPick(e: CustomEvent<{ cameraId: string }>): void {
    const target = pickTarget(permittedTiles(this.me, this.wall.tiles), this.wall.layout, this.selected);
    this.wallState.putCamera(target, e.detail.cameraId);
  }

  private onDrop(e: CustomEvent<TileDropDetail>): void {
    const { index, cameraId, fromIndex } = e.detail;
    if (fromIndex !== undefined) this.wallState.swap(fromIndex, index);
    else if (cameraId) this.wallState.putCamera(index, cameraId);
  }

  // --- bookmarks -----------------------------------------------------------------------------

  /** A live tile's bookmark: the instant of the frame on screen, in server time (browser clock corrected). */
  private onTileBookmark(e: CustomEvent<{ cameraId: string; at: number | null; urgent?: boolean }>): void {
    const svc = this.services?.bookmarks;
    if (!svc) return;
    const offset = svc.serverNow() - Date.now();
    const at = Math.round((e.detail.at ?? Date.now()) + offset);
    this.bookmarkDraft = { cameras: [e.detail.cameraId], startMs: at, endMs: at, noFrame: e.detail.at === null, urgent: !!e.detail.urgent };
  }

  /** Bookmarks the frame on the selected (or expanded) tile: key B (Shift+B: urgent). */
  bookmarkSelectedTile(urgent = false): void {
    const index = this.selected ?? this.expanded;
    if (index === null) return;
    const wall = this.renderRoot.querySelector<WwWall>('ww-wall');
    const tile = wall?.renderRoot.querySelector<WwTile>(`ww-tile[data-index="${index}"]`);
    tile?.requestBookmark(urgent);
  }

  private dismissUrgent(id: string): void {
    this.urgentNotices = this.urgentNotices.filter((x) => x.id !== id);
  }

  private renderUrgent(b: LocalBookmark): unknown {
    return renderUrgentNotice(
      b,
      this.cameraMap,
      () => (this.dismissUrgent(b.id), void this.openBookmark({ cameras: b.cameras, at: b.startMs })),
      () => this.dismissUrgent(b.id),
    );
  }

  /** Opens review on a bookmark's cameras at its moment. */
  async openBookmark(detail: BookmarkOpenDetail): Promise<void> {
    this.setMode('review');
    this.bookmarksOpen = false;
    await this.updateComplete;
    const review = this.renderRoot.querySelector('ww-review');
    if (!review) return;
    await review.updateComplete;
    review.selected = detail.cameras.slice();
    review.open(detail.cameras, detail.at);
  }

  /** Follow mode on the recording, from a camera and an instant of review mode. */
  followPast(cameraId: string, at: number): void {
    this.setMode('follow');
    void this.updateComplete.then(() => this.renderRoot.querySelector<WwFollow>('ww-follow')?.followPast(cameraId, at));
  }

  /** Replays a pursuit trail in review mode: each camera at its time, in sequence. */
  replayTrail(trail: Trail): void {
    this.setMode('review');
    void this.updateComplete.then(() => this.renderRoot.querySelector<WwReview>('ww-review')?.replayTrail(trail));
  }

  // --- rendering -----------------------------------------------------------------------------

  private cameraNames(): Map<string, string> {
    return new Map([...this.cameraMap.values()].map((c) => [c.id, c.name]));
  }

  /** Kiosk view of a duty-room display (app/display-view.ts). */
  private renderDisplay(): unknown {
    return renderDisplayView({
      name: this.displayName,
      display: this.display,
      online: this.connection.phase === 'open',
      cameras: this.cameraMap,
      camerasLoaded: this.camerasLoaded,
      live: this.services?.live ?? null,
      linkLevel: this.linkLevel,
      onClick: () => !document.fullscreenElement && this.toggleFullscreen(),
    });
  }

  override render(): unknown {
    if (this.displayName) return this.renderDisplay();
    const s = this.services;
    const liveMap = permittedCameras(this.me, 'live', this.cameraMap);
    const playbackMap = permittedCameras(this.me, 'playback', this.cameraMap);
    const cameras = [...liveMap.values()];
    const tiles = permittedTiles(this.me, this.wall.tiles);
    return html`
      <ww-header
        .connection=${this.connection}
        .layout=${this.wall.layout}
        .showStats=${this.wall.showStats}
        .mode=${this.mode}
        .pages=${this.pages}
        .me=${this.me}
        @ww-mode=${(e: CustomEvent<{ mode: AppMode }>) => this.setMode(e.detail.mode)}
        @ww-layout=${(e: CustomEvent<{ layout: LayoutName }>) => this.wallState.setLayout(e.detail.layout)}
        @ww-lang=${(e: CustomEvent<{ lang: Lang }>) => this.wallState.setLanguage(e.detail.lang)}
        @ww-toggle-stats=${() => this.wallState.toggleStats()}
        @ww-fullscreen=${() => this.toggleFullscreen()}
        @ww-help=${() => (this.helpOpen = !this.helpOpen)}
        @ww-password-open=${() => (this.passwordOpen = true)}
        @ww-bookmarks=${() => (this.bookmarksOpen = !this.bookmarksOpen)}
        @ww-copy-link=${() => void this.url.copyLink()}
      ></ww-header>
      ${this.linkNotice ? renderLinkNotice(this.linkNotice, () => (this.linkNotice = null)) : nothing}
      ${this.mode === 'displays'
        ? html`<ww-displays class="review" .client=${s?.displays ?? null} .cameras=${this.cameraMap} .wallLayout=${this.wall.layout}
            .wallTiles=${this.wall.tiles.slice(0, tileCount(this.wall.layout))}
            @ww-register-display=${(e: CustomEvent<{ name: string }>) => this.dispatchEvent(new CustomEvent('ww-register-display', { detail: e.detail }))}></ww-displays>`
        : nothing}
      ${this.mode === 'review'
        ? html`<ww-review class="review" @ww-view-change=${this.url.onViewChange} .api=${s?.recorder ?? null} .bookmarks=${s?.bookmarks ?? null} .cameras=${playbackMap} .me=${this.me} .health=${s?.alerts ?? null}
            @ww-bookmark-request=${(e: CustomEvent<BookmarkDraft>) => (this.bookmarkDraft = e.detail)}
            @ww-follow-past=${(e: CustomEvent<{ cameraId: string; at: number }>) => this.followPast(e.detail.cameraId, e.detail.at)}
            .initialCameras=${[...camerasOnWall(tiles, this.wall.layout)]}></ww-review>`
        : nothing}
      ${this.mode === 'follow'
        ? html`<ww-follow class="follow" @ww-view-change=${this.url.onViewChange} .cameras=${liveMap} .camerasLoaded=${this.camerasLoaded} .live=${s?.live ?? null}
            .recorder=${s?.recorder ?? null} .trails=${s?.trails ?? null} .serverConnected=${this.connection.phase === 'open'}
            @ww-trail-replay=${(e: CustomEvent<{ trail: Trail }>) => this.replayTrail(e.detail.trail)}></ww-follow>`
        : nothing}
      ${this.mode === 'admin' ? html`<ww-admin class="page" .api=${s?.auth ?? null} .cameras=${this.cameraMap} .me=${this.me} .wall=${{ layout: this.wall.layout, tiles: this.wall.tiles.slice(0, tileCount(this.wall.layout)) }}></ww-admin>` : nothing}
      ${this.mode === 'residents' ? html`<ww-residents class="page" .api=${this.residentsApi}></ww-residents>` : nothing}
      ${this.mode === 'audit' ? html`<ww-audit class="page" .api=${s?.auth ?? null} .cameras=${this.cameraMap}></ww-audit>` : nothing}
      ${this.startedOffline && this.connection.phase !== 'open'
        ? html`<div class="link-poor" data-offline-start role="status">${t('app.offlineStart')}</div>`
        : nothing}
      ${this.urgentNotices.map((b) => this.renderUrgent(b))}
      ${this.linkLevel === 'poor' && this.mode === 'live'
        ? html`<div class="link-poor" data-link="poor" role="status">${t('link.poor', { live: DEFAULT_LINK_POLICY.poorLiveTiles })}</div>`
        : nothing}
      <main ?hidden=${this.mode !== 'live'} @touchstart=${this.screen.onTouchStart} @touchend=${this.screen.onTouchEnd}>
        <div class="side">
          <ww-camera-list .cameras=${cameras} .loaded=${this.camerasLoaded} .onWall=${camerasOnWall(tiles, this.wall.layout)}
            .stale=${this.connection.phase !== 'open'} @ww-camera-pick=${this.onPick}></ww-camera-list>
          <section class="minimap-box" data-open=${this.mapOpen ? 'true' : 'false'}>
            <button type="button" class="fold" data-action="toggle-map" aria-expanded=${this.mapOpen ? 'true' : 'false'}
              @click=${() => (this.mapOpen = !this.mapOpen)}>${this.mapOpen ? '▾' : '▸'} ${t('map.title')}</button>
            ${this.mapOpen
              ? html`<ww-map class="minimap" .cameras=${liveMap} .neighbours=${[]} .centre=${null} .health=${this.health}
                  @ww-map-pick=${(e: CustomEvent<{ cameraId: string }>) => this.onPick(e)}></ww-map>`
              : nothing}
          </section>
          ${s?.alerts ? html`<ww-alerts .alerts=${s.alerts} .cameras=${liveMap} .me=${this.me}></ww-alerts>` : nothing}
        </div>
        <ww-wall
          .layout=${this.screen.shownLayout}
          .tiles=${tiles}
          .cameras=${liveMap}
          .camerasLoaded=${this.camerasLoaded}
          .live=${s?.live ?? null}
          .serverConnected=${this.connection.phase === 'open'}
          .selected=${this.selected}
          .expanded=${this.expanded}
          .showStats=${this.wall.showStats}
          .recorder=${s?.recorder ?? null}
          .replayable=${new Set(playbackMap.keys())}
          .health=${this.health}
          .linkLevel=${this.linkLevel}
          @ww-tile-select=${(e: CustomEvent<{ index: number }>) => (this.selected = e.detail.index)}
          @ww-tile-expand=${(e: CustomEvent<{ index: number }>) => this.wallState.toggleExpand(e.detail.index)}
          @ww-tile-clear=${(e: CustomEvent<{ index: number }>) => this.wallState.putCamera(e.detail.index, null)}
          @ww-tile-drop=${this.onDrop}
          @ww-tile-bookmark=${this.onTileBookmark}
        ></ww-wall>
      </main>
      ${this.passwordOpen ? html`<ww-password .api=${s?.auth ?? null} @ww-password-close=${() => (this.passwordOpen = false)}></ww-password>` : nothing}
      ${this.bookmarksOpen && s
        ? html`<ww-bookmarks class="drawer" .service=${s.bookmarks} .api=${s.recorder} .cameraNames=${this.cameraNames()}
            @ww-bookmarks-close=${() => (this.bookmarksOpen = false)}
            @ww-bookmark-open=${(e: CustomEvent<BookmarkOpenDetail>) => void this.openBookmark(e.detail)}></ww-bookmarks>`
        : nothing}
      ${this.bookmarkDraft && s
        ? html`<ww-bookmark-form .service=${s.bookmarks} .draft=${this.bookmarkDraft} .cameraNames=${this.cameraNames()}
            @ww-bookmark-close=${() => (this.bookmarkDraft = null)}></ww-bookmark-form>`
        : nothing}
      ${this.helpOpen ? html`<ww-help .mode=${this.shortcutMode} @ww-help-close=${() => (this.helpOpen = false)}></ww-help>` : nothing}
    `;
  }

  static override styles = [theme, wwAppStyles];
}

customElements.define('ww-app', WwApp);

declare global {
  interface HTMLElementTagNameMap {
    'ww-app': WwApp;
  }
}
