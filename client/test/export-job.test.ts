// The one export polling loop (services/export-job.ts) used by the export panel and pursuit trails.
import test from 'node:test';
import assert from 'node:assert/strict';
import { waitForExport } from '../src/services/export-job.js';
import type { ExportStatus } from '../src/services/recorder-api.js';

const st = (state: ExportStatus['state'], progress = 0): ExportStatus => ({ id: 'j1', state, progress, error: state === 'failed' ? 'disk full' : null, bytes: null });

function api(replies: ExportStatus[]) {
  const asked: string[] = [];
  return { asked, exportStatus: async (id: string) => (asked.push(id), replies.shift()!) };
}

test('given a created job it reports progress, waits between asks and ends with the final status', async () => {
  const a = api([st('running', 0.5), st('done', 1)]);
  const seen: number[] = [];
  const sleeps: number[] = [];
  const end = await waitForExport(a, st('queued'), { signal: new AbortController().signal, onStatus: (s) => seen.push(s.progress), sleep: async (ms) => void sleeps.push(ms) });
  assert.equal(end?.state, 'done');
  assert.deepEqual(seen, [0, 0.5]);
  assert.deepEqual(sleeps, [500, 500]);
  assert.deepEqual(a.asked, ['j1', 'j1']);
});

test('given only an id it asks at once; a failed job is returned, not thrown', async () => {
  const a = api([st('failed')]);
  const end = await waitForExport(a, 'j1', { signal: new AbortController().signal, sleep: async () => {} });
  assert.equal(end?.state, 'failed');
  assert.equal(end?.error, 'disk full');
});

test('a called-off wait ends with null and asks no more', async () => {
  const abort = new AbortController();
  const a = api([st('running'), st('done')]);
  const end = await waitForExport(a, st('queued'), { signal: abort.signal, sleep: async () => abort.abort() });
  assert.equal(end, null);
  assert.equal(a.asked.length, 0);
  assert.equal(await waitForExport(a, 'j1', { signal: abort.signal }), null);
});
