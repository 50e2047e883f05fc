import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isWardCameraId, stillUrl } from '../core/ids.js';

/**
 * The camera's still (its latest keyframe from the server) for a tile's fast first picture.
 * Each still is loaded and decoded off-screen and swapped in only when ready, so the tile never
 * flashes a broken or half-decoded image. While wanted, it is refreshed: soon after a failure
 * (404 until the camera's first keyframe), slowly once loaded.
 */
export class StillController implements ReactiveController {
  /** The decoded image on show, or null. */
  image: HTMLImageElement | null = null;
  /** Whether the last attempt failed (no still yet, or the server is unreachable). */
  failed = false;
  /**
   * The camera has no still here: a ward's camera at a city centre (the centre keeps no keyframe of
   * it; docs/city.md). Nothing is requested; the tile says so.
   */
  unavailable = false;
  private cameraId = '';
  private wanted = false;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly retryMs = 3000,
    private refreshMs = 15000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    if (this.cameraId && this.wanted && !this.image && !this.unavailable) this.load();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.clearTimer();
  }

  /** Sets the camera (a change shows nothing until the new camera's still is ready) and whether a still is needed. */
  update(cameraId: string, wanted: boolean): void {
    if (cameraId !== this.cameraId) {
      this.cameraId = cameraId;
      this.image = null;
      this.failed = false;
      this.clearTimer();
      this.seq++;
      this.wanted = wanted;
      this.unavailable = isWardCameraId(cameraId);
      this.failed = this.unavailable;
      if (cameraId && !this.unavailable) this.load();
      return;
    }
    if (wanted === this.wanted) return;
    this.wanted = wanted;
    this.clearTimer();
    if (wanted && this.cameraId) this.schedule(this.image ? this.refreshMs : 0);
  }

  /** Changes how often a wanted still is refreshed (faster while it stands in for live video). */
  setRefreshMs(ms: number): void {
    if (ms === this.refreshMs) return;
    this.refreshMs = ms;
    if (this.wanted && this.cameraId && this.image) {
      this.clearTimer();
      this.schedule(ms);
    }
  }

  /** Loads a fresh still now (e.g. the camera came back). */
  refresh(): void {
    if (this.cameraId) this.load();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    if (!this.connected) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted && this.cameraId) this.load();
    }, ms);
  }

  private load(): void {
    if (!this.connected || this.unavailable) return;
    const seq = ++this.seq;
    const cameraId = this.cameraId;
    const img = new Image();
    img.decoding = 'async';
    img.alt = '';
    img.draggable = false;
    img.src = stillUrl(cameraId, Date.now());
    img.decode().then(
      () => {
        if (seq !== this.seq || cameraId !== this.cameraId) return;
        this.image = img;
        this.failed = false;
        this.host.requestUpdate();
        if (this.wanted) this.schedule(this.refreshMs);
      },
      () => {
        if (seq !== this.seq || cameraId !== this.cameraId) return;
        this.failed = true;
        this.host.requestUpdate();
        if (this.wanted) this.schedule(this.retryMs);
      },
    );
  }
}
