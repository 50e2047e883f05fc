import { LitElement, html } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { ReviewSession } from '../../controllers/review-session.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import { t } from '../../i18n/i18n.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import { theme } from '../../styles/theme.js';
import '../ww-review-tile/ww-review-tile.js';
import { wwReplayStyles } from './ww-replay.styles.js';

export const REPLAY_BACK_MS = 30_000;

/**
 * Instant replay over a live tile: the camera's last 30 s from the recording, then back to live
 * on its own at the live edge (or at once with the button). Fires ww-replay-end.
 */
export class WwReplay extends LitElement {
  static override properties = {
    api: { attribute: false },
    cameraId: { type: String, attribute: 'camera-id', reflect: true },
    cameraName: { attribute: false },
    position: { state: true },
  };

  declare api: RecorderApi | null;
  declare cameraId: string;
  declare cameraName: string;
  declare position: number;
  session: ReviewSession | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.api = null;
    this.cameraId = '';
    this.cameraName = '';
    this.position = Date.now() - REPLAY_BACK_MS;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.api || this.session) return;
    const s = new ReviewSession(this.api, Date.now() - REPLAY_BACK_MS, { halfWindowMs: REPLAY_BACK_MS + 10_000 });
    this.session = s;
    s.on('tick', (p) => (this.position = p));
    s.on('live-edge', () => this.end());
    s.play();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session?.close();
    this.session = null;
  }

  private end(): void {
    this.dispatchEvent(new CustomEvent('ww-replay-end', { bubbles: true, composed: true }));
  }

  override render(): unknown {
    const behind = Math.max(0, Math.round((Date.now() - this.position) / 1000));
    return html`
      <ww-review-tile .cameraId=${this.cameraId} .cameraName=${this.cameraName} .session=${this.session}></ww-review-tile>
      <div class="bar" @click=${(e: Event) => e.stopPropagation()} @dblclick=${(e: Event) => e.stopPropagation()}>
        <span class="label">${t('replay.title', { seconds: behind })} · ${hcmTimeText(this.position)}</span>
        <button type="button" data-action="replay-back" @click=${() => this.end()}>${t('replay.back')}</button>
      </div>
    `;
  }

  static override styles = [theme, wwReplayStyles];
}

customElements.define('ww-replay', WwReplay);

declare global {
  interface HTMLElementTagNameMap {
    'ww-replay': WwReplay;
  }
}
