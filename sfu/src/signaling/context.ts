import type { Logger } from 'pino';
import type { Config } from '@wardwall/common';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { WorkerPool } from '../media/worker-pool.js';
import type { AccessPolicy } from '@wardwall/accounts';
import type { AuditLog } from '@wardwall/accounts';
import type { CentreLink } from '../city/centre-link.js';

/** What message handlers may use: injected once by app.ts. */
export interface SignalingContext {
  config: Readonly<Config>;
  pool: WorkerPool;
  cameras: CameraRegistry;
  log: Logger;
  /** Every handler that touches a camera or a feature checks it here (`ctx.access.require(session.principal, …)`). */
  access: AccessPolicy;
  /** The audit trail (live view start/stop, and every feature's own entries). */
  audit: AuditLog;
  /** City centre (city.role 'centre'): consumes of a ward camera `<ward>/<camera>` go through it. */
  city?: CentreLink | null;
}
