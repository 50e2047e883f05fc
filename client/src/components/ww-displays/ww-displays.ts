import { LitElement, html, nothing } from 'lit';
import type { CameraInfo, DisplayContent, DisplayRule, DisplayState, TourAction, TourStep, WallLayout } from '@wardwall/common';
import { LocaleController } from '../../controllers/locale.js';
import { formatTime, t } from '../../i18n/i18n.js';
import type { DisplaysClient } from '../../services/displays.js';
import { theme } from '../../styles/theme.js';
import { formControls } from '../../styles/forms.js';
import { wwDisplaysStyles } from './ww-displays.styles.js';

/** "changed by X at HH:MM:SS" for a display, or '' when nobody changed it yet. */
export function changedText(d: Pick<DisplayState, 'changedBy' | 'changedAt'>): string {
  return d.changedBy ? t('display.changedBy', { who: d.changedBy, time: formatTime(d.changedAt) }) : '';
}

/** What a display shows, in words. */
export function sourceText(d: DisplayState): string {
  switch (d.source.kind) {
    case 'none':
      return t('display.source.none');
    case 'tour':
      return d.tour ? t('display.source.tour', { name: d.tour.name, step: d.tour.index + 1, steps: d.tour.steps }) + (d.tour.paused ? ` · ${t('display.paused')}` : '') : d.source.label;
    case 'rule':
      return t('display.source.rule', { trigger: t(d.source.label === 'urgent_bookmark' ? 'rule.urgent_bookmark' : 'rule.camera_alert') });
    default:
      return `${t(`display.source.${d.source.kind}`)}: ${d.source.label}`;
  }
}

/**
 * The control panel of the duty-room displays: every display with what it shows and who changed
 * it, and the controls to push a camera, a preset, a tour or an incident to it and to steer its
 * tour; the shared presets and tours editors; the rules; and registering this window as a display.
 */
export class WwDisplays extends LitElement {
  static override properties = {
    client: { attribute: false },
    cameras: { attribute: false },
    wallLayout: { attribute: false },
    wallTiles: { attribute: false },
    displays: { state: true },
    message: { state: true },
    tourSteps: { state: true },
    rules: { state: true },
  };

