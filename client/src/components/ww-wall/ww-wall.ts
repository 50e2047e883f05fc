import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CameraInfo } from '@wardwall/common';
import { gridArea, layoutGeometry, type LayoutName } from '../../core/layout.js';
import { linkConstraint, tileIsLive, type LinkLevel } from '../../core/link-quality.js';
import type { LiveMediaService } from '../../services/live-media.js';
import { theme } from '../../styles/theme.js';
import '../ww-tile/ww-tile.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import type { TileHealth } from '../../core/health-alerts.js';
import { wwWallStyles } from './ww-wall.styles.js';

/**
 * The video wall: a grid of tiles for the current layout. Tiles are keyed by index so a layout
 * change keeps the tiles (and their live streams) that stay. One tile can be expanded over the
 * whole wall; the others stay in place but hidden (they stop consuming after the grace period).
 */
export class WwWall extends LitElement {
  static override properties = {
    layout: { type: String, reflect: true },
    tiles: { attribute: false },
    cameras: { attribute: false },
    camerasLoaded: { attribute: false },
    live: { attribute: false },
    serverConnected: { attribute: false },
    selected: { attribute: false },
    expanded: { attribute: false },
    showStats: { attribute: false },
    recorder: { attribute: false },
    replayable: { attribute: false },
    health: { attribute: false },
    linkLevel: { attribute: false },
  };

  declare layout: LayoutName;
  declare tiles: readonly (string | null)[];
  declare cameras: ReadonlyMap<string, CameraInfo>;
  declare camerasLoaded: boolean;
  declare live: LiveMediaService | null;
  declare serverConnected: boolean;
  declare selected: number | null;
  declare expanded: number | null;
  declare showStats: boolean;
  declare recorder: RecorderApi | null;
  /** Cameras whose tiles offer the instant replay (the viewer's playback right); null = all. */
  declare replayable: ReadonlySet<string> | null;
  /** Open health alerts per camera (tile badges). */
  declare health: ReadonlyMap<string, TileHealth>;
  /** The receive link's level: on 'poor' tiles take the sub stream and only a few stay live. */
  declare linkLevel: LinkLevel;

  constructor() {
    super();
    this.layout = '2x2';
    this.tiles = [];
    this.cameras = new Map();
    this.camerasLoaded = false;
    this.live = null;
    this.serverConnected = false;
    this.selected = null;
    this.expanded = null;
    this.showStats = false;
    this.recorder = null;
    this.replayable = null;
    this.health = new Map();
    this.linkLevel = 'good';
  }

  override render(): unknown {
    const geo = layoutGeometry(this.layout);
    const indices = geo.tiles.map((_, i) => i);
    const expanded = this.expanded !== null && this.expanded < indices.length ? this.expanded : null;
    const link = linkConstraint(this.linkLevel);
    const shown = indices.map((i) => this.tiles[i] ?? null);
    return html`
      <div class="grid" style="grid-template-columns: repeat(${geo.cols}, minmax(0, 1fr)); grid-template-rows: repeat(${geo.rows}, minmax(0, 1fr));">
        ${repeat(
          indices,
          (i) => i,
          (i) => {
            const cameraId = this.tiles[i] ?? '';
            const rect = geo.tiles[i]!;
            const isExpanded = expanded === i;
            return html`<ww-tile
              style="grid-area: ${isExpanded ? '1 / 1 / -1 / -1' : gridArea(rect)}"
              .index=${i}
              .cameraId=${cameraId}
              .camera=${cameraId ? this.cameras.get(cameraId) : undefined}
              .camerasLoaded=${this.camerasLoaded}
              .live=${this.live}
              .serverConnected=${this.serverConnected}
              .selected=${this.selected === i}
              .expanded=${isExpanded}
              .showStats=${this.showStats}
              .recorder=${this.replayable && !this.replayable.has(cameraId) ? null : this.recorder}
              .health=${cameraId ? this.health.get(cameraId) : undefined}
              .linkLive=${expanded !== null && link.forceSub ? isExpanded : tileIsLive(i, shown, link, null)}
              .linkSub=${link.forceSub}
              ?hidden=${expanded !== null && !isExpanded}
            ></ww-tile>`;
          },
        )}
      </div>
    `;
  }

  static override styles = [theme, wwWallStyles];
}

customElements.define('ww-wall', WwWall);

declare global {
  interface HTMLElementTagNameMap {
    'ww-wall': WwWall;
  }
}
