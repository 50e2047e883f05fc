import { LitElement, css, html } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { t, type MessageKey } from '../../i18n/i18n.js';
import { theme } from '../../styles/theme.js';

const SHORTCUTS: { keys: string[]; text: MessageKey }[] = [
  { keys: ['1', '2', '3', '4', '5'], text: 'help.layouts' },
  { keys: ['F'], text: 'help.fullscreen' },
  { keys: ['S'], text: 'help.stats' },
  { keys: ['←', '↑', '→', '↓'], text: 'help.arrows' },
  { keys: ['Shift', '+', '←↑→↓'], text: 'help.shiftArrows' },
  { keys: ['Enter'], text: 'help.enter' },
  { keys: ['Delete'], text: 'help.delete' },
  { keys: ['B'], text: 'help.bookmark' },
  { keys: ['Shift', '+', 'B'], text: 'help.bookmarkUrgent' },
  { keys: ['Esc'], text: 'help.escape' },
  { keys: ['?'], text: 'help.help' },
];

/** The keyboard shortcut overlay (opened with `?`). Emits `ww-help-close`. */
export class WwHelp extends LitElement {
  constructor() {
    super();
    new LocaleController(this);
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('ww-help-close', { bubbles: true, composed: true }));
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button.close')?.focus();
  }

  override render(): unknown {
    return html`
      <div class="backdrop" @click=${this.close}></div>
      <section role="dialog" aria-modal="true" aria-labelledby="help-title">
        <h2 id="help-title">${t('help.title')}</h2>
        <table>
          ${SHORTCUTS.map(
            (s) => html`<tr>
              <td class="keys">${s.keys.map((k) => (k === '+' ? html`<span class="plus">+</span>` : html`<kbd>${k}</kbd>`))}</td>
              <td>${t(s.text)}</td>
            </tr>`,
          )}
        </table>
        <p>${t('help.mouse')}</p>
        <button type="button" class="close" @click=${this.close}>${t('help.close')}</button>
      </section>
    `;
  }

  static override styles = [
    theme,
    css`
      :host {
        position: fixed;
        inset: 0;
        z-index: 100;
        display: flex;
        align-items: center;
        justify-content: center;
      }
      .backdrop {
        position: absolute;
        inset: 0;
        background: rgba(0, 0, 0, 0.6);
      }
      section {
        position: relative;
        background: var(--ww-panel);
        border: 1px solid var(--ww-border);
        border-radius: 10px;
        padding: 20px 24px;
        max-width: min(640px, 92vw);
        max-height: 90vh;
        overflow: auto;
        box-shadow: 0 20px 60px rgba(0, 0, 0, 0.6);
      }
      h2 {
        margin: 0 0 12px;
        font-size: 18px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      td {
        padding: 6px 8px;
        border-bottom: 1px solid var(--ww-border);
        font-size: 14px;
        vertical-align: middle;
      }
      td.keys {
        white-space: nowrap;
        width: 1%;
      }
      kbd {
        display: inline-block;
        min-width: 1.8em;
        padding: 2px 6px;
        margin-right: 3px;
        border: 1px solid var(--ww-border);
        border-bottom-width: 2px;
        border-radius: 4px;
        background: var(--ww-panel-2);
        font: 600 12.5px ui-monospace, Menlo, Consolas, monospace;
        text-align: center;
      }
      .plus {
        margin: 0 4px 0 1px;
        color: var(--ww-muted);
      }
      p {
        color: var(--ww-muted);
        font-size: 13px;
      }
      .close {
        float: right;
        padding: 6px 16px;
        border-radius: var(--ww-radius);
        border: 1px solid var(--ww-border);
        background: var(--ww-accent);
        color: #fff;
        cursor: pointer;
      }
    `,
  ];
}

customElements.define('ww-help', WwHelp);

declare global {
  interface HTMLElementTagNameMap {
    'ww-help': WwHelp;
  }
}
