/**
 * The view in the address bar (links, back/forward, reload): the view on screen is written into the
 * URL (a new history entry when the view changed, the same entry when only the review time moved), a
 * link or a back/forward step is shown with the cameras the viewer may not see left out (a coded
 * refusal), and a link to the view can be copied.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { MAX_TILES, tileCount } from '../core/layout.js';
import { canCamera, type AppPage, type Me } from '../core/access.js';
import { buildUrlSearch, camerasOfState, parseUrlState, refusedCameras, withoutCameras, type ParsedUrl, type UrlState } from '../core/url-state.js';
import { t } from '../i18n/i18n.js';
import type { WallState } from '../storage/wall-store.js';
import type { WwReview } from '../components/ww-review/ww-review.js';
import type { WwFollow } from '../components/ww-follow/ww-follow.js';
import type { LinkNotice } from './notices.js';
import type { WallStateController } from './wall-state.js';

/** While reviewing or following on a recording the address bar's time follows the clock this often. */
const URL_TIME_EVERY_MS = 2000;

/** What the address bar reads and changes on its host (the app shell). */
export interface UrlHost extends ReactiveControllerHost {
  readonly displayName: string | null;
  readonly mode: AppPage;
  readonly wall: WallState;
  readonly wallState: WallStateController;
  readonly camerasLoaded: boolean;
  readonly cameraMap: ReadonlyMap<string, CameraInfo>;
  readonly me: Me | null;
  readonly pages: AppPage[];
  readonly renderRoot: HTMLElement | DocumentFragment;
  linkNotice: LinkNotice | null;
  setMode(mode: AppPage): void;
}

export class UrlSyncController implements ReactiveController {
  /** Review/follow links wait for the camera list (their components check the cameras). */
  private waitingLink: ParsedUrl | null = null;
  private urlReady = false;
  private applyingUrl = false;
  private replaceNextUrl = false;
  private urlTimer: ReturnType<typeof setInterval> | null = null;
  private viewChangeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onPopState = (): void => void this.applyUrl(parseUrlState(location.search));

  constructor(private readonly host: UrlHost) {
    host.addController(this);
  }

  /**
   * Review and follow report every play/pause/seek/step: the address bar follows once they settle
   * (a frame-locked 16× review steps several times a second; nothing of it needs a history write).
   */
  readonly onViewChange = (): void => {
    if (this.viewChangeTimer) clearTimeout(this.viewChangeTimer);
    this.viewChangeTimer = setTimeout(() => {
      this.viewChangeTimer = null;
      this.syncUrl();
    }, 300);
  };

