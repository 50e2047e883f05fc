/**
 * Records the resident cameras of the SFU's registry. The recorder opens the SFU database
 * read-only and re-reads the registry every `residents.syncMs` (no dependency on the SFU being up,
 * as for every other camera): approved cameras that share recordings get a writer (with their own
 * retention); paused, revoked, pending, on-request and deleted ones have none. Footage already
 * recorded stays reviewable while the camera is in the registry, under its retention.
 */
import type { Logger } from 'pino';
import { recorded, type CameraConfig } from '@wardwall/common';
import { residentCameraConfig, type ResidentDbReader, type ResidentSourceRow } from '@wardwall/common/node';
import type { CameraWriter } from './writer/camera-writer.js';
import type { RetentionRunner } from './store/retention-runner.js';

export interface ResidentRecordingsDeps {
  reader: ResidentDbReader;
  endpoint: { host: string; rtspPort: number };
  /** Ids of the config's cameras: a registry row never replaces one. */
  configIds: ReadonlySet<string>;
  /** The recorder's camera names (listing, playback, export), updated in place. */
  names: Map<string, string>;
  retention: Pick<RetentionRunner, 'setCameraMaxAge'>;
  makeWriter: (cam: CameraConfig) => CameraWriter;
  syncMs: number;
  log: Logger;
}

/** What to record and what to keep reviewable for these rows (pure). */
export function recordingPlan(rows: readonly ResidentSourceRow[], endpoint: { host: string; rtspPort: number }, configIds: ReadonlySet<string>) {
  const record = new Map<string, CameraConfig>();
  const known = new Map<string, { name: string; maxAgeMs: number }>();
  for (const row of rows) {
    if (configIds.has(row.id) || row.sharing === 'on_request') continue;
    known.set(row.id, { name: row.name, maxAgeMs: row.retentionDays * 86400000 });
    const cam = recorded(row) ? residentCameraConfig(row, endpoint) : null;
    if (cam) record.set(row.id, cam);
  }
  return { record, known };
}

export class ResidentRecordings {
  private readonly active = new Map<string, { writer: CameraWriter; url: string }>();
  private readonly knownIds = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: ResidentRecordingsDeps) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.deps.syncMs);
  }

  writers(): CameraWriter[] {
    return [...this.active.values()].map((a) => a.writer);
  }

  private tick(): void {
    this.running = this.running.then(() => this.sync()).catch((e) => this.deps.log.error({ err: e }, 'resident cameras: sync failed'));
  }

  /** Applies the registry once (also called by tests). */
  async sync(): Promise<void> {
    if (this.closed) return;
    const rows = this.deps.reader.rows();
    if (!rows) return; // registry not there (yet): keep what runs
    const { record, known } = recordingPlan(rows, this.deps.endpoint, this.deps.configIds);
    for (const [id, a] of [...this.active]) {
      const want = record.get(id);
      if (want && want.main === a.url) continue;
      this.active.delete(id);
      await a.writer.close();
      this.deps.log.info({ camera: id }, want ? 'resident camera source changed: restarting its recording' : 'resident camera no longer recorded');
    }
    for (const id of [...this.knownIds]) {
      if (known.has(id)) continue;
      this.knownIds.delete(id);
      this.deps.names.delete(id);
      this.deps.retention.setCameraMaxAge(id, null);
    }
    for (const [id, k] of known) {
      this.knownIds.add(id);
      this.deps.names.set(id, k.name);
      this.deps.retention.setCameraMaxAge(id, k.maxAgeMs);
    }
    for (const [id, cam] of record) {
      if (this.active.has(id) || this.closed) continue;
      const writer = this.deps.makeWriter(cam);
      this.active.set(id, { writer, url: cam.main });
      writer.start();
      this.deps.log.info({ camera: id }, 'recording resident camera');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await Promise.all([...this.active.values()].map((a) => a.writer.close()));
    this.active.clear();
    this.deps.reader.close();
  }
}
