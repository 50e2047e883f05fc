import { LitElement, html, nothing } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { formatFingerprint, type ExportPackageFormat, type FileVerdict, type PackageVerdict } from '@wardwall/common';
import { fromDateTimeInputs, hcmDateInput, hcmTimeText } from '../../core/hcm-time.js';
import { errorMessage, formatNumber, t } from '../../i18n/i18n.js';
import { RecorderApi, RecorderError, type ExportStatus } from '../../services/recorder-api.js';
import { waitForExport } from '../../services/export-job.js';
import { canPickSaveFile, pickSaveFile, saveAndVerify } from '../../services/export-save.js';
import { theme } from '../../styles/theme.js';
import { formControls, disabledButtons, timeInput, errorText } from '../../styles/forms.js';
import { currentViewer } from '../../services/viewer.js';
import { wwExportStyles } from './ww-export.styles.js';

type Phase = 'idle' | 'queued' | 'running' | 'downloading' | 'verifying' | 'done' | 'failed';

/**
 * Evidence export of the reviewed cameras over [from, to) as a ZIP or tar package: asks the
 * recorder for it and shows its progress. Where the browser has the File System Access API, the
 * click first asks where to save; the download then streams straight into that file while every
 * entry is hashed as it passes and the manifest's station signature is checked (tab memory stays
 * flat for a multi-GB package). Elsewhere the recorder checks the stored package against its
 * signed manifest and the browser downloads it itself (a plain link). Test hooks: data-phase,
 * data-verified, data-signature, data-saved.
 */
export class WwExport extends LitElement {
  static override properties = {
    api: { attribute: false },
    cameras: { attribute: false },
    position: { attribute: false },
    from: { state: true },
    to: { state: true },
    by: { state: true },
    phase: { type: String, reflect: true, attribute: 'data-phase' },
    progress: { state: true },
    error: { state: true },
    result: { state: true },
    packageUrl: { state: true },
    packageName: { state: true },
    packageBytes: { state: true },
    format: { state: true },
    savedName: { state: true },
    startJob: { attribute: false },
    heading: { attribute: false },
  };

  declare api: RecorderApi | null;
  declare cameras: { id: string; name: string }[];
  declare position: number;
  declare from: number;
  declare to: number;
  declare by: string;
  declare phase: Phase;
  declare progress: number;
  declare error: string | null;
  declare result: PackageVerdict | null;
  declare format: ExportPackageFormat;
  /** The file the package was written to (File System Access API), or null. */
  declare savedName: string | null;
  declare packageUrl: string | null;
  declare packageName: string;
  declare packageBytes: number;
  /**
   * When set, the package is made by this call (e.g. an incident's ranges, exported by the signed-in
   * user) instead of the from/to form; progress, download and verification are the same.
   */
  declare startJob: ((format: ExportPackageFormat) => Promise<ExportStatus>) | null;
  /** Replaces the section's heading (e.g. the incident's title). */
  declare heading: string | null;
  private abort: AbortController | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.api = new RecorderApi();
    this.cameras = [];
    this.position = Date.now();
    this.from = Date.now() - 60_000;
    this.to = Date.now();
    this.by = currentViewer()?.displayName ?? '';
    this.phase = 'idle';
    this.progress = 0;
    this.error = null;
    this.result = null;
    this.packageUrl = null;
    this.packageName = '';
    this.packageBytes = 0;
    this.format = 'zip';
    this.savedName = null;
    this.startJob = null;
    this.heading = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  /** Sets the window (also used by the review's mark-in / mark-out). */
  setRange(from: number, to: number): void {
    this.from = from;
    this.to = to;
  }

  private busy(): boolean {
    return ['queued', 'running', 'downloading', 'verifying'].includes(this.phase);
  }

