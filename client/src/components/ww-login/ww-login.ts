import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { SecondClockController } from '../../controllers/second-clock.js';
import type { Me } from '../../core/access.js';
import { errorMessage, getLang, LANGS, t, type Lang } from '../../i18n/i18n.js';
import { AuthError, type AuthApi } from '../../services/auth-api.js';
import { theme } from '../../styles/theme.js';
import { formControls, formCard, stackedLabels, disabledButtons, errorText } from '../../styles/forms.js';
import { wwLoginStyles } from './ww-login.styles.js';

/** Whole minutes and seconds, `m:ss`. */
function remaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The sign-in page: username and password, the server's verdict (wrong credentials, or locked out
 * with a countdown to the next allowed attempt), a language switch, and why the last session ended.
 * Fires `ww-login` with `{me}` on success and `ww-lang` with `{lang}`. Test hooks: data-error (code).
 */
export class WwLogin extends LitElement {
  static override properties = {
    api: { attribute: false },
    notice: { attribute: false },
    busy: { state: true },
    error: { state: true },
  };

  declare api: AuthApi | null;
  /** Why the login page is shown again (e.g. the session ended), or null. */
  declare notice: string | null;
  declare busy: boolean;
  declare error: { code: string; until: number | null } | null;
  private readonly clock = new SecondClockController(this);

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.notice = null;
    this.busy = false;
    this.error = null;
  }

  private field(name: string): HTMLInputElement {
    return this.renderRoot.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  }

  override firstUpdated(): void {
    this.field('username').focus();
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const api = this.api;
    if (!api || this.busy) return;
    const username = this.field('username').value.trim();
    const password = this.field('password').value;
    if (!username || !password) {
      this.error = { code: 'MISSING_CREDENTIALS', until: null };
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const me: Me = await api.login(username, password);
      this.field('password').value = '';
      this.dispatchEvent(new CustomEvent('ww-login', { detail: { me }, bubbles: true, composed: true }));
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'INTERNAL';
      const retry = err instanceof AuthError ? err.retryAfterS : null;
      this.error = { code, until: (code === 'LOCKED_OUT' || code === 'RATE_LIMITED') && retry !== null ? Date.now() + retry * 1000 : null };
      this.field('password').select();
    } finally {
      this.busy = false;
    }
  }

  private errorText(): string {
    const e = this.error;
    if (!e) return '';
    if (e.code === 'LOCKED_OUT') {
      if (e.until === null) return t('login.lockedOut');
      const left = e.until - this.clock.now;
      return left > 0 ? t('login.lockedFor', { time: remaining(left) }) : t('login.lockOver');
    }
    // Too many attempts at once (in flight for this name, or from this address): wait, then retry.
    if (e.code === 'RATE_LIMITED' && e.until !== null) {
      const left = e.until - this.clock.now;
      return left > 0 ? t('login.slowDown', { time: remaining(left) }) : t('login.lockOver');
    }
    return errorMessage(e.code);
  }

  override render(): unknown {
    const lang = getLang();
    const locked = (this.error?.code === 'LOCKED_OUT' || this.error?.code === 'RATE_LIMITED') && this.error.until !== null && this.error.until > this.clock.now;
    return html`
      <form @submit=${(e: Event) => void this.submit(e)} novalidate>
        <div class="brand">
          <svg viewBox="0 0 24 24" width="34" height="34" aria-hidden="true">
            <path d="M3 7h13l5-3v16l-5-3H3z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"></path>
            <circle cx="9.5" cy="12" r="2.6" fill="currentColor"></circle>
          </svg>
          <div>
            <h1>${t('app.title')}</h1>
            <p>${t('login.title')}</p>
          </div>
        </div>
        ${this.notice ? html`<p class="notice" role="status" data-notice>${this.notice}</p>` : nothing}
        <label>${t('login.username')}<input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required /></label>
        <label>${t('login.password')}<input name="password" type="password" autocomplete="current-password" required /></label>
        ${this.error ? html`<p class="error" role="alert" data-error=${this.error.code}>${this.errorText()}</p>` : nothing}
        <button type="submit" class="primary" data-action="login" ?disabled=${this.busy || locked}>${this.busy ? t('login.busy') : t('login.submit')}</button>
        <div class="lang" role="group" aria-label=${t('header.language')}>
          ${LANGS.map(
            (l: Lang) => html`<button type="button" data-lang=${l} lang=${l} class=${l === lang ? 'active' : ''} aria-pressed=${l === lang ? 'true' : 'false'}
              @click=${() => this.dispatchEvent(new CustomEvent('ww-lang', { detail: { lang: l }, bubbles: true, composed: true }))}>${t(`lang.${l}`)}</button>`,
          )}
        </div>
      </form>
    `;
  }

  static override styles = [theme, formControls, formCard, stackedLabels, disabledButtons, errorText, wwLoginStyles];
}

customElements.define('ww-login', WwLogin);

declare global {
  interface HTMLElementTagNameMap {
    'ww-login': WwLogin;
  }
}
