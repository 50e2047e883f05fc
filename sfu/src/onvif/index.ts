/** ONVIF discovery and "Add" in the admin page (docs/cameras.md, "ONVIF discovery"). */
import type { Logger } from 'pino';
import type { Router } from '@wardwall/server-kit';
import type { CameraManager } from '../cameras/index.js';
import { onvifRoutes } from './onvif-routes.js';

export function installOnvif(deps: { router: Router; manager: CameraManager; log: Logger }): void {
  deps.router.add(...onvifRoutes({ manager: deps.manager, log: deps.log }));
}
