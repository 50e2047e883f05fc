import { LitElement, html, nothing } from 'lit';
import type { HealthAlert } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { formatDateTime, formatNumber, t } from '../../i18n/i18n.js';
import type { HealthAlertService } from '../../services/health-alerts.js';
import { dataTable, modalBackdrop, theme } from '../../styles/theme.js';
import { formControls, errorText } from '../../styles/forms.js';
import { wwHealthHistoryStyles } from './ww-health-history.styles.js';

const WEEK_MS = 7 * 86400_000;

/** "1 h 05 min", "3 min 20 s", "12 s". */
function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${formatNumber(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * One camera's health history (the last 7 days): every incident with its start, end, duration and
 * who acknowledged it. A modal dialog; emits `ww-history-close`.
 */
export class WwHealthHistory extends LitElement {
  static override properties = {
    alerts: { attribute: false },
    cameraId: { attribute: false },
    cameraName: { attribute: false },
    items: { state: true },
    failed: { state: true },
  };

  declare alerts: HealthAlertService | null;
  declare cameraId: string;
  declare cameraName: string;
  declare items: HealthAlert[] | null;
  declare failed: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.alerts = null;
    this.cameraId = '';
    this.cameraName = '';
    this.items = null;
    this.failed = false;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('cameraId') || changed.has('alerts')) void this.load();
  }

  private async load(): Promise<void> {
    const s = this.alerts;
    if (!s || !this.cameraId) return;
    const cameraId = this.cameraId;
    this.items = null;
    this.failed = false;
    try {
      const items = await s.history(cameraId, Date.now() - WEEK_MS);
      if (cameraId === this.cameraId) this.items = items;
    } catch {
      this.failed = true;
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('ww-history-close', { bubbles: true, composed: true }));
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button.close')?.focus();
  }

  override render(): unknown {
    const now = Date.now();
    return html`
      <div class="backdrop" @click=${this.close}></div>
      <section role="dialog" aria-modal="true" aria-labelledby="hh-title" data-history-camera=${this.cameraId}
        @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.stopPropagation(), this.close())}>
        <h2 id="hh-title">${t('health.historyTitle', { name: this.cameraName })}</h2>
        ${this.failed ? html`<p class="error">${t('health.historyFailed')}</p>` : nothing}
        ${this.items && this.items.length === 0 ? html`<p class="muted">${t('health.historyEmpty')}</p>` : nothing}
        ${this.items && this.items.length
          ? html`<div class="scroll"><table>
              <thead><tr><th>${t('health.col.kind')}</th><th>${t('health.col.opened')}</th><th>${t('health.col.closed')}</th><th>${t('health.col.duration')}</th><th>${t('health.col.ack')}</th></tr></thead>
              <tbody>
                ${this.items.map(
                  (a) => html`<tr data-alert-id=${a.id} data-kind=${a.kind} data-state=${a.state}>
                    <td class="kind ${a.state}">${t(`health.kind.${a.kind}`)}</td>
                    <td>${formatDateTime(a.openedAt)}</td>
                    <td>${a.closedAt ? formatDateTime(a.closedAt) : html`<em>${t('health.ongoing')}</em>`}</td>
                    <td>${durationText((a.closedAt ?? now) - a.openedAt)}</td>
                    <td>${a.ackedBy ? `${a.ackedBy}, ${formatDateTime(a.ackedAt ?? a.openedAt)}` : '—'}</td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`
          : nothing}
        <button type="button" class="close" @click=${this.close}>${t('health.close')}</button>
      </section>
    `;
  }

  static override styles = [theme, modalBackdrop, dataTable, formControls, errorText, wwHealthHistoryStyles];
}

customElements.define('ww-health-history', WwHealthHistory);

declare global {
  interface HTMLElementTagNameMap {
    'ww-health-history': WwHealthHistory;
  }
}
