/**
 * `npm start`: the whole system on one machine. Hosts the embedded RTSP endpoint and the demo
 * cameras itself, and runs the SFU and the recorder as child processes with the same config.
 * Ctrl-C (SIGINT) or SIGTERM stops every child it started, by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, expectShutdown, loadConfigOrExit } from '@wardwall/server-kit';
import { startEmbedded } from '@wardwall/endpoint';
import { LogRouter } from './log-router.js';
import { INITIAL_ADMIN_LINE } from '../sfu/src/auth/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();
const logFile = resolve(process.env.WARDWALL_LOG_FILE ?? join(dirname(resolve(config.recorder.dataDir)), 'logs', 'wardwall.log'));
const logs = new LogRouter(logFile, { maxBytes: config.log.fileMaxBytes, count: config.log.fileCount });
const log = createLogger('start', config.log.level, logs.destination('start'));

const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, entry: string, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...process.argv.slice(2)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  children.set(name, child);
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (onLine) onLine(line);
      else logs.line(name, line);
    }
  });
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      log.error({ child: name, code, signal }, 'a service exited; stopping everything');
      void stop(code ?? 1);
    }
  });
  return child;
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  // The demo cameras' publishers get a terminal's Ctrl-C too: their exit is expected. They are
  // stopped last (after the services that pull them), so a SIGTERM to the launcher alone ends
  // the consumers before the publishers.
  expectShutdown();
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  await embedded?.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

let embedded: Awaited<ReturnType<typeof startEmbedded>> | null = null;
try {
  embedded = await startEmbedded(config, log, { onLogLine: (line) => logs.line('endpoint', line) });
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
}

run('sfu', 'sfu/src/main.ts', (line) => {
  // The first admin's password: on the console once, never into the log file.
  if (line.startsWith(INITIAL_ADMIN_LINE)) process.stdout.write(`\n  ${line}\n`);
  else if (line.startsWith('SFU ready: ')) {
    const url = line.slice('SFU ready: '.length);
    process.stdout.write(`\n  Tường giám sát / monitoring wall:  ${url}\n\n  Logs: ${logFile}\n  Ctrl-C stops everything.\n\n`);
  } else logs.line('sfu', line);
});
if (config.recorder.enabled && existsSync(`${root}/recorder/src/main.ts`)) run('recorder', 'recorder/src/main.ts');
