/**
 * `npm start`'s launcher as a user runs it: prints the wall URL, serves live cameras, and Ctrl-C
 * (SIGINT) ends every process it started. Bad config refuses to start and names the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort } from '@wardwall/server-kit';
import { signIn, waitFor } from '@wardwall/testing/system';
import { processTree } from '@wardwall/testing/proc-stats';

const root = fileURLToPath(new URL('..', import.meta.url));

const descendants = (pid: number) => processTree(pid).filter((p) => p !== pid);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the launcher prints the URL, the wall serves live cameras, Ctrl-C stops every child', async () => {
  const [rtspPort, rtmpPort, httpPort, sfuPort, recPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-start-'));
  const cfg = join(dir, 'config.jsonc');
  writeFileSync(cfg, `// test config\n${JSON.stringify({ demo: { count: 2, withSubStream: 1 }, endpoint: { rtspPort, rtmpPort, httpPort }, sfu: { port: sfuPort, workers: 1, dataDir: join(dir, 'sfu'), webrtc: { port: 0 } }, recorder: { port: recPort, dataDir: join(dir, 'rec'), segmentSeconds: 4 }, log: { level: 'info' } })}\n`);
  // At info level (the test runner quiets services to warn through WARDWALL_LOG_LEVEL): the log file
  // then gets lines from the start, and must not get the admin's password.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--config', cfg], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WARDWALL_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const url = await waitFor('printed URL', () => /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 60000, 200);
  assert.equal(url, `http://127.0.0.1:${sfuPort}/`);
  // First start: the admin's random password is printed once on the console, never into the log file.
  const password = /Initial admin account: user "admin", password "([^"]+)"/.exec(out)?.[1];
  assert.ok(password, `printed admin password in: ${out}`);
  assert.equal((await fetch(`${url}api/cameras`)).status, 401, 'access control is on');
  const cookie = await signIn(url, 'admin', password);
  await waitFor('cameras live', async () => {
    const r = (await (await fetch(`${url}api/cameras`, { headers: { cookie } })).json()) as { cameras: { streams: { main: { state: string } } }[] };
    return r.cameras.length === 2 && r.cameras.every((c) => c.streams.main.state === 'live');
  }, 30000, 300);
  const html = await (await fetch(url)).text();
  assert.match(html, /<ww-app|<script/);
  // The recorder runs and is reachable; its health is 200 once every camera records (503 until then).
  await waitFor('the recorder recording (health 200)', async () => (await fetch(`${url}api/recorder/health`, { headers: { cookie } })).status === 200, 30000, 300);
  assert.equal((await fetch(`http://127.0.0.1:${recPort}/api/health`)).status, 401, 'the recorder checks sessions on its own port');
  const logFile = join(dir, 'logs', 'wardwall.log');
  await waitFor(`the log file ${logFile}`, () => existsSync(logFile), 10000, 100);
  assert.ok(!readFileSync(logFile, 'utf8').includes(password), 'the password is not in the log file');
  const kids = descendants(child.pid!);
  assert.ok(kids.length >= 6, `children: ${kids.length}`); // endpoint, 2 demo ffmpeg, sfu + worker + gst, recorder + ffmpeg
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  await waitFor('every child gone', () => kids.every((p) => !alive(p)), 10000, 200);
});

test('bad config refuses to start and names the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-start-'));
  const cfg = join(dir, 'bad.json');
  writeFileSync(cfg, JSON.stringify({ sfu: { port: 'eighty' } }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--config', cfg], { cwd: root, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /config error: sfu\.port/);
  const r2 = spawnSync(process.execPath, ['--import', 'tsx', 'sfu/src/main.ts', '--config', cfg], { cwd: root, encoding: 'utf8', timeout: 30000 });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /config error: sfu\.port/);
});

test('Ctrl-C in a terminal (SIGINT to the whole process group) stops cleanly: no WARN or ERROR line, exit code 0', async () => {
  const [rtspPort, rtmpPort, httpPort, sfuPort, recPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-start-'));
  const cfg = join(dir, 'config.jsonc');
  writeFileSync(cfg, JSON.stringify({ demo: { count: 3, withSubStream: 1 }, endpoint: { rtspPort, rtmpPort, httpPort }, sfu: { port: sfuPort, workers: 2, dataDir: join(dir, 'sfu'), webrtc: { port: 0 } }, recorder: { port: recPort, dataDir: join(dir, 'rec'), segmentSeconds: 4 }, log: { level: 'info' } }));
  // Its own process group, as a shell gives a foreground job: the terminal's Ctrl-C signals every
  // process of the group at once (the launcher, the services, every ffmpeg and GStreamer child).
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--config', cfg], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, WARDWALL_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  try {
    const url = await waitFor('printed URL', () => /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 60000, 200);
    const password = /Initial admin account: user "admin", password "([^"]+)"/.exec(out)?.[1];
    assert.ok(password, out);
    const cookie = await signIn(url, 'admin', password);
    await waitFor('cameras live', async () => {
      const r = (await (await fetch(`${url}api/cameras`, { headers: { cookie } })).json()) as { cameras: { streams: { main: { state: string } } }[] };
      return r.cameras.length === 3 && r.cameras.every((c) => c.streams.main.state === 'live');
    }, 60000, 300);
    // The recorder is writing too (its ffmpeg pulls are part of what Ctrl-C ends).
    await waitFor('recording', async () => (await fetch(`${url}api/recorder/health`, { headers: { cookie } })).status === 200, 20000, 300);
    await new Promise((r) => setTimeout(r, 3000));
    const kids = descendants(child.pid!);
    const before = out.length;
    process.kill(-child.pid!, 'SIGINT');
    const { code, signal } = await exited;
    await waitFor('every child gone', () => kids.every((p) => !alive(p)), 15000, 200);
    const after = out.slice(before);
    const noisy = after.split('\n').filter((l) => /\b(WARN|ERROR|FATAL)\b|warning|error/i.test(l));
    assert.deepEqual(noisy, [], `the console after Ctrl-C:\n${after}`);
    assert.equal(signal, null);
    assert.equal(code, 0);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
