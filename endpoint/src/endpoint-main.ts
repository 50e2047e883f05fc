/**
 * The embedded endpoint's process: `node --import tsx endpoint/src/endpoint-main.ts '<json>'` (built: `node --conditions=wardwall-dist endpoint/dist/endpoint-main.js '<json>'`)
 * with {host, rtspPort, rtmpPort, httpPort, logLevel, openPaths, residentDb, syncMs, secretFile}
 * (no secret on the command line: the endpoint secret is read from `secretFile`, 0600). Prints
 * READY_LINE once listening; ends on SIGTERM/SIGINT or when its parent goes away. Supervised by
 * embedded-endpoint.ts (restarted with back-off). An exception that escapes the gates (the library
 * throwing from a timer or callback) is logged and does not end the process: one bad connection
 * must not take every camera down.
 *
 * Push admission reads the resident registry straight from the SFU's database (read-only), so it
 * needs no channel to the SFU (which is a sibling process under `npm start`), sees a key change at
 * the next publish, and keeps working while the SFU restarts.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { ResidentDbReader } from '@wardwall/common/node';
import { createLogger } from '@wardwall/server-kit';
import { EndpointServer } from './endpoint-server.js';
import { PublishGate } from './publish-gate.js';
import { loadEndpointSecret, publishKey, readAuth, sameSecret } from './endpoint-secret.js';

export const READY_LINE = 'WARDWALL-ENDPOINT-READY';

const port = z.number().int().min(1).max(65535);
export const endpointArgsSchema = z
  .object({
    host: z.string(),
    rtspPort: port,
    rtmpPort: port,
    httpPort: port,
    logLevel: z.string().optional(),
    /** Stream paths that may be published without a key (the configured cameras' own). */
    openPaths: z.array(z.string().max(512)).max(4096).default([]),
    /** The SFU database file holding the resident registry; null: no resident pushes. */
    residentDb: z.string().nullable().default(null),
    syncMs: z.number().int().min(100).default(2000),
    /** The endpoint secret's file (endpoint-secret.ts): read password and publish keys derive from it. */
    secretFile: z.string().min(1),
  })
  .strict();
export type EndpointArgs = z.input<typeof endpointArgsSchema>;

const parsed = endpointArgsSchema.safeParse(JSON.parse(process.argv[2] ?? '{}'));
if (!parsed.success) {
  process.stderr.write(`endpoint arguments: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}\n`);
  process.exit(2);
}
const opts = parsed.data;
const log = createLogger('endpoint', opts.logLevel ?? 'info');
const dbFile = opts.residentDb;
const reader = dbFile ? new ResidentDbReader(() => new Database(dbFile, { readonly: true, fileMustExist: true })) : null;
let caught = 0;
process.on('uncaughtException', (e) => {
  caught++;
  log.error({ err: e?.message?.slice(0, 300), stack: e?.stack?.split('\n').slice(0, 4).join(' | '), caught }, 'uncaught exception in the endpoint (process kept running)');
});
process.on('unhandledRejection', (e) => log.error({ err: String(e).slice(0, 300) }, 'unhandled rejection in the endpoint'));
const secret = loadEndpointSecret(opts.secretFile);
const read = readAuth(secret);
const gate = new PublishGate(opts.openPaths, reader, log.child({ part: 'publish-gate' }), opts.syncMs, (path) => publishKey(secret, path));
const mayRead = (c: { user: string; password: string } | null): boolean => c !== null && c.user === read.user && sameSecret(c.password, read.password);
try {
  await EndpointServer.start({ host: opts.host, rtspPort: opts.rtspPort, rtmpPort: opts.rtmpPort, httpPort: opts.httpPort, log, gate, mayRead });
  process.stdout.write(`${READY_LINE}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
// The parent is gone (we were re-parented): so are we.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
// Keep the process alive while the servers run (their handles do that too).
setInterval(() => undefined, 60000);
