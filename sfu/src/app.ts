/**
 * Wiring of the SFU service: worker pool, camera registry (ingest + producers), HTTP (REST and
 * the built client) and the signaling WebSocket. `startSfu` is used by main.ts and by tests.
 */
import { ingestPullUrl } from './ingest/pull-url.js';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Config } from '@wardwall/common';
import { installCameras, type CameraManager, type StationCameras } from './cameras/index.js';
import { installOnvif } from './onvif/index.js';
import type { Logger } from 'pino';
import { MediaHost } from './ingest/media-host.js';
import { CameraRegistry } from './media/camera-registry.js';
import { WorkerPool } from './media/worker-pool.js';
import { coreRoutes, createRequestHandler, type RoutesContext } from './http/routes.js';
import { Closer, metricsRoute, openApiRoute, Router } from '@wardwall/server-kit';
import { SFU_API_INFO } from './http/api-info.js';
import { createSfuMetrics } from './metrics/sfu-metrics.js';
import { originGuard } from '@wardwall/server-kit';
import { openAppDb, type AppDb } from '@wardwall/server-kit';
import { SignalingServer } from './signaling/ws-server.js';
import { installAuth, type Auth } from './auth/index.js';
import { auditCameraSet, installAuditFeature, internalAuditRoutes, type AuditFeature, type AuditLog } from './audit/index.js';
import { loadTls } from './http/tls.js';
import { installMap } from './map/install-map.js';
import { installBookmarks, type BookmarksFeature } from './bookmarks/index.js';
import { installHealth, type Health } from './health/install.js';
import { installPtz, type Ptz } from './ptz/install.js';
import { actorOf } from '@wardwall/accounts';
import { installResidents, type Residents } from './residents/index.js';
import { installDisplays, type Displays } from './displays/install.js';
import { installWallSettings } from './displays/wall-settings.js';
import { installWardLink, type WardLink } from './city/ward-link.js';
import { WardCentralAccess, wardCentralRoutes } from './city/ward-central.js';
import { installCentreLink, type CentreLink } from './city/centre-link.js';

export interface Sfu {
  url: string;
  port: number;
  pool: WorkerPool;
  cameras: CameraRegistry;
  signaling: SignalingServer;
  /** The SFU's own SQLite database (features add their tables with `migrate`). */
  db: AppDb;
  residents: Residents;
  /** The REST route table; features add their routes here. */
  router: Router;
  /** The hash-chained audit trail: `audit.append(principal, action, camera, detail)`. */
  audit: AuditLog;
  /** Access control (policy, accounts service; `initialAdmin` at first start). */
  auth: Auth;
  bookmarks: BookmarksFeature;
  /** Camera health monitor and alerts. */
  health: Health;
  /** Duty-room displays, presets, tours; `displays.rules` takes camera alerts and urgent bookmarks. */
  displays: Displays;
  /** The station's cameras (stored, live-managed): `stationCameras.create({name, main, sub})` adds one. */
  stationCameras: CameraManager;
  /** City mode (docs/city.md): the ward's or the centre's link; both null when `city.role` is 'off'. */
  city: { ward: WardLink | null; centre: CentreLink | null };
  close(): Promise<void>;
}

/** A city centre's ward cameras (`<ward>/<camera>`, docs/city.md): `me` carries the viewer's rights on them too. */
function cityCameraIds(link: CentreLink | null): string[] {
  return link ? link.directory.view().flatMap((w) => w.cameras.map((c) => `${w.ward}/${c.id}`)) : [];
}

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../client/dist', import.meta.url));

