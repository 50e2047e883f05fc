/**
 * Watches every camera's main stream cheaply: each keyframe thumbnail (about one a second, already
 * decoded by the ingest for the stills) feeds the picture detector; state changes and the
 * watchdog's producer counters (read once a second, no extra stats call) feed the stream detector.
 * Reports the set of active faults per camera as it changes. Cameras added to the registry later
 * (e.g. resident cameras) are picked up on the next tick.
 *
 * With a reference keeper, each camera's learned reference still is saved when learned and restored
 * when the camera is watched again (after a restart), instead of being learned from whatever the
 * camera shows then. `relearn()` accepts a camera's current view: the reference is dropped (also the
 * saved one) and learned again.
 */
import type { Logger } from 'pino';
import type { HealthConfig, HealthKind } from '@wardwall/common';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { CameraStream } from '../media/camera-stream.js';
import { PictureDetector, REFERENCE_FAULTS, type PictureFault } from './picture-detector.js';
import type { ReferenceKeeper } from './reference-store.js';
import { StreamDetector } from './stream-detector.js';

export interface FaultChange {
  cameraId: string;
  opened: { kind: HealthKind; detail: Record<string, number> }[];
  closed: HealthKind[];
}

export interface HealthMonitorOptions {
  cameras: CameraRegistry;
  config: HealthConfig;
  log: Logger;
  /** Faults already reported before a restart (unclosed alerts): not reported again; closed after settleMs if not seen. */
  restored?: readonly { cameraId: string; kind: HealthKind }[];
  onChange: (change: FaultChange) => void;
  /** Keeps learned references across restarts (none: every start learns again). */
  references?: ReferenceKeeper;
  now?: () => number;
  tickMs?: number;
}

interface Watched {
  stream: CameraStream;
  picture: PictureDetector;
  detector: StreamDetector;
  pictureFaults: PictureFault[];
  pictureMeasures: Record<string, number>;
  reported: Set<HealthKind>;
  restored: Set<HealthKind>;
  countersAt: number;
  off: () => void;
}

