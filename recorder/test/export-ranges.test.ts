import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeFileNames, rangesOf } from '../src/playback/export.js';

test('export file names: the classic form keeps <camera>.mp4, ranges get numbered names', () => {
  assert.deepEqual(rangeFileNames(rangesOf(['a', 'b'], 0, 10)), ['a.mp4', 'b.mp4']);
  assert.deepEqual(rangeFileNames([{ camera: 'a', from: 0, to: 10 }, { camera: 'b', from: 5, to: 10 }]), ['01-a.mp4', '02-b.mp4']);
  assert.deepEqual(rangeFileNames([{ camera: 'a', from: 0, to: 10 }, { camera: 'a', from: 0, to: 10 }]), ['01-a.mp4', '02-a.mp4']);
  const many = Array.from({ length: 120 }, (_, i) => ({ camera: 'c', from: i, to: i + 1 }));
  assert.equal(rangeFileNames(many)[0], '001-c.mp4');
  assert.equal(new Set(rangeFileNames(many)).size, 120);
});
