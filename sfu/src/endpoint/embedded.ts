/**
 * The embedded default: the RTSP/RTMP endpoint plus the demo cameras publishing to it, as set by
 * the config. Used by `npm start` and by tests.
 */
import type { Logger } from 'pino';
import { demoCameras, demoEnabled, endpointEnabled, type Config } from '@wardwall/common';
import { DemoCameras, DEFAULT_FONT } from '../demo/demo-cameras.js';
import { EmbeddedEndpoint } from './embedded-endpoint.js';
import { openPublishPaths } from './publish-gate.js';
import { resolve } from 'node:path';
import { sfuDbPath } from '@wardwall/common/node';

export interface Embedded {
  endpoint: EmbeddedEndpoint | null;
  demo: DemoCameras | null;
  close(): Promise<void>;
}

export async function startEmbedded(config: Config, log: Logger, opts: { onLogLine?: (line: string) => void } = {}): Promise<Embedded> {
  let endpoint: EmbeddedEndpoint | null = null;
  let demo: DemoCameras | null = null;
  if (endpointEnabled(config)) {
    const { host, rtspPort, rtmpPort, httpPort } = config.endpoint;
    endpoint = await EmbeddedEndpoint.start({
      host: host === '0.0.0.0' ? '127.0.0.1' : host,
      rtspPort,
      rtmpPort,
      httpPort,
      log: log.child({ part: 'endpoint' }),
      openPaths: openPublishPaths(config),
      residentDb: config.sfu.dataDir === ':memory:' ? undefined : sfuDbPath(resolve(config.sfu.dataDir)),
      syncMs: config.residents.syncMs,
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
        mainUrl: cam.main,
        ...(cam.sub ? { subUrl: cam.sub } : {}),
        fontFile: DEFAULT_FONT,
      })),
      log.child({ part: 'demo' }),
    );
    demo.startAll();
  }
  return {
    endpoint,
    demo,
    async close() {
      await demo?.close();
      await endpoint?.close();
    },
  };
}
