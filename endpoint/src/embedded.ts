/**
 * The embedded default: the RTSP/RTMP endpoint plus the demo cameras publishing to it, as set by
 * the config. Used by `npm start` and by tests.
 */
import type { Logger } from 'pino';
import { demoCameras, demoEnabled, endpointEnabled, type Config } from '@wardwall/common';
import { DemoCameras, DEFAULT_FONT } from './demo/demo-cameras.js';
import { EmbeddedEndpoint } from './embedded-endpoint.js';
import { openPublishPaths } from './publish-gate.js';
import { resolve } from 'node:path';
import { sfuDbPath } from '@wardwall/common/node';
import { endpointSecretPath, loadEndpointSecret, publishKey } from './endpoint-secret.js';

/** rtsp://publish:<key>@host:port/live/<name> or rtmp://host:port/live/<name>?key=<key>. */
export function endpointPublishUrl(config: Readonly<Config>, secret: Buffer, name: string, protocol: 'rtsp' | 'rtmp' = 'rtsp'): string {
  const { host, rtspPort, rtmpPort } = config.endpoint;
  const h = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const key = publishKey(secret, `live/${name}`);
  return protocol === 'rtsp' ? `rtsp://publish:${key}@${h}:${rtspPort}/live/${name}` : `rtmp://${h}:${rtmpPort}/live/${name}?key=${key}`;
}

export interface Embedded {
  endpoint: EmbeddedEndpoint | null;
  demo: DemoCameras | null;
  /**
   * The URL that publishes `live/<name>` to the embedded endpoint with the path's key as RTSP Basic
   * credentials (for the demo cameras and tests; a configured camera's publisher gets the same from
   * `npm run endpoint:key`). Throws when the endpoint is off.
   */
  publishUrl(name: string, protocol?: 'rtsp' | 'rtmp'): string;
  close(): Promise<void>;
}

export async function startEmbedded(config: Config, log: Logger, opts: { onLogLine?: (line: string) => void } = {}): Promise<Embedded> {
  let endpoint: EmbeddedEndpoint | null = null;
  let demo: DemoCameras | null = null;
  const secretFile = endpointSecretPath(config);
  const secret = endpointEnabled(config) ? loadEndpointSecret(secretFile) : null;
  const publishUrl = (name: string, protocol: 'rtsp' | 'rtmp' = 'rtsp'): string => {
    if (!secret) throw new Error('the embedded endpoint is off');
    return endpointPublishUrl(config, secret, name, protocol);
  };
  if (endpointEnabled(config)) {
    const { host, rtspPort, rtmpPort, httpPort } = config.endpoint;
    endpoint = await EmbeddedEndpoint.start({
      host,
      rtspPort,
      rtmpPort,
      httpPort,
      log: log.child({ part: 'endpoint' }),
      openPaths: openPublishPaths(config),
      residentDb: config.sfu.dataDir === ':memory:' ? undefined : sfuDbPath(resolve(config.sfu.dataDir)),
      syncMs: config.residents.syncMs,
      secretFile,
      ...opts,
    });
  }
  if (demoEnabled(config)) {
    if (!endpoint) throw new Error('config error: endpoint.enabled: the demo cameras need the embedded endpoint');
    const d = config.demo;
    demo = new DemoCameras(
      demoCameras(config).map((cam, index) => ({
        id: cam.id,
        name: cam.name,
        index,
        width: d.width,
        height: d.height,
        fps: d.fps,
        gopFrames: d.gopFrames,
        bitrateKbps: d.bitrateKbps,
        mainUrl: publishUrl(cam.id),
        ...(cam.sub ? { subUrl: publishUrl(`${cam.id}-sub`) } : {}),
        fontFile: DEFAULT_FONT,
      })),
      log.child({ part: 'demo' }),
    );
    demo.startAll();
  }
  return {
    endpoint,
    demo,
    publishUrl,
    async close() {
      await demo?.close();
      await endpoint?.close();
    },
  };
}
