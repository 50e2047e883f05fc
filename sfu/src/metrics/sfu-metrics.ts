/**
 * The SFU's Prometheus metrics (docs/metrics.md lists them). Nothing is measured twice: every value
 * is read on scrape from what the services keep anyway (each stream's watchdog reading of its
 * producer's stats, its state, its stills; the signaling sessions and their consumers; the open
 * alerts; mediasoup's worker resource usage). Cameras are labelled by id, never by URL.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CAMERA_STATES, HEALTH_KINDS, type HealthKind } from '@wardwall/common';
import { countBy, msToSeconds, oneHot } from '@wardwall/server-kit';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { WorkerPool } from '../media/worker-pool.js';

export interface SfuMetricsSources {
  cameras: CameraRegistry;
  pool: WorkerPool;
  /** Open signaling (WebSocket) sessions and their consumers; null before signaling exists. */
  signaling: () => { sessionCount: number; consumerCounts(): { cameraId: string; stream: string; count: number }[] } | null;
  /** The health alerts not closed yet (open or acknowledged). */
  openAlerts: () => readonly { kind: HealthKind }[];
}

type StreamLabels = 'camera' | 'stream';

/** Sets a counter to a cumulative value read elsewhere (called inside a collect callback). */
function setTotals<L extends string>(counter: Counter<L>, rows: { labels: Record<L, string>; value: number }[]): void {
  counter.reset();
  for (const r of rows) counter.inc(r.labels, Math.max(0, r.value));
}

export function createSfuMetrics(src: SfuMetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const streams = () => src.cameras.allStreams().map((s) => ({ s, labels: { camera: s.camera.id, stream: s.kind } }));

  new Gauge<StreamLabels | 'state'>({
    name: 'wardwall_camera_state',
    help: 'Ingest state of a camera stream: 1 for the current state (connecting, live, offline), 0 for the others',
    labelNames: ['camera', 'stream', 'state'],
    registers,
    collect() {
      this.reset();
      for (const info of src.cameras.info()) {
        for (const [stream, status] of Object.entries(info.streams)) {
          if (!status) continue;
          for (const [state, v] of Object.entries(oneHot(CAMERA_STATES, status.state))) this.set({ camera: info.id, stream, state }, v);
        }
      }
    },
  });
  new Gauge<StreamLabels>({
    name: 'wardwall_camera_bitrate_bits_per_second',
    help: 'Bitrate the SFU receives from the camera stream (mediasoup producer stats, read once a second)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      this.reset();
      for (const { s, labels } of streams()) if (s.counters.at > 0) this.set(labels, s.status.state === 'live' ? s.counters.bitrate : 0);
    },
  });
  new Gauge<StreamLabels>({
    name: 'wardwall_camera_frame_rate',
    help: 'Frame rate of the camera stream found by the ingest probe (frames/s; RTP timestamps at connect)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      this.reset();
      for (const { s, labels } of streams()) {
        const fps = s.plan?.info.fps;
        if (typeof fps === 'number') this.set(labels, fps);
      }
    },
  });
  new Gauge<StreamLabels>({
    name: 'wardwall_camera_keyframe_interval_seconds',
    help: 'Seconds between the last two keyframes of the stream while live (each keyframe makes a still)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      this.reset();
      for (const { s, labels } of streams()) if (s.keyframeIntervalS !== null) this.set(labels, s.keyframeIntervalS);
    },
  });
  new Counter<StreamLabels>({
    name: 'wardwall_camera_packets_received_total',
    help: 'RTP packets the producer received from the ingest (restarts from 0 when its worker is replaced)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      setTotals(this, streams().map(({ s, labels }) => ({ labels, value: s.counters.packets })));
    },
  });
  new Counter<StreamLabels>({
    name: 'wardwall_camera_bytes_received_total',
    help: 'RTP bytes the producer received from the ingest',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      setTotals(this, streams().map(({ s, labels }) => ({ labels, value: s.counters.bytes })));
    },
  });
  new Counter<StreamLabels>({
    name: 'wardwall_camera_packets_lost_total',
    help: 'RTP packets of the stream the producer found missing (sequence gaps)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      setTotals(this, streams().map(({ s, labels }) => ({ labels, value: s.counters.lost })));
    },
  });
  new Counter<StreamLabels>({
    name: 'wardwall_camera_reconnects_total',
    help: 'Times the stream came back live after it had been live (since the SFU started)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      setTotals(this, streams().map(({ s, labels }) => ({ labels, value: s.reconnects })));
    },
  });
  new Gauge<StreamLabels>({
    name: 'wardwall_consumers',
    help: 'Open mediasoup consumers (browser tiles receiving the stream)',
    labelNames: ['camera', 'stream'],
    registers,
    collect() {
      this.reset();
      const counts = new Map((src.signaling()?.consumerCounts() ?? []).map((c) => [`${c.cameraId}/${c.stream}`, c.count]));
      for (const { labels } of streams()) this.set(labels, counts.get(`${labels.camera}/${labels.stream}`) ?? 0);
    },
  });
  new Gauge({
    name: 'wardwall_signaling_sessions',
    help: 'Open signaling WebSocket sessions',
    registers,
    collect() {
      this.set(src.signaling()?.sessionCount ?? 0);
    },
  });
  new Gauge<'kind'>({
    name: 'wardwall_health_alerts_open',
    help: 'Camera health alerts not closed yet (open or acknowledged), by kind',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, n] of countBy(src.openAlerts(), (a) => a.kind, HEALTH_KINDS)) this.set({ kind }, n);
    },
  });
  // Worker CPU: one resource-usage request per worker per scrape, for both counters at once.
  let usage: Promise<{ worker: string; user: number; system: number }[]> | null = null;
  const readUsage = () =>
    (usage ??= Promise.all(
      Array.from({ length: src.pool.size }, async (_, i) => {
        const u = await src.pool.slot(i).worker.getResourceUsage();
        return { worker: String(i), user: msToSeconds(u.ru_utime), system: msToSeconds(u.ru_stime) };
      }),
    ).finally(() => setTimeout(() => (usage = null), 0)));
  new Counter<'worker'>({
    name: 'wardwall_mediasoup_worker_user_cpu_seconds_total',
    help: 'User CPU time of a mediasoup worker process (getResourceUsage ru_utime; restarts from 0 when the worker is replaced)',
    labelNames: ['worker'],
    registers,
    async collect() {
      const rows = await readUsage().catch(() => []);
      setTotals(this, rows.map((r) => ({ labels: { worker: r.worker }, value: r.user })));
    },
  });
  new Counter<'worker'>({
    name: 'wardwall_mediasoup_worker_system_cpu_seconds_total',
    help: 'System CPU time of a mediasoup worker process (getResourceUsage ru_stime)',
    labelNames: ['worker'],
    registers,
    async collect() {
      const rows = await readUsage().catch(() => []);
      setTotals(this, rows.map((r) => ({ labels: { worker: r.worker }, value: r.system })));
    },
  });
  new Gauge({
    name: 'wardwall_mediasoup_workers',
    help: 'mediasoup workers in the pool',
    registers,
    collect() {
      this.set(src.pool.size);
    },
  });
  return registry;
}
