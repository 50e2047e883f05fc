import { LitElement, html, nothing } from 'lit';
import { formatFingerprint } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { errorMessage, t } from '../../i18n/i18n.js';
import { RecorderApi, RecorderError, type StationKeyReply } from '../../services/recorder-api.js';
import { theme } from '../../styles/theme.js';
import { errorText } from '../../styles/forms.js';
import { wwStationKeyStyles } from './ww-station-key.styles.js';

/**
 * The station's evidence signing key on the admin page: the Ed25519 public key and its fingerprint,
 * to compare with what a package's offline verifier shows. Test hooks: data-fingerprint.
 */
export class WwStationKey extends LitElement {
  static override properties = {
    key: { state: true },
    error: { state: true },
  };

  declare key: StationKeyReply | null;
  declare error: string | null;
  api = new RecorderApi();

  constructor() {
    super();
    new LocaleController(this);
    this.key = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.api.stationKey().then(
      (k) => (this.key = k),
      (e: unknown) => (this.error = e instanceof RecorderError ? errorMessage(e.code) : String(e)),
    );
  }

  override render(): unknown {
    const k = this.key;
    return html`<h2>${t('stationKey.title')}</h2>
      <p class="help">${t('stationKey.help')}</p>
      ${this.error ? html`<p class="error" role="alert">${t('stationKey.unavailable', { message: this.error })}</p>` : nothing}
      ${k
        ? html`<dl data-fingerprint=${k.fingerprint}>
            <dt>${t('stationKey.fingerprint')}</dt>
            <dd class="fp">${formatFingerprint(k.fingerprint)}</dd>
            <dt>${t('stationKey.publicKey')} (Ed25519)</dt>
            <dd class="mono">${k.publicKey}</dd>
            <dd><pre class="mono">${k.publicKeyPem}</pre></dd>
          </dl>`
        : nothing}`;
  }

  static override styles = [theme, errorText, wwStationKeyStyles];
}

customElements.define('ww-station-key', WwStationKey);

declare global {
  interface HTMLElementTagNameMap {
    'ww-station-key': WwStationKey;
  }
}
