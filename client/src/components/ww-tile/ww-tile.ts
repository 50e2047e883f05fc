// Over ~350 lines (by ~10): the tile's template; drag and drop, status text, health badge and PTZ
// panel are in controllers/tile-drag.ts and ww-tile/tile-*.ts, the look in ww-tile.styles.ts.
import type { TileHealth } from '../../core/health-alerts.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { bookmarkIcon, frameIcon, soundIcon } from '../../styles/icons.js';
import { DEFAULT_LINK_POLICY } from '../../core/link-quality.js';
import type { CameraInfo, StreamKind } from '@wardwall/common';
import { TileDragController } from '../../controllers/tile-drag.js';
import { renderHealthBadge, renderPtzPanel } from './tile-parts.js';
import { statsLine, tileBadge, tileMessage, type TileStatusInputs } from './tile-status.js';
import { ElementSizeController } from '../../controllers/element-size.js';
import { LiveTileController, type TilePhase } from '../../controllers/live-tile.js';
import { TileAudioController } from '../../controllers/tile-audio.js';
import { LocaleController } from '../../controllers/locale.js';
import { StillController } from '../../controllers/still.js';
import { VisibilityController } from '../../controllers/visibility.js';
import { errorMessage, formatNumber, reasonText, t } from '../../i18n/i18n.js';
import type { LiveMediaService } from '../../services/live-media.js';
import { theme } from '../../styles/theme.js';
import type { RecorderApi } from '../../services/recorder-api.js';
import { ZoomPanController } from '../../controllers/zoom-pan.js';
import { PtzController } from '../../controllers/ptz.js';
import { saveFrame } from '../../controllers/frame-saver.js';
import '../ww-replay/ww-replay.js';
import '../ww-watermark/ww-watermark.js';
import { videoFrame } from '../../styles/video-frame.js';
import { wwTileStyles } from './ww-tile.styles.js';

export type { TileDropDetail } from '../../controllers/tile-drag.js';

/**
 * One tile of the wall: a camera's still at once, then its live video from the first presented
 * frame, with name, state and optional stats over it. Test hooks (reflected attributes):
 * data-index, camera-id, state, stream, frames, reason (why offline), resident (a resident's camera),
 * ptz (steering the camera: docs/ptz.md).
 */
export class WwTile extends LitElement {
  static override properties = {
    index: { type: Number, attribute: 'data-index', reflect: true },
    cameraId: { type: String, attribute: 'camera-id', reflect: true },
    state: { type: String, reflect: true },
    stream: { type: String, reflect: true },
    selected: { type: Boolean, reflect: true },
    expanded: { type: Boolean, reflect: true },
    camera: { attribute: false },
    camerasLoaded: { attribute: false },
    live: { attribute: false },
    serverConnected: { attribute: false },
    showStats: { attribute: false },
    recorder: { attribute: false },
    dropTarget: { state: true },
    replaying: { type: Boolean, reflect: true },
    notice: { state: true },
    health: { attribute: false },
    linkLive: { type: Boolean, attribute: 'link-live', reflect: true },
    linkSub: { attribute: false },
  };

  declare index: number;
  declare cameraId: string;
  declare state: TilePhase;
  declare stream: StreamKind | '';
  declare selected: boolean;
  declare expanded: boolean;
  declare camera: CameraInfo | undefined;
  declare camerasLoaded: boolean;
  declare live: LiveMediaService | null;
  declare serverConnected: boolean;
  declare showStats: boolean;
  declare dropTarget: boolean;
  declare recorder: RecorderApi | null;
  declare replaying: boolean;
  declare notice: { text: string; error: boolean } | null;
  /** The camera's open health alerts (badge); reflected as the `health` attribute (its kind). */
  declare health: TileHealth | undefined;
  /** Whether this tile stays live on the current link (false: a refreshed still instead). */
  declare linkLive: boolean;
  /** The link is poor: take the sub stream. */
  declare linkSub: boolean;
  private readonly zoom = new ZoomPanController(this);
  private readonly ptz = new PtzController(this, (e) => this.flash(e.code === 'FORBIDDEN' ? t('ptz.noRight') : t('ptz.failed', { message: errorMessage(e.code) }), true));
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly visibility = new VisibilityController(this);
  private readonly size = new ElementSizeController(this);
  private readonly still = new StillController(this);
  private readonly media = new LiveTileController(this, (frames) => this.setAttribute('frames', String(frames)));
  /** Live audio: muted until unmuted on this tile, with a level meter. */
  private readonly sound = new TileAudioController(this);

