/**
 * Records the station's cameras as the SFU stores them (sfu/src/cameras, table `station_cameras`
 * in the SFU database, opened read-only here). Until the SFU has seeded that table (first start,
 * or the SFU not up yet) the config's cameras are recorded. Every `syncMs` the list's version is
 * read (one integer); when it moved, the rows are read and only the cameras whose pulled stream
 * changed (URL, audio) get a new writer; added ones start, removed and disabled ones stop. Footage
 * of a disabled camera stays reviewable (its name stays known); a removed camera's footage stays
 * on disk under retention.
 */
import type { Logger } from 'pino';
import { diffCameraLists, runningCameras, type CameraConfig } from '@wardwall/common';
import { readCameraListVersion, readCameraRows, stationCameraConfig, type ResidentDbReader } from '@wardwall/common/node';
import type { CameraWriter } from './writer/camera-writer.js';

export interface StationRecordingsDeps {
  /** The SFU database, read-only (same lazy handle as the resident cameras'). */
  reader: ResidentDbReader | null;
  /** The config's cameras: recorded until the stored list exists. */
  configCameras: readonly CameraConfig[];
  /** The config's demo cameras (recorded alongside the stored ones). */
  demo: readonly CameraConfig[];
  /** Record only these ids (tests); default all. */
  only?: readonly string[] | undefined;
  /** The recorder's camera names (listing, playback, export), updated in place. */
  names: Map<string, string>;
  /** Ids of the station's cameras, updated in place (resident rows never take one of them). */
  ids: Set<string>;
  makeWriter: (cam: CameraConfig) => CameraWriter;
  syncMs: number;
  log: Logger;
}

/** What makes a writer restart: the URL it pulls and whether it records audio. */
export const recordedKey = (c: CameraConfig): string => JSON.stringify([c.main, c.audio !== false]);

export class StationRecordings {
  private readonly active = new Map<string, { writer: CameraWriter; cam: CameraConfig }>();
  private version: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: StationRecordingsDeps) {}

  /** Starts the config's cameras at once (or the stored list when it is there), then follows the table. */
  start(): void {
    const stored = this.readStored();
    this.apply(stored ?? { version: null, cameras: this.deps.configCameras, all: this.deps.configCameras });
    if (this.deps.reader) this.timer = setInterval(() => this.tick(), this.deps.syncMs);
  }

  writers(): CameraWriter[] {
    return [...this.active.values()].map((a) => a.writer);
  }

  private tick(): void {
    this.running = this.running.then(() => this.sync()).catch((e) => this.deps.log.error({ err: e }, 'station cameras: sync failed'));
  }

  /** Re-reads the stored list when its version moved (also called by tests). */
  async sync(): Promise<void> {
    if (this.closed || !this.deps.reader) return;
    const v = this.deps.reader.with(readCameraListVersion);
    if (v === null || v === undefined || v === this.version) return;
    const stored = this.readStored();
    if (stored) await this.applyAsync(stored);
  }

  private readStored(): { version: number; cameras: CameraConfig[]; all: CameraConfig[] } | null {
    const r = this.deps.reader?.with((db) => {
      const version = readCameraListVersion(db);
      if (version === null) return null;
      const rows = readCameraRows(db);
      return { version, cameras: rows.filter((x) => x.enabled === 1).map(stationCameraConfig), all: rows.map(stationCameraConfig) };
    });
    return r ?? null;
  }

  private plan(list: { cameras: readonly CameraConfig[]; all: readonly CameraConfig[] }) {
    const only = this.deps.only;
    const want = runningCameras(list.cameras, this.deps.demo).filter((c) => !only || only.includes(c.id));
    const diff = diffCameraLists([...this.active.values()].map((a) => a.cam), want, recordedKey);
    return { want, diff, known: runningCameras(list.all, this.deps.demo) };
  }

  private apply(list: { version: number | null; cameras: readonly CameraConfig[]; all: readonly CameraConfig[] }): void {
    const { want, known } = this.plan(list);
    this.version = list.version;
    this.setKnown(known);
    for (const cam of want) this.startWriter(cam);
  }

  private async applyAsync(list: { version: number; cameras: readonly CameraConfig[]; all: readonly CameraConfig[] }): Promise<void> {
    const { diff, known } = this.plan(list);
    for (const id of [...diff.removed, ...diff.changed.map((c) => c.id)]) {
      const a = this.active.get(id);
      if (!a) continue;
      this.active.delete(id);
      await a.writer.close();
    }
    if (this.closed) return;
    this.version = list.version;
    this.setKnown(known);
    for (const cam of [...diff.added, ...diff.changed]) this.startWriter(cam);
    // Name-only changes keep the writer; the listing follows.
    if (diff.added.length || diff.changed.length || diff.removed.length) {
      this.deps.log.info({ added: diff.added.map((c) => c.id), restarted: diff.changed.map((c) => c.id), stopped: diff.removed }, 'station cameras: recording follows the camera list');
    }
  }

  private setKnown(known: readonly CameraConfig[]): void {
    const ids = new Set(known.map((c) => c.id));
    for (const id of [...this.deps.ids]) {
      if (ids.has(id)) continue;
      this.deps.ids.delete(id);
      this.deps.names.delete(id);
    }
    for (const c of known) {
      this.deps.ids.add(c.id);
      this.deps.names.set(c.id, c.name);
    }
  }

  private startWriter(cam: CameraConfig): void {
    if (this.closed || this.active.has(cam.id)) return;
    const writer = this.deps.makeWriter(cam);
    this.active.set(cam.id, { writer, cam });
    writer.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await Promise.all([...this.active.values()].map((a) => a.writer.close()));
    this.active.clear();
    this.deps.reader?.close();
  }
}
