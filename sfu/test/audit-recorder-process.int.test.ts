/**
 * The recorder as its own process (as `npm start` runs it), traced with strace: it serves audited
 * playback while it never opens the audit chain key and opens the SFU's database file read-only
 * only; its entries reach the trail through the SFU's internal endpoint (service token), which
 * accepts only the recorder's own actions and refuses calls without a valid token. The chain key
 * file is 0600.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createUser, startTestSystem, waitFor } from '@wardwall/testing/system';
import { chainKeyPath } from '@wardwall/accounts';
import { SERVICE_HEADER, signServiceToken } from '@wardwall/accounts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the recorder process never reads the chain key and opens the SFU database read-only; it appends through the SFU', { timeout: 180_000 }, async (t) => {
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true, segmentSeconds: 2 });
  t.after(() => sys.close());
  const keyFile = chainKeyPath(sys.config);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the chain key is 0600');
  assert.notEqual(readFileSync(keyFile, 'utf8'), readFileSync(join(sys.config.sfu.dataDir, 'auth-secret'), 'utf8'), 'not the token secret the recorder shares');
  // The in-process recorder makes way for a real one.
  await sys.recorder!.close();
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-recproc-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(sys.config));
  const trace = join(dir, 'trace.txt');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDWALL_')));
  const strace = spawn('strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2', '-o', trace, process.execPath, '--import', 'tsx', 'recorder/src/main.ts', '--config', configFile], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => strace.once('exit', () => r()));
  const recorderPid = () => Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(strace.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
  t.after(async () => {
    try {
      process.kill(recorderPid(), 'SIGTERM');
    } catch {
      /* gone */
    }
    await exited;
  });
  await createUser(sys, { username: 'watcher', role: 'operator' });
  const cookie = await sys.signIn('watcher', 'watcher-password');
  const base = `http://127.0.0.1:${sys.config.recorder.port}`;
  // Answering: 200 when every camera records, 503 (same body) while one does not yet.
  await waitFor('the recorder process answering', async () => [200, 503].includes((await fetch(`${base}/api/health`, { headers: { cookie } }).catch(() => null))?.status ?? 0), 60_000, 500);
  const seg = await waitFor('a closed segment', async () => {
    const r = await fetch(`${base}/api/recordings/demo-1/spans?from=${Date.now() - 600_000}&to=${Date.now()}`, { headers: { cookie } });
    const b = (await r.json()) as { spans?: { startMs: number; endMs: number }[] };
    const s = b.spans?.[b.spans.length - 1];
    return s && s.endMs - s.startMs > 3000 ? s : false;
  }, 60_000, 500);
  const pl = await fetch(new URL(`api/recordings/demo-1/playlist.m3u8?from=${seg.startMs}&to=${seg.endMs}`, sys.url), { headers: { cookie } });
  assert.equal(pl.status, 200, await pl.clone().text());
  const entries = sys.sfu.audit.query({ user: 'watcher', action: 'playback', limit: 10 }).entries;
  assert.equal(entries.length, 1, 'audited through the SFU');
  assert.equal(entries[0]!.camera, 'demo-1');

  // The internal endpoint: service token required; only the recorder's actions.
  const post = (headers: Record<string, string>, body: unknown) => fetch(new URL('api/internal/audit', sys.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const entry = { user: 'x', action: 'playback', camera: 'demo-1', detail: {} };
  assert.equal((await post({}, entry)).status, 401);
  assert.equal((await post({ cookie }, entry)).status, 401, 'a session is not enough');
  assert.equal((await post({ [SERVICE_HEADER]: signServiceToken(randomBytes(32), Date.now()) }, entry)).status, 401, 'forged');
  const secret = Buffer.from(readFileSync(join(sys.config.sfu.dataDir, 'auth-secret'), 'utf8').trim(), 'hex');
  const svc = { [SERVICE_HEADER]: signServiceToken(secret, Date.now()) };
  assert.equal((await post(svc, { ...entry, action: 'login' })).status, 400, 'not a recorder action');
  assert.equal((await post(svc, entry)).status, 201);

  process.kill(recorderPid(), 'SIGTERM');
  await exited;
  const opens = readFileSync(trace, 'utf8').split('\n');
  assert.ok(opens.some((l) => l.includes('recorder/src/main.ts') || l.includes('access.ts')), 'the trace saw the recorder start');
  assert.deepEqual(opens.filter((l) => l.includes(keyFile)), [], 'the chain key file is never opened');
  const dbOpens = opens.filter((l) => l.includes(`${join(sys.config.sfu.dataDir, 'wardwall.db')}"`));
  assert.ok(dbOpens.length >= 1, 'the account store was read');
  assert.deepEqual(dbOpens.filter((l) => !/O_RDONLY/.test(l) || /O_RDWR|O_WRONLY|O_CREAT/.test(l)), [], 'read-only opens only');
});

test('with sfu.tls the recorder appends over HTTPS, trusting the SFU\'s own certificate', { timeout: 120_000 }, async (t) => {
  const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true, auth: true, segmentSeconds: 2, tls: 'self-signed' });
  t.after(() => sys.close());
  await createUser(sys, { username: 'tlsviewer', role: 'operator' });
  // Sign in on the SFU's TLS port through the in-process API (the test's fetch does not trust the certificate).
  const login = await sys.sfu.auth.service!.login('tlsviewer', 'tlsviewer-password', { address: '127.0.0.1', userAgent: null });
  const cookie = `ww_session=${login.token}`;
  const base = `http://127.0.0.1:${sys.config.recorder.port}`;
  const seg = await waitFor('a closed segment', () => sys.recorder!.store.db.overlapping('demo-1', Date.now() - 600_000, Date.now()).find((s) => !s.open) ?? false, 60_000, 250);
  const pl = await fetch(`${base}/api/recordings/demo-1/playlist.m3u8?from=${seg.startMs}&to=${seg.endMs}`, { headers: { cookie } });
  assert.equal(pl.status, 200, await pl.clone().text());
  const entries = sys.sfu.audit.query({ user: 'tlsviewer', action: 'playback', limit: 10 }).entries;
  assert.equal(entries.length, 1, 'appended over HTTPS');
});
