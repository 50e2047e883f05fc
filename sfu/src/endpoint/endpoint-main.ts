/**
 * The embedded endpoint's process: `node --import tsx sfu/src/endpoint/endpoint-main.ts '<json>'`
 * with {host, rtspPort, rtmpPort, httpPort, logLevel, openPaths, residentDb, syncMs}. Prints
 * READY_LINE once listening; ends on SIGTERM/SIGINT or when its parent goes away.
 *
 * Push admission reads the resident registry straight from the SFU's database (read-only), so it
 * needs no channel to the SFU (which is a sibling process under `npm start`), sees a key change at
 * the next publish, and keeps working while the SFU restarts.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import { createLogger, ResidentDbReader } from '@wardwall/common/node';
import { EndpointServer } from './endpoint-server.js';
import { PublishGate } from './publish-gate.js';

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
const gate = new PublishGate(opts.openPaths, reader, log.child({ part: 'publish-gate' }), opts.syncMs);
try {
  await EndpointServer.start({ host: opts.host, rtspPort: opts.rtspPort, rtmpPort: opts.rtmpPort, httpPort: opts.httpPort, log, gate });
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
