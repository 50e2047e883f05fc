import { LitElement, html, svg, nothing } from 'lit';
import { bookmarkIcon, linkIcon } from '../../styles/icons.js';
import { LAYOUTS, layoutGeometry, type LayoutName } from '../../core/layout.js';
import { LocaleController } from '../../controllers/locale.js';
import { formatDate, formatTime, getLang, LANGS, t, type Lang } from '../../i18n/i18n.js';
import type { ConnectionState } from '../../services/signaling.js';
import { theme } from '../../styles/theme.js';
import { ANONYMOUS_ID, type AppPage, type Me } from '../../core/access.js';
import { wwHeaderStyles } from './ww-header.styles.js';

/** A small picture of a layout for its button. */
function layoutIcon(layout: LayoutName): unknown {
  const geo = layoutGeometry(layout);
  const cell = 16 / geo.cols;
  return svg`<svg viewBox="-1 -1 18 18" width="18" height="18" aria-hidden="true">${geo.tiles.map(
    (r) =>
      svg`<rect x=${r.col * cell + 0.8} y=${r.row * cell + 0.8} width=${r.colSpan * cell - 1.6} height=${r.rowSpan * cell - 1.6} rx="0.8"></rect>`,
  )}</svg>`;
}

/**
 * The header: product name, live clock in Asia/Ho_Chi_Minh, server connection state, language
 * switch, layout buttons and wall actions. Emits events; holds no wall state of its own.
 */
export class WwHeader extends LitElement {
  static override properties = {
    connection: { attribute: false },
    layout: { attribute: false },
    showStats: { attribute: false },
    mode: { attribute: false },
    pages: { attribute: false },
    me: { attribute: false },
    now: { state: true },
  };

  declare connection: ConnectionState;
  declare layout: LayoutName;
  declare showStats: boolean;
  declare mode: AppPage;
  /** The pages this viewer may open (live, review, admin, audit). */
  declare pages: readonly AppPage[];
  /** The signed-in viewer (name and sign-out), or null. */
  declare me: Me | null;
  declare now: number;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.connection = { phase: 'connecting', attempt: 0 };
    this.layout = '2x2';
    this.showStats = false;
    this.mode = 'live';
    this.pages = ['live', 'review'];
    this.me = null;
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.tick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Re-renders just after each wall-clock second. */
  private tick(): void {
    this.now = Date.now();
    this.timer = setTimeout(() => this.tick(), 1000 - (this.now % 1000) + 15);
  }

