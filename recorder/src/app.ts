/**
 * The recorder's wiring: store (files + SQLite index, reconciled with the disk before anything
 * writes), one writer per camera, retention, and the HTTP API. `startRecorder` is what main.ts runs
 * and what tests start in-process.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { demoCameras, demoEnabled, type Config } from '@wardwall/common';
import { StationRecordings } from './station-cameras.js';
import { createLogger } from '@wardwall/server-kit';
import { SegmentStore } from './store/store.js';
import { CameraWriter, type WriterStatus } from './writer/camera-writer.js';
import { diskSpace, RetentionRunner, type DiskState } from './store/retention-runner.js';
import { createRecorderMetrics } from './metrics/recorder-metrics.js';
import { createHttpServer } from './playback/http.js';
import { Fmp4Cache } from './playback/fmp4-cache.js';
import { Thumbnailer, type ThumbnailOptions } from './playback/thumbnail.js';
import { ExportManager } from './playback/export.js';
import { recorderAccess, SERVICE_PRINCIPAL, type RecorderAccess } from '@wardwall/accounts/recorder';
import { recorderPullUrl } from './writer/pull-url.js';
import { ExportQuota } from './playback/export-quota.js';
import { ExportExpiry } from './playback/export-expiry.js';
import { ResidentRecordings } from './residents.js';
import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { ResidentDbReader, sfuDbPath } from '@wardwall/common/node';

export interface RecorderOptions {
  log?: Logger;
  /** Overrides config.recorder.port (0 = any free port). */
  port?: number;
  backoffMs?: readonly number[];
  stableAfterMs?: number;
  stallMs?: number;
  tickMs?: number;
  ioTimeoutMs?: number;
  retentionIntervalMs?: number;
  /** Per-camera max age overrides, days (config has only the global one for now). */
  maxAgeDaysByCamera?: Readonly<Record<string, number>>;
  /** Record only these cameras (default: every camera of the config). */
  cameras?: readonly string[];
  allowOrigin?: string;
  now?: () => number;
  /** How often the SFU's camera list version is read (ms, default 1000). */
  cameraSyncMs?: number;
  /** Record the resident cameras of the SFU's registry (default true). */
  residents?: boolean;
  /** Thumbnail limits and cache (defaults: DEFAULT_THUMBNAIL_OPTIONS). */
  thumbnails?: Partial<ThumbnailOptions>;
}

export interface Recorder {
  port: number;
  store: SegmentStore;
  retention: RetentionRunner;
  writerPids(): number[];
  health(): HealthBody;
  thumbnails: Thumbnailer;
  close(): Promise<void>;
}

export interface HealthBody {
  ok: boolean;
  now: number;
  disk: DiskState;
  cameras: WriterStatus[];
  /** The audit appends through the SFU: a failed one makes the recorder not ok (its actions are refused). */
  audit: { ok: boolean; lastError: string | null; failedAt: number | null };
  /** Why `ok` is false, when it is because of the audit trail. */
  reasons?: string[];
}

