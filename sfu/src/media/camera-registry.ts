/**
 * Every configured camera with its streams, spread over the worker pool. Owns the streams' life
 * cycle, re-produces them when a worker is replaced, and reports state changes.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CameraConfig, CameraInfo, ResolvedNeighbour, StreamKind, StreamStatus } from '@wardwall/common';
import { CameraStream, type IngestTiming } from './camera-stream.js';
import type { WorkerPool } from './worker-pool.js';

interface Events {
  status: [cameraId: string, stream: StreamKind, status: StreamStatus];
}

export class CameraRegistry extends EventEmitter<Events> {
  private readonly cameras = new Map<string, { config: CameraConfig; streams: Map<StreamKind, CameraStream> }>();
  private closed = false;
  private neighbourGraph: ReadonlyMap<string, ResolvedNeighbour[]> = new Map();

  constructor(
    private readonly pool: WorkerPool,
    private readonly timing: IngestTiming,
    private readonly log: Logger,
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

  async add(cameras: readonly CameraConfig[]): Promise<void> {
    for (const config of cameras) {
      const streams = new Map<StreamKind, CameraStream>();
      // Main and sub of one camera on different workers when there are several.
      const kinds: StreamKind[] = config.sub ? ['main', 'sub'] : ['main'];
      for (const kind of kinds) {
        const stream = new CameraStream(config, kind, this.pool.pick(), this.timing, this.log);
        stream.on('status', (status) => this.emit('status', config.id, kind, status));
        streams.set(kind, stream);
      }
      this.cameras.set(config.id, { config, streams });
    }
    await Promise.all(cameras.flatMap((c) => [...this.cameras.get(c.id)!.streams.values()].map((s) => s.start())));
  }

  /** Follow mode's neighbours of every camera (see installMap). */
  setNeighbours(graph: ReadonlyMap<string, ResolvedNeighbour[]>): void {
    this.neighbourGraph = graph;
  }

  has(cameraId: string): boolean {
    return this.cameras.has(cameraId);
  }

  stream(cameraId: string, kind: StreamKind): CameraStream | undefined {
    return this.cameras.get(cameraId)?.streams.get(kind);
  }

  info(): CameraInfo[] {
    return [...this.cameras.values()].map(({ config, streams }) => {
      const status: CameraInfo['streams'] = { main: streams.get('main')!.status };
      const sub = streams.get('sub');
      if (sub) status.sub = sub.status;
      return {
        id: config.id,
        name: config.name,
        streams: status,
        position: config.position ?? null,
        neighbours: this.neighbourGraph.get(config.id) ?? [],
      };
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
