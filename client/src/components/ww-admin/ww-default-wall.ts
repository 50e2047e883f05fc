import { LitElement, html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { LAYOUTS, MAX_TILES, tileCount, type LayoutName } from '../../core/layout.js';
import { errorMessage, formatDateTime, t } from '../../i18n/i18n.js';
import { WallApi, WallApiError, type StationWall } from '../../services/wall-api.js';
import { theme } from '../../styles/theme.js';
import { formControls } from '../../styles/forms.js';
import { wwDefaultWallStyles } from './ww-default-wall.styles.js';

/**
 * The station's default wall on the admin page: a layout and a camera per tile, which users with no
 * wall of their own start with (each sees only the cameras they may watch). Saved on the server
 * (PUT /api/wall/default, audited); "take the wall I am watching" fills it from the admin's wall;
 * removing it goes back to automatic (the first cameras each user may watch).
 * Test hooks: `[data-default-layout]`, `select[data-default-tile=N]`, `[data-action=default-save|default-mine|default-clear]`, `[data-default-state]`.
 */
export class WwDefaultWall extends LitElement {
  static override properties = {
    fetchFn: { attribute: false },
    cameras: { attribute: false },
    mine: { attribute: false },
    current: { state: true },
    layout: { state: true },
    tiles: { state: true },
    notice: { state: true },
  };
  declare fetchFn: typeof fetch | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  /** The admin's own wall on screen ("take the wall I am watching"). */
  declare mine: { layout: LayoutName; tiles: readonly (string | null)[] } | null;
  declare current: StationWall | null;
  declare layout: LayoutName;
  declare tiles: (string | null)[];
  declare notice: { text: string; error: boolean } | null;

  constructor() {
    super();
    new LocaleController(this);
    this.fetchFn = null;
    this.cameras = new Map();
    this.mine = null;
    this.current = null;
    this.layout = '2x2';
    this.tiles = Array.from({ length: MAX_TILES }, () => null);
    this.notice = null;
  }

  private get api(): WallApi {
    return new WallApi(this.fetchFn ?? undefined);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.show(await this.api.stationWall());
    } catch (e) {
      this.notice = { text: t('wallDefault.failed', { reason: e instanceof WallApiError ? errorMessage(e.code) : String(e) }), error: true };
    }
  }

  private show(w: StationWall | null): void {
    this.current = w;
    if (w) {
      this.layout = w.layout;
      this.tiles = Array.from({ length: MAX_TILES }, (_, i) => w.tiles[i] ?? null);
    }
  }

  private async save(): Promise<void> {
    try {
      this.show(await this.api.setStationWall(this.layout, this.tiles.slice(0, tileCount(this.layout))));
      this.notice = { text: t('wallDefault.saved'), error: false };
    } catch (e) {
      this.notice = { text: t('wallDefault.failed', { reason: e instanceof WallApiError ? `${errorMessage(e.code)} (${e.code})` : String(e) }), error: true };
    }
  }

  private async clear(): Promise<void> {
    try {
      await this.api.clearStationWall();
      this.current = null;
      this.notice = { text: t('wallDefault.cleared'), error: false };
    } catch (e) {
      this.notice = { text: t('wallDefault.failed', { reason: e instanceof WallApiError ? `${errorMessage(e.code)} (${e.code})` : String(e) }), error: true };
    }
  }

  private takeMine(): void {
    if (!this.mine) return;
    this.layout = this.mine.layout;
    this.tiles = Array.from({ length: MAX_TILES }, (_, i) => this.mine!.tiles[i] ?? null);
  }

  override render(): unknown {
    const cams = [...this.cameras.values()];
    const n = tileCount(this.layout);
    return html`<h2>${t('wallDefault.title')}</h2>
      <p class="help">${t('wallDefault.help')}</p>
      <p data-default-state=${this.current ? 'station' : 'automatic'}>
        ${this.current ? t('wallDefault.setBy', { who: this.current.updatedBy, time: formatDateTime(this.current.updatedAt) }) : t('wallDefault.automatic')}
      </p>
      <div class="row">
        <label>${t('wallDefault.layout')}
          <select data-default-layout @change=${(e: Event) => (this.layout = (e.target as HTMLSelectElement).value as LayoutName)}>
            ${LAYOUTS.map((l) => html`<option value=${l} ?selected=${l === this.layout}>${t(`layout.${l}`)}</option>`)}
          </select>
        </label>
      </div>
      <div class="tiles">
        ${Array.from({ length: n }, (_, i) => html`<label>${t('wallDefault.tile', { n: i + 1 })}
          <select data-default-tile=${i} @change=${(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            const next = [...this.tiles];
            next[i] = v || null;
            this.tiles = next;
          }}>
            <option value="" ?selected=${!this.tiles[i]}>${t('wallDefault.empty')}</option>
            ${cams.map((c) => html`<option value=${c.id} ?selected=${this.tiles[i] === c.id}>${c.name} (${c.id})</option>`)}
          </select></label>`)}
      </div>
      <div class="row">
        <button type="button" class="primary" data-action="default-save" @click=${() => void this.save()}>${t('wallDefault.save')}</button>
        <button type="button" data-action="default-mine" ?disabled=${!this.mine} @click=${() => this.takeMine()}>${t('wallDefault.useMine')}</button>
        <button type="button" data-action="default-clear" ?disabled=${!this.current} @click=${() => void this.clear()}>${t('wallDefault.clear')}</button>
        ${this.notice ? html`<span class="notice ${this.notice.error ? 'error' : ''}" role="status" data-default-notice>${this.notice.text}</span>` : nothing}
      </div>`;
  }

  static override styles = [theme, formControls, wwDefaultWallStyles];
}

customElements.define('ww-default-wall', WwDefaultWall);

declare global {
  interface HTMLElementTagNameMap {
    'ww-default-wall': WwDefaultWall;
  }
}