export async function startRecorder(config: Readonly<Config>, opts: RecorderOptions = {}): Promise<Recorder> {
  const log = opts.log ?? createLogger('recorder', config.log.level);
  const now = opts.now ?? Date.now;
  const rc = config.recorder;
  const store = new SegmentStore(rc.dataDir, log.child({ part: 'store' }));
  let server: Server | null = null;
  let retention: RetentionRunner | null = null;
  let exports: ExportManager | null = null;
  let expiry: ExportExpiry | null = null;
  let access: RecorderAccess | null = null;
  let residents: ResidentRecordings | null = null;
  let station: StationRecordings | null = null;
  const thumbs = new Thumbnailer(opts.thumbnails ?? {});
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    retention?.close();
    expiry?.close();
    await residents?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    thumbs.close();
    await station?.close();
    await exports?.close();
    store.close();
    access?.close();
    log.info('recorder stopped');
  };
  try {
    const report = await store.reconcile();
    log.info(report, 'index reconciled with the disk');
    const names = new Map<string, string>();
    const stationIds = new Set<string>();
    retention = new RetentionRunner(
      store,
      {
        maxAgeMs: rc.retention.maxAgeDays * 86400000,
        maxAgeMsByCamera: Object.fromEntries(Object.entries(opts.maxAgeDaysByCamera ?? rc.retention.maxAgeDaysByCamera).map(([k, d]) => [k, d * 86400000])),
        maxBytes: rc.retention.maxBytes,
        minFreeBytes: rc.retention.minFreeBytes,
        intervalMs: opts.retentionIntervalMs ?? 10000,
        maxDeletions: 2000,
      },
      log.child({ part: 'retention' }),
      now,
    );
    const ret = retention;
    const pullUrl = recorderPullUrl(config);
    const makeWriter = (cam: { id: string; main: string; audio?: boolean | undefined }): CameraWriter => {
      const w = new CameraWriter(
        {
          camera: cam.id,
          url: pullUrl(cam.main),
          audio: cam.audio !== false,
          segmentSeconds: rc.segmentSeconds,
          maxDriftMs: rc.maxDriftMs,
          maxGapMs: rc.maxGapMs,
          backoffMs: opts.backoffMs ?? rc.backoffMs,
          stableAfterMs: opts.stableAfterMs ?? 30000,
          stallMs: opts.stallMs ?? rc.stallMs,
          tickMs: opts.tickMs ?? 1000,
          ioTimeoutMs: opts.ioTimeoutMs ?? 5000,
          pullEngine: rc.pullEngine,
          ...(opts.now ? { now: opts.now } : {}),
        },
        store,
        log.child({ part: 'writer', camera: cam.id }),
      );
      w.on('fault', (fault) => {
        if (fault === 'disk-full') ret.diskFull();
      });
      return w;
    };
    ret.start();
    // The station's cameras as the SFU stores them (config cameras until the SFU seeded its list).
    const sfuDb = config.sfu.dataDir === ':memory:' ? null : () => new Database(sfuDbPath(resolve(config.sfu.dataDir)), { readonly: true, fileMustExist: true });
    station = new StationRecordings({
      reader: sfuDb ? new ResidentDbReader(sfuDb) : null,
      configCameras: config.cameras,
      demo: demoEnabled(config as Config) ? demoCameras(config as Config) : [],
      only: opts.cameras,
      names,
      ids: stationIds,
      makeWriter,
      syncMs: opts.cameraSyncMs ?? 1000,
      log: log.child({ part: 'cameras' }),
    });
    station.start();
    if (opts.residents !== false && config.sfu.dataDir !== ':memory:') {
      residents = new ResidentRecordings({
        reader: new ResidentDbReader(sfuDb!),
        endpoint: config.endpoint,
        configIds: stationIds,
        names,
        retention: ret,
        makeWriter,
        syncMs: config.residents.syncMs,
        log: log.child({ part: 'residents' }),
      });
      residents.start();
    }
    const residentWriters = () => [...(station?.writers() ?? []), ...(residents?.writers() ?? [])];
    const fmp4 = new Fmp4Cache();
    exports = new ExportManager(store, fmp4, names, log.child({ part: 'export' }), now);
    access = recorderAccess(config, () => [...names.keys()], log.child({ part: 'access' }), now);
    const acc = access;
    const health = (): HealthBody => {
      const disk = ret.getState();
      const cameras = residentWriters().map((w) => w.getStatus());
      const audit = acc.auditStatus();
      const reasons = audit.ok ? [] : [`audit trail: append failed (${audit.lastError ?? 'unknown'}); playback and exports are refused`];
      return { ok: !disk.lowSpace && cameras.every((c) => c.state === 'recording') && audit.ok, now: now(), disk, cameras, audit, ...(reasons.length ? { reasons } : {}) };
    };
    // Same-origin only (through the SFU), with or without access control: no cross-origin reads.
    const allowOrigin = opts.allowOrigin ?? '';
    const xc = rc.exports;
    const expireMs = Math.round(xc.expireHours * 3600_000);
    const exportQuota = new ExportQuota(store.db, { maxPerUser: xc.maxPerUser, maxBytesPerUser: xc.maxBytesPerUser, maxTotal: xc.maxTotal, maxTotalBytes: xc.maxTotalBytes, expireMs }, now);
    const expiryLog = log.child({ part: 'export-expiry' });
    expiry = new ExportExpiry(store, { expireMs, checkEveryMs: xc.expiryCheckMs }, expiryLog, now, (row) => {
      // The package is already gone: an entry that cannot be written is logged (the audit status says why).
      acc.audit(SERVICE_PRINCIPAL, 'export_expired', row.cameras.length === 1 ? row.cameras[0]! : null, { export: row.id, exportedBy: row.exportedBy, holds: row.holdIds.length })
        .catch((e: unknown) => expiryLog.error({ err: e, export: row.id }, 'export expiry not audited'));
    });
    expiry.start();
    const holdLimits = { maxSpanMs: Math.round(rc.holds.maxSpanDays * 86_400_000), maxFutureMs: Math.round(rc.holds.maxFutureHours * 3600_000), maxActivePerUser: rc.holds.maxActivePerUser };
    const xm = exports;
    const metrics = createRecorderMetrics({
      writers: () => residentWriters().map((w) => ({ ...w.getStatus(), bytesRecorded: w.bytesRecorded, frames: w.frames })),
      disk: () => diskSpace(store.root),
      retention: () => ret.getState(),
      activeHolds: () => store.db.activeHolds().length,
      exports: () => xm.queueState,
    });
    const metricsRoute = { token: config.metrics.token, render: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }) };
    server = createHttpServer({ store, fmp4, thumbs, exports, cameras: names, health, log: log.child({ part: 'http' }), now, allowOrigin, access, holdLimits, exportQuota, allowedOrigins: config.sfu.allowedOrigins, metrics: metricsRoute });
    const srv = server;
    const port = await new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(opts.port ?? rc.port, rc.host, () => resolve((srv.address() as { port: number }).port));
    });
    log.info({ host: rc.host, port, cameras: [...stationIds], segmentSeconds: rc.segmentSeconds }, 'recorder listening');
    return { port, store, retention: ret, writerPids: () => residentWriters().flatMap((w) => w.pids()), health, thumbnails: thumbs, close };
  } catch (e) {
    await close();
    throw e;
  }
}
