import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { fromDateTimeInputs, hcmDateInput, hcmTimeText } from '../../core/hcm-time.js';
import { t } from '../../i18n/i18n.js';
import { parseTags } from '../../core/text.js';
import type { BookmarkService } from '../../services/bookmarks.js';
import { modalBackdrop, theme } from '../../styles/theme.js';
import { formControls, formCard, stackedLabels, errorText } from '../../styles/forms.js';
import { wwBookmarkFormStyles } from './ww-bookmark-form.styles.js';

export interface BookmarkDraft {
  cameras: string[];
  startMs: number;
  endMs: number;
  /** The live tile showed no frame yet: the instant is the current time. */
  noFrame?: boolean;
  /** Asked for as urgent (Shift+B): the urgent box starts ticked. */
  urgent?: boolean;
}

/**
 * The quick bookmark form: the instant (or start and end, editable, Vietnam time), title, note,
 * tags and an optional incident. Saving writes to IndexedDB at once (the service syncs later), so
 * it works offline. Emits ww-bookmark-close (after save or cancel). Test hooks: data-field, data-action.
 */
export class WwBookmarkForm extends LitElement {
  static override properties = {
    service: { attribute: false },
    draft: { attribute: false },
    cameraNames: { attribute: false },
    error: { state: true },
  };

  declare service: BookmarkService | null;
  declare draft: BookmarkDraft | null;
  declare cameraNames: ReadonlyMap<string, string>;
  declare error: string | null;
  private startText = '';
  private endText = '';

  constructor() {
    super();
    new LocaleController(this);
    this.service = null;
    this.draft = null;
    this.cameraNames = new Map();
    this.error = null;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('draft') && this.draft) {
      this.startText = hcmTimeText(this.draft.startMs, true);
      this.endText = hcmTimeText(this.draft.endMs, true);
      this.error = null;
    }
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('[data-field="title"]')?.focus();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('ww-bookmark-close', { bubbles: true, composed: true }));
  }

  private value(field: string): string {
    return this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`[data-field="${field}"]`)?.value ?? '';
  }

  /** Saves the bookmark locally (and queues its sync); closes the form. */
  async save(): Promise<boolean> {
    const d = this.draft;
    if (!d || !this.service) return false;
    const start = fromDateTimeInputs(hcmDateInput(d.startMs), this.value('start-time'));
    const end = fromDateTimeInputs(hcmDateInput(d.endMs), this.value('end-time'));
    if (start === null || end === null) {
      this.error = t('review.badTime');
      return false;
    }
    // The typed times keep the draft's milliseconds when unchanged (HH:mm:ss.mmm shown).
    const startMs = this.value('start-time') === this.startText ? d.startMs : start;
    const endMs = this.value('end-time') === this.endText ? d.endMs : end;
    if (endMs < startMs) {
      this.error = t('bm.badRange');
      return false;
    }
    try {
      const incident = this.value('incident');
      await this.service.createBookmark({
        cameras: d.cameras,
        startMs,
        endMs,
        title: this.value('title').trim(),
        note: this.value('note'),
        tags: parseTags(this.value('tags')),
        incidentId: incident || null,
        urgent: this.renderRoot.querySelector<HTMLInputElement>('[data-field="urgent"]')?.checked ?? false,
      });
    } catch (e) {
      this.error = t('bm.saveFailed', { message: e instanceof Error ? e.message : String(e) });
      return false;
    }
    this.close();
    return true;
  }

  private onKey(e: KeyboardEvent): void {
    e.stopPropagation();
    if (e.key === 'Escape') this.close();
  }

  override render(): unknown {
    const d = this.draft;
    if (!d) return nothing;
    const names = d.cameras.map((c) => this.cameraNames.get(c) ?? c).join(', ');
    const incidents = this.service?.incidents() ?? [];
    return html`<div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && this.close()}>
      <form role="dialog" aria-modal="true" aria-labelledby="bm-title" @keydown=${this.onKey} @submit=${(e: Event) => (e.preventDefault(), void this.save())}>
        <h2 id="bm-title">${t('bm.formTitle')}</h2>
        <div class="meta">${t('bm.cameras', { cameras: names })} · ${hcmDateInput(d.startMs)} <span class="tz">${t('header.clock')}</span></div>
        ${d.noFrame ? html`<div class="meta">${t('bm.noFrame')}</div>` : nothing}
        <div class="row">
          <label>${t('bm.start')} <input type="text" class="time" data-field="start-time" .value=${this.startText} /></label>
          <label>${t('bm.end')} <input type="text" class="time" data-field="end-time" .value=${this.endText} /></label>
        </div>
        <label>${t('bm.title')} <input type="text" data-field="title" maxlength="200" /></label>
        <label>${t('bm.note')} <textarea data-field="note" rows="3" maxlength="4000"></textarea></label>
        <label>${t('bm.tags')} <input type="text" data-field="tags" /></label>
        <label>${t('bm.incident')}
          <select data-field="incident">
            <option value="">${t('bm.noIncident')}</option>
            ${incidents.map((i) => html`<option value=${i.id}>${i.title} (${t(`inc.kind.${i.kind}`)})</option>`)}
          </select>
        </label>
        <label class="check"><input type="checkbox" data-field="urgent" .checked=${!!d.urgent} /> ${t('bm.urgent')} <span class="hint">${t('bm.urgentHint')}</span></label>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        <div class="buttons">
          <button type="button" data-action="cancel" @click=${() => this.close()}>${t('bm.cancel')}</button>
          <button type="submit" class="primary" data-action="save">${t('bm.save')}</button>
        </div>
      </form>
    </div>`;
  }

  static override styles = [theme, modalBackdrop, formControls, formCard, stackedLabels, errorText, wwBookmarkFormStyles];
}

customElements.define('ww-bookmark-form', WwBookmarkForm);

declare global {
  interface HTMLElementTagNameMap {
    'ww-bookmark-form': WwBookmarkForm;
  }
}
