import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { LocaleController } from '../../controllers/locale.js';
import { RecordedPlayer } from '../../controllers/recorded-player.js';
import type { ReviewSession } from '../../controllers/review-session.js';
import { ZoomPanController } from '../../controllers/zoom-pan.js';
import { saveFrame } from '../../controllers/frame-saver.js';
import { hcmTimeText } from '../../core/hcm-time.js';
import { errorMessage, formatNumber, t } from '../../i18n/i18n.js';
import { theme } from '../../styles/theme.js';
import '../ww-watermark/ww-watermark.js';
import { videoFrame } from '../../styles/video-frame.js';
import { wwReviewTileStyles } from './ww-review-tile.styles.js';

/**
 * One recorded camera in a review session: its <video> driven by a RecordedPlayer on the
 * session's clock, the wall-clock time of the frame on screen, digital zoom and pan, and saving
 * the frame. Test hooks (attributes): camera-id, state (loading/ready/gap/error), frames, data-index.
 */
export class WwReviewTile extends LitElement {
  static override properties = {
    index: { type: Number, attribute: 'data-index', reflect: true },
    cameraId: { type: String, attribute: 'camera-id', reflect: true },
    state: { type: String, reflect: true },
    cameraName: { attribute: false },
    session: { attribute: false },
    notice: { state: true },
    soundOn: { type: Boolean, attribute: 'sound-on', reflect: true },
  };

  declare index: number;
  declare cameraId: string;
  declare state: string;
  declare cameraName: string;
  declare session: ReviewSession | null;
  declare notice: { text: string; error: boolean } | null;
  /** The recording's audio (if the camera has any) is heard: off by default, per tile. */
  declare soundOn: boolean;

  player: RecordedPlayer | null = null;
  private detach: (() => void) | null = null;
  private offTick: (() => void) | null = null;
  private readonly zoom = new ZoomPanController(this);
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.index = 0;
    this.cameraId = '';
    this.state = 'idle';
    this.cameraName = '';
    this.session = null;
    this.notice = null;
    this.soundOn = false;
  }

  private toggleSound(): void {
    this.soundOn = !this.soundOn;
    const v = this.video;
    if (v) v.muted = !this.soundOn;
  }

  private get video(): HTMLVideoElement | null {
    return this.renderRoot.querySelector('video');
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('session') || changed.has('cameraId')) this.bind();
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    const layer = this.renderRoot.querySelector<HTMLElement>('.zoom');
    if (frame && layer) this.zoom.attach(frame, layer);
  }

  private bind(): void {
    this.unbind();
    const video = this.video;
    if (!video || !this.session || !this.cameraId) return;
    const hold = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.hold');
    const player = new RecordedPlayer(video, this.session.api, this.cameraId, () => this.refresh(), hold);
    video.muted = !this.soundOn;
    this.player = player;
    this.detach = this.session.attach(player);
    this.offTick = this.session.on('tick', () => this.refresh());
  }

  private refresh(): void {
    const p = this.player;
    if (!p) return;
    this.state = p.phase;
    this.setAttribute('frames', String(p.frames));
    this.requestUpdate();
  }

  private unbind(): void {
    this.offTick?.();
    this.offTick = null;
    this.detach?.();
    this.detach = null;
    this.player?.close();
    this.player = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unbind();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('frames')) this.setAttribute('frames', '0');
    if (this.hasUpdated) this.bind();
  }

  /** Saves the frame on screen (full resolution) with its sidecar; returns the record. */
  async saveFrame(type: 'image/png' | 'image/jpeg' = 'image/png') {
    const video = this.video;
    const frameMs = this.player?.shownWallMs() ?? null;
    try {
      if (!video || frameMs === null) throw new Error(t('review.gap'));
      const rec = await saveFrame(video, { camera: this.cameraId, cameraName: this.cameraName || this.cameraId, frameMs, timeSource: 'recording', type });
      this.flash(t('frame.saved', { file: rec.file }), false);
      this.dispatchEvent(new CustomEvent('ww-frame-saved', { detail: rec, bubbles: true, composed: true }));
      return rec;
    } catch (e) {
      this.flash(t('frame.failed', { message: e instanceof Error ? e.message : String(e) }), true);
      throw e;
    }
  }

  private flash(text: string, error: boolean): void {
    this.notice = { text, error };
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 5000);
  }

  private overlay(): unknown {
    const p = this.player;
    if (!p) return nothing;
    switch (p.phase) {
      case 'loading':
        return html`<div class="message"><span class="spinner" aria-hidden="true"></span>${t('review.loading')}</div>`;
      case 'gap':
        return html`<div class="message gap">${t('review.gap')}</div>`;
      case 'error':
        return html`<div class="message error">${t('review.error', { message: errorMessage(p.errorCode ?? 'INTERNAL') })}</div>`;
      default:
        return nothing;
    }
  }

  override render(): unknown {
    const shown = this.player?.phase === 'ready' ? this.player.shownWallMs() : null;
    const z = this.zoom.zoom.scale;
    return html`
      <div class="frame" title=${t('zoom.hint')}>
        <div class="zoom"><video muted playsinline disablepictureinpicture></video><canvas class="hold" hidden></canvas></div>
        <ww-watermark compact></ww-watermark>
        ${this.overlay()}
        <div class="top">
          <span class="name">${this.cameraName || this.cameraId}</span>
          <span class="spacer"></span>
          ${z > 1
            ? html`<button type="button" class="chip" data-action="zoom-reset" title=${t('zoom.reset', { factor: formatNumber(z, 1) })} @click=${() => this.zoom.reset()}>
                ${formatNumber(z, 1)}×
              </button>`
            : nothing}
          <button type="button" class="act" data-action="sound" aria-pressed=${this.soundOn ? 'true' : 'false'} title=${this.soundOn ? t('audio.mute') : t('audio.unmute')} aria-label=${this.soundOn ? t('audio.mute') : t('audio.unmute')} @click=${() => this.toggleSound()}>
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M4 9h4l5-4v14l-5-4H4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"></path>${this.soundOn
              ? html`<path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"></path>`
              : html`<path d="M16 9l5 6M21 9l-5 6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"></path>`}</svg>
          </button>
          <button type="button" class="act" data-action="save-frame" title=${t('frame.save')} aria-label=${t('frame.save')} @click=${() => void this.saveFrame().catch(() => undefined)}>
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M4 7h4l2-3h4l2 3h4v13H4z M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"></path></svg>
          </button>
        </div>
        ${shown !== null ? html`<div class="when" data-frame-ms=${Math.round(shown)}>${hcmTimeText(shown, true)}</div>` : nothing}
        ${this.notice ? html`<div class="notice ${this.notice.error ? 'error' : ''}" role="status">${this.notice.text}</div>` : nothing}
      </div>
    `;
  }

  static override styles = [theme, videoFrame, wwReviewTileStyles];
}

customElements.define('ww-review-tile', WwReviewTile);

declare global {
  interface HTMLElementTagNameMap {
    'ww-review-tile': WwReviewTile;
  }
}
