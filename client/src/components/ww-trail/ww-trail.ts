import { LitElement, html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import { isOpen, type Trail } from '../../core/trail.js';
import { formatDate, t } from '../../i18n/i18n.js';
import { theme } from '../../styles/theme.js';
import { formControls } from '../../styles/forms.js';
import { wwTrailStyles } from './ww-trail.styles.js';
import { cameraLabel } from '../../core/city.js';

/**
 * Pursuit trails: the one being followed and the saved ones; the shown trail lists its hops (camera,
 * time in, time out, Vietnam time). Events: `ww-trail-show` {id}, `ww-trail-stop`,
 * `ww-trail-replay` {trail}, `ww-trail-export` {trail}, `ww-trail-delete` {id}. Test hooks: `ol[data-trail]` with
 * `li[data-hop][data-camera][data-in][data-out]`.
 */
export class WwTrail extends LitElement {
  static override properties = {
    trails: { attribute: false },
    current: { attribute: false },
    shown: { attribute: false },
    cameras: { attribute: false },
  };

  declare trails: Trail[];
  declare current: string | null;
  declare shown: string | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;

  constructor() {
    super();
    new LocaleController(this);
    this.trails = [];
    this.current = null;
    this.shown = null;
    this.cameras = new Map();
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private renderHops(trail: Trail): unknown {
    return html`<ol class="hops" data-trail=${trail.id} data-source=${trail.source}>
      ${trail.hops.map(
        (h, i) => html`<li data-hop=${i} data-camera=${h.cameraId} data-in=${h.inAt} data-out=${h.outAt ?? ''}>
          <span class="name">${cameraLabel(this.cameras.get(h.cameraId), h.cameraId)}</span>
          <span class="times">${hcmTimeText(h.inAt)} → ${h.outAt === null ? t('follow.now') : hcmTimeText(h.outAt)}</span>
        </li>`,
      )}
    </ol>`;
  }

  override render(): unknown {
    const shown = this.trails.find((tr) => tr.id === this.shown) ?? null;
    return html`
      <h3>${t('follow.trails')}</h3>
      ${this.trails.length === 0 ? html`<p class="muted">${t('follow.noTrails')}</p>` : nothing}
      <select data-field="trail" aria-label=${t('follow.trails')} ?hidden=${this.trails.length === 0}
        @change=${(e: Event) => this.fire('ww-trail-show', { id: (e.target as HTMLSelectElement).value })}>
        ${this.trails.map(
          (tr) => html`<option value=${tr.id} ?selected=${tr.id === this.shown}>
            ${tr.title} · ${formatDate(tr.createdAt)} · ${t('follow.hops', { n: tr.hops.length })}${tr.source === 'recording' ? ` · ${t('follow.onRecording')}` : ''}
          </option>`,
        )}
      </select>
      ${shown
        ? html`${this.renderHops(shown)}
            <div class="actions">
              ${shown.id === this.current && isOpen(shown)
                ? html`<button type="button" data-action="stop" @click=${() => this.fire('ww-trail-stop', {})}>${t('follow.stop')}</button>`
                : nothing}
              <button type="button" data-action="replay" @click=${() => this.fire('ww-trail-replay', { trail: shown })}>${t('follow.replay')}</button>
              <button type="button" data-action="export" @click=${() => this.fire('ww-trail-export', { trail: shown })}>${t('follow.export')}</button>
              ${shown.id !== this.current
                ? html`<button type="button" data-action="delete"
                    @click=${() => confirm(t('follow.confirmDelete', { title: shown.title })) && this.fire('ww-trail-delete', { id: shown.id })}>${t('follow.delete')}</button>`
                : nothing}
            </div>`
        : nothing}
    `;
  }

  static override styles = [theme, formControls, wwTrailStyles];
}

customElements.define('ww-trail', WwTrail);

declare global {
  interface HTMLElementTagNameMap {
    'ww-trail': WwTrail;
  }
}
