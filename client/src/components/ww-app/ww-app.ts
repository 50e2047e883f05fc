import { LitElement, html, nothing } from 'lit';
import type { CameraInfo, DisplayState } from '@wardwall/common';
import { isLayoutName, layoutForKey, neighbour, tileCount, type Direction, type LayoutName } from '../../core/layout.js';
import { resolveShortcut, shortcutMode, type AppAction, type ShortcutMode } from '../../core/shortcuts.js';
import { assignCamera, camerasOnWall, pickTarget, swapTiles } from '../../core/wall-ops.js';
import { LocaleController } from '../../controllers/locale.js';
import { getLang, isLang, setLang, t, type Lang } from '../../i18n/i18n.js';
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
import { availablePages, canCamera, permittedCameras, permittedTiles, type AppPage, type Me } from '../../core/access.js';
import '../ww-admin/ww-admin.js';
import '../ww-audit/ww-audit.js';
import '../ww-password/ww-password.js';
import type { BookmarkService, LocalBookmark } from '../../services/bookmarks.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import type { HealthAlertService } from '../../services/health-alerts.js';
import type { TileHealth } from '../../core/health-alerts.js';
import '../ww-alerts/ww-alerts.js';

import { ResidentsApi } from '../../services/residents-api.js';
import '../ww-residents/ww-residents.js';

export type AppMode = AppPage;
import type { DisplaysClient } from '../../services/displays.js';
import type { LinkMonitor } from '../../services/link-monitor.js';
import { DEFAULT_LINK_POLICY, type LinkLevel } from '../../core/link-quality.js';
import { phoneLayout, swipeDirection, swipeTiles } from '../../core/swipe.js';
import '../ww-displays/ww-displays.js';
import { changedText, sourceText } from '../ww-displays/ww-displays.js';
import { buildUrlSearch, camerasOfState, parseUrlState, refusedCameras, withoutCameras, type ParsedUrl, type UrlState } from '../../core/url-state.js';
import type { FirstWall } from '../../core/wall-settings.js';
import { MAX_TILES } from '../../core/layout.js';
import { wwAppStyles } from './ww-app.styles.js';

/** A notice about links: a link's refusal (coded), a copied link, or the link to copy by hand. */
export interface LinkNotice {
  kind: 'refused' | 'refusedAll' | 'page' | 'bad' | 'copied' | 'manual';
  /** LINK_CAMERA_FORBIDDEN, LINK_PAGE_FORBIDDEN, LINK_BAD (refusals and bad links). */
  code: string | null;
  text: string;
  link?: string;
}

/** While reviewing or following on a recording the address bar's time follows the clock this often. */
const URL_TIME_EVERY_MS = 2000;


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

/** Phones get one or four tiles and swipe between cameras. */
const PHONE_QUERY = '(max-width: 700px)';

const ARROWS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

