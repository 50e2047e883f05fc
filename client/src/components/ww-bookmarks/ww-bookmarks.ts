import { LitElement, html, nothing } from 'lit';
import { lockIcon } from '../../styles/icons.js';
import type { BookmarkFilter, IncidentStatus } from '@wardwall/common/bookmarks';
import { INCIDENT_STATUSES } from '@wardwall/common/bookmarks';
import { LocaleController } from '../../controllers/locale.js';
import { fromDateTimeInputs, hcmTimeText } from '../../core/hcm-time.js';
import { parseTags } from '../../core/text.js';
import { changedFields, typedWindow, windowTexts } from '../../core/bookmark-edit.js';
import { errorMessage, formatDate, t } from '../../i18n/i18n.js';
import type { BookmarkService, LocalBookmark, LocalIncident } from '../../services/bookmarks.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import { theme } from '../../styles/theme.js';
import { formControls, errorText } from '../../styles/forms.js';
import '../ww-export/ww-export.js';
import { wwBookmarksStyles } from './ww-bookmarks.styles.js';

type Tab = 'bookmarks' | 'incidents';

export interface BookmarkOpenDetail {
  cameras: string[];
  at: number;
}

/**
 * The Bookmarks drawer: bookmarks filtered by camera, time range, author, tag and text (choosing
 * one opens review on its cameras at its moment: ww-bookmark-open {cameras, at}); incidents with
 * status, members and one-package export (the recorder's export of every range, verified in the
 * browser by ww-export). Shows what is not synced yet. Test hooks: data-bookmark-id, data-sync,
 * data-incident-id, data-filter, data-action.
 */
export class WwBookmarks extends LitElement {
  static override properties = {
    service: { attribute: false },
    api: { attribute: false },
    cameraNames: { attribute: false },
    tab: { state: true },
    filter: { state: true },
    expanded: { state: true },
    editing: { state: true },
    error: { state: true },
  };