  constructor() {
    super();
    new LocaleController(this);
    this.index = 0;
    this.cameraId = '';
    this.state = 'empty';
    this.stream = '';
    this.selected = false;
    this.expanded = false;
    this.camera = undefined;
    this.camerasLoaded = false;
    this.live = null;
    this.serverConnected = false;
    this.showStats = false;
    this.dropTarget = false;
    this.recorder = null;
    this.replaying = false;
    this.notice = null;
    this.health = undefined;
    this.linkLive = true;
    this.linkSub = false;
    this.addEventListener('click', () => this.fire('ww-tile-select', { index: this.index }));
    this.addEventListener('dblclick', (e) => {
      e.preventDefault();
      this.fire('ww-tile-expand', { index: this.index });
    });
    new TileDragController(this);
  }

  /** Browser time of the frame on screen (see LiveTileController.presentedAtMs), null before the first frame. */
  get presentedAtMs(): number | null {
    return this.media.presentedAtMs;
  }

  /** Asks the app to bookmark the frame on screen (button or key B; Shift: urgent): ww-tile-bookmark {index, cameraId, at, urgent}. */
  requestBookmark(urgent = false): void {
    if (!this.cameraId) return;
    // A ward camera's footage is at the ward: a bookmark of it cannot be stored at the centre yet (docs/city.md).
    if (this.camera?.city) return this.flash(t('tile.noWardBookmark'), true);
    this.dispatchEvent(new CustomEvent('ww-tile-bookmark', { detail: { index: this.index, cameraId: this.cameraId, at: this.media.presentedAtMs, urgent }, bubbles: true, composed: true }));
  }

