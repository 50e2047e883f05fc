import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { keepsConsumerThroughCut } from '../core/city.js';
import { effectiveStream } from '../core/stream-choice.js';
import type { LiveLease, LiveMediaService } from '../services/live-media.js';

const RETRY_MS = 2000;

/**
 * Keeps consumers of some cameras open and running without showing them ("warm"), so a tile that
 * switches to one of them shares the running consumer (LiveMediaService leases of the same camera
 * and stream share one) and shows live video from the next frame instead of waiting for a keyframe.
 *
 * Follow mode warms the main stream of every neighbour of the centre: the centre tile is large and
 * consumes main, so a hop reuses the warm consumer. Cost: one more consumer per neighbour whose small
 * tile shows the sub stream (cameras without a sub stream share the tile's consumer: no cost).
 * A camera that stops being wanted is released with the service's linger, so a hop back is warm too.
 */
export class WarmConsumersController implements ReactiveController {
  private live: LiveMediaService | null = null;
  private cameras: ReadonlyMap<string, CameraInfo> = new Map();
  private wanted = new Set<string>();
  private readonly held = new Map<string, { lease: LiveLease; off: () => void }>();
  private readonly pending = new Set<string>();
  private connected = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private liveOff: (() => void) | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Cameras held warm now (diagnostics and tests). */
  get warm(): string[] {
    return [...this.held.keys()];
  }

  set(live: LiveMediaService | null, cameras: ReadonlyMap<string, CameraInfo>, wanted: Iterable<string>): void {
    if (live !== this.live) {
      this.releaseAll();
      this.liveOff?.();
      this.live = live;
      this.liveOff = live && this.connected ? live.on('state', () => this.reconcile()) : null;
    }
    this.cameras = cameras;
    this.wanted = new Set(wanted);
    this.reconcile();
  }

  hostConnected(): void {
    this.connected = true;
    if (this.live && !this.liveOff) this.liveOff = this.live.on('state', () => this.reconcile());
    this.reconcile();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.liveOff?.();
    this.liveOff = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.releaseAll();
  }

  private streamOf(cameraId: string): { camera: CameraInfo; stream: 'main' | 'sub' } | null {
    const camera = this.cameras.get(cameraId);
    if (!camera) return null;
    const stream = effectiveStream('main', camera);
    return camera.streams[stream]?.state === 'live' ? { camera, stream } : null;
  }

  private reconcile(): void {
    for (const [id, h] of [...this.held]) {
      const target = this.streamOf(id);
      // A ward camera whose link is cut (city centre) stays warm: its pipe resumes when the link returns.
      const cut = !target && keepsConsumerThroughCut(this.cameras.get(id)?.streams[h.lease.stream]);
      if (!this.connected || !this.wanted.has(id) || h.lease.closed || (!cut && (!target || target.stream !== h.lease.stream))) this.release(id);
    }
    const live = this.live;
    if (!this.connected || !live?.ready) return;
    for (const id of this.wanted) {
      if (this.held.has(id) || this.pending.has(id)) continue;
      const target = this.streamOf(id);
      if (!target) continue;
      this.pending.add(id);
      live.acquire(id, target.stream).then(
        (lease) => {
          this.pending.delete(id);
          if (!this.connected || !this.wanted.has(id) || lease.closed || this.live !== live) {
            lease.release({ linger: true });
            return;
          }
          const off = lease.onClosed(() => {
            this.release(id);
            this.reconcile();
          });
          this.held.set(id, { lease, off });
          this.host.requestUpdate();
        },
        () => {
          this.pending.delete(id);
          this.retryLater();
        },
      );
    }
  }

  private retryLater(): void {
    if (this.retryTimer || !this.connected) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.reconcile();
    }, RETRY_MS);
  }

  private release(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    h.off();
    h.lease.release({ linger: true });
    this.host.requestUpdate();
  }

  private releaseAll(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }
}
