import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { errorMessage, reasonText, t } from '../../i18n/i18n.js';
import { CameraAdminApi, CameraAdminError, type AdminCamera, type CameraFields, type CameraTest } from '../../services/camera-admin-api.js';
import { dataTable, modalBackdrop, theme } from '../../styles/theme.js';
import { errorText, formControls } from '../../styles/forms.js';
import { ingestText } from '../ww-camera-list/ww-camera-list.js';
import { wwAdminCamerasStyles } from './ww-admin-cameras.styles.js';

const EMPTY: CameraFields = { name: '', main: '', sub: null, transcode: 'auto', audio: null, enabled: true };

/**
 * Managing the station's cameras on the admin page (docs/cameras.md, "Managing cameras"): the
 * list, add, edit, disable/enable, remove, and Test of the entered URL (reachable, authentication,
 * codec, profile, B-frames, size, rate, audio, a snapshot, and what the ingest will do and why).
 * Changes apply at once on the server; only the changed camera restarts. URLs are shown with the
 * password masked; leaving `***` keeps the stored password. Fires `ww-cameras-changed` after a change.
 * Test hooks: `[data-cam-row=ID]`, `[data-cam-field=name|main|sub|transcode|audio|enabled]`,
 * `[data-action=cam-add|cam-edit|cam-toggle|cam-remove|cam-confirm-remove|cam-test|cam-save|cam-cancel]`,
 * `[data-cam-test]` (with `data-mode`), `[data-cam-notice]`.
 */
export class WwAdminCameras extends LitElement {
  static override properties = {
    fetchFn: { attribute: false },
    cameras: { state: true },
    editing: { state: true },
    form: { state: true },
    result: { state: true },
    testing: { state: true },
    busy: { state: true },
    confirm: { state: true },
    notice: { state: true },
  };
  declare fetchFn: typeof fetch | null;
  declare cameras: AdminCamera[];
  /** null: no form; '': a new camera; else the id edited. */
  declare editing: string | null;
  declare form: CameraFields;
  declare result: CameraTest | null;
  declare testing: boolean;
  declare busy: boolean;
  declare confirm: AdminCamera | null;
  declare notice: { text: string; error: boolean } | null;

  constructor() {
    super();
    new LocaleController(this);
    this.fetchFn = null;
    this.cameras = [];
    this.editing = null;
    this.form = EMPTY;
    this.result = null;
    this.testing = false;
    this.busy = false;
    this.confirm = null;
    this.notice = null;
  }

  private get api(): CameraAdminApi {
    return new CameraAdminApi(this.fetchFn ?? undefined);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.cameras = await this.api.list();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.notice = { text: t('cams.failed', { reason: e instanceof CameraAdminError ? `${errorMessage(e.code)} (${e.code})` : String(e) }), error: true };
  }

  private startAdd(): void {
    this.editing = '';
    this.form = { ...EMPTY };
    this.result = null;
    this.notice = null;
  }

  private startEdit(c: AdminCamera): void {
    this.editing = c.id;
    this.form = { name: c.name, main: c.main, sub: c.sub, transcode: c.transcode, audio: c.audio, enabled: c.enabled };
    this.result = null;
    this.notice = null;
  }

