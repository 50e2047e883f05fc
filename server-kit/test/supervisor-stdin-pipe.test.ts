/**
 * A supervised child whose stdin stays open as a request pipe (`spec.stdinPipe`, `write()`): a real
 * `cat` echoes what is written; writes without a run are refused (not queued for the next one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, SupervisedProcess } from '../src/index.js';

const log = createLogger('test', 'silent');

test('stdinPipe keeps the child\'s stdin open for write(); nothing is written without a run', async () => {
  let out = '';
  const proc = new SupervisedProcess({
    name: 'cat',
    spec: () => ({ command: 'cat', args: [], stdinPipe: true }),
    backoffMs: [20],
    stableAfterMs: 60000,
    log,
    onStdout: (chunk) => (out += chunk.toString()),
  });
  assert.equal(proc.write(Buffer.from('lost\n')), false, 'no run yet');
  const until = async (what: string, ok: () => boolean) => {
    const end = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    proc.start();
    assert.equal(proc.write(Buffer.from('one\n')), true);
    await until('echo', () => out === 'one\n');
    assert.equal(proc.running, true, 'cat still runs: its stdin is open');
    assert.equal(proc.write(Buffer.from('two\n')), true);
    await until('second echo', () => out === 'one\ntwo\n');
    assert.equal(proc.stdinBacklog, 0);
  } finally {
    await proc.stop();
  }
  assert.equal(proc.write(Buffer.from('after\n')), false, 'stopped');
});