/**
 * The application root: owns the wall state (layout, camera per tile, selection, expansion,
 * language, stats overlay), persists it, handles the keyboard, and passes services down.
 */
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
  /** Review/follow links wait for the camera list (their components check the cameras). */
  private waitingLink: ParsedUrl | null = null;
  private urlReady = false;
  private applyingUrl = false;
  private replaceNextUrl = false;
  private urlTimer: ReturnType<typeof setInterval> | null = null;
  private viewChangeTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Review and follow report every play/pause/seek/step: the address bar follows once they settle
   * (a frame-locked 16× review steps several times a second; nothing of it needs a history write).
   */
  private readonly onViewChange = (): void => {
    if (this.viewChangeTimer) clearTimeout(this.viewChangeTimer);
    this.viewChangeTimer = setTimeout(() => {
      this.viewChangeTimer = null;
      this.syncUrl();
    }, 300);
  };
  private readonly onPopState = (): void => void this.applyUrl(parseUrlState(location.search));
  private readonly phoneMedia = typeof matchMedia === 'function' ? matchMedia(PHONE_QUERY) : null;
  private readonly onPhoneChange = (): void => {
    this.phone = !!this.phoneMedia?.matches;
  };
  private touchStart: { x: number; y: number } | null = null;

  private readonly unsubscribe: (() => void)[] = [];
  private readonly residentsApi = new ResidentsApi();
  private readonly onKeyDown = (e: KeyboardEvent): void => this.handleKey(e);

  constructor() {
    super();
    new LocaleController(this);
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
    this.phone = !!this.phoneMedia?.matches;
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

  /** Applies the state loaded from storage (before or after connecting). */
  restore(state: WallState): void {
    this.wall = { ...state, tiles: [...state.tiles] };
    setLang(state.lang);
    document.title = t('app.title');
  }

  /**
   * The first wall of a browser with no wall of its own (the station's default wall, or the first
   * cameras this viewer may see), saved at once so it is this browser's wall from now on.
   */
  applyFirstWall(first: FirstWall): void {
    const tiles = Array.from({ length: MAX_TILES }, (_, i) => first.tiles[i] ?? null);
    this.wall = { ...this.wall, layout: first.layout, tiles };
    void this.services?.store.savePref('layout', first.layout);
    void this.services?.store.saveTiles(tiles);
  }

  // --- the view in the address bar (links, back/forward, reload) -------------------------------

  /** The view on screen, as a link carries it. */
  currentView(): UrlState {
    const mode = this.mode;
    const none = { layout: null, cams: [], at: null, centre: null };
    if (mode === 'live') return { ...none, mode, layout: this.wall.layout, cams: this.wall.tiles.slice(0, tileCount(this.wall.layout)) };
    if (mode === 'review') {
      const r = this.renderRoot.querySelector<WwReview>('ww-review');
      if (r?.session) return { ...none, mode, cams: [...r.sessionCameras], at: Math.round(r.position) };
      return { ...none, mode, cams: [...(r?.selected ?? [])] };
    }
    if (mode === 'follow') {
      const f = this.renderRoot.querySelector<WwFollow>('ww-follow');
      return { ...none, mode, centre: f?.centre || null, at: f && f.source === 'recording' && f.position > 0 ? Math.round(f.position) : null };
    }
    return { ...none, mode };
  }

  /**
   * Writes the view into the address bar: a new history entry when the view changed (mode, layout,
   * cameras, centre), the same entry when only the review time moved.
   */
  syncUrl(): void {
    if (this.displayName || this.applyingUrl || !this.urlReady || typeof history === 'undefined') return;
    const search = buildUrlSearch(this.currentView());
    if (search === location.search) return;
    const before = parseUrlState(location.search).state;
    const after = parseUrlState(search).state;
    const onlyTime = !!before && !!after && JSON.stringify({ ...before, at: null }) === JSON.stringify({ ...after, at: null });
    const url = `${location.pathname}${search}${location.hash}`;
    if (onlyTime || this.replaceNextUrl) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.replaceNextUrl = false;
  }

  /**
   * Shows the view a link (or a back/forward step) names. Cameras the viewer may not see are left out
   * with a coded refusal; when none is left the wall stays as it was (never an empty wall).
   */
  async applyUrl(parsed: ParsedUrl): Promise<void> {
    const state = parsed.state;
    if (!state || this.displayName) return;
    if ((state.mode === 'review' || state.mode === 'follow') && !this.camerasLoaded) {
      this.waitingLink = parsed;
      return;
    }
    this.applyingUrl = true;
    this.replaceNextUrl = true;
    try {
      this.linkNotice = parsed.issues.length ? { kind: 'bad', code: 'LINK_BAD', text: t('link.bad', { issues: parsed.issues.join(', ') }) } : null;
      if (state.mode !== 'live' && state.mode !== 'review' && state.mode !== 'follow') {
        if (this.pages.includes(state.mode)) this.setMode(state.mode);
        else this.linkNotice = { kind: 'page', code: 'LINK_PAGE_FORBIDDEN', text: t('link.pageRefused') };
        return;
      }
      const right = state.mode === 'review' ? 'playback' : 'live';
      const refused = refusedCameras(state, (c) => canCamera(this.me, right, c) && (!this.camerasLoaded || this.cameraMap.has(c) || state.mode === 'review'));
      const shown = withoutCameras(state, refused);
      if (refused.length) {
        const all = camerasOfState(shown).length === 0;
        this.linkNotice = { kind: all ? 'refusedAll' : 'refused', code: 'LINK_CAMERA_FORBIDDEN', text: all ? t('link.refusedAll', { cameras: refused.join(', ') }) : t('link.refused', { cameras: refused.join(', ') }) };
        if (all) {
          // Nothing of the link may be shown: stay on the wall as it was.
          if (this.mode !== 'live') this.setMode('live');
          return;
        }
      }
      if (shown.mode === 'live') {
        this.setMode('live');
        const layout = shown.layout ?? this.wall.layout;
        const tiles = shown.cams.length ? Array.from({ length: MAX_TILES }, (_, i) => shown.cams[i] ?? null) : this.wall.tiles;
        // Shown, not saved: opening a colleague's link does not overwrite this browser's wall until it is edited.
        this.wall = { ...this.wall, layout, tiles };
        if (this.selected !== null && this.selected >= tileCount(layout)) this.selected = null;
        return;
      }
      if (shown.mode === 'review') {
        this.setMode('review');
        await this.updateComplete;
        const review = this.renderRoot.querySelector<WwReview>('ww-review');
        if (!review) return;
        await review.updateComplete;
        const cams = shown.cams.filter((c): c is string => c !== null);
        if (cams.length) {
          review.selected = [...cams];
          if (shown.at !== null) review.open([...cams], shown.at);
          else review.open([...cams]);
        }
        return;
      }
      this.setMode('follow');
      await this.updateComplete;
      const follow = this.renderRoot.querySelector<WwFollow>('ww-follow');
      if (!follow || !shown.centre) return;
      await follow.updateComplete;
      // A reload of a pursuit resumes its trail first (same centre: nothing more to do).
      await follow.ready;
      if (shown.at !== null) follow.followPast(shown.centre, shown.at);
      else if (follow.centre !== shown.centre) follow.follow(shown.centre);
    } finally {
      this.applyingUrl = false;
      void this.updateComplete.then(() => this.syncUrl());
    }
  }

  /** Copies a link to the view on screen (with the review clock's current instant). */
  async copyLink(): Promise<void> {
    const link = new URL(`${location.pathname}${buildUrlSearch(this.currentView())}`, location.href).href;
    try {
      await navigator.clipboard.writeText(link);
      this.linkNotice = { kind: 'copied', code: null, text: t('link.copied'), link };
    } catch {
      this.linkNotice = { kind: 'manual', code: null, text: t('link.copyManual'), link };
    }
  }

  private renderLinkNotice(n: LinkNotice): unknown {
    const alert = n.code !== null;
    return html`<div class="link-notice ${alert ? 'refusal' : ''}" role=${alert ? 'alert' : 'status'} data-link-notice=${n.kind} data-code=${n.code ?? ''} data-link=${n.link ?? ''}>
      <span>${n.text}${n.code ? html` <code>${n.code}</code>` : nothing}</span>
      ${n.link && n.kind === 'manual' ? html`<input readonly .value=${n.link} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />` : nothing}
      <button type="button" data-action="link-dismiss" aria-label=${t('link.dismiss')} @click=${() => (this.linkNotice = null)}>✕</button>
    </div>`;
  }

  protected override firstUpdated(): void {
    if (this.displayName) return;
    const link = this.pendingLink;
    this.pendingLink = null;
    const start = async (): Promise<void> => {
      if (link?.state) await this.applyUrl(link);
      this.urlReady = true;
      // The first entry holds the view on screen, so going back to it restores it.
      if (!this.waitingLink) {
        this.replaceNextUrl = true;
        this.syncUrl();
      }
    };
    void start();
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (this.waitingLink && this.camerasLoaded) {
      const link = this.waitingLink;
      this.waitingLink = null;
      void this.applyUrl(link);
      return;
    }
    if (changed.has('wall') || changed.has('mode')) this.syncUrl();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
    this.urlTimer = setInterval(() => {
      if (this.mode === 'review' || this.mode === 'follow') this.syncUrl();
    }, URL_TIME_EVERY_MS);
    window.addEventListener('keydown', this.onKeyDown);
    this.phoneMedia?.addEventListener('change', this.onPhoneChange);
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
    window.removeEventListener('popstate', this.onPopState);
    if (this.urlTimer) clearInterval(this.urlTimer);
    this.urlTimer = null;
    if (this.viewChangeTimer) clearTimeout(this.viewChangeTimer);
    this.viewChangeTimer = null;
    window.removeEventListener('keydown', this.onKeyDown);
    this.phoneMedia?.removeEventListener('change', this.onPhoneChange);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private syncCameras(): void {
    const store = this.services?.cameras;
    if (!store) return;
    this.cameraMap = store.snapshot();
    this.camerasLoaded = store.loaded;
  }

  // --- state changes (each persisted at once) ------------------------------------------------

  setLayout(layout: LayoutName): void {
    if (!isLayoutName(layout)) return;
    this.expanded = null;
    if (this.selected !== null && this.selected >= tileCount(layout)) this.selected = null;
    if (layout === this.wall.layout) return;
    this.wall = { ...this.wall, layout };
    void this.services?.store.savePref('layout', layout);
  }

  setLanguage(lang: Lang): void {
    if (!isLang(lang) || lang === getLang()) return;
    setLang(lang);
    document.title = t('app.title');
    this.wall = { ...this.wall, lang };
    void this.services?.store.savePref('lang', lang);
  }

  toggleStats(): void {
    const showStats = !this.wall.showStats;
    this.wall = { ...this.wall, showStats };
    void this.services?.store.savePref('showStats', showStats);
  }

  private setTiles(tiles: (string | null)[]): void {
    this.wall = { ...this.wall, tiles };
    void this.services?.store.saveTiles(tiles);
  }

  putCamera(index: number, cameraId: string | null): void {
    if (index < 0 || index >= tileCount(this.wall.layout)) return;
    if ((this.wall.tiles[index] ?? null) === cameraId) return;
    if (cameraId !== null && !canCamera(this.me, 'live', cameraId)) return;
    this.setTiles(assignCamera(this.wall.tiles, index, cameraId));
  }

  swap(from: number, to: number): void {
    const n = tileCount(this.wall.layout);
    if (from === to || from < 0 || to < 0 || from >= n || to >= n) return;
    this.setTiles(swapTiles(this.wall.tiles, from, to));
    if (this.selected === from) this.selected = to;
    if (this.expanded === from) this.expanded = to;
  }

  private toggleExpand(index: number): void {
    if (index < 0 || index >= tileCount(this.wall.layout)) return;
    this.expanded = this.expanded === index ? null : index;
    this.selected = index;
  }

  /** The layout shown: a phone gets one or four tiles. */
  private get shownLayout(): LayoutName {
    return this.phone ? phoneLayout(this.wall.layout) : this.wall.layout;
  }

  private onTouchStart(e: TouchEvent): void {
    const t0 = e.touches[0];
    this.touchStart = e.touches.length === 1 && t0 ? { x: t0.clientX, y: t0.clientY } : null;
  }

  /** A horizontal swipe on a phone shows the next or previous camera(s). */
  private onTouchEnd(e: TouchEvent): void {
    const start = this.touchStart;
    this.touchStart = null;
    const t1 = e.changedTouches[0];
    if (!start || !t1 || !this.phone || this.expanded !== null) return;
    const dir = swipeDirection(t1.clientX - start.x, t1.clientY - start.y);
    if (!dir) return;
    const ids = [...this.cameraMap.keys()];
    this.setTiles(swipeTiles(ids, this.wall.tiles, tileCount(this.shownLayout), dir));
  }

  private toggleFullscreen(): void {
    // A display goes full screen with its overlay; the operator's wall goes full screen alone.
    const wall: HTMLElement | null = this.displayName ? this : this.renderRoot.querySelector<WwWall>('ww-wall');
    if (!wall) return;
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    } else if (wall.requestFullscreen) {
      wall.requestFullscreen({ navigationUI: 'hide' }).catch((err: unknown) => console.warn('[app] full screen refused', err));
    }
  }

  // --- events from children ------------------------------------------------------------------

  private onPick(e: CustomEvent<{ cameraId: string }>): void {
    const target = pickTarget(permittedTiles(this.me, this.wall.tiles), this.wall.layout, this.selected);
    this.putCamera(target, e.detail.cameraId);
  }

  private onDrop(e: CustomEvent<TileDropDetail>): void {
    const { index, cameraId, fromIndex } = e.detail;
    if (fromIndex !== undefined) this.swap(fromIndex, index);
    else if (cameraId) this.putCamera(index, cameraId);
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

  private renderUrgentNotice(b: LocalBookmark): unknown {
    const cameras = b.cameras.map((c) => this.cameraMap.get(c)?.name ?? c).join(', ');
    return html`<div class="urgent-notice" role="alert" data-urgent-notice=${b.id}>
      <strong>${t('bm.urgentNotice', { author: b.author || '—', title: b.title || '—' })}</strong>
      <span>${cameras} · ${hcmTimeText(b.startMs)}</span>
      <button type="button" data-action="urgent-open" @click=${() => (this.dismissUrgent(b.id), void this.openBookmark({ cameras: b.cameras, at: b.startMs }))}>${t('bm.open')}</button>
      <button type="button" data-action="urgent-dismiss" aria-label=${t('bm.dismiss')} @click=${() => this.dismissUrgent(b.id)}>✕</button>
    </div>`;
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

  // --- keyboard ------------------------------------------------------------------------------

  /** What each of the app's shortcuts does (core/shortcuts.ts holds the keys); false: not handled, the key goes on. */
  private readonly keyActions: Record<AppAction, (e: KeyboardEvent) => boolean | void> = {
    layout: (e) => {
      const layout = layoutForKey(e.key);
      if (!layout) return false;
      this.setLayout(layout);
    },
    fullscreen: () => this.toggleFullscreen(),
    stats: () => this.toggleStats(),
    help: () => {
      this.helpOpen = !this.helpOpen;
    },
    bookmark: () => this.bookmarkSelectedTile(false),
    bookmarkUrgent: () => this.bookmarkSelectedTile(true),
    escape: () => {
      if (this.helpOpen) this.helpOpen = false;
      else if (this.bookmarksOpen) this.bookmarksOpen = false;
      else if (this.expanded !== null) this.expanded = null;
      else this.selected = null;
    },
    expand: () => {
      if (this.selected === null) return false;
      this.toggleExpand(this.selected);
    },
    clear: () => {
      if (this.selected === null) return false;
      this.putCamera(this.selected, null);
    },
    select: (e) => this.arrow(e, false),
    move: (e) => this.arrow(e, true),
  };

  private arrow(e: KeyboardEvent, move: boolean): void {
    const n = tileCount(this.wall.layout);
    const from = this.selected !== null && this.selected < n ? this.selected : null;
    if (from === null) {
      this.selected = this.expanded ?? 0;
      return;
    }
    const to = neighbour(this.wall.layout, from, ARROWS[e.key]!);
    if (move) this.swap(from, to);
    else {
      this.selected = to;
      if (this.expanded !== null) this.expanded = to;
    }
  }

  /** The mode whose keys are read now (and listed by the help). */
  get shortcutMode(): ShortcutMode {
    return this.displayName ? 'kiosk' : shortcutMode(this.mode);
  }

  private handleKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(origin.tagName))) return;
    const mode = this.shortcutMode;
    const hit = resolveShortcut(mode, e, 'app');
    if (this.helpOpen && hit?.action !== 'help' && hit?.action !== 'escape') {
      // The overlay is modal: review's and follow's keys must not act behind it either.
      if (resolveShortcut(mode, e) && !(origin instanceof HTMLButtonElement)) e.preventDefault();
      return;
    }
    // Review and follow handle their own keys (space, arrows, frame steps) from the same table.
    if (!hit) return;
    if (this.keyActions[hit.action](e) === false) return;
    e.preventDefault();
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

  /** Kiosk view of a duty-room display: the pushed layout, full screen on the first click, minimal chrome. */
  private renderDisplay(): unknown {
    const s = this.services;
    const d = this.display;
    const online = this.connection.phase === 'open';
    return html`<div class="kiosk" @click=${() => !document.fullscreenElement && this.toggleFullscreen()}>
      <ww-wall
        .layout=${d?.layout ?? '2x2'}
        .tiles=${d?.tiles ?? []}
        .cameras=${this.cameraMap}
        .camerasLoaded=${this.camerasLoaded}
        .live=${s?.live ?? null}
        .serverConnected=${online}
        .selected=${null}
        .expanded=${null}
        .showStats=${false}
        .recorder=${null}
        .linkLevel=${this.linkLevel}
      ></ww-wall>
      <div class="display-info" data-display-name=${this.displayName ?? ''}>
        <span class="dot ${online ? 'live' : 'offline'}"></span>
        <strong>${this.displayName}</strong>
        ${d ? html`<span data-role="source">${sourceText(d)}</span><span data-role="changed">${changedText(d)}</span>` : html`<span>${t('display.waiting')}</span>`}
      </div>
    </div>`;
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
        @ww-layout=${(e: CustomEvent<{ layout: LayoutName }>) => this.setLayout(e.detail.layout)}
        @ww-lang=${(e: CustomEvent<{ lang: Lang }>) => this.setLanguage(e.detail.lang)}
        @ww-toggle-stats=${() => this.toggleStats()}
        @ww-fullscreen=${() => this.toggleFullscreen()}
        @ww-help=${() => (this.helpOpen = !this.helpOpen)}
        @ww-password-open=${() => (this.passwordOpen = true)}
        @ww-bookmarks=${() => (this.bookmarksOpen = !this.bookmarksOpen)}
        @ww-copy-link=${() => void this.copyLink()}
      ></ww-header>
      ${this.linkNotice ? this.renderLinkNotice(this.linkNotice) : nothing}
      ${this.mode === 'displays'
        ? html`<ww-displays class="review" .client=${s?.displays ?? null} .cameras=${this.cameraMap} .wallLayout=${this.wall.layout}
            .wallTiles=${this.wall.tiles.slice(0, tileCount(this.wall.layout))}
            @ww-register-display=${(e: CustomEvent<{ name: string }>) => this.dispatchEvent(new CustomEvent('ww-register-display', { detail: e.detail }))}></ww-displays>`
        : nothing}
      ${this.mode === 'review'
        ? html`<ww-review class="review" @ww-view-change=${this.onViewChange} .api=${s?.recorder ?? null} .bookmarks=${s?.bookmarks ?? null} .cameras=${playbackMap} .me=${this.me} .health=${s?.alerts ?? null}
            @ww-bookmark-request=${(e: CustomEvent<BookmarkDraft>) => (this.bookmarkDraft = e.detail)}
            @ww-follow-past=${(e: CustomEvent<{ cameraId: string; at: number }>) => this.followPast(e.detail.cameraId, e.detail.at)}
            .initialCameras=${[...camerasOnWall(tiles, this.wall.layout)]}></ww-review>`
        : nothing}
      ${this.mode === 'follow'
        ? html`<ww-follow class="follow" @ww-view-change=${this.onViewChange} .cameras=${liveMap} .camerasLoaded=${this.camerasLoaded} .live=${s?.live ?? null}
            .recorder=${s?.recorder ?? null} .trails=${s?.trails ?? null} .serverConnected=${this.connection.phase === 'open'}
            @ww-trail-replay=${(e: CustomEvent<{ trail: Trail }>) => this.replayTrail(e.detail.trail)}></ww-follow>`
        : nothing}
      ${this.mode === 'admin' ? html`<ww-admin class="page" .api=${s?.auth ?? null} .cameras=${this.cameraMap} .me=${this.me} .wall=${{ layout: this.wall.layout, tiles: this.wall.tiles.slice(0, tileCount(this.wall.layout)) }}></ww-admin>` : nothing}
      ${this.mode === 'residents' ? html`<ww-residents class="page" .api=${this.residentsApi}></ww-residents>` : nothing}
      ${this.mode === 'audit' ? html`<ww-audit class="page" .api=${s?.auth ?? null} .cameras=${this.cameraMap}></ww-audit>` : nothing}
      ${this.startedOffline && this.connection.phase !== 'open'
        ? html`<div class="link-poor" data-offline-start role="status">${t('app.offlineStart')}</div>`
        : nothing}
      ${this.urgentNotices.map((b) => this.renderUrgentNotice(b))}
      ${this.linkLevel === 'poor' && this.mode === 'live'
        ? html`<div class="link-poor" data-link="poor" role="status">${t('link.poor', { live: DEFAULT_LINK_POLICY.poorLiveTiles })}</div>`
        : nothing}
      <main ?hidden=${this.mode !== 'live'} @touchstart=${this.onTouchStart} @touchend=${this.onTouchEnd}>
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
          .layout=${this.shownLayout}
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
          @ww-tile-expand=${(e: CustomEvent<{ index: number }>) => this.toggleExpand(e.detail.index)}
          @ww-tile-clear=${(e: CustomEvent<{ index: number }>) => this.putCamera(e.detail.index, null)}
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
