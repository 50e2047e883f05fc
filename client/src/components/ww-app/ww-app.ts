/**
 * The application shell: holds the state the page renders from (wall, selection, page, overlays,
 * connection, cameras), passes services down, and wires the parts that do the work:
 * app/wall-state.ts (the wall and its persistence), app/app-keys.ts (the keyboard, through
 * core/shortcuts.ts), app/screen.ts (phone swipe, full screen), app/url-sync.ts (the address bar),
 * app/service-feeds.ts (the services' state into the shell), app/live-bookmarks.ts (bookmarks on
 * the live wall, urgent bars), app/page-jumps.ts (review/follow at a moment), and the views
 * app/live-page.ts, app/page-views.ts, app/overlays.ts, app/notices.ts and app/display-view.ts (kiosk).
 * It keeps the public methods main.ts and the e2e tests call (setLayout, putCamera, setMode, ...).
 */
import { LitElement, html, nothing } from 'lit';
import type { CameraInfo, DisplayState } from '@wardwall/common';
import type { LayoutName } from '../../core/layout.js';
import { shortcutMode, type ShortcutMode } from '../../core/shortcuts.js';
import { LocaleController } from '../../controllers/locale.js';
import { t, type Lang } from '../../i18n/i18n.js';
import type { CameraStore } from '../../services/camera-store.js';
import type { CityWardsService } from '../../services/city-wards.js';
import { NO_CITY, type CityView } from '../../app/service-feeds.js';
import type { LiveMediaService } from '../../services/live-media.js';
import type { ConnectionState, SignalingClient } from '../../services/signaling.js';
import { DEFAULT_WALL_STATE, emptyTiles, type WallState, type WallStore } from '../../storage/wall-store.js';
import { theme } from '../../styles/theme.js';
import '../ww-header/ww-header.js';
import type { BookmarkDraft } from '../ww-bookmark-form/ww-bookmark-form.js';
import type { BookmarkOpenDetail } from '../ww-bookmarks/ww-bookmarks.js';
import type { Trail } from '../../core/trail.js';
import type { TrailStore } from '../../services/trail-store.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import type { AuthApi } from '../../services/auth-api.js';
import { availablePages, permittedCameras, permittedTiles, type AppPage, type Me } from '../../core/access.js';
import type { BookmarkService } from '../../services/bookmarks.js';
import type { HealthAlertService } from '../../services/health-alerts.js';
import type { TileHealth } from '../../core/health-alerts.js';
import { ResidentsApi } from '../../services/residents-api.js';
import type { DisplaysClient } from '../../services/displays.js';
import type { LinkMonitor } from '../../services/link-monitor.js';
import { DEFAULT_LINK_POLICY, type LinkLevel } from '../../core/link-quality.js';
import type { ParsedUrl } from '../../core/url-state.js';
import type { FirstWall } from '../../core/wall-settings.js';
import { WallStateController } from '../../app/wall-state.js';
import { AppKeysController } from '../../app/app-keys.js';
import { ScreenController } from '../../app/screen.js';
import { UrlSyncController } from '../../app/url-sync.js';
import { ServiceFeedsController } from '../../app/service-feeds.js';
import { LiveBookmarks } from '../../app/live-bookmarks.js';
import { PageJumps } from '../../app/page-jumps.js';
import { renderDisplayView } from '../../app/display-view.js';
import { renderLivePage, type Permitted } from '../../app/live-page.js';
import { renderPage } from '../../app/page-views.js';
import { renderOverlays } from '../../app/overlays.js';
import { renderLinkNotice, type LinkNotice } from '../../app/notices.js';
import { wwAppStyles } from './ww-app.styles.js';
import type { UrgentNotice } from '../../core/city-alerts.js';

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
  /** The city centre's wards (role 'off' at a station). */
  city?: CityWardsService;
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
    city: { state: true },
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
  declare urgentNotices: readonly UrgentNotice[];
  /** The mini map under the camera list is shown (it folds away to leave the list more room). */
  declare mapOpen: boolean;
  declare linkNotice: LinkNotice | null;
  /** City centre: the wards (grouped in the camera list) and where their maps lie on the city map; `role` 'off' at a station. */
  declare city: CityView;
  /** The link this page was opened with (`location.search`), applied once the wall is up. */
  pendingLink: ParsedUrl | null = null;

  /** The wall and its persistence. */
  readonly wallState = new WallStateController(this);
  /** The address bar. */
  readonly url = new UrlSyncController(this);
  /** Phone swipe and full screen. */
  readonly screen = new ScreenController(this);
  /** Bookmarks made on the live wall, urgent bars. */
  readonly liveBookmarks = new LiveBookmarks(this);
  /** Review or follow at a moment (bookmarks, trails). */
  readonly jumps = new PageJumps(this);
  readonly residentsApi = new ResidentsApi();

  constructor() {
    super();
    new LocaleController(this);
    new AppKeysController(this);
    new ServiceFeedsController(this);
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
    this.city = NO_CITY;
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

  // --- bookmarks and jumps (app/live-bookmarks.ts, app/page-jumps.ts) ----------------------------

  /** Bookmarks the frame on the selected (or expanded) tile: key B (Shift+B: urgent). */
  bookmarkSelectedTile(urgent = false): void {
    this.liveBookmarks.bookmarkSelectedTile(urgent);
  }

  /** Opens review on a bookmark's cameras at its moment. */
  openBookmark(detail: BookmarkOpenDetail): Promise<void> {
    return this.jumps.openBookmark(detail);
  }

  /** Follow mode on the recording, from a camera and an instant of review mode. */
  followPast(cameraId: string, at: number): void {
    this.jumps.followPast(cameraId, at);
  }

  /** Replays a pursuit trail in review mode: each camera at its time, in sequence. */
  replayTrail(trail: Trail): void {
    this.jumps.replayTrail(trail);
  }

  // --- rendering -----------------------------------------------------------------------------

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
    const permitted: Permitted = {
      live: permittedCameras(this.me, 'live', this.cameraMap),
      // Ward cameras reach review through its own list of them (named with their ward; recordings through the centre, docs/city.md).
      playback: new Map([...permittedCameras(this.me, 'playback', this.cameraMap)].filter(([, c]) => !c.city)),
      tiles: permittedTiles(this.me, this.wall.tiles),
    };
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
      ${renderPage(this, permitted)}
      ${this.startedOffline && this.connection.phase !== 'open'
        ? html`<div class="link-poor" data-offline-start role="status">${t('app.offlineStart')}</div>`
        : nothing}
      ${this.urgentNotices.map((b) => this.liveBookmarks.renderUrgent(b))}
      ${this.linkLevel === 'poor' && this.mode === 'live'
        ? html`<div class="link-poor" data-link="poor" role="status">${t('link.poor', { live: DEFAULT_LINK_POLICY.poorLiveTiles })}</div>`
        : nothing}
      ${renderLivePage(this, permitted)}
      ${renderOverlays(this)}
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
