/**
 * The embedded endpoint as a service of its own (wardwall-endpoint.service, docs/operations.md):
 * `node --conditions=wardwall-dist endpoint/dist/service-main.js [--config file]` (from source:
 * `node --import tsx endpoint/src/service-main.ts`). What `npm start` hosts in its launcher:
 * the RTSP/RTMP endpoint (its own supervised child) and, when the config has them, the demo
 * cameras publishing into it. Logs are JSON lines on stdout (journald under systemd). When the
 * config turns the endpoint off there is nothing to run: it says so and exits 0.
 */
import { endpointEnabled } from '@wardwall/common';
import { createLogger, expectShutdown, loadConfigOrExit } from '@wardwall/server-kit';
import { startEmbedded, type Embedded } from './embedded.js';

const config = loadConfigOrExit();
const log = createLogger('endpoint-service', config.log.level);
process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));

if (!endpointEnabled(config)) {
  log.info('the embedded endpoint is off in this config (endpoint.enabled); nothing to run');
  process.exit(0);
}

let embedded: Embedded;
try {
  embedded = await startEmbedded(config, log);
} catch (e) {
  log.fatal({ err: e }, 'the endpoint failed to start');
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit((e as Error).message.startsWith('config error') ? 2 : 1);
}
log.info({ rtsp: `${config.endpoint.host}:${config.endpoint.rtspPort}`, demo: embedded.demo !== null }, 'endpoint service ready');

let stopping = false;
async function stop(): Promise<void> {
  expectShutdown();
  if (stopping) return;
  stopping = true;
  await embedded.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
