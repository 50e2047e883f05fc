import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { t, type MessageKey } from '../../i18n/i18n.js';
import { MESSAGES, DEFAULT_LANG } from '../../i18n/messages.js';
import { shortcutsFor, type Shortcut, type ShortcutMode } from '../../core/shortcuts.js';
import { theme } from '../../styles/theme.js';
import { wwHelpStyles } from './ww-help.styles.js';

/** A mouse line under the key table, for the modes that have one. */
const MOUSE: Partial<Record<ShortcutMode, MessageKey>> = { live: 'help.mouse', review: 'help.mouse.review', follow: 'help.mouse.follow' };

/** A key cap's text: a `help.key.*` message is translated ("Phím cách" / "Space"), anything else is the key. */
function keyCap(label: string): string {
  return label in MESSAGES[DEFAULT_LANG] ? t(label as MessageKey) : label;
}

/**
 * The keyboard shortcut overlay (opened with `?`): every key of the mode it is opened in, read
 * from the key table the handlers use (core/shortcuts.ts). Emits `ww-help-close`.
 */
export class WwHelp extends LitElement {
  static override properties = { mode: {} };

  /** The mode whose keys are listed. */
  declare mode: ShortcutMode;

  constructor() {
    super();
    new LocaleController(this);
    this.mode = 'live';
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('ww-help-close', { bubbles: true, composed: true }));
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button.close')?.focus();
  }

  private row(s: Shortcut): unknown {
    return html`<tr data-action=${s.action} data-by=${s.by}>
      <td class="keys">${s.label.map((k) => (k === '+' ? html`<span class="plus">+</span>` : html`<kbd>${keyCap(k)}</kbd>`))}</td>
      <td>${t(s.text)}</td>
    </tr>`;
  }

  override render(): unknown {
    const mouse = MOUSE[this.mode];
    const modeName = this.mode === 'kiosk' ? null : t(`mode.${this.mode}`);
    return html`
      <div class="backdrop" @click=${this.close}></div>
      <section role="dialog" aria-modal="true" aria-labelledby="help-title" data-mode=${this.mode}>
        <h2 id="help-title">${modeName ? t('help.titleMode', { mode: modeName }) : t('help.title')}</h2>
        <table>
          ${shortcutsFor(this.mode).map((s) => this.row(s))}
        </table>
        ${mouse ? html`<p>${t(mouse)}</p>` : nothing}
        <button type="button" class="close" @click=${this.close}>${t('help.close')}</button>
      </section>
    `;
  }

  static override styles = [theme, wwHelpStyles];
}

customElements.define('ww-help', WwHelp);

declare global {
  interface HTMLElementTagNameMap {
    'ww-help': WwHelp;
  }
}
