import { LitElement, html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { auditQuery, detailText, EMPTY_AUDIT_FILTER, hashPrefix, type AuditEntry, type AuditFilter } from '../../core/audit-query.js';
import { hcmIso } from '../../core/hcm-time.js';
import { errorMessage, formatDateTime, t } from '../../i18n/i18n.js';
import { AuthError, type AuthApi } from '../../services/auth-api.js';
import { dataTable, theme } from '../../styles/theme.js';
import { formControls, stackedLabels, errorText } from '../../styles/forms.js';
import { wwAuditStyles } from './ww-audit.styles.js';

/** Actions the server records (the filter also takes any other text). */
export const KNOWN_ACTIONS = [
  'login',
  'login_failed',
  'login_locked',
  'lockout',
  'logout',
  'password_change',
  'password_change_failed',
  'user_create',
  'user_update',
  'user_delete',
  'user_revoke',
  'cameras_configured',
  'live_start',
  'live_stop',
  'playback',
  'export_create',
  'export_download',
  'hold_add',
  'hold_release',
  'bookmark_urgent',
  'alert_ack',
  'health_relearn',
  'ptz_move',
  'ptz_stop',
  'ptz_preset',
  'resident_create',
  'resident_update',
  'resident_delete',
  'resident_status',
  'resident_rotate_key',
  'resident_owner_link',
  'resident_owner_pause',
  'resident_owner_resume',
] as const;

/**
 * The audit page (`audit` permission): the hash-chained trail, newest first, filtered by user,
 * camera, action and a time range typed in Vietnam time; "older" pages with the `before` cursor.
 * Each row shows its sequence number, time, user, action, camera, detail and its hash prefix.
 * Test hooks: rows `tr[data-seq]` with data-action/data-user, data-state on the host.
 */
export class WwAudit extends LitElement {
  static override properties = {
    api: { attribute: false },
    cameras: { attribute: false },
    filter: { state: true },
    entries: { state: true },
    next: { state: true },
    error: { state: true },
    state: { type: String, reflect: true, attribute: 'data-state' },
  };

  declare api: AuthApi | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  declare filter: AuditFilter;
  declare entries: AuditEntry[];
  declare next: number | null;
  declare error: string | null;
  declare state: 'idle' | 'loading' | 'ready' | 'failed';
  private applied: AuditFilter = EMPTY_AUDIT_FILTER;
  private seqReq = 0;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.cameras = new Map();
    this.filter = { ...EMPTY_AUDIT_FILTER };
    this.entries = [];
    this.next = null;
    this.error = null;
    this.state = 'idle';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.search();
  }

  /** Runs the filter from the newest entry. */
  async search(filter: AuditFilter = this.filter): Promise<void> {
    this.applied = { ...filter };
    this.entries = [];
    this.next = null;
    await this.fetchPage(null);
  }

  /** Appends the next older page. */
  async older(): Promise<void> {
    if (this.next !== null) await this.fetchPage(this.next);
  }

  private async fetchPage(before: number | null): Promise<void> {
    const api = this.api;
    if (!api) return;
    const q = auditQuery(this.applied, Date.now(), before);
    if (!q.ok) {
      this.error = `${t(q.field === 'from' ? 'audit.from' : 'audit.to')}: ${errorMessage(q.code)}`;
      this.state = 'failed';
      return;
    }
    const req = ++this.seqReq;
    this.state = 'loading';
    this.error = null;
    try {
      const page = await api.audit(q.query);
      if (req !== this.seqReq) return;
      this.entries = before === null ? page.entries : [...this.entries, ...page.entries];
      this.next = page.next;
      this.state = 'ready';
    } catch (err) {
      if (req !== this.seqReq) return;
      this.error = t('audit.failed', { message: err instanceof AuthError ? errorMessage(err.code) : String(err) });
      this.state = 'failed';
    }
  }

  private set<K extends keyof AuditFilter>(key: K, value: string): void {
    this.filter = { ...this.filter, [key]: value };
  }

  private renderFilter(): unknown {
    const f = this.filter;
    const v = (e: Event) => (e.target as HTMLInputElement).value;
    return html`<form class="filter" @submit=${(e: Event) => (e.preventDefault(), void this.search())}>
      <label>${t('audit.user')}<input name="user" autocapitalize="none" spellcheck="false" .value=${f.user} @input=${(e: Event) => this.set('user', v(e))} /></label>
      <label>${t('audit.camera')}
        <select name="camera" @change=${(e: Event) => this.set('camera', v(e))}>
          <option value="" ?selected=${f.camera === ''}>${t('audit.anyCamera')}</option>
          ${[...this.cameras.values()].map((c) => html`<option value=${c.id} ?selected=${f.camera === c.id}>${c.name} (${c.id})</option>`)}
        </select>
      </label>
      <label>${t('audit.action')}<input name="action" list="audit-actions" autocapitalize="none" spellcheck="false" .value=${f.action} @input=${(e: Event) => this.set('action', v(e))} /></label>
      <datalist id="audit-actions">${KNOWN_ACTIONS.map((a) => html`<option value=${a}></option>`)}</datalist>
      <label>${t('audit.from')}<input name="from" placeholder=${t('audit.timePlaceholder')} .value=${f.fromText} @input=${(e: Event) => this.set('fromText', v(e))} /></label>
      <label>${t('audit.to')}<input name="to" placeholder=${t('audit.timePlaceholder')} .value=${f.toText} @input=${(e: Event) => this.set('toText', v(e))} /></label>
      <button type="submit" class="primary" data-action="search">${t('audit.search')}</button>
      <button type="button" data-action="clear" @click=${() => ((this.filter = { ...EMPTY_AUDIT_FILTER }), void this.search())}>${t('audit.clear')}</button>
      <span class="muted">${t('header.clock')}</span>
    </form>`;
  }

  override render(): unknown {
    return html`
      <h2>${t('audit.title')}</h2>
      ${this.renderFilter()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <table>
        <thead>
          <tr><th>#</th><th>${t('audit.time')}</th><th>${t('audit.user')}</th><th>${t('audit.action')}</th><th>${t('audit.camera')}</th><th>${t('audit.detail')}</th><th>${t('audit.hash')}</th></tr>
        </thead>
        <tbody>
          ${this.entries.map(
            (e) => html`<tr data-seq=${e.seq} data-action=${e.action} data-user=${e.user}>
              <td class="num">${e.seq}</td>
              <td class="time" title=${hcmIso(e.at)}>${formatDateTime(e.at)}</td>
              <td>${e.user}</td>
              <td>${e.action}</td>
              <td>${e.camera ?? ''}</td>
              <td class="detail" title=${JSON.stringify(e.detail)}>${detailText(e.detail)}</td>
              <td class="hash" title=${`${e.hash}\n← ${e.prevHash}`}>${hashPrefix(e.hash)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.state === 'ready' && this.entries.length === 0 ? html`<p class="muted">${t('audit.none')}</p>` : nothing}
      <div class="more">
        <span class="muted">${t('audit.count', { n: this.entries.length })}</span>
        ${this.next !== null ? html`<button type="button" data-action="older" ?disabled=${this.state === 'loading'} @click=${() => void this.older()}>${t('audit.older')}</button>` : nothing}
        ${this.state === 'loading' ? html`<span class="muted">${t('audit.loading')}</span>` : nothing}
      </div>
    `;
  }

  static override styles = [theme, dataTable, formControls, stackedLabels, errorText, wwAuditStyles];
}

customElements.define('ww-audit', WwAudit);

declare global {
  interface HTMLElementTagNameMap {
    'ww-audit': WwAudit;
  }
}
