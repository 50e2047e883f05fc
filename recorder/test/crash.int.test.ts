/**
 * kill -9 of the recorder process while it records (the recorder runs as a child process, ended by
 * PID): its ffmpeg does not live on as an orphan, and after a restart the footage up to about 2 s
 * before the kill is indexed and plays (ffprobe), and recording resumes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSegmentFileName } from '../src/store/naming.js';
import { alive, childPids, getJson, probe, sleep, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

const root = join(import.meta.dirname, '..', '..');

function startChild(configFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'recorder/src/main.ts', '--config', configFile], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, WARDWALL_LOG_LEVEL: 'warn' } });
  child.stderr!.on('data', () => {});
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const done = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  await Promise.race([done, sleep(8000)]);
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

test('kill -9 while recording: no orphan ffmpeg, footage up to ~2 s before the kill plays, recording resumes', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 1, dataDir: join(dir.path, 'store'), segmentSeconds: 6 });
  const configFile = join(dir.path, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const cams = await startCameras(config);
  const base = `http://127.0.0.1:${config.recorder.port}`;
  let child = startChild(configFile);
  const strays: number[] = [];
  t.after(async () => {
    await stopChild(child);
    for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await cams.close();
    dir.remove();
  });

  const t0 = Date.now();
  await waitFor('the recorder to record 9 s', async () => (await spans(base, 'demo-1', t0 - 5000, Date.now())).recordedMs >= 9000, 40000, 500);
  // Kill in the middle of a 6 s segment.
  await waitFor('mid-segment', () => Date.now() % 6000 > 3500 && Date.now() % 6000 < 4500, 7000, 50);
  const ffmpegPids = childPids(child.pid!);
  assert.ok(ffmpegPids.length >= 1, 'the recorder runs ffmpeg');
  strays.push(...ffmpegPids);
  const tKill = Date.now();
  process.kill(child.pid!, 'SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  await waitFor('the orphaned ffmpeg to end (SIGPIPE on its progress pipe)', () => ffmpegPids.every((p) => !alive(p)), 5000, 100);

  // A segment was being written: it is still in .incoming.
  const incoming = join(dir.path, 'store', 'demo-1', '.incoming');
  assert.ok(readdirSync(incoming).some((n) => n.endsWith('.mp4')), 'the crash left an unfinished segment');

  if (process.env.CRASH_DEBUG) {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir.path, 'store', 'index.sqlite'), { readonly: true });
    process.stderr.write(JSON.stringify(db.prepare('SELECT start_ms - ? s, end_ms - ? e, open, path FROM segments ORDER BY start_ms').all(tKill, tKill)) + '\n');
    process.stderr.write(JSON.stringify(readdirSync(incoming).map((n) => [n, (readFileSync(join(incoming, n)) as Buffer).length])) + '\n');
    for (const n of readdirSync(incoming)) if (n.endsWith('.csv')) process.stderr.write(readFileSync(join(incoming, n), 'utf8'));
    db.close();
  }
  child = startChild(configFile);
  // Answering (200 when its camera records, 503 until then): the leftovers were repaired at start.
  await waitFor('the restarted recorder', async () => [200, 503].includes((await getJson(`${base}/api/health`)).status), 20000, 250);
  assert.ok(!readdirSync(incoming).some((n) => n.endsWith('.mp4') && !n.startsWith(newestRunPrefix(incoming))), 'leftovers were repaired and moved');

  const s = await spans(base, 'demo-1', t0 - 5000, tKill);
  const last = s.spans[s.spans.length - 1]!;
  process.stderr.write(`kill at ${tKill}; spans ${JSON.stringify(s.spans.map((x) => [x.startMs - tKill, x.endMs - tKill]))}\n`);
  assert.ok(last.endMs >= tKill - 2000, `footage up to ${tKill - last.endMs} ms before the kill is indexed`);
  assert.equal(s.spans.length, 1, `no hole before the kill: ${JSON.stringify(s.spans)}`);

  // The repaired segment plays up to that point.
  const day = readdirSync(join(dir.path, 'store', 'demo-1')).find((d) => /^\d{4}-/.test(d))!;
  const files = readdirSync(join(dir.path, 'store', 'demo-1', day))
    .map((n) => ({ n, p: parseSegmentFileName(n)! }))
    .filter((f) => f.p && f.p.startMs < tKill)
    .sort((a, b) => a.p.startMs - b.p.startMs);
  const crashed = files[files.length - 1]!;
  const pr = await probe(join(dir.path, 'store', 'demo-1', day, crashed.n));
  assert.ok(pr.frames >= Math.floor(pr.duration * 25) - 2 && pr.frames > 25, `it decodes: ${JSON.stringify(pr)}`);
  assert.ok(crashed.p.startMs + pr.duration * 1000 >= tKill - 2000, `it plays until ${tKill - crashed.p.startMs - pr.duration * 1000} ms before the kill`);

  // Recording resumes.
  const tRestart = Date.now();
  await waitFor('recording after the restart', async () => (await spans(base, 'demo-1', tRestart, Date.now())).recordedMs >= 3000, 30000, 500);
});

/** Files of the run that is writing now share the newest run id. */
function newestRunPrefix(dir: string): string {
  const runs = readdirSync(dir).filter((n) => n.endsWith('.mp4')).map((n) => n.split('_')[0]!).sort();
  return runs[runs.length - 1] ?? '\0';
}