  private set<K extends keyof CameraFields>(k: K, v: CameraFields[K]): void {
    this.form = { ...this.form, [k]: v };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    this.busy = true;
    try {
      const f = { ...this.form, sub: this.form.sub?.trim() || null };
      const saved = this.editing ? await this.api.update(this.editing, f) : await this.api.create(f);
      this.notice = { text: t('cams.saved', { name: saved?.name ?? f.name }), error: false };
      this.editing = null;
      this.result = null;
      await this.load();
      this.changed();
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async test(): Promise<void> {
    this.testing = true;
    this.result = null;
    try {
      this.result = await this.api.test(this.form.main.trim(), this.form.transcode, this.editing || undefined);
    } catch (e) {
      this.fail(e);
    } finally {
      this.testing = false;
    }
  }

  private async toggle(c: AdminCamera): Promise<void> {
    try {
      await this.api.update(c.id, { enabled: !c.enabled });
      await this.load();
      this.changed();
    } catch (e) {
      this.fail(e);
    }
  }

  private async removeCamera(c: AdminCamera): Promise<void> {
    this.confirm = null;
    try {
      await this.api.remove(c.id);
      this.notice = { text: t('cams.removed', { name: c.name }), error: false };
      await this.load();
      this.changed();
    } catch (e) {
      this.fail(e);
    }
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent('ww-cameras-changed', { bubbles: true, composed: true }));
  }

  private renderTest(r: CameraTest): unknown {
    const i = r.ingest;
    const yes = (b: boolean | null | undefined) => (b === null || b === undefined ? '—' : b ? t('cams.yes') : t('cams.no'));
    return html`<div class="test" data-cam-test data-mode=${i?.mode ?? 'failed'}>
      <dl>
        <dt>${t('cams.reachable')}</dt><dd>${yes(r.reachable)}</dd>
        <dt>${t('cams.auth')}</dt><dd>${r.authentication === 'ok' ? t('cams.auth.ok') : r.authentication === 'refused' ? t('cams.auth.refused') : t('cams.auth.unknown')}</dd>
        ${r.error ? html`<dt>${t('cams.problem')}</dt><dd class="error">${reasonText(r.error)}</dd>` : nothing}
        ${i
          ? html`<dt>${t('cams.codec')}</dt><dd data-cam-codec>${i.codec ?? '—'}</dd>
              <dt>${t('cams.profile')}</dt><dd>${i.profile ?? '—'}</dd>
              <dt>${t('cams.bframes')}</dt><dd>${yes(i.bframes)}</dd>
              <dt>${t('cams.resolution')}</dt><dd>${i.width && i.height ? `${i.width}×${i.height}` : '—'}</dd>
              <dt>${t('cams.fps')}</dt><dd>${i.fps ? Math.round(i.fps * 10) / 10 : '—'}</dd>
              <dt>${t('cams.audio')}</dt><dd>${i.audio.length ? i.audio.join(', ') : t('cams.none')}</dd>
              <dt>${t('cams.decision')}</dt><dd data-cam-decision>${ingestText(i)}</dd>`
          : nothing}
      </dl>
      ${r.snapshot ? html`<img data-cam-snapshot alt=${t('cams.snapshot')} src=${r.snapshot} />` : nothing}
    </div>`;
  }

  private renderForm(): unknown {
    if (this.editing === null) return nothing;
    const f = this.form;
    const value = (e: Event) => (e.target as HTMLInputElement).value;
    return html`<form class="form" @submit=${(e: Event) => void this.save(e)} data-cam-form=${this.editing || 'new'}>
      <h3>${this.editing ? t('cams.editTitle', { id: this.editing }) : t('cams.add')}</h3>
      <label>${t('cams.name')}<input data-cam-field="name" required maxlength="120" .value=${f.name} @input=${(e: Event) => this.set('name', value(e))} /></label>
      <label>${t('cams.main')}<input data-cam-field="main" required maxlength="2048" placeholder="rtsp://user:password@192.168.1.64:554/Streaming/Channels/101" autocomplete="off" spellcheck="false" .value=${f.main} @input=${(e: Event) => this.set('main', value(e))} /></label>
      <label>${t('cams.sub')}<input data-cam-field="sub" maxlength="2048" autocomplete="off" spellcheck="false" .value=${f.sub ?? ''} @input=${(e: Event) => this.set('sub', value(e) || null)} /></label>
      <div class="row">
        <label>${t('cams.transcode')}
          <select data-cam-field="transcode" @change=${(e: Event) => { const v = value(e); this.set('transcode', v === 'true' ? true : v === 'false' ? false : 'auto'); }}>
            <option value="auto" ?selected=${f.transcode === 'auto'}>${t('cams.transcode.auto')}</option>
            <option value="true" ?selected=${f.transcode === true}>${t('cams.transcode.on')}</option>
            <option value="false" ?selected=${f.transcode === false}>${t('cams.transcode.off')}</option>
          </select>
        </label>
        <label class="check"><input type="checkbox" data-cam-field="audio" .checked=${f.audio !== false} @change=${(e: Event) => this.set('audio', (e.target as HTMLInputElement).checked ? null : false)} />${t('cams.audio')}</label>
        <label class="check"><input type="checkbox" data-cam-field="enabled" .checked=${f.enabled} @change=${(e: Event) => this.set('enabled', (e.target as HTMLInputElement).checked)} />${t('cams.enabled')}</label>
      </div>
      <p class="help">${t('cams.passwordHelp')}</p>
      <div class="buttons">
        <button type="button" data-action="cam-test" ?disabled=${this.testing || !f.main.trim()} @click=${() => void this.test()}>${this.testing ? t('cams.testing') : t('cams.test')}</button>
        <button type="submit" class="primary" data-action="cam-save" ?disabled=${this.busy}>${t('cams.save')}</button>
        <button type="button" data-action="cam-cancel" @click=${() => (this.editing = null)}>${t('cams.cancel')}</button>
      </div>
      ${this.result ? this.renderTest(this.result) : nothing}
    </form>`;
  }

  override render(): unknown {
    const del = this.confirm;
    return html`<h2>${t('cams.title')}</h2>
      <p class="help">${t('cams.help')}</p>
      <div class="row">
        <button type="button" class="primary" data-action="cam-add" @click=${() => this.startAdd()}>${t('cams.add')}</button>
        ${this.notice ? html`<span class="notice ${this.notice.error ? 'error' : ''}" role="status" data-cam-notice>${this.notice.text}</span>` : nothing}
      </div>
      ${this.renderForm()}
      <table>
        <thead><tr><th>${t('cams.name')}</th><th>${t('cams.main')}</th><th>${t('admin.status')}</th><th></th></tr></thead>
        <tbody>
          ${this.cameras.map(
            (c) => html`<tr data-cam-row=${c.id} data-enabled=${String(c.enabled)}>
              <td>${c.name} <span class="muted">(${c.id})</span>${c.source === 'demo' ? html` <span class="muted">· ${t('cams.demo')}</span>` : nothing}</td>
              <td class="url">${c.main}</td>
              <td>${!c.enabled ? t('cams.disabled') : c.status ? html`${t(`state.${c.status.state}`)}${c.status.reason ? html` <span class="muted">· ${reasonText(c.status.reason)}</span>` : nothing}` : '—'}</td>
              <td class="actions">
                ${c.source === 'station'
                  ? html`<button type="button" data-action="cam-edit" @click=${() => this.startEdit(c)}>${t('cams.edit')}</button>
                      <button type="button" data-action="cam-toggle" @click=${() => void this.toggle(c)}>${c.enabled ? t('cams.disable') : t('cams.enable')}</button>
                      <button type="button" class="danger" data-action="cam-remove" @click=${() => (this.confirm = c)}>${t('cams.remove')}</button>`
                  : nothing}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${del
        ? html`<div class="backdrop" role="alertdialog" aria-modal="true" data-cam-confirm=${del.id}>
            <div class="box">
              <p>${t('cams.confirmRemove', { name: del.name })}</p>
              <div class="buttons">
                <button type="button" class="danger" data-action="cam-confirm-remove" @click=${() => void this.removeCamera(del)}>${t('cams.remove')}</button>
                <button type="button" data-action="cam-cancel-remove" @click=${() => (this.confirm = null)}>${t('cams.cancel')}</button>
              </div>
            </div>
          </div>`
        : nothing}`;
  }

  static override styles = [
    theme,
    dataTable,
    formControls,
    errorText,
    modalBackdrop,
    wwAdminCamerasStyles,
  ];
}

customElements.define('ww-admin-cameras', WwAdminCameras);

declare global {
  interface HTMLElementTagNameMap {
    'ww-admin-cameras': WwAdminCameras;
  }
}
