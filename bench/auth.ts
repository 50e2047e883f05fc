/**
 * `npm run bench:auth`: the cost of access control. Login (scrypt) latency; a signed-in request
 * (token MAC + session and user lookup + rights) against a public one on the same server; audit
 * appends per second (hash chain, IMMEDIATE transaction, WAL) and the time to verify the chain.
 * Prints one JSON line last. Options (env): BENCH_REQUESTS (default 500), BENCH_APPENDS (default 10000).
 *
 * `--smoke`: 3 logins, 20 requests of each kind, 200 appends (the env options still override it),
 * to check the bench runs; its numbers are not measurements.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSystem } from '@wardwall/testing/system';
import { openAppDb } from '@wardwall/server-kit';
import { AuditLog } from '@wardwall/accounts';
import { benchOption, bySmoke, pct, round1, SMOKE_FIELD } from './common.js';

const REQUESTS = benchOption('BENCH_REQUESTS', 500, 20);
const APPENDS = benchOption('BENCH_APPENDS', 10000, 200);
const LOGINS = bySmoke(20, 3);

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function main(): Promise<void> {
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, auth: true });
  try {
    const login = await timed(LOGINS, () => sys.signIn());
    const cookie = await sys.signIn();
    const pub = await timed(REQUESTS, async () => (await fetch(`${sys.url}api/health`)).arrayBuffer());
    const authed = await timed(REQUESTS, async () => (await fetch(`${sys.url}api/auth/me`, { headers: { cookie } })).arrayBuffer());
    const db = openAppDb(mkdtempSync(join(tmpdir(), 'wardwall-bench-audit-')));
    const audit = new AuditLog(db);
    const t0 = performance.now();
    for (let i = 0; i < APPENDS; i++) audit.append({ name: 'bench', sessionId: 'abcdefgh' }, 'live_start', 'demo-1', { stream: 'main', i });
    const appendMs = performance.now() - t0;
    const t1 = performance.now();
    const v = audit.verify();
    const verifyMs = performance.now() - t1;
    db.close();
    if (v.broken || v.entries !== APPENDS) throw new Error('chain broken');
    console.log(
      JSON.stringify({
        ...SMOKE_FIELD,
        login_p50_ms: round1(pct(login, 50)),
        login_p95_ms: round1(pct(login, 95)),
        public_request_p50_ms: round1(pct(pub, 50)),
        signed_in_request_p50_ms: round1(pct(authed, 50)),
        signed_in_request_p95_ms: round1(pct(authed, 95)),
        audit_appends_per_s: Math.round(APPENDS / (appendMs / 1000)),
        audit_verify_ms_per_10k: round1((verifyMs * 10000) / APPENDS),
      }),
    );
  } finally {
    await sys.close();
  }
}

await main();
