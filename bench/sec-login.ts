/**
 * `npm run bench:sec-login`: what a guessing attack costs the SFU now. Thirty parallel attempts for
 * one name (how many were evaluated, how long the burst took); the latency of an evaluated failure
 * (scrypt) against an attempt refused under the lock (no hash, no audit row) and a request refused
 * by the per-address rate limit; audit rows written per 1,000 refused attempts. Prints one JSON
 * line last. Option (env): BENCH_REFUSED (default 1000).
 *
 * `--smoke`: the same steps with 20 refused attempts of each kind (BENCH_REFUSED still overrides
 * it), to check the bench runs; its numbers are not measurements.
 */
import { request } from 'node:http';
import { createUser, startTestSystem } from '@wardwall/testing/system';
import { benchOption, pct, round1, SMOKE_FIELD } from './common.js';

const REFUSED = benchOption('BENCH_REFUSED', 1000, 20);

function post(port: number, from: string, path: string, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, localAddress: from, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function main(): Promise<void> {
  const sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    auth: { lockout: { maxFailuresPerUser: 5, maxFailuresPerAddress: 10000, windowMs: 600_000, lockoutMs: 600_000 } },
    patch: (c) => void (c.auth.rateLimit = { perMinute: 100_000, burst: 100_000 }),
  });
  try {
    for (const u of ['victim', 'probe']) await createUser(sys, { username: u, role: 'operator' });
    const port = sys.sfu.port;
    const login = (from: string, username: string, password: string) => post(port, from, '/api/auth/login', { username, password });
    // 1) Thirty at once, the right password last.
    const t0 = performance.now();
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => login('127.0.0.2', 'victim', i === 29 ? 'victim-password' : `guess-${i}`)));
    const burstMs = performance.now() - t0;
    // 2) Evaluated failures (scrypt) for another name: 4 (short of its lock).
    const evaluated = await timed(4, (i) => login('127.0.0.3', 'probe', `wrong-${i}`));
    // 3) Refused under the lock: no hash, at most one audit row.
    const before = sys.sfu.audit.query({ limit: 1 }).entries[0]!.seq;
    const refused = await timed(REFUSED, (i) => login(`127.0.3.${1 + (i % 200)}`, 'victim', `x${i}`));
    const auditRows = sys.sfu.audit.query({ limit: 1000 }).entries.filter((e) => e.seq > before).length;
    await sys.close();
    // 4) Refused by the per-address rate limit (a system with the default limit).
    const sys2 = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, auth: true, patch: (c) => void (c.auth.rateLimit = { perMinute: 120, burst: 30 }) });
    let limited: number[] = [];
    try {
      for (let i = 0; i < 30; i++) await post(sys2.sfu.port, '127.0.0.4', '/api/auth/login', { username: 'x', password: 'y' });
      limited = await timed(REFUSED, () => post(sys2.sfu.port, '127.0.0.4', '/api/auth/login', { username: 'x', password: 'y' }));
    } finally {
      await sys2.close();
    }
    const result = {
      ...SMOKE_FIELD,
      burst_attempts: 30,
      burst_evaluated: burst.filter((s) => s === 401 || s === 200).length,
      burst_refused_429: burst.filter((s) => s === 429).length,
      burst_right_password_status: burst[29],
      burst_ms: round1(burstMs),
      evaluated_failure_p50_ms: round1(pct(evaluated, 50)),
      refused_locked_p50_ms: round1(pct(refused, 50)),
      refused_locked_p95_ms: round1(pct(refused, 95)),
      refused_attempts: REFUSED,
      audit_rows_for_refused: auditRows,
      rate_limited_p50_ms: round1(pct(limited, 50)),
      rate_limited_p95_ms: round1(pct(limited, 95)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await sys.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
