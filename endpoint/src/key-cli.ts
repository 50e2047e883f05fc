/**
 * `npm run endpoint:key [-- --config FILE] [name…]`: prints the publish URLs (RTSP and RTMP, with
 * the path's key) of stream paths on the embedded endpoint — by default of every path the config's
 * cameras pull from it — for the operator who sets up a publisher (a phone, an encoder). The keys
 * derive from the endpoint secret (endpoint-secret.ts); they change only if that file is replaced.
 * Prints secrets to the terminal on purpose; nothing is logged.
 */
import { endpointEnabled } from '@wardwall/common';
import { loadConfigOrExit } from '@wardwall/server-kit';
import { endpointPublishUrl } from './embedded.js';
import { endpointSecretPath, loadEndpointSecret } from './endpoint-secret.js';
import { openPublishPaths } from './publish-gate.js';

const config = loadConfigOrExit();
if (!endpointEnabled(config)) {
  process.stderr.write('the embedded endpoint is off for this config (endpoint.enabled)\n');
  process.exit(2);
}
const args = process.argv.slice(2).filter((a, i, all) => a !== '--config' && all[i - 1] !== '--config');
const open = openPublishPaths(config).map((p) => p.replace(/^live\//, ''));
const names = args.length ? args : open;
const secret = loadEndpointSecret(endpointSecretPath(config));
for (const name of names) {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name) || name.startsWith('rk_') || name.startsWith('rs_')) {
    process.stderr.write(`${name}: not a plain stream name\n`);
    process.exitCode = 2;
    continue;
  }
  if (!open.includes(name)) process.stderr.write(`${name}: no camera of this config pulls live/${name} from the endpoint; a publish there is refused until one does\n`);
  process.stdout.write(`${name}\n  ${endpointPublishUrl(config, secret, name, 'rtsp')}\n  ${endpointPublishUrl(config, secret, name, 'rtmp')}\n`);
}