  /** Frames presented since the camera was put on the tile. */
  get frames(): number {
    return this.media.frames;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('frames')) this.setAttribute('frames', '0');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('live')) this.media.setService(this.live);
    this.media.setInputs({
      cameraId: this.cameraId,
      camera: this.camera,
      camerasLoaded: this.camerasLoaded,
      visible: this.visibility.visible,
      active: this.visibility.active && this.linkLive,
      deviceWidth: this.size.deviceWidth,
      showStats: this.showStats,
      forceSub: this.linkSub,
    });
    this.state = this.media.phase;
    this.stream = this.media.stream;
    this.sound.update({ service: this.live, cameraId: this.cameraId, enabled: !!this.camera?.audio && this.state === 'playing' && this.visibility.visible, videoReceiver: () => (this.media.stream === 'main' ? this.media.receiver : null) });
    // Test hooks: a live audio track arrives, whether it is heard, and the meter's level.
    this.toggleAttribute('audio', this.sound.receiving);
    this.toggleAttribute('sound-on', this.sound.soundOn);
    if (this.sound.receiving) this.setAttribute('audio-level', this.sound.level.toFixed(2));
    else this.removeAttribute('audio-level');
    // The fine A/V sync's extra delays, audio/video ms (docs/recording-time-and-audio.md).
    const d = this.sound.avDelays;
    if (d.audioMs || d.videoMs) this.setAttribute('av-delay', `${d.audioMs}/${d.videoMs}`);
    else this.removeAttribute('av-delay');
    this.toggleAttribute('resident', !!this.camera?.resident);
    const reason = this.state === 'offline' ? this.media.status()?.reason : null;
    if (reason) this.setAttribute('reason', reason);
    else this.removeAttribute('reason');
    const wantStill = this.state !== 'playing' && this.state !== 'empty' && this.visibility.visible;
    this.still.setRefreshMs(this.linkLive ? 15000 : DEFAULT_LINK_POLICY.stillRefreshMs);
    this.still.update(this.cameraId, wantStill);
  }

  protected override firstUpdated(): void {
    const video = this.renderRoot.querySelector('video')!;
    video.muted = true;
    video.defaultMuted = true;
    const canvas = this.renderRoot.querySelector('canvas')!;
    this.media.setElements(video, canvas);
    this.media.bridge.setElement(this.renderRoot.querySelector<HTMLVideoElement>('video.bridge')!);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A zoomed tile pans with a drag instead of moving its camera to another tile.
    this.draggable = !!this.cameraId && !this.zoom.zoomed && !this.replaying && !this.ptz.active;
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    const layer = this.renderRoot.querySelector<HTMLElement>('.zoom');
    // PTZ first: its capture-phase listeners keep the gestures from the digital zoom while it is on.
    if (frame) this.ptz.attach(frame);
    if (frame && layer) this.zoom.attach(frame, layer);
    this.toggleAttribute('ptz', this.ptz.active);
    if (this.ptz.active) this.tabIndex = 0;
    if (changed.has('cameraId')) {
      this.ptz.leave();
      this.zoom.reset();
      this.replaying = false;
    }
    if (changed.has('health') || changed.has('cameraId')) {
      if (this.health && this.cameraId) this.setAttribute('health', this.health.kind);
      else this.removeAttribute('health');
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
  }

  // --- investigation tools -------------------------------------------------------------------

  private flash(text: string, error: boolean): void {
    this.notice = { text, error };
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 5000);
  }

  /** Saves the live frame on screen at the camera's resolution (time: when it was on screen). */
  async saveFrame(): Promise<void> {
    // The GOP bridge's video while it is the one on screen (controllers/gop-bridge.ts).
    const video = this.renderRoot.querySelector<HTMLVideoElement>(this.media.bridge.showing ? 'video.bridge' : 'video');
    try {
      if (!video || this.state !== 'playing') throw new Error(t('tile.noStill'));
      const rec = await saveFrame(video, { camera: this.cameraId, cameraName: this.camera?.name ?? this.cameraId, frameMs: Date.now(), timeSource: 'live' });
      this.flash(t('frame.saved', { file: rec.file }), false);
    } catch (e) {
      this.flash(t('frame.failed', { message: e instanceof Error ? e.message : String(e) }), true);
    }
  }

  /** PTZ mode on or off (on: drag, wheel and keys steer the camera; see controllers/ptz.ts). */
  async togglePtz(): Promise<void> {
    if (this.ptz.active) {
      this.ptz.leave();
      return;
    }
    this.zoom.reset();
    if (await this.ptz.enter(this.cameraId)) this.focus({ preventScroll: true });
  }

  private onAction(e: Event, action: () => void): void {
    e.stopPropagation();
    action();
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // --- rendering -----------------------------------------------------------------------------

  private onClear(e: Event): void {
    e.stopPropagation();
    this.fire('ww-tile-clear', { index: this.index });
  }

  /** What the status text is read from (components/ww-tile/tile-status.ts). */
  private statusInputs(): TileStatusInputs {
    return {
      index: this.index,
      state: this.state,
      status: this.media.status(),
      serverConnected: this.serverConnected,
      camerasLoaded: this.camerasLoaded,
      camera: this.camera,
      cameraId: this.cameraId,
      errorCode: this.media.errorCode,
      linkLive: this.linkLive,
      hasFreeze: this.media.hasFreeze,
      still: this.still,
    };
  }

  private renderStats(): unknown {
    if (!this.showStats || this.state === 'empty') return nothing;
    const s = this.media.stats;
    if (!s || this.state !== 'playing') return html`<div class="stats">${t('stats.none')}</div>`;
    return html`<div class="stats" part="stats">${statsLine(s)}</div>`;
  }

  override render(): unknown {
    const hasCamera = !!this.cameraId;
    const playing = this.state === 'playing';
    const showFreeze = !playing && this.media.hasFreeze && (this.linkLive || !this.still.image);
    const showStill = hasCamera && !playing && !showFreeze && !!this.still.image;
    // A ward camera's consumer kept through its ward's link cut: the video holds its last picture.
    const heldPicture = !playing && !!this.stream && this.media.firstFrame;
    const inputs = this.statusInputs();
    const msg = tileMessage(inputs);
    const badge = tileBadge(inputs);
    const name = this.camera?.name ?? this.cameraId;
    const status = this.media.status();
    const tooltip = hasCamera
      ? [name, badge.text, reasonText(status?.reason), this.expanded ? t('tile.expanded') : t('tile.expandHint')].filter(Boolean).join('\n')
      : t('tile.empty');
    return html`
      <div class="frame ${this.state} ${this.dropTarget ? 'drop' : ''}" title=${tooltip}>
        <div class="zoom">
          <video .muted=${true} muted playsinline autoplay disablepictureinpicture ?hidden=${!hasCamera}></video>
          <canvas class="freeze" ?hidden=${!showFreeze}></canvas>
          <div class="still" ?hidden=${!showStill}>${this.still.image ?? nothing}</div>
          <video class="bridge" muted playsinline disablepictureinpicture hidden></video>
        </div>
        ${hasCamera ? html`<ww-watermark></ww-watermark>` : nothing}
        ${msg
          ? html`<div class="message ${msg.kind} ${showFreeze || showStill || heldPicture ? 'over-picture' : ''}">
              ${msg.kind === 'loading' ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}
              <span class="text">${msg.text}</span>
              ${msg.detail ? html`<span class="detail">${msg.detail}</span>` : nothing}
            </div>`
          : nothing}
        ${hasCamera
          ? html`<div class="top">
                <span class="name">${name}</span>
                ${this.camera?.city ? html`<span class="chip ward" data-ward=${this.camera.city.ward} title=${this.camera.city.wardName}>${this.camera.city.wardName}</span>` : nothing}
                ${this.camera?.resident
                  ? html`<span class="chip resident" title=${t('resident.tileTitle', { owner: this.camera.resident.owner, sharing: t(`resident.sharing.${this.camera.resident.sharing}`) })}
                      >${t('resident.chip')}</span>`
                  : nothing}
                ${this.stream ? html`<span class="chip" title=${t('stream.title', { stream: t(`stream.${this.stream}`) })}>${t(`stream.${this.stream}`)}</span>` : nothing}
                <span class="spacer"></span>
                ${renderHealthBadge(this.health)}
                ${this.media.stalled && playing ? html`<span class="chip warn">${t('tile.stalled')}</span>` : nothing}
                <span class="badge ${badge.cls}" title=${badge.text}><span class="dot ${badge.cls}"></span><span class="label">${badge.text}</span></span>
                ${this.zoom.zoomed
                  ? html`<button type="button" class="tool zoomed" data-action="zoom-reset" title=${t('zoom.reset', { factor: formatNumber(this.zoom.zoom.scale, 1) })}
                      @click=${(e: Event) => this.onAction(e, () => this.zoom.reset())} @dblclick=${(e: Event) => e.stopPropagation()}>${formatNumber(this.zoom.zoom.scale, 1)}×</button>`
                  : nothing}
                ${this.sound.receiving
                  ? html`<span class="meter" aria-hidden="true"><span style=${`transform: scaleY(${this.sound.level.toFixed(2)})`}></span></span>
                      <button type="button" class="tool sound ${this.sound.soundOn ? 'on' : ''}" data-action="sound" aria-pressed=${this.sound.soundOn ? 'true' : 'false'}
                        title=${this.sound.soundOn ? t('audio.mute') : t('audio.unmute')} aria-label=${this.sound.soundOn ? t('audio.mute') : t('audio.unmute')}
                        @click=${(e: Event) => this.onAction(e, () => this.sound.toggle())} @dblclick=${(e: Event) => e.stopPropagation()}>${soundIcon(this.sound.soundOn)}</button>`
                  : nothing}
                ${playing
                  ? html`<button type="button" class="tool" data-action="save-frame" title=${t('frame.save')} aria-label=${t('frame.save')}
                      @click=${(e: Event) => this.onAction(e, () => void this.saveFrame())} @dblclick=${(e: Event) => e.stopPropagation()}>${frameIcon()}</button>`
                  : nothing}
                ${this.camera?.ptz
                  ? html`<button type="button" class="tool ${this.ptz.active ? 'on' : ''}" data-action="ptz" title=${t('ptz.button')} aria-label=${t('ptz.button')} aria-pressed=${this.ptz.active ? 'true' : 'false'}
                      @click=${(e: Event) => this.onAction(e, () => void this.togglePtz())} @dblclick=${(e: Event) => e.stopPropagation()}>PTZ</button>`
                  : nothing}
                ${this.camera?.city
                  ? nothing
                  : html`<button type="button" class="tool" data-action="bookmark" title=${t('bm.button')} aria-label=${t('bm.button')}
                      @click=${(e: MouseEvent) => this.onAction(e, () => this.requestBookmark(e.shiftKey))} @dblclick=${(e: Event) => e.stopPropagation()}>${bookmarkIcon()}</button>`}
                ${this.recorder && !this.camera?.city
                  ? html`<button type="button" class="tool" data-action="replay" title=${t('tile.replay')} aria-label=${t('tile.replay')}
                      @click=${(e: Event) => this.onAction(e, () => (this.replaying = true))} @dblclick=${(e: Event) => e.stopPropagation()}>⟲30s</button>`
                  : nothing}
                <button class="clear" type="button" title=${t('tile.clear')} aria-label=${t('tile.clear')} @click=${this.onClear} @dblclick=${(e: Event) => e.stopPropagation()}>
                  ✕
                </button>
              </div>
              ${this.renderStats()}`
          : nothing}
        ${this.ptz.active && hasCamera ? renderPtzPanel(this.ptz, () => this.focus({ preventScroll: true })) : nothing}
        ${this.notice ? html`<div class="notice ${this.notice.error ? 'error' : ''}" role="status">${this.notice.text}</div>` : nothing}
        ${this.replaying && this.recorder && hasCamera
          ? html`<ww-replay .api=${this.recorder} .cameraId=${this.cameraId} .cameraName=${name} @ww-replay-end=${() => (this.replaying = false)}></ww-replay>`
          : nothing}
      </div>
    `;
  }

  static override styles = [theme, videoFrame, wwTileStyles];
}

customElements.define('ww-tile', WwTile);

declare global {
  interface HTMLElementTagNameMap {
    'ww-tile': WwTile;
  }
}
