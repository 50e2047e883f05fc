/**
 * Every camera with its streams, spread over the worker pool. Owns the streams' life cycle,
 * re-produces them when a worker is replaced, and reports state changes. Cameras come from the
 * config at start and may be added, replaced and removed at runtime (resident cameras); each such
 * change emits `changed` so the wall's camera list can be pushed again.
 *
 * A camera may be *held*: listed (so the wall shows it) with no ingest running and a fixed offline
 * reason (a resident camera whose owner paused sharing).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CameraConfig, CameraInfo, OfflineReason, ResidentLabel, ResolvedNeighbour, StreamKind, StreamStatus } from '@wardwall/common';
import { CameraStream, type IngestTiming } from './camera-stream.js';
import type { WorkerPool } from './worker-pool.js';

interface Events {
  status: [cameraId: string, stream: StreamKind, status: StreamStatus];
  /** Cameras were added, replaced or removed (the list the walls show changed). */
  changed: [];
  /** A camera's streams exist now (at start or at runtime): per-camera features attach here. */
  added: [cameraId: string];
  /** A camera's streams were closed (removed, or about to be replaced). */
  removed: [cameraId: string];
}

/** What the registry shows about a camera beyond its config. */
export interface CameraExtras {
  resident?: ResidentLabel;
  /** Listed but not ingested, with this reason (e.g. 'paused'). */
  hold?: OfflineReason;
}

interface Entry {
  config: CameraConfig;
  extras: CameraExtras;
  streams: Map<StreamKind, CameraStream>;
  /** Status shown while held. */
  held: StreamStatus | null;
}

export class CameraRegistry extends EventEmitter<Events> {
  private readonly cameras = new Map<string, Entry>();
  private closed = false;
  private neighbourGraph: ReadonlyMap<string, ResolvedNeighbour[]> = new Map();

  constructor(
    private readonly pool: WorkerPool,
    private readonly timing: IngestTiming,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super();
    pool.on('replaced', (slot) => {
      for (const s of this.allStreams()) {
        if (s.slot.index === slot.index) {
          s.moveTo(slot).catch((e) => this.log.error({ camera: s.camera.id, err: (e as Error).message }, 'could not re-produce camera after worker replacement'));
        }
      }
    });
  }

  /** Adds cameras (ids must be new) and starts their ingest. */
  async add(cameras: readonly CameraConfig[], extras: CameraExtras = {}): Promise<void> {
    const added = cameras.map((config) => this.insert(config, extras));
    await Promise.all(added.flatMap((e) => [...e.streams.values()].map((s) => s.start())));
    this.emit('changed');
  }

  /**
   * Adds a camera or replaces the one with its id. The ingest restarts only when what it pulls
   * changed (URLs, transcode, audio, hold); a name, position or label change just updates the listing.
   */
  async upsert(config: CameraConfig, extras: CameraExtras = {}): Promise<void> {
    if (this.closed) return;
    const old = this.cameras.get(config.id);
    if (old && sameIngest(old, config, extras)) {
      old.config = config;
      old.extras = extras;
      this.emit('changed');
      return;
    }
    if (old) await this.stopEntry(config.id, old);
    const entry = this.insert(config, extras);
    await Promise.all([...entry.streams.values()].map((s) => s.start()));
    this.emit('changed');
  }

  /** Removes a camera and ends its ingest; its viewers' consumers close with the producer. */
  async remove(cameraId: string): Promise<boolean> {
    const entry = this.cameras.get(cameraId);
    if (!entry) return false;
    await this.stopEntry(cameraId, entry);
    this.emit('changed');
    return true;
  }

  private insert(config: CameraConfig, extras: CameraExtras): Entry {
    if (this.cameras.has(config.id)) throw new Error(`camera ${config.id} exists already`);
    const streams = new Map<StreamKind, CameraStream>();
    if (!extras.hold) {
      // Main and sub of one camera on different workers when there are several.
      const kinds: StreamKind[] = config.sub ? ['main', 'sub'] : ['main'];
      for (const kind of kinds) {
        const stream = new CameraStream(config, kind, this.pool.pick(), this.timing, this.log);
        stream.on('status', (status) => this.emit('status', config.id, kind, status));
        streams.set(kind, stream);
      }
    }
    const held = extras.hold ? { state: 'offline' as const, reason: extras.hold, since: this.now() } : null;
    const entry: Entry = { config, extras, streams, held };
    this.cameras.set(config.id, entry);
    this.emit('added', config.id);
    return entry;
  }

  private async stopEntry(cameraId: string, entry: Entry): Promise<void> {
    if (this.cameras.get(cameraId) === entry) this.cameras.delete(cameraId);
    await Promise.all([...entry.streams.values()].map((s) => s.close()));
    this.emit('removed', cameraId);
  }

  /** Follow mode's neighbours of every camera (see installMap). */
  setNeighbours(graph: ReadonlyMap<string, ResolvedNeighbour[]>): void {
    this.neighbourGraph = graph;
  }

  has(cameraId: string): boolean {
    return this.cameras.has(cameraId);
  }

  ids(): string[] {
    return [...this.cameras.keys()];
  }

  stream(cameraId: string, kind: StreamKind): CameraStream | undefined {
    return this.cameras.get(cameraId)?.streams.get(kind);
  }

  info(): CameraInfo[] {
    return [...this.cameras.values()].map(({ config, extras, streams, held }) => {
      const status: CameraInfo['streams'] = { main: held ?? streams.get('main')!.status };
      const sub = streams.get('sub');
      if (sub) status.sub = sub.status;
      const info: CameraInfo = {
        id: config.id,
        name: config.name,
        streams: status,
        position: config.position ?? null,
        neighbours: this.neighbourGraph.get(config.id) ?? [],
      };
      if (extras.resident) info.resident = extras.resident;
      if (config.onvif) info.ptz = true;
      if (streams.get('main')?.audio) info.audio = true;
      return info;
    });
  }

  allStreams(): CameraStream[] {
    return [...this.cameras.values()].flatMap((c) => [...c.streams.values()]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.allStreams().map((s) => s.close()));
  }
}

function sameIngest(old: Entry, config: CameraConfig, extras: CameraExtras): boolean {
  return old.config.main === config.main && old.config.sub === config.sub && old.config.transcode === config.transcode && old.config.audio === config.audio && old.extras.hold === extras.hold;
}
