/**
 * A supervised process whose owner cannot say what to run at a restart (spec() throws: its target is
 * being rebuilt) counts a failed start and is retried after the back-off; the exception never leaves
 * the restart timer (it took the SFU down under load: bench:capacity). Real child processes (sleep).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, SupervisedProcess, type ExitInfo } from '../src/index.js';

const log = createLogger('test', 'silent');

test('a spec() that throws is a failed start, retried after the back-off; the next good spec runs', async () => {
  let calls = 0;
  const exits: ExitInfo[] = [];
  const starts: number[] = [];
  const proc = new SupervisedProcess({
    name: 'sleep',
    spec: () => {
      calls++;
      if (calls === 2) throw new Error('the stream has no media transport yet');
      return { command: 'sleep', args: ['30'] };
    },
    backoffMs: [30],
    stableAfterMs: 60000,
    log,
  });
  proc.on('exited', (info) => exits.push(info));
  proc.on('started', (pid) => starts.push(pid));
  const until = async (what: string, ok: () => boolean) => {
    const end = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    proc.start();
    await until('started', () => starts.length === 1);
    process.kill(starts[0]!, 'SIGTERM');
    // Restart 1: spec() throws -> an exit with the reason, then restart 2 runs.
    await until('second start', () => starts.length === 2);
    assert.equal(calls, 3);
    assert.equal(exits.length, 2);
    assert.deepEqual(exits[1]!.stderrTail, ['cannot start: the stream has no media transport yet']);
    assert.ok(exits[1]!.restartInMs !== null);
  } finally {
    await proc.stop();
  }
});
