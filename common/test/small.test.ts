import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../src/backoff.js';
import { describeUrl, redactCredentials } from '../src/redact.js';

test('stepped back-off repeats its last step', () => {
  const steps = [500, 1000, 5000];
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => backoffDelay(steps, a)), [500, 1000, 5000, 5000, 5000]);
  assert.equal(backoffDelay([], 3), 0);
});

test('credentials are removed from every URL in a text', () => {
  const text = 'failed rtsp://admin:s3cret@10.0.0.5:554/Streaming/101 then rtmp://key@host/app and http://a:b@x/';
  const out = redactCredentials(text);
  assert.ok(!out.includes('s3cret') && !out.includes('admin') && !out.includes('a:b@'));
  assert.match(out, /rtsp:\/\/\*\*\*@10\.0\.0\.5:554/);
  assert.equal(describeUrl('rtsp://u:p@cam.local:554/x'), 'rtsp://cam.local:554');
  assert.equal(describeUrl('not a url'), '<invalid url>');
});
