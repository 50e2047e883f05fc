import type { TileHealth } from '../../core/health-alerts.js';
import { LitElement, html, nothing, svg } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import type { WardArea } from '../../core/city.js';
import { stillUrl } from '../../core/ids.js';
import type { Trail } from '../../core/trail.js';
import { t } from '../../i18n/i18n.js';
import { theme } from '../../styles/theme.js';
import { wwMapStyles } from './ww-map.styles.js';

export const MAP_BACKGROUND_URL = '/api/map/background';
const WEDGE_DEG = 32;
const WEDGE_R = 78;

/** SVG path of a camera's viewing wedge (heading in degrees clockwise from north; y grows south). */
export function wedgePath(heading: number, half = WEDGE_DEG, r = WEDGE_R): string {
  const pt = (deg: number): string => {
    const rad = (deg * Math.PI) / 180;
    return `${(Math.sin(rad) * r).toFixed(1)} ${(-Math.cos(rad) * r).toFixed(1)}`;
  };
  return `M0 0 L${pt(heading - half)} A${r} ${r} 0 0 1 ${pt(heading + half)} Z`;
}

type CameraLook = 'live' | 'connecting' | 'offline';

function lookOf(camera: CameraInfo): CameraLook {
  const states = Object.values(camera.streams).map((s) => s?.state);
  if (states.includes('live')) return 'live';
  if (states.includes('connecting')) return 'connecting';
  return 'offline';
}

/**
 * The ward map: the background (configured image/SVG or the generated schematic), every camera at
 * its position with its viewing wedge and live state, the followed camera and its neighbours
 * highlighted, and a trail drawn as a numbered path. Click a camera: `ww-map-pick` {cameraId};
 * hover: its still. Test hooks: each camera is `g.cam[data-camera][data-state]`, the trail
 * `polyline.trail[data-hops]`.
 */
export class WwMap extends LitElement {
  static override properties = {
    cameras: { attribute: false },
    centre: { attribute: false },
    neighbours: { attribute: false },
    trail: { attribute: false },
    health: { attribute: false },
    wardAreas: { attribute: false },
    hover: { state: true },
  };

  declare cameras: ReadonlyMap<string, CameraInfo>;
  /** The followed / selected camera, highlighted. */
  declare centre: string | null;
  declare neighbours: readonly string[];
  declare trail: Trail | null;
  /** Open health alerts per camera: a badge on its marker. */
  declare health: ReadonlyMap<string, TileHealth>;
  /** City centre: the wards' maps placed on the city map (docs/city.md); the centre's own map is the city map. */
  declare wardAreas: readonly WardArea[];
  declare hover: { id: string; x: number; y: number; at: number } | null;

  constructor() {
    super();
    new LocaleController(this);
    this.cameras = new Map();
    this.centre = null;
    this.neighbours = [];
    this.trail = null;
    this.health = new Map();
    this.wardAreas = [];
    this.hover = null;
  }

  private pick(id: string): void {
    this.hover = null;
    this.dispatchEvent(new CustomEvent('ww-map-pick', { detail: { cameraId: id }, bubbles: true, composed: true }));
  }

  private renderTrail(): unknown {
    const trail = this.trail;
    if (!trail || trail.hops.length === 0) return nothing;
    const pts = trail.hops
      .map((h) => this.cameras.get(h.cameraId)?.position)
      .filter((p): p is NonNullable<typeof p> => !!p);
    if (pts.length === 0) return nothing;
    return svg`<g class="trail-layer">
      <polyline class="trail" data-hops=${trail.hops.length} points=${pts.map((p) => `${p.x},${p.y}`).join(' ')}></polyline>
      ${pts.map((p, i) => svg`<g transform=${`translate(${p.x + 20 + (i % 3) * 6} ${p.y - 22 - (i % 3) * 6})`}>
        <circle class="hop" r="13"></circle><text class="hop-n" dy="5">${i + 1}</text></g>`)}
    </g>`;
  }