  hostConnected(): void {
    window.addEventListener('popstate', this.onPopState);
    this.urlTimer = setInterval(() => {
      if (this.host.mode === 'review' || this.host.mode === 'follow') this.syncUrl();
    }, URL_TIME_EVERY_MS);
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.onPopState);
    if (this.urlTimer) clearInterval(this.urlTimer);
    this.urlTimer = null;
    if (this.viewChangeTimer) clearTimeout(this.viewChangeTimer);
    this.viewChangeTimer = null;
  }

  /** Once the shell first rendered: shows the link the page was opened with, then follows the view. */
  start(link: ParsedUrl | null): void {
    if (this.host.displayName) return;
    const run = async (): Promise<void> => {
      if (link?.state) await this.applyUrl(link);
      this.urlReady = true;
      // The first entry holds the view on screen, so going back to it restores it.
      if (!this.waitingLink) {
        this.replaceNextUrl = true;
        this.syncUrl();
      }
    };
    void run();
  }

  /** After each render of the shell: a waiting link once the cameras are known, else the view into the URL. */
  updated(changed: Map<string, unknown>): void {
    if (this.waitingLink && this.host.camerasLoaded) {
      const link = this.waitingLink;
      this.waitingLink = null;
      void this.applyUrl(link);
      return;
    }
    if (changed.has('wall') || changed.has('mode')) this.syncUrl();
  }

  /** The view on screen, as a link carries it. */
  currentView(): UrlState {
    const { mode, wall, renderRoot } = this.host;
    const none = { layout: null, cams: [], at: null, centre: null };
    if (mode === 'live') return { ...none, mode, layout: wall.layout, cams: wall.tiles.slice(0, tileCount(wall.layout)) };
    if (mode === 'review') {
      const r = renderRoot.querySelector<WwReview>('ww-review');
      if (r?.session) return { ...none, mode, cams: [...r.sessionCameras], at: Math.round(r.position) };
      return { ...none, mode, cams: [...(r?.selected ?? [])] };
    }
    if (mode === 'follow') {
      const f = renderRoot.querySelector<WwFollow>('ww-follow');
      return { ...none, mode, centre: f?.centre || null, at: f && f.source === 'recording' && f.position > 0 ? Math.round(f.position) : null };
    }
    return { ...none, mode };
  }

  /**
   * Writes the view into the address bar: a new history entry when the view changed (mode, layout,
   * cameras, centre), the same entry when only the review time moved.
   */
  syncUrl(): void {
    if (this.host.displayName || this.applyingUrl || !this.urlReady || typeof history === 'undefined') return;
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
    const h = this.host;
    const state = parsed.state;
    if (!state || h.displayName) return;
    if ((state.mode === 'review' || state.mode === 'follow') && !h.camerasLoaded) {
      this.waitingLink = parsed;
      return;
    }
    this.applyingUrl = true;
    this.replaceNextUrl = true;
    try {
      h.linkNotice = parsed.issues.length ? { kind: 'bad', code: 'LINK_BAD', text: t('link.bad', { issues: parsed.issues.join(', ') }) } : null;
      if (state.mode !== 'live' && state.mode !== 'review' && state.mode !== 'follow') {
        if (h.pages.includes(state.mode)) h.setMode(state.mode);
        else h.linkNotice = { kind: 'page', code: 'LINK_PAGE_FORBIDDEN', text: t('link.pageRefused') };
        return;
      }
      const right = state.mode === 'review' ? 'playback' : 'live';
      const refused = refusedCameras(state, (c) => canCamera(h.me, right, c) && (!h.camerasLoaded || h.cameraMap.has(c) || state.mode === 'review'));
      const shown = withoutCameras(state, refused);
      if (refused.length) {
        const all = camerasOfState(shown).length === 0;
        h.linkNotice = { kind: all ? 'refusedAll' : 'refused', code: 'LINK_CAMERA_FORBIDDEN', text: all ? t('link.refusedAll', { cameras: refused.join(', ') }) : t('link.refused', { cameras: refused.join(', ') }) };
        if (all) {
          // Nothing of the link may be shown: stay on the wall as it was.
          if (h.mode !== 'live') h.setMode('live');
          return;
        }
      }
      if (shown.mode === 'live') {
        h.setMode('live');
        const layout = shown.layout ?? h.wall.layout;
        const tiles = shown.cams.length ? Array.from({ length: MAX_TILES }, (_, i) => shown.cams[i] ?? null) : h.wall.tiles;
        // Shown, not saved: opening a colleague's link does not overwrite this browser's wall until it is edited.
        h.wallState.show(layout, tiles);
        return;
      }
      if (shown.mode === 'review') {
        h.setMode('review');
        await h.updateComplete;
        const review = h.renderRoot.querySelector<WwReview>('ww-review');
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
      h.setMode('follow');
      await h.updateComplete;
      const follow = h.renderRoot.querySelector<WwFollow>('ww-follow');
      if (!follow || !shown.centre) return;
      await follow.updateComplete;
      // A reload of a pursuit resumes its trail first (same centre: nothing more to do).
      await follow.ready;
      if (shown.at !== null) follow.followPast(shown.centre, shown.at);
      else if (follow.centre !== shown.centre) follow.follow(shown.centre);
    } finally {
      this.applyingUrl = false;
      void h.updateComplete.then(() => this.syncUrl());
    }
  }

  /** Copies a link to the view on screen (with the review clock's current instant). */
  async copyLink(): Promise<void> {
    const h = this.host;
    const link = new URL(`${location.pathname}${buildUrlSearch(this.currentView())}`, location.href).href;
    try {
      await navigator.clipboard.writeText(link);
      h.linkNotice = { kind: 'copied', code: null, text: t('link.copied'), link };
    } catch {
      h.linkNotice = { kind: 'manual', code: null, text: t('link.copyManual'), link };
    }
  }
}
