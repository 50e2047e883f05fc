/**
 * The live page's body: the side column (camera list, the folding mini map, the health alerts) and
 * the wall of tiles, with what their events do (a picked camera goes to the selected or first free
 * tile, a drop places or swaps, select / expand / clear / bookmark a tile). The shell renders it
 * always and hides it on the other pages, so the live tiles keep playing behind them.
 */
import { html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { permittedTiles, type Me } from '../core/access.js';
import type { TileHealth } from '../core/health-alerts.js';
import type { LayoutName } from '../core/layout.js';
import type { LinkLevel } from '../core/link-quality.js';
import { camerasOnWall, pickTarget } from '../core/wall-ops.js';
import { t } from '../i18n/i18n.js';
import type { HealthAlertService } from '../services/health-alerts.js';
import type { LiveMediaService } from '../services/live-media.js';
import type { RecorderApi } from '../services/recorder-api.js';
import type { ConnectionState } from '../services/signaling.js';
import type { WallState } from '../storage/wall-store.js';
import type { TileDropDetail } from '../components/ww-tile/ww-tile.js';
import type { TileBookmarkDetail } from './live-bookmarks.js';
import type { WallStateController } from './wall-state.js';
import type { CityView } from './service-feeds.js';
import { wardAreas } from '../core/city.js';
import '../components/ww-camera-list/ww-camera-list.js';
import '../components/ww-map/ww-map.js';
import '../components/ww-alerts/ww-alerts.js';
import '../components/ww-wall/ww-wall.js';

/** The cameras and tiles this viewer may see (core/access.ts), worked out once per render by the shell. */
export interface Permitted {
  live: ReadonlyMap<string, CameraInfo>;
  playback: ReadonlyMap<string, CameraInfo>;
  /** The wall's tiles with the cameras the viewer may not watch left empty. */
  tiles: (string | null)[];
}

/** What the live page reads and changes on its host (the app shell). */
export interface LivePageHost {
  readonly services: { live: LiveMediaService; recorder: RecorderApi; alerts?: HealthAlertService } | null;
  readonly mode: string;
  readonly me: Me | null;
  readonly wall: WallState;
  readonly wallState: WallStateController;
  readonly connection: ConnectionState;
  readonly camerasLoaded: boolean;
  /** City centre: the wards (the list groups their cameras; the map places their maps). */
  readonly city: CityView;
  readonly health: ReadonlyMap<string, TileHealth>;
  readonly linkLevel: LinkLevel;
  readonly expanded: number | null;
  readonly screen: { readonly shownLayout: LayoutName; onTouchStart(e: TouchEvent): void; onTouchEnd(e: TouchEvent): void };
  readonly liveBookmarks: { onTileBookmark(e: CustomEvent<TileBookmarkDetail>): void };
  selected: number | null;
  mapOpen: boolean;
}

export function renderLivePage(h: LivePageHost, p: Permitted): unknown {
  const s = h.services;
  const online = h.connection.phase === 'open';
  const onWall = camerasOnWall(p.tiles, h.wall.layout);
  // A camera picked in the list or on the map goes to the selected tile, else the first free one.
  const pick = (e: CustomEvent<{ cameraId: string }>): void =>
    h.wallState.putCamera(pickTarget(permittedTiles(h.me, h.wall.tiles), h.wall.layout, h.selected), e.detail.cameraId);
  const drop = (e: CustomEvent<TileDropDetail>): void => {
    const { index, cameraId, fromIndex } = e.detail;
    if (fromIndex !== undefined) h.wallState.swap(fromIndex, index);
    else if (cameraId) h.wallState.putCamera(index, cameraId);
  };
  return html`<main ?hidden=${h.mode !== 'live'} @touchstart=${h.screen.onTouchStart} @touchend=${h.screen.onTouchEnd}>
    <div class="side">
      <ww-camera-list .cameras=${[...p.live.values()]} .loaded=${h.camerasLoaded} .onWall=${onWall}
        .stale=${!online} .wards=${h.city.wards} @ww-camera-pick=${pick}></ww-camera-list>
      <section class="minimap-box" data-open=${h.mapOpen ? 'true' : 'false'}>
        <button type="button" class="fold" data-action="toggle-map" aria-expanded=${h.mapOpen ? 'true' : 'false'}
          @click=${() => (h.mapOpen = !h.mapOpen)}>${h.mapOpen ? '▾' : '▸'} ${h.city.role === 'centre' ? t('map.cityTitle') : t('map.title')}</button>
        ${h.mapOpen
          ? html`<ww-map class="minimap" .cameras=${p.live} .neighbours=${[]} .centre=${null} .health=${h.health}
              .wardAreas=${wardAreas(h.city.wards, h.city.placements)} @ww-map-pick=${pick}></ww-map>`
          : nothing}
      </section>
      ${s?.alerts ? html`<ww-alerts .alerts=${s.alerts} .cameras=${p.live} .me=${h.me}></ww-alerts>` : nothing}
    </div>
    <ww-wall
      .layout=${h.screen.shownLayout}
      .tiles=${p.tiles}
      .cameras=${p.live}
      .camerasLoaded=${h.camerasLoaded}
      .live=${s?.live ?? null}
      .serverConnected=${online}
      .selected=${h.selected}
      .expanded=${h.expanded}
      .showStats=${h.wall.showStats}
      .recorder=${s?.recorder ?? null}
      .replayable=${new Set(p.playback.keys())}
      .health=${h.health}
      .linkLevel=${h.linkLevel}
      @ww-tile-select=${(e: CustomEvent<{ index: number }>) => (h.selected = e.detail.index)}
      @ww-tile-expand=${(e: CustomEvent<{ index: number }>) => h.wallState.toggleExpand(e.detail.index)}
      @ww-tile-clear=${(e: CustomEvent<{ index: number }>) => h.wallState.putCamera(e.detail.index, null)}
      @ww-tile-drop=${drop}
      @ww-tile-bookmark=${h.liveBookmarks.onTileBookmark}
    ></ww-wall>
  </main>`;
}
