import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { validatePasswordChange, type FieldError } from '../../core/user-admin.js';
import { errorMessage, t } from '../../i18n/i18n.js';
import { AuthError, type AuthApi } from '../../services/auth-api.js';
import { modalBackdrop, theme } from '../../styles/theme.js';
import { formControls, formCard, stackedLabels, errorText } from '../../styles/forms.js';
import { wwPasswordStyles } from './ww-password.styles.js';

/**
 * The signed-in viewer changes their own password (current, new, repeated). The server ends the
 * viewer's other sessions; this one stays. Fires `ww-password-close`. Test hooks: data-error, data-done.
 */
export class WwPassword extends LitElement {
  static override properties = {
    api: { attribute: false },
    errors: { state: true },
    done: { state: true },
    busy: { state: true },
  };

  declare api: AuthApi | null;
  declare errors: FieldError[];
  declare done: boolean;
  declare busy: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.errors = [];
    this.done = false;
    this.busy = false;
  }

  private value(name: string): string {
    return this.renderRoot.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.value ?? '';
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('ww-password-close', { bubbles: true, composed: true }));
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const api = this.api;
    if (!api || this.busy) return;
    const [current, next, confirm] = [this.value('current'), this.value('next'), this.value('confirm')];
    this.errors = validatePasswordChange(current, next, confirm);
    if (this.errors.length) return;
    this.busy = true;
    try {
      await api.changePassword(current, next);
      this.done = true;
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'INTERNAL';
      this.errors = [{ field: code === 'BAD_CREDENTIALS' ? 'current' : 'next', code: code === 'BAD_CREDENTIALS' ? 'WRONG_PASSWORD' : code }];
    } finally {
      this.busy = false;
    }
  }

  private error(field: string): unknown {
    const e = this.errors.find((x) => x.field === field);
    return e ? html`<span class="error" data-error=${e.code}>${errorMessage(e.code)}</span>` : nothing;
  }

  override render(): unknown {
    return html`<div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && this.close()}>
      <form role="dialog" aria-modal="true" @submit=${(e: Event) => void this.submit(e)} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.close()} novalidate>
        <h2>${t('password.title')}</h2>
        ${this.done
          ? html`<p class="done" data-done>${t('password.done')}</p>
              <button type="button" class="primary" data-action="close" @click=${() => this.close()}>${t('password.close')}</button>`
          : html`<label>${t('password.current')}<input name="current" type="password" autocomplete="current-password" />${this.error('current')}</label>
              <label>${t('password.next')}<input name="next" type="password" autocomplete="new-password" />${this.error('next')}</label>
              <label>${t('admin.confirm')}<input name="confirm" type="password" autocomplete="new-password" />${this.error('confirm')}</label>
              <p class="hint">${t('password.hint')}</p>
              <div class="buttons">
                <button type="submit" class="primary" data-action="change-password" ?disabled=${this.busy}>${t('admin.save')}</button>
                <button type="button" data-action="close" @click=${() => this.close()}>${t('admin.cancel')}</button>
              </div>`}
      </form>
    </div>`;
  }

  static override styles = [theme, modalBackdrop, formControls, formCard, stackedLabels, errorText, wwPasswordStyles];
}

customElements.define('ww-password', WwPassword);

declare global {
  interface HTMLElementTagNameMap {
    'ww-password': WwPassword;
  }
}
