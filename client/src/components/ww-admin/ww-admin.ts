// Over ~350 lines (by ~25): the users page's five small sections (users, rules, form, roles,
// cameras) share its state; the look is in ww-admin.styles.ts.
import { LitElement, html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { ALL_CAMERAS, CAMERA_PERMISSIONS, ROLES, type Me, type Role } from '../../core/access.js';
import {
  addRule,
  addWardRule,
  isWardRule,
  createUserBody,
  emptyUserForm,
  formOfUser,
  isLocked,
  patchUserBody,
  rulesSummary,
  toggleRulePermission,
  validateUserForm,
  type FieldError,
  type LookbackMode,
  type RoleInfo,
  type UserForm,
  type UserRecord,
} from '../../core/user-admin.js';
import { errorMessage, formatDateTime, reasonText, t } from '../../i18n/i18n.js';
import { ingestText } from '../ww-camera-list/ww-camera-list.js';
import { AuthError, type AuthApi } from '../../services/auth-api.js';
import { dataTable, theme } from '../../styles/theme.js';
import { formControls, stackedLabels, disabledButtons } from '../../styles/forms.js';
import type { LayoutName } from '../../core/layout.js';
import './ww-default-wall.js';
import './ww-admin-cameras.js';
import '../ww-station-key/ww-station-key.js';
import '../ww-onvif/ww-onvif.js';
import { wwAdminStyles } from './ww-admin.styles.js';

type Editing = { kind: 'create' } | { kind: 'edit'; user: UserRecord };

/**
 * The admin page (`admin` permission): the users (create; edit display name, role, password, camera
 * rules and look-back; disable/enable; end their sessions; delete after confirmation) and the roles.
 * Test hooks: rows `tr[data-user=<username>]`, buttons `data-action`, form fields `name`, data-state.
 */
export class WwAdmin extends LitElement {
  static override properties = {
    wall: { attribute: false },
    api: { attribute: false },
    cameras: { attribute: false },
    me: { attribute: false },
    users: { state: true },
    roles: { state: true },
    loadError: { state: true },
    editing: { state: true },
    form: { state: true },
    formErrors: { state: true },
    notice: { state: true },
    confirmDelete: { state: true },
    busy: { state: true },
  };

  declare api: AuthApi | null;
  /** The admin's wall on screen (for the station's default wall). */
  declare wall: { layout: LayoutName; tiles: readonly (string | null)[] } | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  declare me: Me | null;
  declare users: UserRecord[] | null;
  declare roles: RoleInfo[];
  declare loadError: string | null;
  declare editing: Editing | null;
  declare form: UserForm;
  declare formErrors: FieldError[];
  declare notice: { text: string; error: boolean } | null;
  declare confirmDelete: UserRecord | null;
  declare busy: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.cameras = new Map();
    this.me = null;
    this.users = null;
    this.roles = [];
    this.loadError = null;
    this.editing = null;
    this.form = emptyUserForm();
    this.formErrors = [];
    this.notice = null;
    this.confirmDelete = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Reloads users and roles. */
  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const [users, roles] = await Promise.all([api.users(), api.roles()]);
      this.users = users;
      this.roles = roles;
      this.loadError = null;
    } catch (err) {
      this.loadError = t('admin.loadFailed', { message: this.describe(err) });
    }
  }

  private describe(err: unknown): string {
    if (err instanceof AuthError) return err.code === 'BAD_REQUEST' || err.code === 'CONFLICT' ? `${errorMessage(err.code)}: ${err.message}` : errorMessage(err.code);
    return String(err);
  }

  /** Runs an action on the server, shows its outcome, reloads the list. */
  private async act(action: () => Promise<unknown>, done: string): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      await action();
      this.notice = { text: done, error: false };
      await this.load();
      return true;
    } catch (err) {
      this.notice = { text: this.describe(err), error: true };
      return false;
    } finally {
      this.busy = false;
    }
  }

  private startCreate(): void {
    this.editing = { kind: 'create' };
    this.form = emptyUserForm();
    this.formErrors = [];
  }

  private startEdit(user: UserRecord): void {
    this.editing = { kind: 'edit', user };
    this.form = formOfUser(user);
    this.formErrors = [];
  }

  private set<K extends keyof UserForm>(key: K, value: UserForm[K]): void {
    this.form = { ...this.form, [key]: value };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const api = this.api;
    const editing = this.editing;
    if (!api || !editing) return;
    const creating = editing.kind === 'create';
    this.formErrors = validateUserForm(this.form, creating);
    if (this.formErrors.length) return;
    const ok =
      editing.kind === 'create'
        ? await this.act(() => api.createUser(createUserBody(this.form)), t('admin.created', { user: this.form.username.trim().toLowerCase() }))
        : await this.act(async () => {
            const body = patchUserBody(editing.user, this.form);
            if (Object.keys(body).length) await api.updateUser(editing.user.id, body);
          }, t('admin.saved', { user: editing.user.username }));
    if (ok) this.editing = null;
  }

  private setDisabled(u: UserRecord, disabled: boolean): void {
    const api = this.api;
    if (api) void this.act(() => api.updateUser(u.id, { disabled }), disabled ? t('admin.disabledDone', { user: u.username }) : t('admin.enabledDone', { user: u.username }));
  }

  private revoke(u: UserRecord): void {
    const api = this.api;
    if (api) void this.act(() => api.revokeSessions(u.id), t('admin.revoked', { user: u.username }));
  }

  private async deleteUser(u: UserRecord): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.confirmDelete = null;
    if (await this.act(() => api.deleteUser(u.id), t('admin.deleted', { user: u.username })) && this.editing?.kind === 'edit' && this.editing.user.id === u.id) this.editing = null;
  }

  private fieldError(field: string): unknown {
    const e = this.formErrors.find((x) => x.field === field);
    return e ? html`<span class="field-error" data-error=${e.code}>${errorMessage(e.code)}</span>` : nothing;
  }

  private lookbackText(days: number | null | undefined): string {
    if (days === undefined) return t('admin.lookbackRole');
    if (days === null) return t('admin.unlimited');
    return t('admin.days', { days });
  }

  private renderUsers(): unknown {
    const users = this.users;
    if (!users) return html`<p class="muted">${this.loadError ?? t('admin.loading')}</p>`;
    const now = Date.now();
    return html`<table class="users">
      <thead>
        <tr><th>${t('admin.username')}</th><th>${t('admin.displayName')}</th><th>${t('admin.role')}</th><th>${t('admin.status')}</th><th>${t('admin.rules')}</th><th>${t('admin.lookback')}</th><th></th></tr>
      </thead>
      <tbody>
        ${users.map((u) => {
          const self = this.me?.id === u.id;
          const status = u.disabled ? 'disabled' : isLocked(u, now) ? 'locked' : 'active';
          return html`<tr data-user=${u.username} data-state=${status} class=${u.disabled ? 'off' : ''}>
            <td>${u.username}${self ? html` <span class="muted">(${t('admin.you')})</span>` : nothing}</td>
            <td>${u.displayName}</td>
            <td>${t(`role.${u.role}`)}</td>
            <td class="status ${status}">${status === 'locked' ? t('admin.lockedUntil', { time: formatDateTime(u.lockedUntil!) }) : status === 'disabled' ? t('admin.disabled') : t('admin.active')}</td>
            <td class="rules">${u.cameraRules.length ? rulesSummary(u.cameraRules) : html`<span class="muted">${t('admin.roleRights')}</span>`}</td>
            <td>${this.lookbackText(u.lookbackDays)}</td>
            <td class="actions">
              <button type="button" data-action="edit" @click=${() => this.startEdit(u)}>${t('admin.edit')}</button>
              <button type="button" data-action=${u.disabled ? 'enable' : 'disable'} ?disabled=${self || this.busy} @click=${() => this.setDisabled(u, !u.disabled)}>
                ${u.disabled ? t('admin.enable') : t('admin.disable')}
              </button>
              <button type="button" data-action="revoke" ?disabled=${this.busy} title=${t('admin.revokeHint')} @click=${() => this.revoke(u)}>${t('admin.revoke')}</button>
              <button type="button" class="danger" data-action="delete" ?disabled=${self || this.busy} @click=${() => (this.confirmDelete = u)}>${t('admin.delete')}</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderRules(): unknown {
    const f = this.form;
    const ids = [...this.cameras.keys()];
    const options = (current: string) => {
      const all = [ALL_CAMERAS, ...ids];
      if (current && !all.includes(current)) all.push(current);
      return all.map((id) => html`<option value=${id} ?selected=${id === current}>${id === ALL_CAMERAS ? t('admin.allCameras') : `${this.cameras.get(id)?.name ?? id} (${id})`}</option>`);
    };
    return html`<fieldset class="rules-editor">
      <legend>${t('admin.rules')}</legend>
      <p class="muted">${t('admin.rulesHint')}</p>
      ${f.rules.map(
        (r, i) => html`<div class="rule" data-rule=${i}>
          ${isWardRule(r)
            ? html`<input name="rule-ward-camera" aria-label=${t('admin.wardCamera')} placeholder="w1/* · w1/gate-1" .value=${r.camera} size="24"
                @input=${(e: Event) => this.set('rules', f.rules.map((x, j) => (j === i ? { ...x, camera: (e.target as HTMLInputElement).value.trim().toLowerCase() } : x)))} />`
            : html`<select name="rule-camera" aria-label=${t('admin.camera')} @change=${(e: Event) => this.set('rules', f.rules.map((x, j) => (j === i ? { ...x, camera: (e.target as HTMLSelectElement).value } : x)))}>
                ${options(r.camera)}
              </select>`}
          ${CAMERA_PERMISSIONS.map(
            (p) => html`<label class="check"><input type="checkbox" name="rule-${p}" .checked=${r.permissions.includes(p)}
              @change=${(e: Event) => this.set('rules', toggleRulePermission(f.rules, i, p, (e.target as HTMLInputElement).checked))} />${t(`perm.${p}`)}</label>`,
          )}
          <button type="button" data-action="remove-rule" @click=${() => this.set('rules', f.rules.filter((_, j) => j !== i))}>✕</button>
          ${this.fieldError(`rules.${i}.camera`)}
        </div>`,
      )}
      <button type="button" data-action="add-rule" @click=${() => this.set('rules', addRule(f.rules, ids))}>${t('admin.addRule')}</button>
      <button type="button" data-action="add-ward-rule" title=${t('admin.wardRuleHint')} @click=${() => this.set('rules', addWardRule(f.rules))}>${t('admin.addWardRule')}</button>
    </fieldset>`;
  }

  private renderForm(): unknown {
    const editing = this.editing;
    if (!editing) return nothing;
    const f = this.form;
    const creating = editing.kind === 'create';
    const value = (e: Event) => (e.target as HTMLInputElement).value;
    return html`<form class="editor" data-form=${editing.kind} @submit=${(e: Event) => void this.save(e)} novalidate>
      <h3>${creating ? t('admin.create') : t('admin.editUser', { user: editing.user.username })}</h3>
      <div class="grid">
        ${creating
          ? html`<label>${t('admin.username')}<input name="username" autocomplete="off" autocapitalize="none" spellcheck="false" .value=${f.username} @input=${(e: Event) => this.set('username', value(e))} />${this.fieldError('username')}</label>`
          : nothing}
        <label>${t('admin.displayName')}<input name="displayName" .value=${f.displayName} @input=${(e: Event) => this.set('displayName', value(e))} />${this.fieldError('displayName')}</label>
        <label>${t('admin.role')}
          <select name="role" @change=${(e: Event) => this.set('role', value(e) as Role)}>
            ${ROLES.map((r) => html`<option value=${r} ?selected=${r === f.role}>${t(`role.${r}`)}</option>`)}
          </select>
        </label>
        <label>${creating ? t('admin.password') : t('admin.newPassword')}
          <input name="password" type="password" autocomplete="new-password" .value=${f.password} @input=${(e: Event) => this.set('password', value(e))} />${this.fieldError('password')}
        </label>
        <label>${t('admin.confirm')}
          <input name="confirm" type="password" autocomplete="new-password" .value=${f.confirm} @input=${(e: Event) => this.set('confirm', value(e))} />${this.fieldError('confirm')}
        </label>
        <label>${t('admin.lookback')}
          <span class="inline">
            <select name="lookbackMode" @change=${(e: Event) => this.set('lookbackMode', value(e) as LookbackMode)}>
              ${(['role', 'unlimited', 'days'] as const).map(
                (m) => html`<option value=${m} ?selected=${m === f.lookbackMode}>${m === 'role' ? t('admin.lookbackRole') : m === 'unlimited' ? t('admin.unlimited') : t('admin.lookbackDays')}</option>`,
              )}
            </select>
            ${f.lookbackMode === 'days'
              ? html`<input name="lookbackDays" class="days" inputmode="numeric" .value=${f.lookbackDaysText} @input=${(e: Event) => this.set('lookbackDaysText', value(e))} />`
              : nothing}
          </span>
          ${this.fieldError('lookbackDays')}
        </label>
      </div>
      ${this.renderRules()}
      <div class="buttons">
        <button type="submit" class="primary" data-action="save" ?disabled=${this.busy}>${t('admin.save')}</button>
        <button type="button" data-action="cancel" @click=${() => (this.editing = null)}>${t('admin.cancel')}</button>
      </div>
    </form>`;
  }

  private renderRoles(): unknown {
    return html`<table class="roles">
      <thead><tr><th>${t('admin.role')}</th><th>${t('admin.system')}</th><th>${t('admin.cameraRights')}</th><th>${t('admin.lookback')}</th></tr></thead>
      <tbody>
        ${this.roles.map(
          (r) => html`<tr data-role=${r.name}>
            <td>${ROLES.includes(r.name as Role) ? t(`role.${r.name as Role}`) : r.name}</td>
            <td>${r.system.map((p) => t(`sys.${p}`)).join(', ') || '—'}</td>
            <td>${r.cameraPermissions.map((p) => t(`perm.${p}`)).join(', ') || '—'}</td>
            <td>${this.lookbackText(r.lookbackDays)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  /** Every camera with its live state and what the ingest decided (passthrough/transcode and why); never a URL. */
  private renderCameras(): unknown {
    const cams = [...this.cameras.values()];
    if (!cams.length) return nothing;
    return html`<table class="cameras">
      <thead><tr><th>${t('admin.camera')}</th><th>${t('admin.status')}</th><th>${t('admin.ingest')}</th></tr></thead>
      <tbody>
        ${cams.map((c) => {
          const s = c.streams.main;
          return html`<tr data-camera=${c.id} data-ingest=${s.ingest?.mode ?? ''}>
            <td>${c.name} <span class="muted">(${c.id})</span></td>
            <td>${t(`state.${s.state}`)}${s.reason ? html` <span class="muted">· ${reasonText(s.reason)}</span>` : nothing}</td>
            <td>${s.ingest ? ingestText(s.ingest) : '—'}${c.streams.sub?.ingest ? html`<br /><span class="muted">${ingestText(c.streams.sub.ingest)}</span>` : nothing}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  override render(): unknown {
    const del = this.confirmDelete;
    return html`
      <section>
        <div class="head">
          <h2>${t('admin.users')}</h2>
          <button type="button" class="primary" data-action="create" @click=${() => this.startCreate()}>${t('admin.create')}</button>
          <button type="button" data-action="reload" @click=${() => void this.load()}>${t('admin.reload')}</button>
          ${this.notice ? html`<span class="notice ${this.notice.error ? 'error' : ''}" role="status" data-notice>${this.notice.text}</span>` : nothing}
        </div>
        ${this.renderForm()}
        ${this.renderUsers()}
      </section>
      <section>
        <h2>${t('admin.roles')}</h2>
        ${this.renderRoles()}
      </section>
      <section>
        <ww-admin-cameras .fetchFn=${this.api?.fetch ?? null}></ww-admin-cameras>
        <ww-onvif .fetchFn=${this.api?.fetch ?? null} @ww-camera-added=${() => void this.renderRoot.querySelector('ww-admin-cameras')?.load()}></ww-onvif>
        <h2>${t('admin.cameras')}</h2>
        ${this.renderCameras()}
        <ww-default-wall .fetchFn=${this.api?.fetch ?? null} .cameras=${this.cameras} .mine=${this.wall ?? null}></ww-default-wall>
        <ww-station-key></ww-station-key>
      </section>
      ${del
        ? html`<div class="dialog" role="alertdialog" aria-modal="true" data-confirm=${del.username}>
            <div class="box">
              <p>${t('admin.confirmDelete', { user: del.username })}</p>
              <div class="buttons">
                <button type="button" class="danger" data-action="confirm-delete" @click=${() => void this.deleteUser(del)}>${t('admin.delete')}</button>
                <button type="button" data-action="cancel-delete" @click=${() => (this.confirmDelete = null)}>${t('admin.cancel')}</button>
              </div>
            </div>
          </div>`
        : nothing}
    `;
  }

  static override styles = [theme, dataTable, formControls, stackedLabels, disabledButtons, wwAdminStyles];
}

customElements.define('ww-admin', WwAdmin);

declare global {
  interface HTMLElementTagNameMap {
    'ww-admin': WwAdmin;
  }
}
