/**
 * Resident cameras in the SFU: the registry (SQLite, admin REST routes, the owner's page) and the
 * live side (approved cameras join the camera registry at runtime). The embedded endpoint and the
 * recorder read the same registry themselves (common/src/node/resident-rows.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '@wardwall/common';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { Router } from '@wardwall/server-kit';
import type { AppDb } from '@wardwall/server-kit';
import { ResidentStore } from './store.js';
import { residentRoutes, type ResidentChange } from './routes.js';
import { ResidentWallSync } from './wall-sync.js';

export interface ResidentsDeps {
  config: Readonly<Config>;
  db: AppDb;
  router: Router;
  cameras: CameraRegistry;
  /** Ids of the cameras from the config (resident cameras may not take them). */
  configIds: readonly string[];
  log: Logger;
  /** Audit hook: every change of the registry. */
  onChanged?: (e: ResidentChange) => void;
}

export interface Residents {
  store: ResidentStore;
  /** Resolves once the wall reflects the registry. */
  ready: Promise<void>;
  /**
   * Resident cameras whose footage the recorder keeps reviewable (every registry entry except
   * "on request"), also those never live: access rights and the viewer's camera list cover them.
   */
  reviewableIds(): string[];
  close(): void;
}

export function installResidents(deps: ResidentsDeps): Residents {
  const { config, log } = deps;
  const reserved = new Set(deps.configIds);
  const store = new ResidentStore(deps.db, () => reserved, { retentionDays: config.residents.defaultRetentionDays, ownerLinkMs: Math.round(config.residents.ownerLinkDays * 86_400_000) });
  const wall = new ResidentWallSync(deps.cameras, () => store.sourceRows(), config.endpoint, log);
  deps.router.add(
    ...residentRoutes({
      store,
      changed: () => wall.sync(),
      push: { host: config.residents.pushHost ?? config.endpoint.host, rtmpPort: config.endpoint.rtmpPort, rtspPort: config.endpoint.rtspPort },
      log,
      ...(deps.onChanged ? { onChanged: deps.onChanged } : {}),
    }),
  );
  return {
    store,
    ready: wall.sync(),
    reviewableIds: () => store.sourceRows().filter((r) => r.sharing !== 'on_request').map((r) => r.id),
    close: () => wall.close(),
  };
}
