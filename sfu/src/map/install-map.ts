/**
 * The ward map: the background image (a configured image/SVG file, or a generated schematic) and
 * the neighbour graph of follow mode (explicit or derived from positions; carried by CameraInfo).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError, DEMO_STREETS, demoEnabled, effectiveCameras, resolveNeighbours, type CameraConfig, type Config } from '@wardwall/common';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { Router } from '@wardwall/server-kit';
import { schematicSvg } from './schematic.js';

const IMAGE_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};
const MAX_BACKGROUND_BYTES = 20 * 1024 * 1024;

export interface MapBackground {
  type: string;
  body: Buffer;
}

/** Reads the configured background once (a bad file refuses to start, naming the key). */
export function loadMapBackground(config: Readonly<Config>): MapBackground {
  const path = config.map.background;
  if (path === null) {
    const streets = demoEnabled(config) ? DEMO_STREETS : [];
    return { type: 'image/svg+xml', body: Buffer.from(schematicSvg(streets, 'Phường'), 'utf8') };
  }
  const type = IMAGE_TYPES[extname(path).toLowerCase()];
  if (!type) throw new ConfigError('map.background', `must be an .svg, .png, .jpg or .webp file`);
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (e) {
    throw new ConfigError('map.background', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (body.length > MAX_BACKGROUND_BYTES) throw new ConfigError('map.background', `larger than ${MAX_BACKGROUND_BYTES} bytes`);
  return { type, body };
}

export function installMap(deps: { config: Readonly<Config>; cameras: CameraRegistry; router: Router; list?: readonly CameraConfig[] }): { close(): void } {
  const { config, cameras, router } = deps;
  // The station's camera list keeps the graph up to date when it changes (cameras/camera-manager.ts).
  cameras.setNeighbours(resolveNeighbours([...(deps.list ?? effectiveCameras(config))], config.map.neighbourDistance));
  const background = loadMapBackground(config);
  router.add(
    {
      method: 'GET',
      path: '/api/map/background',
      access: 'session',
      handle: ({ req, res }) => {
        res.writeHead(200, {
          'content-type': background.type,
          'content-length': background.body.length,
          'cache-control': 'private, max-age=300',
          // An SVG opened directly must not run anything it carries.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : background.body);
      },
    },
  );
  return { close() {} };
}
