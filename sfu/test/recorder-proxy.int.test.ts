import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRecorderPath, recorderPath } from '../src/http/recorder-proxy.js';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

test('recorder paths and their mapping (pure)', () => {
  for (const p of ['/api/recordings/demo-1/spans', '/api/exports', '/api/exports/x/download', '/api/holds', '/api/holds/3', '/api/recorder/health']) assert.ok(isRecorderPath(p), p);
  for (const p of ['/api/cameras', '/api/exportsx', '/api/recordingsx', '/', '/api/health']) assert.ok(!isRecorderPath(p), p);
  assert.equal(recorderPath('/api/recorder/health?x=1'), '/api/health?x=1');
  assert.equal(recorderPath('/api/recordings/a/spans?from=1'), '/api/recordings/a/spans?from=1');
});

let sys: TestSystem;
before(async () => {
  sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, recorder: true });
});
after(async () => {
  await sys?.close();
});

test('the wall reaches the real recorder through the SFU (same origin), including range requests', async () => {
  // The recorder's health answers 503 (same body) until its cameras record, then 200.
  const first = await fetch(`${sys.sfu.url}api/recorder/health`);
  assert.ok([200, 503].includes(first.status), String(first.status));
  assert.ok(((await first.json()) as { cameras: unknown[] }).cameras.length >= 1);
  await waitFor('the recorder recording (health 200)', async () => (await fetch(`${sys.sfu.url}api/recorder/health`)).status === 200, 30000, 300);
  const from = Date.now() - 60_000;
  const spans = await waitFor('recorded span', async () => {
    const r = await fetch(`${sys.sfu.url}api/recordings/demo-1/spans?from=${from}&to=${Date.now() + 1000}`);
    const body = (await r.json()) as { spans?: { start: number; end: number }[] };
    return r.status === 200 && body.spans && body.spans.length > 0 ? body : undefined;
  }, 30000, 500);
  assert.ok(spans.spans!.length > 0);
  const playlist = await fetch(`${sys.sfu.url}api/recordings/demo-1/playlist.m3u8?from=${from}&to=${Date.now()}`);
  assert.equal(playlist.status, 200);
  const text = await playlist.text();
  assert.match(text, /#EXTM3U/);
  const bad = await fetch(`${sys.sfu.url}api/recordings/..%2F..%2F..%2Fetc%2Fpasswd/spans?from=1&to=2`);
  assert.ok(bad.status >= 400 && bad.status < 500, String(bad.status));
  assert.ok(!(await bad.text()).includes('root:'));
});

test('a recorder that does not answer gives RECORDER_UNAVAILABLE, live video is unaffected', async () => {
  await sys.recorder!.close();
  const r = await fetch(`${sys.sfu.url}api/recordings/demo-1/spans?from=1&to=2`);
  assert.equal(r.status, 502);
  assert.equal(((await r.json()) as { code: string }).code, 'RECORDER_UNAVAILABLE');
  assert.equal((await fetch(`${sys.sfu.url}api/cameras`)).status, 200);
});
