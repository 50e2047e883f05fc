import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replyError } from '../src/services/json-reply.js';

const res = (status: number, statusText = '', headers: Record<string, string> = {}) => ({ status, statusText, headers: new Headers(headers) });

test('a failed reply: the server’s coded error, else HTTP_<status>; retry-after from the body or the header', () => {
  assert.deepEqual(replyError(res(403, 'Forbidden'), { code: 'FORBIDDEN', message: 'playback on camera demo-1' }), { code: 'FORBIDDEN', message: 'playback on camera demo-1', status: 403, retryAfterS: null });
  assert.deepEqual(replyError(res(502, 'Bad Gateway'), null), { code: 'HTTP_502', message: 'Bad Gateway', status: 502, retryAfterS: null });
  assert.deepEqual(replyError(res(500), '<html>'), { code: 'HTTP_500', message: 'HTTP 500', status: 500, retryAfterS: null });
  assert.equal(replyError(res(429, '', { 'retry-after': '30' }), { code: 'LOCKED_OUT', message: 'x' }).retryAfterS, 30);
  assert.equal(replyError(res(429, '', { 'retry-after': '30' }), { code: 'LOCKED_OUT', message: 'x', retryAfterS: 12 }).retryAfterS, 12);
  assert.equal(replyError(res(400), { code: 7, message: ['no'] }).code, 'HTTP_400', 'a body of the wrong shape is not trusted');
});
