import { LitElement, html, nothing } from 'lit';
import type { CameraInfo, HealthAlert } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { errorCodeOf } from '../../services/errors.js';
import { errorMessage, formatDateTime, formatTime, t } from '../../i18n/i18n.js';
import { HealthApiError, type HealthAlertService } from '../../services/health-alerts.js';
import { canRelearn } from '../../core/health-alerts.js';
import type { Me } from '../../core/access.js';
import { theme } from '../../styles/theme.js';
import { formControls, errorText } from '../../styles/forms.js';
import '../ww-health-history/ww-health-history.js';
import { wwAlertsStyles } from './ww-alerts.styles.js';

/**
 * The list of open camera alerts beside the wall: camera, fault, since when; unacknowledged ones
 * first with an acknowledge button; who acknowledged the others. The sound toggle, and a camera's
 * health history on demand. A moved or defocused alert offers "accept the current view" (the
 * camera was re-aimed or replaced on purpose) to viewers with the `control` right.
 * Test hooks: data-alert-id, data-kind and data-state on each row; data-action on the buttons.
 */
/** A ward's alert at a city centre: its ward (acknowledged by the ward's duty officer, not here). */
const wardOf = (a: HealthAlert): string | null => (a as HealthAlert & { ward?: string }).ward ?? null;

/** An alert's review link, only when it is a path or an http(s) URL (it comes from the server, still checked). */
function safeLink(link: string | undefined): string | null {
  if (!link) return null;
  try {
    const u = new URL(link, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link to this wall opens in the page (history entry, no reload); another origin's opens normally. */
function openInPage(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || new URL(a.href).origin !== location.origin) return;
  e.preventDefault();
  history.pushState(null, '', a.href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export class WwAlerts extends LitElement {
  static override properties = {
    alerts: { attribute: false },
    cameras: { attribute: false },
    me: { attribute: false },
    relearning: { state: true },
    list: { state: true },
    sound: { state: true },
    error: { state: true },
    historyOf: { state: true },
    folded: { state: true },
  };

  declare alerts: HealthAlertService | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  /** The signed-in viewer (what the panel offers depends on its rights). */
  declare me: Me | null;
  /** Cameras whose relearn request is on its way (the button is disabled meanwhile). */
  declare relearning: ReadonlySet<string>;
  declare list: HealthAlert[];
  declare sound: boolean;
  declare error: string | null;
  declare historyOf: string | null;
  /** Only the header shows (count and sound), so the camera list above gets the room. */
  declare folded: boolean;
  private off: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.alerts = null;
    this.cameras = new Map();
    this.me = null;
    this.relearning = new Set();
    this.list = [];
    this.sound = false;
    this.error = null;
    this.historyOf = null;
    this.folded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('alerts')) this.subscribe();
  }

  private subscribe(): void {
    this.off?.();
    this.off = null;
    const s = this.alerts;
    if (!s || !this.isConnected) return;
    const sync = () => {
      this.list = s.list();
      this.sound = s.sound;
    };
    sync();
    this.off = s.on('change', sync);
  }

  private name(cameraId: string): string {
    return this.cameras.get(cameraId)?.name ?? cameraId;
  }

  private async ack(alert: HealthAlert): Promise<void> {
    this.error = null;
    try {
      await this.alerts?.acknowledge(alert.id);
    } catch (err) {
      this.error = t('health.ackFailed', { message: errorMessage(errorCodeOf(err)) });
    }
  }

  private async relearn(alert: HealthAlert): Promise<void> {
    const s = this.alerts;
    if (!s) return;
    this.error = null;
    this.relearning = new Set([...this.relearning, alert.cameraId]);
    try {
      await s.relearn(alert.cameraId);
    } catch (err) {
      const code = err instanceof HealthApiError ? err.code : errorCodeOf(err);
      this.error = t('health.relearnFailed', { message: errorMessage(code) });
    } finally {
      this.relearning = new Set([...this.relearning].filter((c) => c !== alert.cameraId));
    }
  }

  override render(): unknown {
    const unacked = this.list.filter((a) => a.state === 'open').length;
    return html`
      <header>
        <h2><button type="button" class="fold" data-action="fold" aria-expanded=${this.folded ? 'false' : 'true'}
          @click=${() => (this.folded = !this.folded)}>${this.folded ? '▸' : '▾'} ${t('health.panelTitle')}</button></h2>
        ${unacked ? html`<span class="count" data-unacked=${unacked}>${t('health.count', { n: unacked })}</span>` : nothing}
        <span class="spacer"></span>
        <label class="sound" title=${t('health.sound')}>
          <input type="checkbox" data-action="sound" .checked=${this.sound} @change=${(e: Event) => this.alerts?.setSound((e.target as HTMLInputElement).checked)} />
          ${t('health.sound')}
        </label>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.folded
        ? nothing
        : this.list.length === 0
        ? html`<p class="none">${t('health.none')}</p>`
        : html`<ul>
            ${this.list.map(
              (a) => html`<li class=${a.state} data-alert-id=${a.id} data-kind=${a.kind} data-state=${a.state} data-camera=${a.cameraId}>
                <span class="kind">${t(`health.kind.${a.kind}`)}</span>
                <button type="button" class="link" data-action="history" title=${t('health.history')} @click=${() => (this.historyOf = a.cameraId)}>${this.name(a.cameraId)}</button>
                <span class="when">${t('health.since', { time: formatTime(a.openedAt) })}</span>
                ${safeLink(a.link)
                  ? html`<a class="review-link" data-action="alert-link" href=${safeLink(a.link)!} title=${t('link.alertReview')} aria-label=${t('link.alertReview')} @click=${openInPage}>⏮</a>`
                  : nothing}
                ${wardOf(a)
                  ? html`<span class="at-ward" data-ward=${wardOf(a)!}>${a.state === 'open' ? t('health.atWard') : t('health.ackedBy', { name: a.ackedBy ?? '?', time: a.ackedAt ? formatDateTime(a.ackedAt) : '' })}</span>`
                  : a.state === 'open'
                  ? html`<button type="button" class="primary" data-action="ack" @click=${() => void this.ack(a)}>${t('health.ack')}</button>`
                  : html`<span class="acked">${t('health.ackedBy', { name: a.ackedBy ?? '?', time: a.ackedAt ? formatDateTime(a.ackedAt) : '' })}</span>`}
                ${!wardOf(a) && canRelearn(this.me, a)
                  ? html`<button type="button" class="relearn" data-action="relearn" title=${t('health.relearnHint')} ?disabled=${this.relearning.has(a.cameraId)}
                      @click=${() => void this.relearn(a)}>${t('health.relearn')}</button>`
                  : nothing}
              </li>`,
            )}
          </ul>`}
      ${this.historyOf && this.alerts
        ? html`<ww-health-history .alerts=${this.alerts} .cameraId=${this.historyOf} .cameraName=${this.name(this.historyOf)}
            @ww-history-close=${() => (this.historyOf = null)}></ww-health-history>`
        : nothing}
    `;
  }

  static override styles = [theme, formControls, errorText, wwAlertsStyles];
}

customElements.define('ww-alerts', WwAlerts);

declare global {
  interface HTMLElementTagNameMap {
    'ww-alerts': WwAlerts;
  }
}
