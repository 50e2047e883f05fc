/**
 * The embedded endpoint's process: `node --import tsx sfu/src/endpoint/endpoint-main.ts '<json>'`
 * with {host, rtspPort, rtmpPort, httpPort, logLevel}. Prints READY_LINE once listening; ends on
 * SIGTERM/SIGINT or when its parent goes away.
 */
import { createLogger } from '@wardwall/common/node';
import { EndpointServer } from './endpoint-server.js';

export const READY_LINE = 'WARDWALL-ENDPOINT-READY';

const opts = JSON.parse(process.argv[2] ?? '{}') as { host: string; rtspPort: number; rtmpPort: number; httpPort: number; logLevel?: string };
const log = createLogger('endpoint', opts.logLevel ?? 'info');
try {
  await EndpointServer.start({ ...opts, log });
  process.stdout.write(`${READY_LINE}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
// The parent closed our stdin: it is gone, so are we.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
