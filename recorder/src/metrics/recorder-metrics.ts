/**
 * The recorder's Prometheus metrics (docs/metrics.md lists them), read on scrape from what it keeps
 * anyway: each writer's state and the bytes of the segments it indexed, the retention runner's
 * eviction count, the active holds in the index, the export queue, and the data folder's free space
 * (one statfs). Cameras are labelled by id, never by URL.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { oneHot } from '@wardwall/server-kit';
import type { WriterState } from '../writer/camera-writer.js';
import type { DiskState } from '../store/retention-runner.js';

export const WRITER_STATES: readonly WriterState[] = ['starting', 'recording', 'retrying', 'stopped'];

export interface RecorderMetricsSources {
  /** Every writer (configured and resident cameras). */
  writers: () => readonly { camera: string; state: WriterState; bytesRecorded: number; restarts: number; frames: { video: number; key: number } }[];
  /** The data folder's file system, read now. */
  disk: () => { totalBytes: number; freeBytes: number };
  retention: () => DiskState;
  activeHolds: () => number;
  exports: () => { queued: number; running: number };
}

export function createRecorderMetrics(src: RecorderMetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Counter<'camera'>({
    name: 'wardwall_recorder_bytes_recorded_total',
    help: 'Bytes of fMP4 segments the recorder wrote and indexed for the camera since it started',
    labelNames: ['camera'],
    registers,
    collect() {
      this.reset();
      for (const w of src.writers()) this.inc({ camera: w.camera }, w.bytesRecorded);
    },
  });
  new Counter<'camera'>({
    name: 'wardwall_recorder_video_frames_total',
    help: 'Video frames (access units) the camera pull delivered since the recorder started: rate() is the live frame rate',
    labelNames: ['camera'],
    registers,
    collect() {
      this.reset();
      for (const w of src.writers()) this.inc({ camera: w.camera }, w.frames.video);
    },
  });
  new Counter<'camera'>({
    name: 'wardwall_recorder_keyframes_total',
    help: 'Keyframes among those video frames: frames / keyframes is the GOP length',
    labelNames: ['camera'],
    registers,
    collect() {
      this.reset();
      for (const w of src.writers()) this.inc({ camera: w.camera }, w.frames.key);
    },
  });
  new Gauge<'camera' | 'state'>({
    name: 'wardwall_recorder_state',
    help: 'Recording state of a camera: 1 for the current state (starting, recording, retrying, stopped), 0 for the others',
    labelNames: ['camera', 'state'],
    registers,
    collect() {
      this.reset();
      for (const w of src.writers()) for (const [state, v] of Object.entries(oneHot(WRITER_STATES, w.state))) this.set({ camera: w.camera, state }, v);
    },
  });
  new Counter<'camera'>({
    name: 'wardwall_recorder_restarts_total',
    help: 'Times the camera pull was restarted after a fault (since the recorder started)',
    labelNames: ['camera'],
    registers,
    collect() {
      this.reset();
      for (const w of src.writers()) this.inc({ camera: w.camera }, w.restarts);
    },
  });
  new Gauge({
    name: 'wardwall_recorder_disk_free_bytes',
    help: 'Free bytes (available to the recorder) on the file system of recorder.dataDir',
    registers,
    collect() {
      this.set(src.disk().freeBytes);
    },
  });
  new Gauge({
    name: 'wardwall_recorder_disk_total_bytes',
    help: 'Size of the file system of recorder.dataDir',
    registers,
    collect() {
      this.set(src.disk().totalBytes);
    },
  });
  new Gauge({
    name: 'wardwall_recorder_store_bytes',
    help: 'Bytes of footage in the store at the last retention run',
    registers,
    collect() {
      this.set(src.retention().storeBytes);
    },
  });
  new Gauge({
    name: 'wardwall_recorder_low_space',
    help: '1 while the store is short of free space (retention cannot keep recorder.retention.minFreeBytes free, or the disk was full in the last minute)',
    registers,
    collect() {
      this.set(src.retention().lowSpace ? 1 : 0);
    },
  });
  new Counter({
    name: 'wardwall_recorder_retention_evictions_total',
    help: 'Segments deleted by retention (age, quota, free space) since the recorder started',
    registers,
    collect() {
      this.reset();
      this.inc(src.retention().deletedTotal);
    },
  });
  new Gauge({
    name: 'wardwall_recorder_holds',
    help: 'Active evidence holds (bookmarks, exports, API holds)',
    registers,
    collect() {
      this.set(src.activeHolds());
    },
  });
  new Gauge<'state'>({
    name: 'wardwall_recorder_export_queue',
    help: 'Export packages waiting (state="queued") and being packed (state="running")',
    labelNames: ['state'],
    registers,
    collect() {
      const q = src.exports();
      this.set({ state: 'queued' }, q.queued);
      this.set({ state: 'running' }, q.running);
    },
  });
  return registry;
}