  private renderCamera(c: CameraInfo): unknown {
    const p = c.position;
    if (!p) return nothing;
    const look = lookOf(c);
    const role = c.id === this.centre ? 'centre' : this.neighbours.includes(c.id) ? 'neighbour' : '';
    const alert = this.health.get(c.id);
    const resident = c.resident ? 'resident' : '';
    const label = [c.name, t(`state.${look}`), c.resident ? t('map.resident') : '', alert ? t(`health.kind.${alert.kind}`) : ''].filter(Boolean).join(': ');
    return svg`<g class=${`cam ${look} ${role} ${resident}`} data-camera=${c.id} data-state=${look} data-resident=${c.resident ? 'true' : 'false'}
        data-alert=${alert ? alert.kind : ''} transform=${`translate(${p.x} ${p.y})`}
        role="button" tabindex="0" aria-label=${label}
        @click=${() => this.pick(c.id)}
        @keydown=${(e: KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), this.pick(c.id))}
        @pointerenter=${() => (this.hover = { id: c.id, x: p.x, y: p.y, at: Date.now() })}
        @pointerleave=${() => this.hover?.id === c.id && (this.hover = null)}>
      ${p.heading !== undefined ? svg`<path class="wedge" d=${wedgePath(p.heading)}></path>` : nothing}
      <circle class="dot" r="15"></circle>
      ${c.resident ? svg`<text class="resident-mark" dy="6">R</text>` : nothing}
      ${alert ? svg`<g class=${`alert ${alert.acknowledged ? 'acked' : ''}`} transform="translate(14 -14)"><circle r="10"></circle><text dy="5">!</text></g>` : nothing}
      <text class="label" y="40">${c.name}</text>
    </g>`;
  }

  private renderWardArea(a: WardArea): unknown {
    const label = `${a.name}: ${a.online ? t('city.wardOnline') : t('city.wardOffline')}`;
    return svg`<g class=${`ward-area ${a.online ? 'online' : 'offline'}`} data-ward=${a.ward} data-online=${a.online ? 'true' : 'false'} aria-label=${label}>
      <rect x=${a.x} y=${a.y} width=${a.size} height=${a.size}></rect>
      <text class="ward-label" x=${a.x + 10} y=${a.y + 28}>${a.name}${a.online ? '' : ` · ${t('city.wardOffline')}`}</text>
    </g>`;
  }

  private renderHover(): unknown {
    const h = this.hover;
    const cam = h ? this.cameras.get(h.id) : undefined;
    // A ward's camera has no still at the centre (docs/city.md).
    if (!h || !cam || cam.city) return nothing;
    const left = h.x > 600;
    const top = h.y > 600;
    const style = `${left ? 'right' : 'left'}:${left ? 100 - h.x / 10 + 3 : h.x / 10 + 3}%;${top ? 'bottom' : 'top'}:${top ? 100 - h.y / 10 + 3 : h.y / 10 + 3}%`;
    return html`<figure class="still" style=${style} data-still=${h.id}>
      <img src=${stillUrl(h.id, h.at)} alt="" @error=${(e: Event) => ((e.target as HTMLImageElement).hidden = true)} />
      <figcaption>${cam.name} · ${t(`state.${lookOf(cam)}`)}</figcaption>
    </figure>`;
  }

  override render(): unknown {
    const cams = [...this.cameras.values()];
    const unplaced = cams.filter((c) => !c.position);
    return html`<div class="map">
        <svg viewBox="0 0 1000 1000" preserveAspectRatio="xMidYMid meet" role="img" aria-label=${this.wardAreas.length ? t('map.cityTitle') : t('map.title')}>
          <image href=${MAP_BACKGROUND_URL} x="0" y="0" width="1000" height="1000" preserveAspectRatio="none"></image>
          ${this.wardAreas.map((a) => this.renderWardArea(a))}
          ${this.renderTrail()}
          ${cams.map((c) => this.renderCamera(c))}
        </svg>
        ${this.renderHover()}
      </div>
      ${unplaced.length
        ? html`<div class="unplaced">${t('map.unplaced')}:
            ${unplaced.map((c) => html`<button type="button" data-camera=${c.id} @click=${() => this.pick(c.id)}>${c.name}</button>`)}</div>`
        : nothing}`;
  }

  static override styles = [theme, wwMapStyles];
}

customElements.define('ww-map', WwMap);

declare global {
  interface HTMLElementTagNameMap {
    'ww-map': WwMap;
  }
}
