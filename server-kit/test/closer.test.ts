import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Closer } from '../src/closer.js';

test('parts close in reverse order of registration, async ones awaited', async () => {
  const order: string[] = [];
  const c = new Closer();
  c.add('db', () => void order.push('db'));
  c.add('pool', async () => {
    await new Promise((r) => setTimeout(r, 5));
    order.push('pool');
  });
  c.add('server', () => void order.push('server'));
  await c.close();
  assert.deepEqual(order, ['server', 'pool', 'db']);
});

test('a failing part is logged and the others still close; closing twice runs nothing again', async () => {
  const order: string[] = [];
  const warnings: unknown[] = [];
  const c = new Closer({ warn: (obj) => void warnings.push(obj) });
  c.add('a', () => void order.push('a'));
  c.add('b', () => {
    throw new Error('boom');
  });
  c.add('c', () => void order.push('c'));
  const first = c.close();
  assert.equal(c.close(), first);
  await first;
  await c.close();
  assert.deepEqual(order, ['c', 'a']);
  assert.deepEqual(warnings, [{ part: 'b', err: 'boom' }]);
  assert.equal(c.closed, true);
  assert.throws(() => c.add('late', () => undefined), /after closing began/);
});
