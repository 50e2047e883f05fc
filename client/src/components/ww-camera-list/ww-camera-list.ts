import { LitElement, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CameraInfo, CityCameraInfo, CityWardInfo, IngestInfo, StreamStatus } from '@wardwall/common';
import { groupWards, type WardGroup } from '../../core/city.js';
import { MIME_CAMERA } from '../../core/dnd.js';
import { matchesFilter } from '../../core/text.js';
import { resolveShortcut } from '../../core/shortcuts.js';
import { LocaleController } from '../../controllers/locale.js';
import { formatTime, reasonText, t } from '../../i18n/i18n.js';
import { theme } from '../../styles/theme.js';
import { wwCameraListStyles } from './ww-camera-list.styles.js';

/** One line about what the ingest decided for a stream (never a URL): mode, reason, codec, size, rate, audio. */
export function ingestText(info: IngestInfo | undefined): string {
  if (!info) return '';
  const bits = [info.codec, info.profile, info.width && info.height ? `${info.width}×${info.height}` : null, info.fps ? `${Math.round(info.fps * 10) / 10} fps` : null, ...info.audio];
  const detail = bits.filter(Boolean).join(', ');
  return t('ingest.line', { mode: t(`ingest.${info.mode}`), reason: t(`ingestReason.${info.reason}`), detail: detail ? ` · ${detail}` : '' });
}

function statusLine(label: string, s: StreamStatus): string {
  const parts = [`${label}: ${t(`state.${s.state}`)}`, t('state.since', { time: formatTime(s.since) })];
  if (s.reason) parts.push(t('state.reason', { reason: reasonText(s.reason) }));
  if (s.ingest) parts.push(ingestText(s.ingest));
  return parts.join(' · ');
}

/**
 * The camera list: each camera's name and state (reason in the tooltip), a filter box that ignores
 * Vietnamese diacritics. Items can be dragged onto tiles or clicked (emits `ww-camera-pick`).
 * At a city centre the wards' cameras follow the centre's own, grouped by ward (`wards`: the ward's
 * name, online or link down, its counts; each camera `<ward>/<camera>`, docs/city.md).
 */
export class WwCameraList extends LitElement {
  static override properties = {
    cameras: { attribute: false },
    loaded: { attribute: false },
    onWall: { attribute: false },
    stale: { attribute: false },
    wards: { attribute: false },
    filter: { state: true },
  };

  declare cameras: readonly CameraInfo[];
  declare loaded: boolean;
  declare onWall: ReadonlySet<string>;
  /** The server is unreachable: the states shown are the last known ones. */
  declare stale: boolean;
  /** City centre: the wards and their cameras (empty at a station). */
  declare wards: readonly CityWardInfo[];
  declare filter: string;

  constructor() {
    super();
    new LocaleController(this);
    this.cameras = [];
    this.loaded = false;
    this.onWall = new Set();
    this.stale = false;
    this.wards = [];
    this.filter = '';
  }

  private pick(cameraId: string): void {
    this.dispatchEvent(new CustomEvent('ww-camera-pick', { detail: { cameraId }, bubbles: true, composed: true }));
  }

  private onDragStart(e: DragEvent, cam: { id: string; name: string }): void {
    if (!e.dataTransfer) return;
    e.dataTransfer.setData(MIME_CAMERA, cam.id);
    e.dataTransfer.setData('text/plain', cam.name);
    e.dataTransfer.effectAllowed = 'copyMove';
  }

  private onFilterKey(e: KeyboardEvent): void {
    const hit = resolveShortcut('live', e, 'filter');
    if (hit?.action === 'clearFilter') {
      this.filter = '';
      (e.target as HTMLInputElement).blur();
    } else if (hit?.action === 'pickFirst') {
      const first = this.visible()[0]?.id ?? this.visibleWards().find((g) => g.cameras.length > 0)?.cameras[0]?.remoteId;
      if (first) this.pick(first);
    }
    e.stopPropagation();
  }

  /** The centre's (or station's) own cameras: the wards' are listed in their groups. */
  private own(): CameraInfo[] {
    return this.cameras.filter((c) => !c.city);
  }

  private visible(): CameraInfo[] {
    return this.own().filter((c) => matchesFilter(this.filter, c.name, c.id));
  }

  private visibleWards(): WardGroup[] {
    return groupWards(this.wards, this.filter);
  }

  private renderWard(g: WardGroup): unknown {
    const wardState = this.stale ? 'unknown' : g.online ? 'online' : 'offline';
    const title = [g.name, g.online ? t('city.wardOnline') : t('city.wardOffline'), t('state.since', { time: formatTime(g.since) })].join(' · ');
    return html`<li class="ward-head ${wardState}" data-ward=${g.ward} data-online=${g.online ? 'true' : 'false'} title=${title}>
        <span class="dot ${g.online ? 'live' : 'offline'}"></span>
        <span class="ward-name">${g.name}</span>
        <span class="ward-state">${g.online ? t('city.wardCount', { live: g.live, total: g.total }) : t('city.wardOffline')}</span>
      </li>
      ${g.total === 0 ? html`<li class="ward-empty">${t('city.wardNoCameras')}</li>` : nothing}
      ${repeat(
        g.cameras,
        (c) => c.remoteId,
        (c) => this.renderWardCamera(g, c),
      )}`;
  }

