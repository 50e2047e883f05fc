// The shared zod body helper and the router: a bad field names itself, a custom error wins, an
// unknown method on a known path is 405 with Allow, a guard runs before non-public routes only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import { parseInput, plainIssueError, queryObject, Router } from '@wardwall/server-kit';

test('parseInput: default and custom replies', () => {
  const s = z.object({ a: z.number() }).strict();
  assert.deepEqual(parseInput(s, { a: 1 }), { a: 1 });
  assert.throws(() => parseInput(s, { a: 'x' }), (e: unknown) => e instanceof AppError && e.code === ErrorCode.BAD_REQUEST && /^body: a: /.test(e.message));
  assert.throws(() => parseInput(s, { a: 1, b: 2 }, { where: 'query' }), (e: unknown) => e instanceof AppError && /^query: query: unknown field\(s\) b/.test(e.message));
  assert.throws(() => parseInput(s, 5, { error: plainIssueError }), (e: unknown) => e instanceof AppError && /^\(body\): /.test(e.message));
  assert.throws(() => queryObject(new URL('http://x/?a=1&a=2')), /given more than once/);
});

test('router: 405 with Allow, guard only on non-public routes', async () => {
  const seen: string[] = [];
  const r = new Router()
    .guard((_ctx, access) => void seen.push(JSON.stringify(access)))
    .add({ method: 'GET', path: '/p', access: 'public', handle: () => ({ p: 1 }) }, { method: 'GET', path: /^\/c\/(?<id>[^/]+)$/, access: { permission: 'live', camera: 'id' }, handle: ({ params }) => ({ id: params.id }) });
  const res = () => {
    const out = { status: 0, headers: {} as Record<string, unknown>, body: '', headersSent: false, writableEnded: false };
    return Object.assign(out, {
      setHeader: (k: string, v: unknown) => void (out.headers[k] = v),
      writeHead: (s: number) => void (out.status = s),
      end: (b?: string) => void ((out.body = b ?? ''), (out.writableEnded = true)),
    });
  };
  const a = res();
  assert.equal(await r.handle({ method: 'GET', headers: {} } as never, a as never, new URL('http://x/c/a%20b')), true);
  assert.deepEqual(JSON.parse(a.body), { id: 'a b' });
  assert.deepEqual(seen, ['{"permission":"live","camera":"id"}']);
  await r.handle({ method: 'GET', headers: {} } as never, res() as never, new URL('http://x/p'));
  assert.equal(seen.length, 1);
  const b = res();
  await assert.rejects(r.handle({ method: 'POST', headers: {} } as never, b as never, new URL('http://x/p')), (e: unknown) => e instanceof AppError && e.status === 405);
  assert.equal(b.headers.allow, 'GET');
  assert.equal(await r.handle({ method: 'GET', headers: {} } as never, res() as never, new URL('http://x/none')), false);
});