export class HealthMonitor {
  private readonly watched = new Map<string, Watched>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly restored = new Map<string, Set<HealthKind>>();
  private busyNs = 0n;
  private closed = false;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    for (const r of opts.restored ?? []) {
      let set = this.restored.get(r.cameraId);
      if (!set) this.restored.set(r.cameraId, (set = new Set()));
      set.add(r.kind);
    }
    this.timer = setInterval(() => this.measured(() => this.tick()), opts.tickMs ?? 1000);
    this.measured(() => this.tick());
  }

  /** Time spent in the health checks themselves since start (CPU of this single-threaded code), ms. */
  get busyMs(): number {
    return Number(this.busyNs) / 1e6;
  }

  /** Whether a camera's reference still is learned (moved, defocused and frozen are judged from then on). */
  learned(cameraId: string): boolean {
    return this.watched.get(cameraId)?.picture.learned ?? false;
  }

  /**
   * Accepts the camera's current view: drops its reference (and the saved one) and learns again from
   * the next keyframes. The faults judged against the reference (frozen, moved, defocused) close now,
   * through the usual change report. Returns those closed faults; null when the camera is not watched
   * (its saved reference is forgotten all the same).
   */
  relearn(cameraId: string): HealthKind[] | null {
    this.opts.references?.forget(cameraId);
    const w = this.watched.get(cameraId);
    if (!w) return null;
    w.picture.relearn();
    w.pictureFaults = w.pictureFaults.filter((f) => !REFERENCE_FAULTS.includes(f));
    // An alert restored from before a restart would otherwise wait for the settle time.
    for (const kind of REFERENCE_FAULTS) w.restored.delete(kind);
    const before = [...w.reported];
    this.reconcile(cameraId, w, this.now());
    return before.filter((k) => !w.reported.has(k));
  }

  /** Currently active faults of a camera. */
  faults(cameraId: string): HealthKind[] {
    return [...(this.watched.get(cameraId)?.reported ?? [])];
  }

  private measured(fn: () => void): void {
    const t0 = process.hrtime.bigint();
    try {
      fn();
    } catch (e) {
      this.opts.log.error({ err: e }, 'health check failed');
    }
    this.busyNs += process.hrtime.bigint() - t0;
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.now();
    for (const [cameraId, w] of this.watched) {
      if (this.opts.cameras.stream(cameraId, 'main') !== w.stream) {
        // The camera was removed (or replaced): stop watching it; its alerts close.
        w.off();
        this.watched.delete(cameraId);
        if (w.reported.size) this.opts.onChange({ cameraId, opened: [], closed: [...w.reported] });
        continue;
      }
      const c = w.stream.counters;
      if (c.at > w.countersAt) {
        w.countersAt = c.at;
        w.detector.onCounters(c, c.at);
      }
      this.reconcile(cameraId, w, now);
    }
    for (const stream of this.opts.cameras.allStreams()) {
      if (stream.kind === 'main' && !this.watched.has(stream.camera.id)) this.watch(stream, now);
    }
  }

  private watch(stream: CameraStream, now: number): void {
    const cameraId = stream.camera.id;
    const cfg = this.opts.config;
    const detector = new StreamDetector(cfg, now);
    detector.onState(stream.status.state, now);
    const restored = this.restored.get(cameraId) ?? new Set<HealthKind>();
    this.restored.delete(cameraId);
    const picture = new PictureDetector(cfg);
    const saved = this.loadReference(cameraId);
    if (saved && !picture.restoreReference(saved)) this.opts.log.warn({ camera: cameraId }, 'saved health reference rejected: learning it again');
    const w: Watched = {
      stream,
      picture,
      detector,
      pictureFaults: [],
      pictureMeasures: {},
      reported: new Set(restored),
      restored: new Set(restored),
      countersAt: 0,
      off: () => undefined,
    };
    const onThumb = (image: Parameters<PictureDetector['push']>[0], at: number): void =>
      this.measured(() => {
        const wasLearned = w.picture.learned;
        const v = w.picture.push(image, at);
        if (!wasLearned && w.picture.learned) this.saveReference(cameraId, w.picture);
        w.pictureFaults = v.faults;
        w.pictureMeasures = v.measures;
        this.reconcile(cameraId, w, this.now());
      });
    const onStatus = (status: { state: 'connecting' | 'live' | 'offline'; since: number }): void =>
      this.measured(() => {
        w.detector.onState(status.state, status.since);
        this.reconcile(cameraId, w, this.now());
      });
    stream.on('thumbnail', onThumb);
    stream.on('status', onStatus);
    w.off = () => {
      stream.off('thumbnail', onThumb);
      stream.off('status', onStatus);
    };
    this.watched.set(cameraId, w);
  }

  private loadReference(cameraId: string): ReturnType<ReferenceKeeper['load']> {
    try {
      return this.opts.references?.load(cameraId) ?? null;
    } catch (e) {
      this.opts.log.error({ err: e, camera: cameraId }, 'cannot read the saved health reference: learning it again');
      return null;
    }
  }

  private saveReference(cameraId: string, picture: PictureDetector): void {
    const ref = picture.exportReference();
    if (!ref || !this.opts.references) return;
    try {
      this.opts.references.save(cameraId, ref, this.now());
      this.opts.log.info({ camera: cameraId }, 'health reference learned and saved');
    } catch (e) {
      this.opts.log.error({ err: e, camera: cameraId }, 'cannot save the health reference (it stays in use until restart)');
    }
  }

  private reconcile(cameraId: string, w: Watched, now: number): void {
    const sv = w.detector.evaluate(now);
    const active = new Set<HealthKind>([...w.pictureFaults, ...sv.faults]);
    // A black, covered or frozen picture explains a collapsed bitrate: report the cause only.
    if (w.pictureFaults.length) active.delete('low_rate');
    const settling = now - this.startedAt < this.opts.config.settleMs;
    const opened: FaultChange['opened'] = [];
    const closed: HealthKind[] = [];
    for (const kind of active) {
      w.restored.delete(kind);
      if (!w.reported.has(kind)) {
        w.reported.add(kind);
        opened.push({ kind, detail: { ...(isPictureKind(kind) ? w.pictureMeasures : sv.measures) } });
      }
    }
    for (const kind of w.reported) {
      if (active.has(kind) || (settling && w.restored.has(kind))) continue;
      w.reported.delete(kind);
      w.restored.delete(kind);
      closed.push(kind);
    }
    if (opened.length || closed.length) this.opts.onChange({ cameraId, opened, closed });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const w of this.watched.values()) w.off();
    this.watched.clear();
  }
}

function isPictureKind(kind: HealthKind): boolean {
  return kind === 'black' || kind === 'covered' || kind === 'frozen' || kind === 'moved' || kind === 'defocused';
}
