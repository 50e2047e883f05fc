import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { errorMessage, t } from '../../i18n/i18n.js';
import { OnvifApi, OnvifApiError, type OnvifDevice, type OnvifProfiles } from '../../services/onvif-api.js';
import { dataTable, theme } from '../../styles/theme.js';
import { formControls } from '../../styles/forms.js';
import { wwOnvifStyles } from './ww-onvif.styles.js';

/** One discovered device's form: the account typed, the profiles read, the choice. */
interface DeviceState {
  username: string;
  password: string;
  busy: boolean;
  result: OnvifProfiles | null;
  main: string | null;
  sub: string | null;
  name: string;
  notice: { text: string; error: boolean } | null;
}

/**
 * ONVIF discovery on the admin page (docs/cameras.md, "ONVIF discovery"): Discover (the LAN's
 * multicast group, and one IPv4 address when typed), then per device the ONVIF account, its stream
 * profiles with the suggested main and sub streams, a name and Add. The password is sent once to
 * read the profiles and cleared from the form; Add names the server's grant, never the password.
 * Fires `ww-camera-added` ({id}) after an Add.
 * Test hooks: `[data-action=onvif-discover]`, `[data-onvif-address]`, `[data-device=<endpoint>]`
 * with `[data-onvif-user]`, `[data-onvif-password]`, `[data-action=onvif-read]`,
 * `input[data-main=<token>]`, `input[data-sub=<token>]`, `[data-onvif-name]`, `[data-action=onvif-add]`,
 * `[data-onvif-notice]`.
 */
export class WwOnvif extends LitElement {
  static override properties = {
    fetchFn: { attribute: false },
    devices: { state: true },
    states: { state: true },
    searching: { state: true },
    address: { state: true },
    notice: { state: true },
  };
  declare fetchFn: typeof fetch | null;
  declare devices: OnvifDevice[] | null;
  declare states: ReadonlyMap<string, DeviceState>;
  declare searching: boolean;
  declare address: string;
  declare notice: { text: string; error: boolean } | null;

  constructor() {
    super();
    new LocaleController(this);
    this.fetchFn = null;
    this.devices = null;
    this.states = new Map();
    this.searching = false;
    this.address = '';
    this.notice = null;
  }

  private get api(): OnvifApi {
    return new OnvifApi(this.fetchFn ?? undefined);
  }

  private failed(e: unknown): { text: string; error: boolean } {
    return { text: t('onvif.failed', { reason: e instanceof OnvifApiError ? `${errorMessage(e.code)} (${e.code})` : String(e) }), error: true };
  }

  private state(d: OnvifDevice): DeviceState {
    return this.states.get(d.endpoint) ?? { username: '', password: '', busy: false, result: null, main: null, sub: null, name: d.name ?? '', notice: null };
  }

  private patch(d: OnvifDevice, p: Partial<DeviceState>): void {
    const next = new Map(this.states);
    next.set(d.endpoint, { ...this.state(d), ...p });
    this.states = next;
  }

  private async discover(): Promise<void> {
    this.searching = true;
    this.notice = null;
    try {
      const found = await this.api.discover(this.address.trim() || undefined);
      this.devices = found;
      this.notice = { text: found.length ? t('onvif.found', { count: found.length }) : t('onvif.none'), error: false };
    } catch (e) {
      this.notice = this.failed(e);
    } finally {
      this.searching = false;
    }
  }

  private async read(d: OnvifDevice): Promise<void> {
    const s = this.state(d);
    this.patch(d, { busy: true, notice: null });
    try {
      const r = await this.api.profiles(d.xaddrs[0]!, s.username, s.password);
      this.patch(d, { busy: false, password: '', result: r, main: r.suggested.main, sub: r.suggested.sub, notice: r.suggested.main ? null : { text: t('onvif.noUsable'), error: true } });
    } catch (e) {
      this.patch(d, { busy: false, notice: this.failed(e) });
    }
  }

  private async add(d: OnvifDevice): Promise<void> {
    const s = this.state(d);
    if (!s.result || !s.main) return;
    this.patch(d, { busy: true, notice: null });
    try {
      const id = await this.api.add(s.result.grant, s.name.trim(), s.main, s.sub);
      this.patch(d, { busy: false, result: null, notice: { text: t('onvif.added', { id }), error: false } });
      this.dispatchEvent(new CustomEvent('ww-camera-added', { detail: { id }, bubbles: true, composed: true }));
    } catch (e) {
      this.patch(d, { busy: false, notice: this.failed(e) });
    }
  }

