/**
 * The store against real ffmpeg-made fragmented MP4 files and real SQLite: the fMP4 reader, the
 * repair of a truncated last fragment, reconciliation (files without rows, rows without files,
 * leftovers of a crash), retention on disk with holds, and the path guard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SegmentStore, resolveInStore, PathEscapeError } from '../src/store/store.js';
import { readFmp4, fmp4DurationMs } from '../src/store/fmp4.js';
import { segmentRelPath } from '../src/store/naming.js';
import { RetentionRunner } from '../src/store/retention-runner.js';
import { execFileP, log, probe, tempDir } from '@wardwall/testing/recorder';

async function makeFmp4(path: string, seconds: number): Promise<void> {
  await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25`, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', '-y', path], { timeout: 60000 });
}

test('store: fMP4 reading, crash repair, reconciliation, retention with holds, path guard', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => dir.remove());
  const src = join(dir.path, 'src.mp4');
  await makeFmp4(src, 6);

  const info = await readFmp4(src);
  assert.equal(info.fragments.length, 6);
  assert.ok(info.fragments.every((f) => f.keyframe && f.samples === 25));
  assert.equal(Math.round(fmp4DurationMs(info)), 6000);
  assert.equal(info.validBytes, statSync(src).size);

  const root = join(dir.path, 'store');
  let store = new SegmentStore(root, log);
  const T = Date.UTC(2025, 5, 1, 10, 0, 0, 123);
  // A closed file without a row; a row without a file; a crash leftover cut mid-fragment.
  const rel1 = segmentRelPath('cam-a', T);
  mkdirSync(join(root, 'cam-a', '2025-06-01'), { recursive: true });
  copyFileSync(src, join(root, rel1));
  store.db.insertSegment({ camera: 'cam-a', startMs: T - 60000, endMs: T - 54000, bytes: 1000, path: segmentRelPath('cam-a', T - 60000), open: false });
  const inc = join(store.incomingDir('cam-a'), 'rabc01_20250601T100006Z.mp4');
  copyFileSync(src, inc);
  const cut = info.fragments[4]!.offset + 500; // inside the 5th fragment
  truncateSync(inc, cut);
  // The row the writer kept while that segment was open.
  store.upsertOpen('cam-a', store.rel(inc), T + 6000, T + 8000, 100);
  writeFileSync(join(store.incomingDir('cam-a'), 'rabc01.csv'), '');
  // Garbage: an empty incoming file, a file that is not a segment.
  writeFileSync(join(store.incomingDir('cam-a'), 'rabc01_20250601T100012Z.mp4'), '');
  writeFileSync(join(root, 'cam-a', '2025-06-01', 'notes.txt'), 'x');
  store.close();

  store = new SegmentStore(root, log);
  const report = await store.reconcile();
  assert.deepEqual(report, { indexed: 1, repaired: 1, dropped: 1, removedEmpty: 1 });
  const rows = store.db.overlapping('cam-a', T - 3600000, T + 3600000);
  assert.deepEqual(rows.map((r) => [r.startMs - T, r.endMs - T, r.open]), [[0, 6000, false], [6000, 10000, false]]);
  const repaired = join(root, rows[1]!.path);
  assert.equal(rows[1]!.path, segmentRelPath('cam-a', T + 6000), 'renamed to its final name from the open row start');
  assert.equal(statSync(repaired).size, info.fragments[4]!.offset, 'cut at the last complete fragment');
  assert.equal(rows[1]!.bytes, info.fragments[4]!.offset);
  const p = await probe(repaired);
  assert.equal(p.frames, 100, 'the four complete fragments play');
  assert.deepEqual(readdirSync(store.incomingDir('cam-a')), [], 'incoming is empty');
  assert.deepEqual(await store.reconcile(), { indexed: 0, repaired: 0, dropped: 0, removedEmpty: 0 }, 'idempotent');

  // Retention on disk: a quota that fits one segment; the older one is held, so the newer goes.
  const holdId = store.db.addHold({ camera: 'cam-a', startMs: T + 1000, endMs: T + 2000, reason: 'case 12', createdBy: 'test', createdMs: Date.now() });
  const ret = new RetentionRunner(store, { maxAgeMs: 1e12, maxAgeMsByCamera: {}, maxBytes: info.size, minFreeBytes: 0, intervalMs: 1e9, maxDeletions: 100 }, log);
  const plan = ret.run();
  assert.equal(plan.heldKept, 1);
  assert.deepEqual(store.db.overlapping('cam-a', T - 3600000, T + 3600000).map((r) => r.startMs - T), [0]);
  assert.equal(existsSync(repaired), false, 'its file is gone');
  // Released: now age retention takes it.
  assert.equal(store.db.releaseHold(holdId, Date.now()), true);
  const ret2 = new RetentionRunner(store, { maxAgeMs: 1000, maxAgeMsByCamera: {}, maxBytes: 0, minFreeBytes: 0, intervalMs: 1e9, maxDeletions: 100 }, log);
  ret2.run();
  assert.equal(store.db.overlapping('cam-a', T - 3600000, T + 3600000).length, 0);
  assert.equal(store.db.totalBytes, 0);

  // The path guard: traversal, absolute paths, symbolic links out of the store.
  const outside = join(dir.path, 'secret.txt');
  writeFileSync(outside, 'secret');
  symlinkSync(outside, join(root, 'cam-a', 'link.mp4'));
  for (const bad of ['../secret.txt', 'cam-a/../../secret.txt', outside, 'cam-a/link.mp4', '', 'a\0b']) {
    assert.throws(() => resolveInStore(root, bad), (e: Error) => e instanceof PathEscapeError, bad);
  }
  unlinkSync(join(root, 'cam-a', 'link.mp4'));
  store.close();
});