  private renderWardCamera(g: WardGroup, c: CityCameraInfo): unknown {
    const linkDown = c.linkDown || !g.online;
    const state = this.stale ? 'unknown' : linkDown ? 'offline' : c.state;
    const reason = linkDown ? 'link_down' : c.state !== 'live' ? c.reason : null;
    const title = [`${c.name} (${g.name})`, `${t(`state.${state}`)}${reason ? ` · ${reasonText(reason)}` : ''}`, t('state.since', { time: formatTime(linkDown ? g.since : c.since) })].join('\n');
    return html`<li>
      <button
        type="button"
        class="item ward-cam ${state}"
        data-camera-id=${c.remoteId}
        data-ward=${g.ward}
        data-state=${state}
        ?data-link-down=${linkDown}
        draggable="true"
        title=${title}
        @dragstart=${(e: DragEvent) => this.onDragStart(e, { id: c.remoteId, name: c.name })}
        @click=${() => this.pick(c.remoteId)}
      >
        <span class="dot ${state}"></span>
        <span class="label">
          <span class="name">${c.name}</span>
          <span class="meta">${c.id} · ${t(`state.${state}`)}</span>
          ${!this.stale && reason ? html`<span class="reason">${reasonText(reason)}</span>` : nothing}
        </span>
        ${this.onWall.has(c.remoteId) ? html`<span class="onwall" title=${t('list.onWall')} aria-label=${t('list.onWall')}>▣</span>` : nothing}
      </button>
    </li>`;
  }

  override render(): unknown {
    const own = this.own();
    const shown = this.visible();
    const groups = this.visibleWards();
    const wardCams = this.wards.flatMap((w) => w.cameras.map((c) => (c.linkDown || !w.online ? 'offline' : c.state)));
    const total = own.length + wardCams.length;
    const shownCount = shown.length + groups.reduce((n, g) => n + g.cameras.length, 0);
    const live = own.filter((c) => c.streams.main.state === 'live').length + wardCams.filter((s) => s === 'live').length;
    const offline = own.filter((c) => c.streams.main.state === 'offline').length + wardCams.filter((s) => s === 'offline').length;
    let empty: string | null = null;
    if (!this.loaded) empty = t('list.waiting');
    else if (total === 0 && this.wards.length === 0) empty = t('list.empty');
    else if (shownCount === 0 && groups.length === 0) empty = t('list.noMatch');
    return html`
      <div class="head">
        <h2>${t('list.title')}</h2>
        <span class="count">${t('list.count', { shown: shownCount, total })}</span>
      </div>
      <input
        type="search"
        .value=${this.filter}
        placeholder=${t('list.filter')}
        aria-label=${t('list.filterLabel')}
        spellcheck="false"
        autocomplete="off"
        @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
        @keydown=${this.onFilterKey}
      />
      ${this.loaded && total > 0
        ? html`<div class="summary ${this.stale ? 'stale' : ''}">${this.stale ? t('list.stale') : t('list.summary', { live, offline })}</div>`
        : nothing}
      <ul role="list">
        ${repeat(
          shown,
          (c) => c.id,
          (c) => {
            const main = c.streams.main;
            const held = !this.stale && main.reason === 'paused';
            const state = this.stale ? 'unknown' : main.state;
            const cls = held ? 'held' : state;
            const title = [c.name, statusLine(t('stream.title', { stream: t('stream.main') }), main), c.streams.sub ? statusLine(t('stream.title', { stream: t('stream.sub') }), c.streams.sub) : '']
              .filter(Boolean)
              .join('\n');
            return html`<li>
              <button
                type="button"
                class="item ${cls}"
                data-camera-id=${c.id}
                data-state=${cls}
                ?data-resident=${!!c.resident}
                draggable="true"
                title=${title}
                @dragstart=${(e: DragEvent) => this.onDragStart(e, c)}
                @click=${() => this.pick(c.id)}
              >
                <span class="dot ${cls}"></span>
                <span class="label">
                  <span class="name">${c.name}${c.resident
                    ? html` <span class="resident" title=${t('resident.tileTitle', { owner: c.resident.owner, sharing: t(`resident.sharing.${c.resident.sharing}`) })}>${t('resident.chip')}</span>`
                    : nothing}</span>
                  <span class="meta">${c.id} · ${(held ? t('state.paused') : t(`state.${state}`))}${c.streams.sub ? html` · <span class="sub">${t('stream.main')}+${t('stream.sub')}</span>` : nothing}</span>
                  ${!this.stale && main.state !== 'live' && main.reason ? html`<span class="reason">${main.ingest?.mode === 'unplayable' ? ingestText(main.ingest) : reasonText(main.reason)}</span>` : nothing}
                </span>
                ${this.onWall.has(c.id) ? html`<span class="onwall" title=${t('list.onWall')} aria-label=${t('list.onWall')}>▣</span>` : nothing}
              </button>
            </li>`;
          },
        )}
        ${groups.length > 0 && own.length > 0 ? html`<li class="group-sep">${t('city.wardsTitle')}</li>` : nothing}
        ${groups.map((g) => this.renderWard(g))}
      </ul>
      ${empty ? html`<p class="empty">${empty}</p>` : nothing}
      <p class="hint">${t('list.hint')}</p>
    `;
  }

  static override styles = [theme, wwCameraListStyles];
}

customElements.define('ww-camera-list', WwCameraList);

declare global {
  interface HTMLElementTagNameMap {
    'ww-camera-list': WwCameraList;
  }
}