  declare service: BookmarkService | null;
  declare api: RecorderApi | null;
  declare cameraNames: ReadonlyMap<string, string>;
  declare tab: Tab;
  declare filter: BookmarkFilter;
  declare expanded: string | null;
  /** The bookmark being edited (title, note, tags, window, cameras, urgency). */
  declare editing: string | null;
  declare error: string | null;
  private off: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.service = null;
    this.api = null;
    this.cameraNames = new Map();
    this.tab = 'bookmarks';
    this.filter = {};
    this.expanded = null;
    this.editing = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.subscribe();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('service')) this.subscribe();
  }

  private subscribe(): void {
    this.off?.();
    this.off = this.isConnected ? (this.service?.on('change', () => this.requestUpdate()) ?? null) : null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
  }

  private name(c: string): string {
    return this.cameraNames.get(c) ?? c;
  }

  private setFilter(key: keyof BookmarkFilter, raw: string): void {
    const f = { ...this.filter };
    if (key === 'from' || key === 'to') {
      const v = raw ? fromDateTimeInputs(raw, key === 'from' ? '00:00:00' : '23:59:59.999') : null;
      if (v === null) delete f[key];
      else f[key] = v;
    } else if (raw.trim()) (f as Record<string, unknown>)[key] = raw.trim();
    else delete f[key];
    this.filter = f;
  }

  private setUrgentFilter(on: boolean): void {
    const f = { ...this.filter };
    if (on) f.urgent = true;
    else delete f.urgent;
    this.filter = f;
  }

  private open(b: LocalBookmark): void {
    this.dispatchEvent(new CustomEvent<BookmarkOpenDetail>('ww-bookmark-open', { detail: { cameras: b.cameras, at: b.startMs }, bubbles: true, composed: true }));
  }

  private async guard(p: Promise<unknown>): Promise<void> {
    try {
      await p;
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private async saveEdit(e: Event, b: LocalBookmark): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (f: string) => form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-field="${f}"]`)?.value ?? '';
    const window = typedWindow(b, { startDate: value('edit-start-date'), startTime: value('edit-start-time'), endDate: value('edit-end-date'), endTime: value('edit-end-time') });
    if ('error' in window) {
      this.error = t(window.error === 'badRange' ? 'bm.badRange' : 'review.badTime');
      return;
    }
    const cameras = [...form.querySelectorAll<HTMLInputElement>('[data-field="edit-camera"]:checked')].map((i) => i.value);
    if (cameras.length === 0) {
      this.error = t('bm.noCamera');
      return;
    }
    const urgent = form.querySelector<HTMLInputElement>('[data-field="edit-urgent"]')?.checked ?? false;
    const patch = changedFields(b, { cameras, ...window, title: value('edit-title').trim(), note: value('edit-note'), tags: parseTags(value('edit-tags')), urgent });
    if (Object.keys(patch).length) await this.guard(this.service!.updateBookmark(b.id, patch));
    else this.error = null;
    if (!this.error) this.editing = null;
  }

  private renderEdit(b: LocalBookmark): unknown {
    const w = windowTexts(b);
    // The bookmark's cameras first (also one this viewer no longer sees listed), then the others.
    const cams = [...new Set([...b.cameras, ...this.cameraNames.keys()])];
    return html`<form class="edit" @submit=${(e: Event) => void this.saveEdit(e, b)}>
      <input type="text" data-field="edit-title" maxlength="200" aria-label=${t('bm.title')} .value=${b.title} />
      <textarea data-field="edit-note" rows="2" maxlength="4000" aria-label=${t('bm.note')} .value=${b.note}></textarea>
      <input type="text" data-field="edit-tags" aria-label=${t('bm.tags')} .value=${b.tags.join(', ')} />
      <div class="when-edit">
        <label>${t('bm.start')} <input type="date" data-field="edit-start-date" .value=${w.startDate} /><input type="text" class="time" data-field="edit-start-time" .value=${w.startTime} /></label>
        <label>${t('bm.end')} <input type="date" data-field="edit-end-date" .value=${w.endDate} /><input type="text" class="time" data-field="edit-end-time" .value=${w.endTime} /></label>
      </div>
      <fieldset class="cams"><legend>${t('bm.editCameras')}</legend>
        ${cams.map((c) => html`<label><input type="checkbox" data-field="edit-camera" value=${c} ?checked=${b.cameras.includes(c)} /> ${this.name(c)}</label>`)}
      </fieldset>
      <label class="check"><input type="checkbox" data-field="edit-urgent" ?checked=${!!b.urgent} /> ${t('bm.urgent')}</label>
      <div class="actions">
        <button type="submit" class="primary" data-action="save-edit">${t('bm.save')}</button>
        <button type="button" data-action="cancel-edit" @click=${() => ((this.editing = null), (this.error = null))}>${t('bm.cancel')}</button>
      </div>
    </form>`;
  }

  private syncBadge(r: LocalBookmark | LocalIncident): unknown {
    if (r.sync === 'synced') return nothing;
    if (r.sync === 'rejected') return html`<span class="badge bad" title=${r.syncError?.message ?? ''}>${t('bm.rejected', { message: r.syncError ? `${errorMessage(r.syncError.code)} (${r.syncError.message})` : '' })}</span>`;
    return html`<span class="badge pending">${t('bm.pending')}</span>`;
  }

  private renderStatus(): unknown {
    const s = this.service?.status;
    if (!s) return nothing;
    const n = s.pending + s.rejected;
    return html`<div class="status" data-pending=${s.pending} data-rejected=${s.rejected}>
      ${n ? t('bm.syncStatus', { n }) : t('bm.allSynced')} ${s.online ? nothing : html`· <span class="offline">${t('bm.offline')}</span>`}
    </div>`;
  }

  private renderBookmark(b: LocalBookmark, incidents: LocalIncident[]): unknown {
    const range = b.endMs > b.startMs ? `${hcmTimeText(b.startMs)}–${hcmTimeText(b.endMs)}` : hcmTimeText(b.startMs, true);
    return html`<li data-bookmark-id=${b.id} data-sync=${b.sync} ?data-urgent=${!!b.urgent} class=${b.urgent ? 'urgent' : ''}>
      <button type="button" class="link" data-action="open" title=${t('bm.open')} @click=${() => this.open(b)}>
        <span class="when">${formatDate(b.startMs)} ${range}</span>
        <span class="title">${b.title || '—'}</span>
      </button>
      <div class="meta">
        ${b.urgent ? html`<span class="badge urgent">${t('bm.urgent')}</span>` : nothing}
        ${b.cameras.map((c) => html`<span class="cam">${this.name(c)}</span>`)}
        ${b.tags.map((tag) => html`<span class="tag">#${tag}</span>`)}
        <span class="author">${b.author || t('bm.me')}</span>
        ${b.hold ? html`<span class="held" title=${t('bm.held')}>${lockIcon()}</span>` : nothing}
        ${this.syncBadge(b)}
      </div>
      ${this.editing === b.id ? this.renderEdit(b) : b.note ? html`<div class="note">${b.note}</div>` : nothing}
      <div class="actions">
        <button type="button" data-action="edit" @click=${() => (this.editing = this.editing === b.id ? null : b.id)}>${t('bm.edit')}</button>
        <select data-action="incident" aria-label=${t('bm.addTo')} @change=${(e: Event) => void this.guard(this.service!.updateBookmark(b.id, { incidentId: (e.target as HTMLSelectElement).value || null }))}>
          <option value="" ?selected=${!b.incidentId}>${t('bm.noIncident')}</option>
          ${incidents.map((i) => html`<option value=${i.id} ?selected=${b.incidentId === i.id}>${i.title}</option>`)}
        </select>
        ${b.hold ? html`<button type="button" data-action="release" @click=${() => void this.guard(this.service!.updateBookmark(b.id, { hold: false }))}>${t('bm.release')}</button>` : nothing}
        <button type="button" data-action="delete" @click=${() => void this.guard(this.service!.deleteBookmark(b.id))}>${t('bm.delete')}</button>
      </div>
    </li>`;
  }

  private renderBookmarks(): unknown {
    const svc = this.service!;
    const list = svc.bookmarks(this.filter);
    const all = svc.bookmarks();
    const cameras = [...new Set(all.flatMap((b) => b.cameras))].sort();
    const incidents = svc.incidents();
    return html`<div class="filters">
        <select data-filter="camera" @change=${(e: Event) => this.setFilter('camera', (e.target as HTMLSelectElement).value)}>
          <option value="">${t('bm.allCameras')}</option>
          ${cameras.map((c) => html`<option value=${c} ?selected=${this.filter.camera === c}>${this.name(c)}</option>`)}
        </select>
        <label>${t('bm.filterFrom')} <input type="date" data-filter="from" @change=${(e: Event) => this.setFilter('from', (e.target as HTMLInputElement).value)} /></label>
        <label>${t('bm.filterTo')} <input type="date" data-filter="to" @change=${(e: Event) => this.setFilter('to', (e.target as HTMLInputElement).value)} /></label>
        <input type="text" data-filter="author" placeholder=${t('bm.filterAuthor')} @input=${(e: Event) => this.setFilter('author', (e.target as HTMLInputElement).value)} />
        <input type="text" data-filter="tag" placeholder=${t('bm.filterTag')} @input=${(e: Event) => this.setFilter('tag', (e.target as HTMLInputElement).value)} />
        <input type="search" data-filter="text" placeholder=${t('bm.filterText')} @input=${(e: Event) => this.setFilter('text', (e.target as HTMLInputElement).value)} />
        <label><input type="checkbox" data-filter="urgent" ?checked=${!!this.filter.urgent} @change=${(e: Event) => this.setUrgentFilter((e.target as HTMLInputElement).checked)} /> ${t('bm.onlyUrgent')}</label>
      </div>
      ${list.length ? html`<ul class="list">${list.map((b) => this.renderBookmark(b, incidents))}</ul>` : html`<p class="empty">${t('bm.empty')}</p>`}`;
  }

  private async createIncident(e: Event): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector<HTMLInputElement>('input')!;
    const title = input.value.trim();
    if (!title) return;
    await this.guard(this.service!.createIncident({ title }));
    input.value = '';
  }

  private renderIncident(i: LocalIncident): unknown {
    const svc = this.service!;
    const members = svc.bookmarksOf(i.id);
    const open = this.expanded === i.id;
    return html`<li data-incident-id=${i.id} data-sync=${i.sync}>
      <button type="button" class="link" data-action="expand" @click=${() => (this.expanded = open ? null : i.id)}>
        <span class="title">${i.title}</span>
        <span class="when">${t(`inc.kind.${i.kind}`)} · ${t('inc.count', { n: members.length })}</span>
      </button>
      <div class="meta">
        <select data-action="status" @change=${(e: Event) => void this.guard(svc.updateIncident(i.id, { status: (e.target as HTMLSelectElement).value as IncidentStatus }))}>
          ${INCIDENT_STATUSES.map((st) => html`<option value=${st} ?selected=${i.status === st}>${t(`inc.status.${st}`)}</option>`)}
        </select>
        <span class="author">${i.author || t('bm.me')}</span>
        ${this.syncBadge(i)}
        <button type="button" data-action="delete-incident" @click=${() => void this.guard(svc.deleteIncident(i.id))}>${t('inc.delete')}</button>
      </div>
      ${open
        ? html`<ul class="members">${members.map((b) => html`<li data-member-id=${b.id}><button type="button" class="link" @click=${() => this.open(b)}>
              ${hcmTimeText(b.startMs)} · ${b.cameras.map((c) => this.name(c)).join(', ')} · ${b.title || '—'}</button></li>`)}</ul>
            <ww-export .api=${this.api} .heading=${t('export.packageTitle', { title: i.title })}
              .startJob=${async (format: 'zip' | 'tar') => {
                const job = await svc.exportIncident(i.id, format);
                return this.api!.exportStatus(job.id);
              }}></ww-export>`
        : nothing}
    </li>`;
  }

  private renderIncidents(): unknown {
    const list = this.service!.incidents();
    return html`<form class="new" @submit=${(e: Event) => void this.createIncident(e)}>
        <input type="text" data-field="incident-title" maxlength="200" placeholder=${t('inc.new')} />
        <button type="submit" class="primary" data-action="create-incident">${t('inc.create')}</button>
      </form>
      ${list.length ? html`<ul class="list">${list.map((i) => this.renderIncident(i))}</ul>` : html`<p class="empty">${t('inc.empty')}</p>`}`;
  }

  override render(): unknown {
    if (!this.service) return nothing;
    return html`<aside aria-label=${t('bm.panelButton')} @keydown=${(e: KeyboardEvent) => e.key !== 'Escape' && e.stopPropagation()}>
      <header>
        <div class="tabs" role="tablist">
          <button type="button" role="tab" data-tab="bookmarks" aria-selected=${this.tab === 'bookmarks'} @click=${() => (this.tab = 'bookmarks')}>${t('bm.panel')}</button>
          <button type="button" role="tab" data-tab="incidents" aria-selected=${this.tab === 'incidents'} @click=${() => (this.tab = 'incidents')}>${t('inc.tab')}</button>
        </div>
        <button type="button" data-action="close" aria-label=${t('bm.close')} @click=${() => this.dispatchEvent(new CustomEvent('ww-bookmarks-close', { bubbles: true, composed: true }))}>✕</button>
      </header>
      ${this.renderStatus()}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      ${this.tab === 'bookmarks' ? this.renderBookmarks() : this.renderIncidents()}
    </aside>`;
  }

  static override styles = [theme, formControls, errorText, wwBookmarksStyles];
}

customElements.define('ww-bookmarks', WwBookmarks);

declare global {
  interface HTMLElementTagNameMap {
    'ww-bookmarks': WwBookmarks;
  }
}
