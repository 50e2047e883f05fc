/**
 * The cameras the server knows and the state of each stream, kept current from signaling
 * (hello, `cameras` and `cameraState` pushes). No DOM.
 */
import type { CameraInfo, StreamKind, StreamStatus } from '@wardwall/common';
import { Emitter } from './emitter.js';
import type { SignalingClient } from './signaling.js';

export interface CameraStoreEvents {
  /** The list or a camera's state changed. */
  change: [];
}

export class CameraStore extends Emitter<CameraStoreEvents> {
  private map = new Map<string, CameraInfo>();
  private _loaded = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(signaling?: SignalingClient) {
    super();
    if (signaling) {
      this.unsubscribe.push(
        signaling.on('session', (hello) => this.replace(hello.cameras)),
        signaling.on('cameras', (cameras) => this.replace(cameras)),
        signaling.on('cameraState', ({ cameraId, stream, status }) => this.updateStream(cameraId, stream, status)),
      );
    }
  }

  /** Whether a list has been received at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  get(id: string): CameraInfo | undefined {
    return this.map.get(id);
  }

  list(): CameraInfo[] {
    return [...this.map.values()];
  }

  /** A snapshot map (new identity on each change, so Lit sees the change). */
  snapshot(): ReadonlyMap<string, CameraInfo> {
    return this.map;
  }

  replace(cameras: readonly CameraInfo[]): void {
    const next = new Map<string, CameraInfo>();
    for (const c of cameras) {
      if (c && typeof c.id === 'string' && c.streams && c.streams.main) next.set(c.id, c);
    }
    this.map = next;
    this._loaded = true;
    this.emit('change');
  }

  updateStream(cameraId: string, stream: StreamKind, status: StreamStatus): void {
    const cam = this.map.get(cameraId);
    if (!cam) return;
    const next = new Map(this.map);
    next.set(cameraId, { ...cam, streams: { ...cam.streams, [stream]: status } });
    this.map = next;
    this.emit('change');
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }
}
