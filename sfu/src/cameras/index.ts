/**
 * The station's cameras, managed live (docs/cameras.md, "Managing cameras"): stored in the SFU's
 * database, seeded from the config file at the first start, edited in the admin page.
 */
import type { Logger } from 'pino';
import { demoCameras, demoEnabled, type CameraConfig, type Config } from '@wardwall/common';
import type { AppDb, Router } from '@wardwall/server-kit';
import type { AuditLog } from '@wardwall/accounts';
import type { CameraRegistry } from '../media/camera-registry.js';
import { CameraStore } from './camera-store.js';
import { CameraManager } from './camera-manager.js';
import { cameraRoutes } from './camera-routes.js';

export { CameraManager, type NewCamera, type CameraPatch } from './camera-manager.js';
export type { CameraView } from './camera-view.js';
export type { CameraTestResult } from './camera-test.js';

export interface StationCameras {
  manager: CameraManager;
  /** The cameras running at start (stored + demo). */
  initial: CameraConfig[];
}

export async function installCameras(deps: {
  config: Readonly<Config>;
  db: AppDb;
  registry: CameraRegistry;
  router: Router;
  audit: AuditLog;
  log: Logger;
  pullUrl: (url: string) => string;
  reservedIds: () => readonly string[];
}): Promise<StationCameras> {
  const { config } = deps;
  const store = new CameraStore(deps.db);
  const manager = new CameraManager({
    store,
    registry: deps.registry,
    demo: demoEnabled(config as Config) ? demoCameras(config as Config) : [],
    audit: deps.audit,
    log: deps.log,
    neighbourDistance: config.map.neighbourDistance,
    reservedIds: deps.reservedIds,
  });
  await manager.start(config.cameras);
  deps.router.add(...cameraRoutes({ manager, pullUrl: deps.pullUrl }));
  return { manager, initial: manager.running() };
}
