import type { StreamKind } from '@wardwall/common';
import type { LiveMediaService } from '../services/live-media.js';

/**
 * The GOP bridge of one tile (docs/gop-bridge.md). A new consumer of a camera stream shows nothing
 * until the camera's next keyframe (up to a whole GOP: 10 s on some cameras). Meanwhile this shows
 * the stream's bridge: a second, short-lived consumer the SFU's ingest re-encodes from the camera's
 * current GOP, which starts with a keyframe at once. It plays in its own <video> over the tile's and
 * is dropped at the real consumer's first presented frame (same picture, same size: no jump).
 */
export class GopBridgeView {
  /** The bridge video is on screen (its first frame was presented). */
  showing = false;
  /** Frames the bridge presented for the current join (e2e and benches read it). */
  frames = 0;
  private video: HTMLVideoElement | null = null;
  private current: { close(): void } | null = null;
  private generation = 0;
  private rvfc: number | null = null;
  private lastFrameAt = 0;

  constructor(private readonly onChange: () => void) {}

  setElement(video: HTMLVideoElement): void {
    this.video = video;
    video.muted = true;
    video.hidden = true;
  }

  /**
   * A consumer was attached and waits for its first frame: start a bridge, unless the track already
   * carries media (a shared or lingering consumer) or the SFU says none is needed (NO_BRIDGE).
   */
  start(live: LiveMediaService | null, cameraId: string, stream: StreamKind, realTrack: MediaStreamTrack): void {
    this.stop();
    const video = this.video;
    if (!live || !video || !realTrack.muted || typeof video.requestVideoFrameCallback !== 'function') return;
    const generation = ++this.generation;
    this.frames = 0;
    live.consumeBridge(cameraId, stream).then(
      (bridge) => {
        if (generation !== this.generation) {
          bridge.close();
          return;
        }
        this.current = bridge;
        video.srcObject = new MediaStream([bridge.track]);
        video.play().catch(() => undefined);
        const onFrame = (): void => {
          this.rvfc = null;
          if (generation !== this.generation) return;
          this.frames++;
          this.lastFrameAt = performance.now();
          if (!this.showing) {
            this.showing = true;
            video.hidden = false;
            this.onChange();
          }
          this.rvfc = video.requestVideoFrameCallback(onFrame);
        };
        this.rvfc = video.requestVideoFrameCallback(onFrame);
      },
      () => undefined, // NO_BRIDGE and the like: the tile waits for the camera's keyframe as before
    );
  }

  /** The real consumer presented its first frame, or was dropped: the bridge goes. */
  stop(): void {
    this.generation++;
    const video = this.video;
    if (video && this.rvfc !== null) video.cancelVideoFrameCallback(this.rvfc);
    this.rvfc = null;
    this.current?.close();
    this.current = null;
    if (video) {
      video.hidden = true;
      video.srcObject = null;
    }
    if (this.showing) {
      this.showing = false;
      this.onChange();
    }
  }

  /** The bridge is on screen and presented a frame within `withinMs` (the tile's consumer is not stuck). */
  fresh(withinMs: number): boolean {
    return this.showing && performance.now() - this.lastFrameAt < withinMs;
  }
}