  /** Runs an export to the end; resolves with the verification (null when it failed before). */
  async run(): Promise<PackageVerdict | null> {
    const api = this.api;
    if (!api || this.busy()) return null;
    if (!this.startJob && !this.by.trim()) {
      this.error = t('export.needBy');
      return null;
    }
    if (!this.startJob && !(this.to > this.from)) {
      this.error = t('export.badRange');
      return null;
    }
    const format = this.format;
    // Where to save is asked first, while the click's user activation lasts.
    let file: FileSystemFileHandle | null = null;
    if (canPickSaveFile()) {
      try {
        file = await pickSaveFile(`chung-cu-${hcmDateInput(Date.now())}-${hcmTimeText(Date.now()).replace(/:/g, '')}.${format}`, format, t('export.pickerType'));
        if (!file) return null;
      } catch {
        file = null; // the API is there but refuses (policy, headless): the plain download path
      }
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.packageUrl = null;
    this.savedName = null;
    this.result = null;
    this.error = null;
    this.progress = 0;
    this.phase = 'queued';
    try {
      let job = this.startJob
        ? await this.startJob(format)
        : await api.createExport({ cameras: this.cameras.map((c) => c.id), from: this.from, to: this.to, exportedBy: this.by.trim(), format });
      const end = await waitForExport(api, job, {
        signal: abort.signal,
        onStatus: (st) => {
          this.phase = st.state;
          this.progress = st.progress;
        },
      });
      if (!end) return null;
      job = end;
      if (job.state === 'failed') throw new RecorderError('EXPORT_FAILED', job.error ?? 'export failed');
      this.packageName = `export-${job.id}.${format}`;
      this.packageUrl = api.downloadUrl(job.id);
      this.packageBytes = job.bytes ?? 0;
      let result: PackageVerdict;
      if (file) {
        this.phase = 'downloading';
        this.progress = 0;
        const station = await api.stationKey().catch(() => null);
        const { body, total } = await api.downloadStream(job.id, abort.signal);
        const size = total ?? job.bytes ?? 0;
        const saved = await saveAndVerify(body, file, station?.fingerprint ?? null, (n) => (this.progress = size ? n / size : 0), abort.signal);
        result = saved.verdict;
        this.packageBytes = saved.bytes;
        this.savedName = file.name;
      } else {
        this.phase = 'verifying';
        result = await api.verifyOnServer(job.id);
      }
      this.result = result;
      this.phase = 'done';
      this.dispatchEvent(new CustomEvent('ww-export-done', { detail: { id: job.id, ok: result.ok }, bubbles: true, composed: true }));
      return result;
    } catch (e) {
      if (abort.signal.aborted) return null;
      this.phase = 'failed';
      this.error = e instanceof RecorderError ? (e.code === 'EXPORT_FAILED' ? e.message : errorMessage(e.code)) : e instanceof Error ? e.message : String(e);
      return null;
    }
  }

  private verdict(v: FileVerdict): string {
    const labels: Record<FileVerdict, string> = {
      ok: t('verdict.ok'),
      hash_mismatch: t('verdict.hashMismatch'),
      size_mismatch: t('verdict.sizeMismatch'),
      missing: t('verdict.missing'),
      unexpected: t('verdict.unexpected'),
    };
    return labels[v];
  }

  private status(): unknown {
    const pct = Math.round(this.progress * 100);
    switch (this.phase) {
      case 'queued':
        return t('export.queued');
      case 'running':
        return t('export.running', { percent: pct });
      case 'downloading':
        return t('export.saving', { percent: pct });
      case 'verifying':
        return t('export.verifying');
      default:
        return '';
    }
  }

  private signatureLine(r: PackageVerdict): unknown {
    const sig = r.signature;
    const text =
      sig.matchesStation === false
        ? t('export.sigOtherKey')
        : sig.state === 'valid'
          ? t('export.sigValid')
          : sig.state === 'missing'
            ? t('export.sigMissing')
            : sig.state === 'unsupported'
              ? t('export.sigUnsupported')
              : t('export.sigInvalid');
    const good = sig.state === 'valid' && sig.matchesStation !== false;
    return html`<div class="sig ${good ? 'good' : 'badv'}" data-signature=${sig.state} data-station=${sig.matchesStation === null ? 'unknown' : sig.matchesStation ? 'match' : 'mismatch'}>
      ${text}${sig.keyFingerprint ? html`<div class="hash fp">${t('export.fingerprint', { fp: formatFingerprint(sig.keyFingerprint) })}</div>` : nothing}
    </div>`;
  }

  private renderResult(): unknown {
    const r = this.result;
    if (!r) return nothing;
    const okCount = r.files.filter((f) => f.verdict === 'ok').length;
    const size = `${formatNumber(this.packageBytes / 1048576, 1)} MB`;
    return html`<div class="result ${r.ok ? 'ok' : 'bad'}" data-verified=${r.ok ? 'ok' : 'failed'} data-saved=${this.savedName ?? ''}>
      <strong>${r.ok ? t('export.verified', { n: okCount }) : t('export.notVerified')}</strong>
      ${r.error ? html`<div>${r.error}</div>` : nothing}
      ${this.signatureLine(r)}
      ${r.manifest && r.manifest.camerasWithoutFootage.length ? html`<div>${t('export.withoutFootage', { cameras: r.manifest.camerasWithoutFootage.join(', ') })}</div>` : nothing}
      <table>
        ${r.files.map(
          (f) => html`<tr data-file=${f.file} data-verdict=${f.verdict}>
            <td>${f.file}</td>
            <td class=${f.verdict === 'ok' ? 'good' : 'badv'}>${this.verdict(f.verdict)}</td>
            <td class="hash" title=${f.actualSha256 ?? ''}>${(f.actualSha256 ?? '').slice(0, 16)}…</td>
          </tr>`,
        )}
      </table>
      ${this.savedName ? html`<div class="saved">${t('export.savedTo', { name: this.savedName, size })}</div>` : html`<div>${t('export.checkedOnServer')}</div>`}
      ${this.packageUrl
        ? html`<a class="save" href=${this.packageUrl} download=${this.packageName}>${this.savedName ? t('export.save', { size }) : t('export.download', { size })}</a>`
        : nothing}
    </div>`;
  }

  private setFrom(date: string, time: string): void {
    const v = fromDateTimeInputs(date, time);
    if (v === null) this.error = t('review.badTime');
    else [this.from, this.error] = [v, null];
    this.requestUpdate();
  }

  private setTo(date: string, time: string): void {
    const v = fromDateTimeInputs(date, time);
    if (v === null) this.error = t('review.badTime');
    else [this.to, this.error] = [v, null];
    this.requestUpdate();
  }

  override render(): unknown {
    const busy = this.busy();
    if (this.startJob) {
      return html`<section>
        <h3>${this.heading ?? t('export.title')}</h3>
        <div class="fields">
          ${this.renderFormat(busy)}
          <button type="button" class="primary" data-action="export" ?disabled=${busy} @click=${() => void this.run()}>${t('inc.export')}</button>
        </div>
        ${this.renderProgress(busy)}
      </section>`;
    }
    return html`
      <section>
        <h3>${this.heading ?? t('export.title')}</h3>
        <div class="fields">
          <label>${t('export.from')}
            <input type="date" data-field="from-date" .value=${hcmDateInput(this.from)} @change=${(e: Event) => this.setFrom((e.target as HTMLInputElement).value, hcmTimeText(this.from))} />
            <input type="text" class="time" inputmode="numeric" placeholder="HH:mm:ss" data-field="from-time" .value=${hcmTimeText(this.from)}
              @change=${(e: Event) => this.setFrom(hcmDateInput(this.from), (e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" data-action="mark-in" @click=${() => (this.from = Math.floor(this.position))}>${t('export.markIn')}</button>
          <label>${t('export.to')}
            <input type="date" data-field="to-date" .value=${hcmDateInput(this.to)} @change=${(e: Event) => this.setTo((e.target as HTMLInputElement).value, hcmTimeText(this.to))} />
            <input type="text" class="time" inputmode="numeric" placeholder="HH:mm:ss" data-field="to-time" .value=${hcmTimeText(this.to)}
              @change=${(e: Event) => this.setTo(hcmDateInput(this.to), (e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" data-action="mark-out" @click=${() => (this.to = Math.ceil(this.position))}>${t('export.markOut')}</button>
          <label>${t('export.by')}
            <input type="text" data-field="by" maxlength="120" .value=${this.by} @input=${(e: Event) => (this.by = (e.target as HTMLInputElement).value)} />
          </label>
          ${this.renderFormat(busy)}
          <button type="button" class="primary" data-action="export" ?disabled=${busy || this.cameras.length === 0} @click=${() => void this.run()}>
            ${t('export.start', { n: this.cameras.length })}
          </button>
        </div>
        ${this.renderProgress(busy)}
      </section>
    `;
  }

  private renderFormat(busy: boolean): unknown {
    return html`<label>${t('export.format')}
      <select data-field="format" ?disabled=${busy} @change=${(e: Event) => (this.format = (e.target as HTMLSelectElement).value === 'tar' ? 'tar' : 'zip')}>
        <option value="zip" ?selected=${this.format === 'zip'}>${t('export.formatZip')}</option>
        <option value="tar" ?selected=${this.format === 'tar'}>${t('export.formatTar')}</option>
      </select>
    </label>`;
  }

  private renderProgress(busy: boolean): unknown {
    return html`${busy ? html`<div class="progress"><progress max="1" .value=${this.progress}></progress><span>${this.status()}</span></div>` : nothing}
      ${this.error ? html`<div class="error" role="alert">${t('export.failed', { message: this.error })}</div>` : nothing}
      ${this.renderResult()}`;
  }

  static override styles = [theme, formControls, disabledButtons, timeInput, errorText, wwExportStyles];
}

customElements.define('ww-export', WwExport);

declare global {
  interface HTMLElementTagNameMap {
    'ww-export': WwExport;
  }
}
