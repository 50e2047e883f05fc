/** Segment file names (store/naming.ts): format and parse, UTC with ms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactUtc, parseSegmentFileName, segmentRelPath, segmentFileName, parseIncomingName, incomingPattern, newRunId } from '../src/store/naming.js';

const T = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

test('segment names: format and parse round-trip, UTC with ms', () => {
  assert.equal(compactUtc(T), '20250102T030405.678Z');
  assert.equal(segmentFileName('cam-1', T), 'cam-1_20250102T030405.678Z.mp4');
  assert.equal(segmentRelPath('cam_1', T), 'cam_1/2025-01-02/cam_1_20250102T030405.678Z.mp4');
  assert.deepEqual(parseSegmentFileName('cam_1_20250102T030405.678Z.mp4'), { camera: 'cam_1', startMs: T, dup: 0 });
  assert.deepEqual(parseSegmentFileName('a_20250102T030405.678Z~2.mp4'), { camera: 'a', startMs: T, dup: 2 });
  for (const bad of ['x.mp4', 'cam_20251302T030405.678Z.mp4', 'cam_20250230T000000.000Z.mp4', 'cam_20250102T250405.678Z.mp4', '../x_20250102T030405.678Z.mp4', 'Cam_20250102T030405.678Z.mp4', 'cam_20250102T030405.678Z.mp4.tmp', 'cam_20250102T030405Z.mp4']) {
    assert.equal(parseSegmentFileName(bad), null, bad);
  }
  assert.throws(() => segmentRelPath('../etc', T));
  const run = newRunId(T);
  assert.match(run, /^r[a-z0-9]+$/);
  assert.notEqual(newRunId(T), run);
  assert.equal(incomingPattern(run), `${run}_%Y%m%dT%H%M%SZ.mp4`);
  assert.deepEqual(parseIncomingName(`${run}_20250102T030405Z.mp4`), { runId: run, startSecMs: T - 678 });
  assert.equal(parseIncomingName(`${run}_20250102T030405Z.mp4.x`), null);
  assert.throws(() => incomingPattern('../x'));
});
