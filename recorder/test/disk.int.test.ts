/**
 * Retention and a full disk with a live recorder: a tiny quota evicts the oldest footage first and
 * keeps held footage; a full file system (a small tmpfs filled with ballast) does not crash the
 * recorder: it evicts, reports the condition in /api/health and records again once space returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, unlinkSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { startRecorder } from '../src/app.js';
import { getJson, log, sleep, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

test('a tiny quota evicts the oldest footage first and keeps held footage', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 1, dataDir: dir.path, segmentSeconds: 2, retention: { maxBytes: 900_000 } });
  const cams = await startCameras(config);
  const rec = await startRecorder(config, { log, retentionIntervalMs: 500 });
  t.after(async () => {
    await rec.close();
    await cams.close();
    dir.remove();
  });
  const base = `http://127.0.0.1:${rec.port}`;
  const t0 = Date.now();
  // Hold the first closed segment's time.
  const first = await waitFor('a closed segment', () => rec.store.db.overlapping('demo-1', t0 - 10000, Date.now()).find((r) => !r.open), 20000);
  const hold = await getJson(`${base}/api/holds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ camera: 'demo-1', from: first.startMs + 100, to: first.startMs + 200, reason: 'evidence', createdBy: 'test' }) });
  assert.equal(hold.status, 201);
  await waitFor('retention to delete footage', () => rec.health().disk.deletedTotal >= 3, 40000, 500);
  const rows = rec.store.db.overlapping('demo-1', t0 - 10000, Date.now());
  const closed = rows.filter((r) => !r.open);
  assert.equal(closed[0]!.id, first.id, 'the held segment is kept');
  // Oldest first: what is left after the held one is the newest footage, contiguous up to now.
  const s = await spans(base, 'demo-1', t0 - 10000, Date.now());
  assert.equal(s.spans.length, 2, `held span + recent span: ${JSON.stringify(s.spans)}`);
  assert.ok(s.spans[1]!.endMs > Date.now() - 4000);
  const closedBytes = closed.slice(1).reduce((a, r) => a + r.bytes, 0);
  assert.ok(closedBytes <= 900_000, `unheld closed footage within the quota: ${closedBytes}`);
  assert.ok(rec.store.db.totalBytes <= 900_000 + first.bytes + 2 * 300_000, `store ${rec.store.db.totalBytes}`);
});

test('a full disk does not crash the recorder: it evicts, reports and records on', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  const mnt = join(dir.path, 'small');
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (needs root)');
    dir.remove();
    return;
  }
  const config = await testConfig({ cameras: 1, dataDir: join(mnt, 'store'), segmentSeconds: 4 });
  const cams = await startCameras(config);
  // Leave about 1.5 MB free: a few segments, then ENOSPC.
  const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
  writeFileSync(join(mnt, 'ballast'), Buffer.alloc(Math.max(0, free() - 1_500_000)));
  const rec = await startRecorder(config, { log, backoffMs: [500, 1000], retentionIntervalMs: 1000 });
  t.after(async () => {
    await rec.close();
    await cams.close();
    try {
      execFileSync('umount', [mnt]);
    } catch {
      /* best effort */
    }
    dir.remove();
  });
  const base = `http://127.0.0.1:${rec.port}`;
  const h = await waitFor('the disk-full condition', async () => {
    const r = await getJson(`${base}/api/health`);
    return r.body.disk.diskFullEvents >= 1 ? r.body : null;
  }, 60000, 500);
  assert.equal(h.disk.lowSpace, true);
  assert.equal(h.ok, false);
  assert.ok(h.cameras[0].lastFault === 'disk-full', `the camera reports it: ${JSON.stringify(h.cameras[0])}`);
  await waitFor('eviction', () => rec.health().disk.deletedTotal >= 1, 20000, 500);
  // Still serving.
  assert.equal((await getJson(`${base}/api/recordings/demo-1/spans?from=${Date.now() - 60000}&to=${Date.now()}`)).status, 200);
  // Space comes back: recording goes on.
  unlinkSync(join(mnt, 'ballast'));
  const tFreed = Date.now();
  await sleep(1000);
  await waitFor('recording again', async () => (await spans(base, 'demo-1', tFreed, Date.now())).recordedMs >= 4000, 40000, 500);
});
