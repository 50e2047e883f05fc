/**
 * The pages other than the live wall, each rendered only while it is the page shown: duty-room
 * displays, review of recordings, follow mode, user administration, residents' cameras and the audit
 * log. This wires each page's element to the services, the viewer and the wall, and its events to
 * the shell (address bar, bookmark form, jumps between pages).
 */
import { html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import type { AppPage, Me } from '../core/access.js';
import { tileCount } from '../core/layout.js';
import type { Trail } from '../core/trail.js';
import { camerasOnWall } from '../core/wall-ops.js';
import type { AuthApi } from '../services/auth-api.js';
import type { BookmarkService } from '../services/bookmarks.js';
import type { DisplaysClient } from '../services/displays.js';
import type { HealthAlertService } from '../services/health-alerts.js';
import type { LiveMediaService } from '../services/live-media.js';
import type { RecorderApi } from '../services/recorder-api.js';
import type { ResidentsApi } from '../services/residents-api.js';
import type { ConnectionState } from '../services/signaling.js';
import type { TrailStore } from '../services/trail-store.js';
import type { WallState } from '../storage/wall-store.js';
import type { BookmarkDraft } from '../components/ww-bookmark-form/ww-bookmark-form.js';
import type { Permitted } from './live-page.js';
import '../components/ww-displays/ww-displays.js';
import '../components/ww-review/ww-review.js';
import '../components/ww-follow/ww-follow.js';
import { wardAreas } from '../core/city.js';
import type { CityView } from './service-feeds.js';
import '../components/ww-admin/ww-admin.js';
import '../components/ww-residents/ww-residents.js';
import '../components/ww-audit/ww-audit.js';

/** What the pages read and change on their host (the app shell). */
export interface PagesHost extends HTMLElement {
  readonly services: {
    displays: DisplaysClient;
    recorder: RecorderApi;
    bookmarks: BookmarkService;
    alerts?: HealthAlertService;
    live: LiveMediaService;
    trails: TrailStore;
    auth: AuthApi;
  } | null;
  readonly mode: AppPage;
  readonly me: Me | null;
  readonly wall: WallState;
  readonly cameraMap: ReadonlyMap<string, CameraInfo>;
  readonly camerasLoaded: boolean;
  /** City centre: the follow page's map places the wards' maps. */
  readonly city: CityView;
  readonly connection: ConnectionState;
  readonly residentsApi: ResidentsApi;
  readonly url: { readonly onViewChange: () => void };
  readonly jumps: { followPast(cameraId: string, at: number): void; replayTrail(trail: Trail): void };
  bookmarkDraft: BookmarkDraft | null;
}

/** The page the mode names, or nothing on the live page (app/live-page.ts renders that one). */
export function renderPage(h: PagesHost, p: Permitted): unknown {
  const s = h.services;
  const wallTiles = h.wall.tiles.slice(0, tileCount(h.wall.layout));
  switch (h.mode) {
    case 'displays':
      return html`<ww-displays class="review" .client=${s?.displays ?? null} .cameras=${h.cameraMap} .wallLayout=${h.wall.layout}
        .wallTiles=${wallTiles}
        @ww-register-display=${(e: CustomEvent<{ name: string }>) => h.dispatchEvent(new CustomEvent('ww-register-display', { detail: e.detail }))}></ww-displays>`;
    case 'review':
      return html`<ww-review class="review" @ww-view-change=${h.url.onViewChange} .api=${s?.recorder ?? null} .bookmarks=${s?.bookmarks ?? null} .cameras=${p.playback} .me=${h.me} .health=${s?.alerts ?? null}
        @ww-bookmark-request=${(e: CustomEvent<BookmarkDraft>) => (h.bookmarkDraft = e.detail)}
        @ww-follow-past=${(e: CustomEvent<{ cameraId: string; at: number }>) => h.jumps.followPast(e.detail.cameraId, e.detail.at)}
        .initialCameras=${[...camerasOnWall(p.tiles, h.wall.layout)]}></ww-review>`;
    case 'follow':
      return html`<ww-follow class="follow" @ww-view-change=${h.url.onViewChange} .cameras=${p.live} .camerasLoaded=${h.camerasLoaded} .live=${s?.live ?? null}
        .wardAreas=${wardAreas(h.city.wards, h.city.placements)}
        .recorder=${s?.recorder ?? null} .trails=${s?.trails ?? null} .serverConnected=${h.connection.phase === 'open'}
        @ww-trail-replay=${(e: CustomEvent<{ trail: Trail }>) => h.jumps.replayTrail(e.detail.trail)}></ww-follow>`;
    case 'admin':
      return html`<ww-admin class="page" .api=${s?.auth ?? null} .cameras=${h.cameraMap} .me=${h.me} .wall=${{ layout: h.wall.layout, tiles: wallTiles }}></ww-admin>`;
    case 'residents':
      return html`<ww-residents class="page" .api=${h.residentsApi}></ww-residents>`;
    case 'audit':
      return html`<ww-audit class="page" .api=${s?.auth ?? null} .cameras=${h.cameraMap}></ww-audit>`;
    default:
      return nothing;
  }
}
