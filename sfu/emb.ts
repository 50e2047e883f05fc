import { resolveConfig } from '@wardwall/common';
import { createLogger } from '@wardwall/common/node';
import { startEmbedded } from './src/endpoint/embedded.ts';
const config = resolveConfig({ demo: { count: 1, withSubStream: 0 }, endpoint: { rtspPort: 18554, rtmpPort: 19351, httpPort: 18555 } });
const e = await startEmbedded(config, createLogger('t', 'warn'));
setTimeout(async () => { await e.close(); process.exit(0); }, 30000);
