/**
 * A supervised child that ends while its process shuts down (a terminal's Ctrl-C signals the child
 * too) is not restarted and its exit is marked expected; before the shutdown the same exit is an
 * outage with a restart. Real child processes (sleep), killed by PID. Its own file: expectShutdown()
 * is once per process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, expectShutdown, isShuttingDown, SupervisedProcess, type ExitInfo } from '../src/index.js';

const log = createLogger('test', 'silent');

function supervised(): { proc: SupervisedProcess; exits: ExitInfo[]; starts: number[] } {
  const exits: ExitInfo[] = [];
  const starts: number[] = [];
  const proc = new SupervisedProcess({ name: 'sleep', spec: () => ({ command: 'sleep', args: ['30'] }), backoffMs: [50], stableAfterMs: 60000, log });
  proc.on('exited', (info) => exits.push(info));
  proc.on('started', (pid) => starts.push(pid));
  return { proc, exits, starts };
}

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a child killed from outside is restarted, until the process shuts down; then its exit is expected', async () => {
  const { proc, exits, starts } = supervised();
  proc.start();
  await until('started', () => starts.length === 1);
  process.kill(starts[0]!, 'SIGINT');
  await until('exited once', () => exits.length === 1);
  assert.equal(exits[0]!.signal, 'SIGINT');
  assert.ok(exits[0]!.restartInMs !== null, 'an outage: restarted');
  await until('restarted', () => starts.length === 2);

  assert.equal(isShuttingDown(), false);
  expectShutdown();
  assert.equal(isShuttingDown(), true);
  process.kill(starts[1]!, 'SIGINT');
  await until('exited twice', () => exits.length === 2);
  assert.equal(exits[1]!.restartInMs, null, 'expected: no restart');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(starts.length, 2, 'not started again');
  assert.equal(proc.running, false);
  await proc.stop(); // idempotent after the expected exit
});
