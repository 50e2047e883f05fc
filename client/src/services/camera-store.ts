/**
 * The cameras the server knows and the state of each stream, kept current from signaling
 * (hello, `cameras` and `cameraState` pushes). At a city centre the wards' cameras (`<ward>/<camera>`,
 * from the city service) are added after the centre's own, with neighbours across wards. No DOM.
 */
import type { CameraInfo, CityMapPlacement, CityWardInfo, StreamKind, StreamStatus } from '@wardwall/common';
import { DEFAULT_NEIGHBOUR_DISTANCE } from '@wardwall/common/neighbours';
import { cityCameras, withCityNeighbours } from '../core/city.js';
import { Emitter } from './emitter.js';
import type { SignalingClient } from './signaling.js';

export interface CameraStoreEvents {
  /** The list or a camera's state changed. */
  change: [];
}

export class CameraStore extends Emitter<CameraStoreEvents> {
  private map = new Map<string, CameraInfo>();
  /** The centre's own cameras as the server sent them. */
  private local = new Map<string, CameraInfo>();
  private wards: readonly CityWardInfo[] = [];
  private placements: ReadonlyMap<string, CityMapPlacement> = new Map();
  private reach = DEFAULT_NEIGHBOUR_DISTANCE;
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
    this.local = next;
    this._loaded = true;
    this.rebuild();
  }

  /** City centre: the wards' cameras and where each ward's map lies (an empty list at a station). */
  setCity(wards: readonly CityWardInfo[], placements: ReadonlyMap<string, CityMapPlacement>, neighbourDistance = DEFAULT_NEIGHBOUR_DISTANCE): void {
    if (wards === this.wards && placements === this.placements && neighbourDistance === this.reach) return;
    this.wards = wards;
    this.placements = placements;
    this.reach = neighbourDistance;
    this.rebuild();
  }

  updateStream(cameraId: string, stream: StreamKind, status: StreamStatus): void {
    const cam = this.local.get(cameraId);
    if (!cam) return;
    const next = new Map(this.local);
    next.set(cameraId, { ...cam, streams: { ...cam.streams, [stream]: status } });
    this.local = next;
    this.rebuild();
  }

  private rebuild(): void {
    const own = [...this.local.values()];
    const remote = this.wards.length > 0 ? cityCameras(this.wards, this.placements, own, this.reach) : [];
    const next = new Map<string, CameraInfo>();
    for (const c of remote.length > 0 ? withCityNeighbours(own, remote, this.reach) : own) next.set(c.id, c);
    for (const c of remote) next.set(c.id, c);
    this.map = next;
    this.emit('change');
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }
}
