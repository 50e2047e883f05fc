/**
 * `npm run bench:audit`: the keyed audit trail's costs. Appends/s (HMAC, one IMMEDIATE transaction
 * each), verify ms per 10,000 entries, signing + writing one head, and the recorder's path: appends
 * through the SFU's internal endpoint (HTTP on loopback, service token, zod, HMAC append) with the
 * recorder's own client. Prints JSON. Loopback only, bounded counts.
 *
 * `--smoke`: every part at a small count (200 appends, 10 heads, 50 appends through the SFU), to
 * check the bench runs; its numbers are not measurements.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveConfig } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import { openAppDb } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { internalAuditRoutes } from '../sfu/src/audit/index.js';
import { HeadWriter } from '@wardwall/accounts';
import { Router } from '@wardwall/server-kit';
import { SERVICE_HEADER, verifyServiceToken } from '@wardwall/accounts';
import { sfuAuditClient } from '@wardwall/accounts';
import { bySmoke, round1, SMOKE_FIELD } from './common.js';

const APPENDS = bySmoke(5000, 200);
const HTTP_APPENDS = bySmoke(1000, 50);
const HEADS = bySmoke(100, 10);

const dir = mkdtempSync(join(tmpdir(), 'wardwall-bench-audit-'));
const db = openAppDb(dir);
const audit = new AuditLog(db);
let t = performance.now();
for (let i = 0; i < APPENDS; i++) audit.append({ name: 'bench', sessionId: 'abcdefgh' }, 'playback', 'demo-1', { from: i, to: i + 1000, via: 'playlist' });
const appendMs = performance.now() - t;
t = performance.now();
const v = audit.verify();
const verifyMs = performance.now() - t;
if (v.broken) throw new Error('chain broken');
const head = new HeadWriter({ tail: () => audit.tail(), keyedFrom: audit.keyedFrom, key: audit.key, file: `${dir}.audit-head.json`, everyMs: 1000, webhook: null, log: null });
t = performance.now();
for (let i = 0; i < HEADS; i++) {
  audit.append('bench', 'playback', null, {});
  head.writeNow();
}
const headMs = (performance.now() - t) / HEADS;

// The recorder's path: its client → the SFU's internal endpoint.
const secret = randomBytes(32);
const router = new Router().add(...internalAuditRoutes(audit, (req) => typeof req.headers[SERVICE_HEADER] === 'string' && verifyServiceToken(secret, req.headers[SERVICE_HEADER] as string, Date.now())));
const server = createServer((req, res) => {
  void router.handle(req, res, new URL(req.url ?? '/', 'http://x')).catch((e: { status?: number }) => {
    res.writeHead(e.status ?? 500).end();
  });
});
const port = await freeTcpPort();
await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
const config = resolveConfig({ sfu: { host: '127.0.0.1', port, dataDir: dir } });
const client = sfuAuditClient(config, secret, createLogger('bench', 'silent'));
const lat: number[] = [];
t = performance.now();
for (let i = 0; i < HTTP_APPENDS; i++) {
  const t0 = performance.now();
  await client.append({ user: 'bench', session: 'abcdefgh', action: 'playback', camera: 'demo-1', detail: { from: i, to: i + 1, via: 'segment', segment: i } });
  lat.push(performance.now() - t0);
}
const httpMs = performance.now() - t;
server.close();
lat.sort((a, b) => a - b);
db.close();
process.stdout.write(
  `${JSON.stringify(
    {
      ...SMOKE_FIELD,
      audit_appends_per_s: Math.round(APPENDS / (appendMs / 1000)),
      audit_verify_ms_per_10k: round1((verifyMs * 10000) / v.entries),
      head_sign_and_write_ms: round1(headMs),
      recorder_appends_through_sfu_per_s: Math.round(HTTP_APPENDS / (httpMs / 1000)),
      recorder_append_latency_ms: { p50: round1(lat[Math.floor(lat.length / 2)]!), p95: round1(lat[Math.floor(lat.length * 0.95)]!) },
    },
    null,
    2,
  )}\n`,
);
