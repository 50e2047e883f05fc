/**
 * Wiring of the SFU service: worker pool, camera registry (ingest + producers), HTTP (REST and
 * the built client) and the signaling WebSocket. `startSfu` is used by main.ts and by tests.
 */
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { effectiveCameras, type Config } from '@wardwall/common';
import type { Logger } from 'pino';
import { CameraRegistry } from './media/camera-registry.js';
import { WorkerPool } from './media/worker-pool.js';
import { coreRoutes, createRequestHandler, type RoutesContext } from './http/routes.js';
import { Router } from './http/router.js';
import { openAppDb, type AppDb } from './store/app-db.js';
import { OPEN_ACCESS } from './auth/access.js';
import { SignalingServer } from './signaling/ws-server.js';
import { installDisplays, type Displays } from './displays/install.js';

export interface Sfu {
  url: string;
  port: number;
  pool: WorkerPool;
  cameras: CameraRegistry;
  signaling: SignalingServer;
  /** The SFU's own SQLite database (features add their tables with `migrate`). */
  db: AppDb;
  /** The REST route table; features add their routes here. */
  router: Router;
  /** Duty-room displays, presets, tours; `displays.rules` takes camera alerts and urgent bookmarks. */
  displays: Displays;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../client/dist', import.meta.url));

export async function startSfu(config: Readonly<Config>, log: Logger, opts: { clientDir?: string } = {}): Promise<Sfu> {
  const size = config.sfu.workers || availableParallelism();
  const { rtcMinPort, rtcMaxPort, listenIp, announcedAddress, port: webrtcPort } = config.sfu.webrtc;
  const pool = await WorkerPool.create({ size, rtcMinPort, rtcMaxPort, webrtc: { listenIp, announcedAddress, port: webrtcPort }, log: log.child({ part: 'pool' }) });
  const cameras = new CameraRegistry(pool, config.sfu.ingest, log.child({ part: 'ingest' }));
  let server: Server | null = null;
  let signaling: SignalingServer | null = null;
  let db: AppDb | null = null;
  let displays: Displays | null = null;
  const router = new Router();
  try {
    db = openAppDb(config.sfu.dataDir);
    await cameras.add(effectiveCameras(config));
    const routesCtx: RoutesContext = {
      cameras,
      pool,
      clientDir: opts.clientDir ?? DEFAULT_CLIENT_DIR,
      log: log.child({ part: 'http' }),
      sessions: () => signaling?.sessionCount ?? 0,
      recorder: config.recorder.enabled ? { host: config.recorder.host, port: config.recorder.port } : null,
    };
    router.add(...coreRoutes(routesCtx));
    const handler = createRequestHandler(routesCtx, router);
    server = createServer((req, res) => void handler(req, res));
    server.headersTimeout = 10000;
    server.requestTimeout = 30000;
    signaling = new SignalingServer(server, { config, pool, cameras, log: log.child({ part: 'signaling' }), access: OPEN_ACCESS });
    displays = installDisplays({ db, router, signaling, cameraExists: (id) => cameras.has(id), log: log.child({ part: 'displays' }) });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`config error: sfu.port: cannot listen on ${config.sfu.host}:${config.sfu.port} (${e.code})`)));
      server!.listen(config.sfu.port, config.sfu.host, () => resolve());
    });
  } catch (e) {
    displays?.close();
    signaling?.close();
    server?.close();
    await cameras.close();
    pool.close();
    db?.close();
    throw e;
  }
  const port = (server.address() as { port: number }).port;
  const host = config.sfu.host === '0.0.0.0' || config.sfu.host === '::' ? '127.0.0.1' : config.sfu.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  let closed = false;
  return {
    url,
    port,
    pool,
    cameras,
    signaling,
    db: db!,
    router,
    displays: displays!,
    async close() {
      if (closed) return;
      closed = true;
      displays!.close();
      signaling!.close();
      server!.closeAllConnections?.();
      await new Promise<void>((r) => server!.close(() => r()));
      await cameras.close();
      pool.close();
      db!.close();
    },
  };
}
