/** ffmpeg progress parsing and the wall-clock anchor (writer/progress.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchorEstimator, parseProgress, parseSegmentList } from '../src/writer/progress.js';

test('progress parsing and the wall-clock anchor', () => {
  const { blocks, rest } = parseProgress('frame=1\nout_time_us=1000000\nprogress=continue\nframe=2\nout_time_us=15');
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.out_time_us, '1000000');
  const again = parseProgress(rest + '00000\nprogress=continue\n');
  assert.equal(again.blocks[0]!.out_time_us, '1500000');
  const a = new AnchorEstimator(10000);
  assert.equal(a.anchorMs, null);
  a.add(10_000, 1_000_000); // reported 0 ms late
  a.add(10_700, 1_500_000); // 200 ms late
  assert.equal(a.anchorMs, 9000);
  a.add(30_000, 21_000_000); // the first samples leave the window
  assert.equal(a.anchorMs, 9000);
  const list = parseSegmentList('r1_20250102T030405Z.mp4,0.000000,5.480000\n/x/y/r1_20250102T030409Z.mp4,5.480000,9.480000\n');
  assert.deepEqual(list.get('r1_20250102T030409Z.mp4'), { start: 5.48, end: 9.48 });
});