  private renderProfiles(d: OnvifDevice, s: DeviceState): unknown {
    const r = s.result;
    if (!r) return nothing;
    const usable = (enc: string | null) => enc === 'H264' || enc === 'H265';
    return html`<table class="profiles">
        <thead>
          <tr><th>${t('onvif.profile')}</th><th>${t('onvif.encoding')}</th><th>${t('onvif.size')}</th><th>${t('onvif.fps')}</th><th>${t('onvif.uri')}</th><th>${t('onvif.main')}</th><th>${t('onvif.sub')}</th></tr>
        </thead>
        <tbody>
          ${r.profiles.map((p) => {
            const ok = usable(p.encoding) && p.uri !== null;
            return html`<tr data-profile=${p.token}>
              <td>${p.name}</td>
              <td>${p.encoding ?? '—'}</td>
              <td>${p.width && p.height ? `${p.width}×${p.height}` : '—'}</td>
              <td>${p.fps ?? '—'}</td>
              <td class="uri">${p.uri ?? '—'}</td>
              <td><input type="radio" name="main-${d.endpoint}" data-main=${p.token} .checked=${s.main === p.token} ?disabled=${!ok} @change=${() => this.patch(d, { main: p.token, sub: s.sub === p.token ? null : s.sub })} /></td>
              <td><input type="radio" name="sub-${d.endpoint}" data-sub=${p.token} .checked=${s.sub === p.token} ?disabled=${!ok || s.main === p.token} @change=${() => this.patch(d, { sub: p.token })} /></td>
            </tr>`;
          })}
          <tr>
            <td colspan="6">${t('onvif.noSub')}</td>
            <td><input type="radio" name="sub-${d.endpoint}" data-sub="" .checked=${s.sub === null} @change=${() => this.patch(d, { sub: null })} /></td>
          </tr>
        </tbody>
      </table>
      <div class="row">
        <label>${t('onvif.name')}<input type="text" maxlength="120" data-onvif-name .value=${s.name} @input=${(e: Event) => this.patch(d, { name: (e.target as HTMLInputElement).value })} /></label>
        <button type="button" class="primary" data-action="onvif-add" ?disabled=${s.busy || !s.main || !s.name.trim()} @click=${() => void this.add(d)}>${t('onvif.add')}</button>
      </div>`;
  }

  private renderDevice(d: OnvifDevice): unknown {
    const s = this.state(d);
    const detail = [d.hardware, d.location, d.xaddrs[0]].filter(Boolean).join(' · ');
    return html`<li data-device=${d.endpoint}>
      <div><strong>${d.name ?? d.hardware ?? d.from}</strong> <span class="muted">${detail}</span></div>
      <form
        class="row"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.read(d);
        }}
      >
        <label>${t('onvif.username')}<input type="text" autocomplete="off" maxlength="128" data-onvif-user .value=${s.username} @input=${(e: Event) => this.patch(d, { username: (e.target as HTMLInputElement).value })} /></label>
        <label>${t('onvif.password')}<input type="password" autocomplete="new-password" maxlength="256" data-onvif-password .value=${s.password} @input=${(e: Event) => this.patch(d, { password: (e.target as HTMLInputElement).value })} /></label>
        <button type="submit" data-action="onvif-read" ?disabled=${s.busy}>${s.busy && !s.result ? t('onvif.reading') : t('onvif.read')}</button>
        ${s.notice ? html`<span class="notice ${s.notice.error ? 'error' : ''}" role="status" data-onvif-notice>${s.notice.text}</span>` : nothing}
      </form>
      ${this.renderProfiles(d, s)}
    </li>`;
  }

  override render(): unknown {
    return html`<h3>${t('onvif.title')}</h3>
      <p class="help">${t('onvif.help')}</p>
      <div class="row">
        <label>${t('onvif.address')}<input type="text" maxlength="21" placeholder="192.168.1.64" data-onvif-address .value=${this.address} @input=${(e: Event) => (this.address = (e.target as HTMLInputElement).value)} /></label>
        <button type="button" data-action="onvif-discover" ?disabled=${this.searching} @click=${() => void this.discover()}>${this.searching ? t('onvif.searching') : t('onvif.discover')}</button>
        ${this.notice ? html`<span class="notice ${this.notice.error ? 'error' : ''}" role="status" data-onvif-notice>${this.notice.text}</span>` : nothing}
      </div>
      ${this.devices?.length ? html`<ul class="devices">${this.devices.map((d) => this.renderDevice(d))}</ul>` : nothing}`;
  }

  static override styles = [theme, dataTable, formControls, wwOnvifStyles];
}

customElements.define('ww-onvif', WwOnvif);

declare global {
  interface HTMLElementTagNameMap {
    'ww-onvif': WwOnvif;
  }
}