  private fire(type: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private renderConnection(): unknown {
    const c = this.connection;
    let cls = 'connecting';
    let text = t('conn.connecting');
    let detail = '';
    if (c.phase === 'open') {
      cls = 'live';
      text = t('conn.online');
    } else if (c.phase === 'waiting' || c.phase === 'closed') {
      cls = 'offline';
      text = t('conn.offline');
      if (c.phase === 'waiting') {
        const seconds = Math.ceil((c.retryAt - this.now) / 1000);
        detail = seconds > 0 ? t('conn.retryIn', { seconds }) : t('conn.retryNow');
      }
    } else if (c.attempt > 0) {
      cls = 'offline';
      text = t('conn.offline');
      detail = t('conn.retryNow');
    }
    // Connected is the normal state: a green dot (its text for screen readers and on hover) keeps the
    // header to one row; a lost connection spells itself out.
    return html`<div class="conn ${cls}" role="status" aria-live="polite" data-connection=${c.phase} title=${text}>
      <span class="dot ${cls}"></span><span class="conn-text ${cls === 'live' ? 'quiet' : ''}">${text}</span>${detail ? html`<span class="conn-detail">${detail}</span>` : nothing}
    </div>`;
  }

  override render(): unknown {
    const lang = getLang();
    return html`
      <header>
        <div class="brand">
          <svg class="logo" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
            <path d="M3 7h13l5-3v16l-5-3H3z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"></path>
            <circle cx="9.5" cy="12" r="2.6" fill="currentColor"></circle>
          </svg>
          <div class="titles">
            <h1>${t('app.title')}</h1>
            <span class="subtitle">${t('app.subtitle')}</span>
          </div>
        </div>
        <div class="clock" title=${t('header.clock')}>
          <span class="time">${formatTime(this.now)}</span>
          <span class="date">${formatDate(this.now)}</span>
        </div>
        ${this.renderConnection()}
        <span class="spacer"></span>
        <div class="group" role="group" aria-label=${t('header.mode')}>
          ${this.pages.map(
            (m) => html`<button type="button" data-mode=${m} class=${m === this.mode ? 'active' : ''} aria-pressed=${m === this.mode ? 'true' : 'false'}
              title=${t(`mode.${m}`)} @click=${() => this.fire('ww-mode', { mode: m })}>${m === 'residents' ? t('mode.residentsShort') : t(`mode.${m}`)}</button>`,
          )}
        </div>
        <div class="group" role="group" aria-label=${t('header.layouts')} ?hidden=${this.mode !== 'live'}>
          ${LAYOUTS.map(
            (l, i) => html`<button
              type="button"
              class="icon ${l === this.layout ? 'active' : ''}"
              data-layout=${l}
              aria-pressed=${l === this.layout ? 'true' : 'false'}
              title="${t(`layout.${l}`)} (${i + 1})"
              @click=${() => this.fire('ww-layout', { layout: l })}
            >
              ${layoutIcon(l)}
            </button>`,
          )}
        </div>
        <div class="group">
          <button type="button" class="icon ${this.showStats ? 'active' : ''}" aria-pressed=${this.showStats ? 'true' : 'false'} title=${t('header.stats')} @click=${() => this.fire('ww-toggle-stats')}>
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M4 20V10M10 20V4M16 20v-7M22 20H2" fill="none" stroke="currentColor" stroke-width="2"></path></svg>
          </button>
          <button type="button" class="icon" title=${t('header.fullscreen')} @click=${() => this.fire('ww-fullscreen')}>
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M3 9V3h6M21 9V3h-6M3 15v6h6M21 15v6h-6" fill="none" stroke="currentColor" stroke-width="2"></path></svg>
          </button>
          <button type="button" class="icon" data-action="copy-link" title=${t('link.copyTitle')} aria-label=${t('link.copy')} @click=${() => this.fire('ww-copy-link')}>${linkIcon(18)}</button>
          <button type="button" class="icon" data-action="bookmarks" title=${t('bm.panelButton')} aria-label=${t('bm.panelButton')} @click=${() => this.fire('ww-bookmarks')}>${bookmarkIcon(18)}</button>
          <button type="button" class="icon" title=${t('header.help')} @click=${() => this.fire('ww-help')}>?</button>
        </div>
        <div class="group lang" role="group" aria-label=${t('header.language')}>
          ${LANGS.map(
            (l: Lang) => html`<button
              type="button"
              data-lang=${l}
              class=${l === lang ? 'active' : ''}
              aria-pressed=${l === lang ? 'true' : 'false'}
              title=${t(`lang.${l}`)}
              lang=${l}
              @click=${() => this.fire('ww-lang', { lang: l })}
            >
              ${l.toUpperCase()}
            </button>`,
          )}
        </div>
        ${this.me
          ? html`<div class="user" data-user=${this.me.username} title=${t('header.signedInAs', { name: this.me.displayName, user: this.me.username })}>
              <span class="who"><span class="user-name">${this.me.displayName}</span><span class="user-role">${t(`role.${this.me.role}`)}</span></span>
              ${this.me.id === ANONYMOUS_ID
                ? nothing
                : html`<button type="button" class="icon-btn" data-action="password" title=${t('header.password')} aria-label=${t('header.password')}
                      @click=${() => this.fire('ww-password-open')}>
                      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><circle cx="8" cy="15" r="4" fill="none" stroke="currentColor" stroke-width="2"></circle><path d="M11 12l9-9M16 7l3 3" fill="none" stroke="currentColor" stroke-width="2"></path></svg>
                    </button>
                    <button type="button" class="icon-btn logout" data-action="logout" title=${t('header.logout')} aria-label=${t('header.logout')} @click=${() => this.fire('ww-logout')}>
                      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10" fill="none" stroke="currentColor" stroke-width="2"></path></svg>
                    </button>`}
            </div>`
          : nothing}
      </header>
    `;
  }

  static override styles = [theme, wwHeaderStyles];
}

customElements.define('ww-header', WwHeader);

declare global {
  interface HTMLElementTagNameMap {
    'ww-header': WwHeader;
  }
}
