import { LitElement, html, nothing } from 'lit';
import { RESIDENT_SOURCES, SHARING_MODES, type ResidentReveal, type ResidentStatus, type ResidentView } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { errorMessage, formatDateTime, formatNumber, t } from '../../i18n/i18n.js';
import { ResidentsError, type NewResident, type ResidentsApi } from '../../services/residents-api.js';
import { EMPTY_FORM, fieldsOf, valuesOf, type FormValues } from '../../core/resident-form.js';
import { dataTable, theme } from '../../styles/theme.js';
import { formControls, stackedLabels, errorText } from '../../styles/forms.js';
import { wwResidentsStyles } from './ww-residents.styles.js';

/**
 * The administrators' page for resident cameras: the registry as a table, a form to register or
 * edit one, the life-cycle actions (approve, pause/resume, revoke, delete), new push keys and
 * owner links, shown once with copy buttons. Test hooks: `data-id` rows, `data-action` buttons.
 */
export class WwResidents extends LitElement {
  static override properties = {
    api: { attribute: false },
    cameras: { state: true },
    form: { state: true },
    editing: { state: true },
    reveal: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare api: ResidentsApi | null;
  declare cameras: ResidentView[] | null;
  /** The form's values, or null when closed. */
  declare form: FormValues | null;
  /** The id being edited, null when registering a new one. */
  declare editing: string | null;
  declare reveal: ResidentReveal | null;
  declare error: string | null;
  declare busy: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.cameras = null;
    this.form = null;
    this.editing = null;
    this.reveal = null;
    this.error = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('api') && this.api && this.cameras === null) void this.load();
  }

  async load(): Promise<void> {
    if (!this.api) return;
    await this.run(async () => {
      this.cameras = await this.api!.list();
    });
  }

  /** Runs one request: busy while it runs, its error shown (code in words + the server's detail). */
  private async run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await fn();
      return true;
    } catch (e) {
      const code = e instanceof ResidentsError ? e.code : 'INTERNAL';
      this.error = `${errorMessage(code)}${e instanceof ResidentsError && e.message ? ` (${e.message})` : ''}`;
      return false;
    } finally {
      this.busy = false;
    }
  }

  private openForm(cam: ResidentView | null): void {
    this.reveal = null;
    this.editing = cam?.id ?? null;
    this.form = cam ? valuesOf(cam) : { ...EMPTY_FORM };
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const v = this.form;
    if (!v || !this.api) return;
    const fields = fieldsOf(v);
    const ok = await this.run(async () => {
      if (this.editing) {
        await this.api!.update(this.editing, { ...fields, ...(v.url.trim() ? { url: v.url.trim() } : {}) });
      } else {
        const input: NewResident = {
          ...fields,
          ...(v.id.trim() ? { id: v.id.trim() } : {}),
          source: v.source === 'pull' ? { type: 'pull', url: v.url.trim() } : { type: 'push' },
        };
        this.reveal = await this.api!.create(input);
      }
    });
    if (ok) {
      this.form = null;
      await this.load();
    }
  }

  private async act(cam: ResidentView, action: 'approve' | 'pause' | 'resume' | 'revoke' | 'rotate' | 'link' | 'delete'): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (action === 'delete' && !confirm(t('residents.confirmDelete', { name: cam.name }))) return;
    if (action === 'rotate' && !confirm(t('residents.confirmRotate', { name: cam.name }))) return;
    const status: Partial<Record<typeof action, ResidentStatus>> = { approve: 'approved', pause: 'paused', resume: 'approved', revoke: 'revoked' };
    const ok = await this.run(async () => {
      const to = status[action];
      if (to) await api.setStatus(cam.id, to);
      else if (action === 'rotate') this.reveal = await api.rotateKey(cam.id);
      else if (action === 'link') this.reveal = await api.newOwnerLink(cam.id);
      else if (action === 'delete') await api.remove(cam.id);
    });
    if (ok) await this.load();
  }

  private set<K extends keyof FormValues>(key: K, value: FormValues[K]): void {
    if (this.form) this.form = { ...this.form, [key]: value };
  }

  private copy(text: string): void {
    void navigator.clipboard?.writeText(text).catch(() => undefined);
  }

  private renderReveal(): unknown {
    const r = this.reveal;
    if (!r) return nothing;
    const rows: [string, string, string][] = [];
    if (r.pushUrls) rows.push(['rtmp', t('residents.pushRtmp'), r.pushUrls.rtmp], ['rtsp', t('residents.pushRtsp'), r.pushUrls.rtsp]);
    if (r.pushKey) rows.push(['key', t('residents.pushKey'), r.pushKey]);
    if (r.ownerLink) rows.push(['owner', t('residents.ownerLink'), new URL(r.ownerLink, location.origin).href]);
    return html`<section class="reveal" role="status">
      <h3>${t('residents.revealTitle', { name: r.camera.name })}</h3>
      <p class="warn">${t('residents.revealOnce')}</p>
      ${rows.map(
        ([k, label, value]) => html`<div class="secret" data-secret=${k}>
          <span class="label">${label}</span><code>${value}</code>
          <button type="button" @click=${() => this.copy(value)}>${t('residents.copy')}</button>
        </div>`,
      )}
      <button type="button" class="primary" data-action="reveal-done" @click=${() => (this.reveal = null)}>${t('residents.revealDone')}</button>
    </section>`;
  }

  private renderForm(): unknown {
    const v = this.form;
    if (!v) return nothing;
    const text = (key: keyof FormValues, label: string, opts: { type?: string; required?: boolean; max?: number } = {}) =>
      html`<label
        >${label}<input
          name=${key}
          type=${opts.type ?? 'text'}
          .value=${String(v[key])}
          ?required=${opts.required ?? false}
          maxlength=${opts.max ?? nothing}
          @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value)}
      /></label>`;
    return html`<form class="form" @submit=${(e: Event) => void this.submit(e)}>
      <h3>${this.editing ? t('residents.editTitle', { id: this.editing }) : t('residents.newTitle')}</h3>
      <div class="grid">
        ${this.editing ? nothing : text('id', t('residents.field.id'))} ${text('name', t('residents.field.name'), { required: true, max: 120 })}
        ${text('ownerName', t('residents.field.ownerName'), { required: true, max: 120 })}
        ${text('ownerContact', t('residents.field.ownerContact'), { required: true, max: 200 })}
        ${text('address', t('residents.field.address'), { required: true, max: 300 })} ${text('x', t('residents.field.x'), { type: 'number' })}
        ${text('y', t('residents.field.y'), { type: 'number' })}
        <label
          >${t('residents.field.sharing')}<select name="sharing" @change=${(e: Event) => this.set('sharing', (e.target as HTMLSelectElement).value)}>
            ${SHARING_MODES.map((m) => html`<option value=${m} ?selected=${v.sharing === m}>${t(`resident.sharing.${m}`)}</option>`)}
          </select></label
        >
        ${text('retentionDays', t('residents.field.retentionDays'), { type: 'number', required: true })}
        <label class="check"
          ><input name="consent" type="checkbox" .checked=${v.consent} @change=${(e: Event) => this.set('consent', (e.target as HTMLInputElement).checked)} />${t(
            'residents.field.consent',
          )}</label
        >
        ${text('consentDate', t('residents.field.consentDate'), { type: 'date' })}
        ${this.editing
          ? nothing
          : html`<label
              >${t('residents.field.source')}<select name="source" @change=${(e: Event) => this.set('source', (e.target as HTMLSelectElement).value)}>
                ${RESIDENT_SOURCES.map((s) => html`<option value=${s} ?selected=${v.source === s}>${t(`residents.source.${s}`)}</option>`)}
              </select></label
            >`}
        ${v.source === 'pull' ? text('url', this.editing ? t('residents.field.newUrl') : t('residents.field.url'), { required: !this.editing, max: 2048 }) : nothing}
        ${text('note', t('residents.field.note'), { max: 1000 })}
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-action="save" ?disabled=${this.busy}>${t('residents.save')}</button>
        <button type="button" @click=${() => (this.form = null)}>${t('residents.cancel')}</button>
      </div>
    </form>`;
  }

  private renderRow(c: ResidentView): unknown {
    const btn = (action: Parameters<WwResidents['act']>[1], label: string) =>
      html`<button type="button" data-action=${action} ?disabled=${this.busy} @click=${() => void this.act(c, action)}>${label}</button>`;
    return html`<tr data-id=${c.id} data-status=${c.status}>
      <td><strong>${c.name}</strong><br /><span class="muted">${c.id}</span></td>
      <td>${c.ownerName}<br /><span class="muted">${c.ownerContact}</span></td>
      <td>${c.address}${c.position ? html`<br /><span class="muted">(${c.position.x}, ${c.position.y})</span>` : nothing}</td>
      <td>${t(`resident.sharing.${c.sharing}`)}<br /><span class="muted">${t('residents.retention', { days: formatNumber(c.retentionDays, c.retentionDays < 1 ? 2 : 0) })}</span></td>
      <td>
        <span class="status ${c.status}">${t(`residents.status.${c.status}`)}</span><br /><span class="muted"
          >${c.statusBy === 'owner' ? t('residents.byOwner') : ''} ${formatDateTime(c.statusAt)}</span
        >
        ${c.consent ? nothing : html`<br /><span class="warn">${t('residents.noConsent')}</span>`}
      </td>
      <td>${t(`residents.source.${c.source}`)}${c.pullHost ? html`<br /><span class="muted">${c.pullHost}</span>` : nothing}</td>
      <td class="actions">
        ${c.status === 'pending' || c.status === 'revoked' ? btn('approve', t('residents.approve')) : nothing}
        ${c.status === 'approved' ? btn('pause', t('residents.pause')) : nothing} ${c.status === 'paused' ? btn('resume', t('residents.resume')) : nothing}
        ${c.status !== 'revoked' ? btn('revoke', t('residents.revoke')) : nothing}
        <button type="button" data-action="edit" @click=${() => this.openForm(c)}>${t('residents.edit')}</button>
        ${c.source === 'push' ? btn('rotate', t('residents.rotateKey')) : nothing} ${btn('link', t('residents.newOwnerLink'))} ${btn('delete', t('residents.delete'))}
      </td>
    </tr>`;
  }

  override render(): unknown {
    const cams = this.cameras;
    return html`<div class="page">
      <header>
        <h2>${t('residents.title')}</h2>
        <span class="muted">${t('residents.intro')}</span>
        <span class="spacer"></span>
        <button type="button" class="primary" data-action="new" @click=${() => this.openForm(null)}>${t('residents.new')}</button>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderReveal()} ${this.renderForm()}
      ${cams === null
        ? html`<p class="muted">${t('residents.loading')}</p>`
        : cams.length === 0
          ? html`<p class="muted">${t('residents.empty')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>${t('residents.col.camera')}</th>
                  <th>${t('residents.col.owner')}</th>
                  <th>${t('residents.col.address')}</th>
                  <th>${t('residents.col.sharing')}</th>
                  <th>${t('residents.col.status')}</th>
                  <th>${t('residents.col.source')}</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${cams.map((c) => this.renderRow(c))}
              </tbody>
            </table>`}
    </div>`;
  }

  static override styles = [theme, dataTable, formControls, stackedLabels, errorText, wwResidentsStyles];
}

customElements.define('ww-residents', WwResidents);

declare global {
  interface HTMLElementTagNameMap {
    'ww-residents': WwResidents;
  }
}