export async function startSfu(config: Readonly<Config>, log: Logger, opts: { clientDir?: string } = {}): Promise<Sfu> {
  // Teardown, in reverse order of registration (one list for a failed start and a stop): the
  // database and the audit chain close last, after everything that may still write to them.
  let db: AppDb | null = null;
  let auditFeature: AuditFeature | null = null;
  const closer = new Closer(log.child({ part: 'close' }))
    .add('database', () => void db?.close())
    .add('audit', () => auditFeature?.close());
  const size = config.sfu.workers || availableParallelism();
  const { rtcMinPort, rtcMaxPort, listenIp, announcedAddress, port: webrtcPort } = config.sfu.webrtc;
  const pool = await WorkerPool.create({ size, rtcMinPort, rtcMaxPort, webrtc: { listenIp, announcedAddress, port: webrtcPort }, log: log.child({ part: 'pool' }) });
  // The relay engine's shared decoder/encoder (docs/relay-ingest.md): one process for every relayed stream.
  const mediaHost = config.sfu.ingest.engine === 'gstreamer' ? null : new MediaHost({ log: log.child({ part: 'media-host' }) });
  mediaHost?.start();
  closer.add('media host', () => mediaHost?.stop());
  const relay = mediaHost ? { host: mediaHost, stillIntervalMs: config.sfu.ingest.stillIntervalMs } : null;
  const cameras = new CameraRegistry(pool, { ...config.sfu.ingest, pullUrl: ingestPullUrl(config), relay }, log.child({ part: 'ingest' }));
  closer.add('worker pool', () => pool.close()).add('cameras', () => cameras.close());
  let server: Server | HttpsServer | null = null;
  let signaling: SignalingServer | null = null;
  let auth: Auth | null = null;
  let audit: AuditLog | null;
  let bookmarks: BookmarksFeature | null = null;
  let health: Health | null = null;
  let residents: Residents | null = null;
  let displays: Displays | null = null;
  let ptz: Ptz | null = null;
  let station: StationCameras | undefined;
  let wardLink: WardLink | null = null;
  let centreLink: CentreLink | null = null;
  const router = new Router().before(originGuard(config.sfu.allowedOrigins));
  try {
    db = openAppDb(config.sfu.dataDir);
    const tls = loadTls(config);
    auditFeature = installAuditFeature({ db, router, log: log.child({ part: 'audit' }), config });
    audit = auditFeature.log;
    const auditState = auditFeature;
    auth = await installAuth({ config, db, router, audit, log: log.child({ part: 'auth' }), cameras: () => [...new Set([...cameras.info().map((c) => c.id), ...(residents?.reviewableIds() ?? []), ...cityCameraIds(centreLink)])], secure: tls !== null });
    closer.add('auth', () => auth?.close());
    // The station's cameras: the stored list (seeded from the config at the first start), live-managed.
    station = await installCameras({
      config, db, registry: cameras, router, audit, log: log.child({ part: 'cameras' }), pullUrl: ingestPullUrl(config),
      reservedIds: () => residents?.reviewableIds() ?? [],
    });
    const configCameras = station.initial;
    const stationManager = station.manager;
    installOnvif({ router, manager: station.manager, log: log.child({ part: 'onvif' }) });
    auditCameraSet(audit, configCameras);
    const residentAudit = audit;
    residents = installResidents({
      config, db, router, cameras, configIds: configCameras.map((c) => c.id), log: log.child({ part: 'residents' }),
      onChanged: (e) => residentAudit.append(e.by === 'owner' ? 'system' : actorOf(e.by), `resident_${e.action}`, e.cameraId, { ...e.detail, ...(e.by === 'owner' ? { by: 'owner link' } : {}) }),
    });
    closer.add('residents', () => residents?.close());
    await residents.ready;
    router.add(...internalAuditRoutes(audit, auth.isServiceCall));
    const routesCtx: RoutesContext = {
      cameras,
      pool,
      clientDir: opts.clientDir ?? DEFAULT_CLIENT_DIR,
      log: log.child({ part: 'http' }),
      sessions: () => signaling?.sessionCount ?? 0,
      recorder: config.recorder.enabled ? { host: config.recorder.host, port: config.recorder.port } : null,
      access: auth.policy,
      audit: () => ({ ...auditState.log.status(), headError: auditState.head.lastError }),
    };
    router.add(...coreRoutes(routesCtx));
    router.add(openApiRoute(() => router.list(), SFU_API_INFO));
    installMap({ config, cameras, router, list: configCameras });
    if (config.city.role === 'ward') {
      const central = new WardCentralAccess({ ward: config.city.ward!.id, centreKey: config.city.centreKey, accessControl: config.auth.enabled });
      router.add(...wardCentralRoutes({ access: central, recorder: routesCtx.recorder, serviceHeaders: auth.serviceHeaders, log: log.child({ part: 'city-recordings' }) }));
      wardLink = await installWardLink({ config, cameras, log: log.child({ part: 'city' }), central, audit });
      closer.add('city ward link', () => wardLink?.close());
    } else if (config.city.role === 'centre') {
      centreLink = await installCentreLink({ config, router, access: auth.policy, log: log.child({ part: 'city' }), audit });
      closer.add('city centre link', () => centreLink?.close());
    }
    const handler = createRequestHandler(routesCtx, router);
    server = tls ? createHttpsServer({ ...tls }, (req, res) => void handler(req, res)) : createServer((req, res) => void handler(req, res));
    server.headersTimeout = 10000;
    server.requestTimeout = 30000;
    const httpServer = server;
    closer.add('http server', async () => {
      httpServer.closeAllConnections?.();
      await new Promise<void>((r) => httpServer.close(() => r()));
    });
    signaling = new SignalingServer(server, { config, pool, cameras, log: log.child({ part: 'signaling' }), access: auth.policy, audit, city: centreLink }, { authenticate: auth.authenticate });
    closer.add('signaling', () => signaling?.close());
    if (centreLink) {
      // City centre: every session gets the wards and cameras it may see when they change.
      const [link, sig, policy] = [centreLink, signaling, auth.policy];
      link.onChanged(() => sig.pushEach((s) => ({ type: 'cityWards', wards: link.wards(s.principal) })));
      // The wards' alerts and urgent bookmarks, to the sessions that may watch the camera.
      link.onAlert((alert) => sig.broadcast({ type: 'cityAlert', alert }, (s) => policy.can(s.principal, 'live', alert.remoteId)));
      link.onUrgent((urgent) => sig.broadcast({ type: 'cityUrgent', urgent }, (s) => urgent.cameras.some((c) => policy.can(s.principal, 'live', c))));
    }
    auth.watch(signaling);
    const trail = audit;
    bookmarks = installBookmarks({
      config, db, cameras, signaling, router, access: auth.policy, log: log.child({ part: 'bookmarks' }),
      recorderHeaders: auth.serviceHeaders,
      onHoldChanged: (e) => trail.append(e.by ? { name: e.by.name, sessionId: e.by.session ?? null } : 'system', e.action === 'created' ? 'hold_add' : 'hold_release', e.camera, { hold: e.holdId, bookmark: e.bookmarkId, from: e.from, to: e.to, via: 'bookmark holds' }),
      onUrgent: (b, by) => {
        trail.append(actorOf(by), 'bookmark_urgent', b.cameras.length === 1 ? b.cameras[0]! : null, { bookmark: b.id, cameras: b.cameras, at: b.startMs });
        displays?.rules.onUrgentBookmark(b.cameras);
        wardLink?.events.urgent(b, by.name, Date.now());
      },
    });
    closer.add('bookmarks', () => bookmarks?.close());
    health = installHealth({
      db, cameras, router, signaling, access: auth.policy, config: config.sfu.health, log: log.child({ part: 'health' }),
      onAcknowledged: (alert, by) => trail.append(actorOf(by), 'alert_ack', alert.cameraId, { alert: alert.id, kind: alert.kind }),
      onOpened: (alert) => displays?.rules.onCameraAlert(alert.cameraId),
      onChanged: (alert) => wardLink?.events.alert(alert),
      onRelearn: (cameraId, by) => trail.append(actorOf(by), 'health_relearn', cameraId, {}),
      publicUrl: config.sfu.publicUrl,
    });
    closer.add('health', () => health?.close());
    if (wardLink) {
      const h = health;
      wardLink.openAlerts = () => h.store.unclosed();
    }
    displays = installDisplays({ db, router, signaling, cameraExists: (id) => cameras.has(id), log: log.child({ part: 'displays' }) });
    closer.add('displays', () => displays?.close());
    installWallSettings({
      db, router, access: auth.policy, config: config.wall, audit,
      cameraIds: () => cameras.info().map((c) => c.id),
      cameraExists: (id) => cameras.has(id) || (residents?.reviewableIds() ?? []).includes(id),
    });
    ptz = installPtz({
      cameras: () => stationManager.running(), router, access: auth.policy, log: log.child({ part: 'ptz' }),
      onAction: (by, action, cameraId, detail) => void trail.record(actorOf(by), action, cameraId, detail),
    });
    closer.add('ptz', () => ptz?.close());
    const metrics = createSfuMetrics({ cameras, pool, signaling: () => signaling, openAlerts: () => health?.store.unclosed() ?? [] });
    router.add(metricsRoute({ token: config.metrics.token, render: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }) }));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`config error: sfu.port: cannot listen on ${config.sfu.host}:${config.sfu.port} (${e.code})`)));
      server!.listen(config.sfu.port, config.sfu.host, () => resolve());
    });
  } catch (e) {
    await closer.close();
    throw e;
  }
  const port = (server.address() as { port: number }).port;
  const host = config.sfu.host === '0.0.0.0' || config.sfu.host === '::' ? '127.0.0.1' : config.sfu.host;
  const url = `${config.sfu.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return {
    url,
    port,
    pool,
    cameras,
    signaling,
    db: db!,
    residents: residents!,
    router,
    audit: audit!,
    auth: auth!,
    bookmarks: bookmarks!,
    health: health!,
    displays: displays!,
    stationCameras: station!.manager,
    city: { ward: wardLink, centre: centreLink },
    close: () => closer.close(),
  };
}
