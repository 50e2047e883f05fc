import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pssKb, summariseCpu, summariseWall, type TileSnapshot } from './capacity-stats.js';

test('pssKb reads the Pss line of smaps_rollup, not Pss_Anon or Rss', () => {
  const text = [
    '55d0c0a00000-7ffd4b1ff000 ---p 00000000 00:00 0                          [rollup]',
    'Rss:               51200 kB',
    'Pss:               20480 kB',
    'Pss_Anon:          10240 kB',
    'Pss_File:          10000 kB',
  ].join('\n');
  assert.equal(pssKb(text), 20480);
  assert.equal(pssKb('Rss: 5 kB\n'), 0);
});

test('summariseCpu: share of the machine, per-camera cost and the extrapolated camera count', () => {
  // 60 CPU seconds over 30 s = 200 % of a core = 100 % of 2 cores; 50 cameras: 4 % of a core each,
  // 2 % of the machine each: 60 % of the machine holds 30 cameras.
  const s = summariseCpu(60, 30, 2, 50, 60);
  assert.equal(s.cpuPctMachine, 100);
  assert.equal(s.perCameraPctCore, 4);
  assert.equal(s.maxCamerasWithinTarget, 30);
  // Cheaper cameras: 12 s over 30 s = 40 % of a core, 20 % of 2 cores for 120 cameras -> 360.
  assert.equal(summariseCpu(12, 30, 2, 120, 60).maxCamerasWithinTarget, 360);
  assert.equal(summariseCpu(1, 10, 2, 0, 60).maxCamerasWithinTarget, 0);
  assert.throws(() => summariseCpu(1, 0, 2, 1, 60), /positive/);
});

test('summariseWall counts live tiles, stills and per-tile frame rates', () => {
  const t = (camera: string, state: string, frames: number, linkLive = true): TileSnapshot => ({ camera, state, frames, linkLive });
  const before = [t('a', 'playing', 100), t('b', 'playing', 10), t('c', 'connecting', 0, false), t('', 'empty', 0)];
  const after = [t('a', 'playing', 350), t('b', 'playing', 10), t('c', 'connecting', 0, false), t('', 'empty', 0)];
  const w = summariseWall(before, after, 10);
  assert.equal(w.tiles, 3); // the empty tile is not a camera tile
  assert.equal(w.tilesLive, 1); // b is "playing" but decoded nothing: frozen
  assert.equal(w.tilesStills, 1);
  assert.deepEqual(w.fps, [25, 0, 0]);
  assert.equal(w.fpsMin, 0);
  assert.equal(w.fpsMedian, 0);
  assert.equal(summariseWall([], [], 5).fpsMedian, 0);
});