  declare client: DisplaysClient | null;
  declare cameras: ReadonlyMap<string, CameraInfo>;
  /** The operator's own wall: saved as a preset, or pushed as an incident. */
  declare wallLayout: WallLayout;
  declare wallTiles: readonly (string | null)[];
  declare displays: DisplayState[];
  declare message: string;
  declare tourSteps: TourStep[];
  declare rules: DisplayRule[];
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.client = null;
    this.cameras = new Map();
    this.wallLayout = '2x2';
    this.wallTiles = [];
    this.displays = [];
    this.message = '';
    this.tourSteps = [];
    this.rules = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const c = this.client;
    if (!c) return;
    this.displays = c.list();
    this.unsubscribe = c.on('change', () => (this.displays = c.list()));
    void this.run(async () => {
      await c.refresh();
      this.rules = await c.rules();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async run(fn: () => Promise<unknown>, done = ''): Promise<void> {
    try {
      await fn();
      this.message = done;
    } catch (err) {
      this.message = t('display.failed', { message: err instanceof Error ? err.message : String(err) });
    }
  }

  private field(root: Element, name: string): string {
    return (root.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)?.value ?? '').trim();
  }

  private pushFrom(e: Event, d: DisplayState, kind: DisplayContent['kind']): void {
    const row = (e.currentTarget as HTMLElement).closest('[data-display]')!;
    const c = this.client;
    if (!c) return;
    let content: DisplayContent;
    if (kind === 'camera') content = { kind, cameraId: this.field(row, 'camera') };
    else if (kind === 'preset') content = { kind, presetId: this.field(row, 'preset') };
    else if (kind === 'tour') content = { kind, tourId: this.field(row, 'tour') };
    else {
      const cameraIds = this.wallTiles.filter((x): x is string => !!x);
      const title = this.field(row, 'incident') || t('display.incidentDefault');
      content = { kind, title, cameraIds };
    }
    void this.run(() => c.push(d.name, content), t('display.pushed', { name: d.name }));
  }

  private tour(d: DisplayState, action: TourAction): void {
    const c = this.client;
    if (c) void this.run(() => c.tour(d.name, action));
  }

  private registerHere(): void {
    const name = this.field(this.renderRoot as unknown as Element, 'register');
    if (name) this.dispatchEvent(new CustomEvent('ww-register-display', { detail: { name }, bubbles: true, composed: true }));
  }

  private savePreset(): void {
    const c = this.client;
    const name = this.field(this.renderRoot as unknown as Element, 'presetName');
    if (!c || !name) return;
    void this.run(() => c.savePreset({ name, layout: this.wallLayout, tiles: [...this.wallTiles] }), t('display.saved', { name }));
  }

  private addStep(): void {
    const v = this.field(this.renderRoot as unknown as Element, 'step');
    if (!v) return;
    const [kind, id] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
    this.tourSteps = [...this.tourSteps, kind === 'preset' ? { kind: 'preset', presetId: id } : { kind: 'camera', cameraId: id }];
  }

  private saveTour(): void {
    const c = this.client;
    const root = this.renderRoot as unknown as Element;
    const name = this.field(root, 'tourName');
    const intervalSec = Number(this.field(root, 'tourInterval'));
    if (!c || !name || !this.tourSteps.length) return;
    const steps = this.tourSteps;
    void this.run(async () => {
      await c.saveTour({ name, intervalSec, steps });
      this.tourSteps = [];
    }, t('display.saved', { name }));
  }

  private addRule(): void {
    const c = this.client;
    const root = this.renderRoot as unknown as Element;
    const display = this.field(root, 'ruleDisplay');
    const trigger = this.field(root, 'ruleTrigger') === 'urgent_bookmark' ? 'urgent_bookmark' : 'camera_alert';
    const cam = this.field(root, 'ruleCamera');
    if (!c || !display) return;
    void this.run(async () => {
      await c.addRule({ trigger, display, cameraIds: cam ? [cam] : [], enabled: true });
      this.rules = await c.rules();
    });
  }

  private deleteRule(id: string): void {
    const c = this.client;
    if (c)
      void this.run(async () => {
        await c.deleteRule(id);
        this.rules = await c.rules();
      });
  }

  private stepLabel(s: TourStep): string {
    if (s.kind === 'camera') return this.cameras.get(s.cameraId)?.name ?? s.cameraId;
    return `${t('display.source.preset')}: ${this.client?.presets.find((p) => p.id === s.presetId)?.name ?? s.presetId}`;
  }

  override render(): unknown {
    const c = this.client;
    const cams = [...this.cameras.values()];
    const presets = c?.presets ?? [];
    const tours = c?.tours ?? [];
    const camOptions = cams.map((cam) => html`<option value=${cam.id}>${cam.name}</option>`);
    return html`
      <section class="displays">
        <h2>${t('display.title')}</h2>
        ${this.displays.length === 0 ? html`<p class="muted">${t('display.none')}</p>` : nothing}
        ${this.displays.map(
          (d) => html`<div class="display" data-display=${d.name}>
            <div class="head">
              <span class="dot ${d.online ? 'live' : ''}" title=${d.online ? t('display.online') : t('display.offline')}></span>
              <strong>${d.name}</strong>
              <span class="source" data-role="source">${sourceText(d)}</span>
              <span class="muted" data-role="changed">${changedText(d)}</span>
            </div>
            <div class="controls">
              <label>${t('display.camera')} <select name="camera">${camOptions}</select></label>
              <button type="button" data-action="push-camera" @click=${(e: Event) => this.pushFrom(e, d, 'camera')}>${t('display.push')}</button>
              <label>${t('display.preset')} <select name="preset">${presets.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></label>
              <button type="button" data-action="push-preset" ?disabled=${!presets.length} @click=${(e: Event) => this.pushFrom(e, d, 'preset')}>${t('display.push')}</button>
              <label>${t('display.tour')} <select name="tour">${tours.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select></label>
              <button type="button" data-action="push-tour" ?disabled=${!tours.length} @click=${(e: Event) => this.pushFrom(e, d, 'tour')}>${t('display.start')}</button>
              <input name="incident" placeholder=${t('display.incidentTitle')} maxlength="80" />
              <button type="button" data-action="push-incident" ?disabled=${!this.wallTiles.some((x) => x)} title=${t('display.incidentHint')}
                @click=${(e: Event) => this.pushFrom(e, d, 'incident')}>${t('display.pushIncident')}</button>
              ${d.tour
                ? html`<span class="tour">
                    ${d.tour.paused
                      ? html`<button type="button" data-action="tour-resume" @click=${() => this.tour(d, 'resume')}>${t('display.resume')}</button>`
                      : html`<button type="button" data-action="tour-pause" @click=${() => this.tour(d, 'pause')}>${t('display.pause')}</button>`}
                    <button type="button" data-action="tour-next" @click=${() => this.tour(d, 'next')}>${t('display.next')}</button>
                    <button type="button" data-action="tour-stop" @click=${() => this.tour(d, 'stop')}>${t('display.stop')}</button>
                  </span>`
                : nothing}
            </div>
          </div>`,
        )}
        <div class="row">
          <input name="register" placeholder=${t('display.registerName')} maxlength="60" />
          <button type="button" data-action="register" @click=${() => this.registerHere()}>${t('display.register')}</button>
        </div>
        <p class="status" role="status">${this.message}</p>
      </section>
      <section>
        <h2>${t('display.presets')}</h2>
        <div class="row">
          <input name="presetName" placeholder=${t('display.presetName')} maxlength="80" />
          <button type="button" data-action="save-preset" @click=${() => this.savePreset()}>${t('display.saveWall')}</button>
        </div>
        <ul>
          ${presets.map(
            (p) => html`<li data-preset=${p.id}>${p.name} <span class="muted">${t(`layout.${p.layout}`)} · ${p.tiles.filter((x) => x).length} camera · ${p.createdBy}</span>
              <button type="button" class="del" @click=${() => c && void this.run(() => c.deletePreset(p.id))}>${t('display.delete')}</button></li>`,
          )}
        </ul>
      </section>
      <section>
        <h2>${t('display.tours')}</h2>
        <div class="row">
          <input name="tourName" placeholder=${t('display.tourName')} maxlength="80" />
          <label>${t('display.interval')} <input name="tourInterval" type="number" min="2" max="3600" value="10" /></label>
        </div>
        <div class="row">
          <select name="step">
            ${cams.map((cam) => html`<option value=${`camera:${cam.id}`}>${cam.name}</option>`)}
            ${presets.map((p) => html`<option value=${`preset:${p.id}`}>${t('display.source.preset')}: ${p.name}</option>`)}
          </select>
          <button type="button" data-action="add-step" @click=${() => this.addStep()}>${t('display.addStep')}</button>
          <button type="button" data-action="save-tour" ?disabled=${!this.tourSteps.length} @click=${() => this.saveTour()}>${t('display.saveTour')}</button>
        </div>
        <ol class="steps">${this.tourSteps.map((s, i) => html`<li>${this.stepLabel(s)}
          <button type="button" class="del" @click=${() => (this.tourSteps = this.tourSteps.filter((_, j) => j !== i))}>×</button></li>`)}</ol>
        <ul>
          ${tours.map(
            (x) => html`<li data-tour=${x.id}>${x.name} <span class="muted">${x.steps.length} · ${x.intervalSec} s · ${x.createdBy}</span>
              <button type="button" class="del" @click=${() => c && void this.run(() => c.deleteTour(x.id))}>${t('display.delete')}</button></li>`,
          )}
        </ul>
      </section>
      <section>
        <h2>${t('display.rules')}</h2>
        <div class="row">
          <select name="ruleTrigger">
            <option value="camera_alert">${t('rule.camera_alert')}</option>
            <option value="urgent_bookmark">${t('rule.urgent_bookmark')}</option>
          </select>
          <select name="ruleCamera"><option value="">${t('display.anyCamera')}</option>${camOptions}</select>
          → <select name="ruleDisplay">${this.displays.map((d) => html`<option value=${d.name}>${d.name}</option>`)}</select>
          <button type="button" data-action="add-rule" ?disabled=${!this.displays.length} @click=${() => this.addRule()}>${t('display.addRule')}</button>
        </div>
        <ul>
          ${this.rules.map(
            (r) => html`<li>${t(`rule.${r.trigger}`)} · ${r.cameraIds.length ? r.cameraIds.join(', ') : t('display.anyCamera')} → ${r.display}
              <button type="button" class="del" @click=${() => this.deleteRule(r.id)}>${t('display.delete')}</button></li>`,
          )}
        </ul>
      </section>
    `;
  }

  static override styles = [theme, formControls, wwDisplaysStyles];
}

customElements.define('ww-displays', WwDisplays);

declare global {
  interface HTMLElementTagNameMap {
    'ww-displays': WwDisplays;
  }
}
