/**
 * The picture detector's reference still: exported and restored (through the real SQLite store) it
 * gives the same verdicts as the detector that learned it; `relearn()` drops it, ends the faults
 * judged against it and learns the current scene; unusable saved references are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthConfigSchema } from '@wardwall/common';
import { createLogger } from '@wardwall/server-kit';
import { PictureDetector, type PictureFault, type PictureReference } from '../src/health/picture-detector.js';
import { ReferenceStore } from '../src/health/reference-store.js';
import { openAppDb } from '@wardwall/server-kit';
import { black, blurred, moved, scene, staticScene, type Frame } from './health-scenes.js';

const cfg = healthConfigSchema.parse({});
const log = createLogger('test', 'silent');

/** A detector that has learned `learn` (referenceKeyframes + 1 keyframes); returns it and the next frame index. */
function learned(learn: Frame): { d: PictureDetector; k: number } {
  const d = new PictureDetector(cfg);
  let k = 0;
  for (; k < cfg.referenceKeyframes + 1; k++) d.push(learn(k), k * 1000);
  assert.ok(d.learned);
  return { d, k };
}

test('reference round trip: export → SQLite → restore gives the same verdicts on the same keyframes', () => {
  const frozenFrame = scene(5);
  const sequence: Frame[] = [
    ...Array<Frame>(3).fill(scene),
    ...Array<Frame>(3).fill(moved),
    ...Array<Frame>(2).fill(scene),
    ...Array<Frame>(3).fill(blurred),
    ...Array<Frame>(2).fill(scene),
    ...Array<Frame>(7).fill(() => frozenFrame),
    ...Array<Frame>(2).fill(scene),
    ...Array<Frame>(2).fill(black),
    scene,
  ];
  const learnSets: [Frame, PictureFault[]][] = [
    [scene, ['black', 'defocused', 'frozen', 'moved']],
    // the blurred frames are of the other scene: moved, not defocused
    [staticScene, ['black', 'frozen', 'moved']],
  ];
  for (const [learn, kinds] of learnSets) {
    const { d: original, k: k0 } = learned(learn);
    const ref = original.exportReference()!;
    const db = openAppDb(':memory:');
    const store = new ReferenceStore(db, log);
    store.save('cam-1', ref, 1234);
    const loaded = store.load('cam-1')!;
    assert.equal(loaded.learnedAt, 1234);
    assert.deepEqual([...loaded.luma], [...ref.luma], 'the luma bytes survive the BLOB');
    assert.deepEqual({ ...loaded, luma: null, learnedAt: null }, { ...ref, luma: null, learnedAt: null });

    const restored = new PictureDetector(cfg);
    assert.equal(restored.restoreReference(loaded), true);
    assert.ok(restored.learned, 'no learning window after a restore');
    assert.equal(restored.frozenThreshold, original.frozenThreshold);
    // Both see one keyframe first (the original's previous keyframe is from its learning window).
    let k = k0;
    original.push(learn(k), k * 1000);
    restored.push(learn(k), k * 1000);
    const seen = new Set<PictureFault>();
    for (const frame of sequence) {
      k++;
      const a = original.push(frame(k), k * 1000);
      const b = restored.push(frame(k), k * 1000);
      assert.deepEqual(b, a, `keyframe ${k}`);
      for (const f of a.faults) seen.add(f);
    }
    assert.deepEqual([...seen].sort(), kinds, 'the sequence exercised the reference faults');
    db.close();
  }
});

type Step = [Frame, number] | 'relearn';

test('relearn: drops the reference and the faults judged against it, learns the current scene', () => {
  const frozenFrame = scene(3);
  const n = cfg.referenceKeyframes;
  const cases: { name: string; steps: Step[]; expect: (PictureFault[] | boolean)[] }[] = [
    {
      name: 'moved camera: the new view is accepted, the old one becomes the odd one',
      steps: [[moved, 2], 'relearn', [moved, n], [moved, 5], [scene, 2]],
      expect: [['moved'], false, [], [], ['moved']],
    },
    { name: 'defocused camera: the blurred view is accepted', steps: [[blurred, 2], 'relearn', [blurred, n], [blurred, 4]], expect: [['defocused'], false, [], []] },
    {
      name: 'frozen camera: accepting the frozen view does not hide it for long (the calibrated threshold catches it again)',
      steps: [[() => frozenFrame, 6], 'relearn', [() => frozenFrame, n], [() => frozenFrame, 6]],
      expect: [['frozen'], false, [], ['frozen']],
    },
    { name: 'black picture: needs no reference, stays black', steps: [[black, 2], 'relearn', [black, 1], [scene, n]], expect: [['black'], false, ['black'], []] },
    { name: 'healthy camera: learns the same scene again, no fault', steps: ['relearn', [scene, n], [scene, 10]], expect: [false, [], []] },
  ];
  for (const c of cases) {
    const { d, k: k0 } = learned(scene);
    let k = k0;
    const got = c.steps.map((step) => {
      if (step === 'relearn') {
        d.relearn();
        assert.equal(d.exportReference(), null, c.name);
        return d.learned;
      }
      let faults: PictureFault[] = [];
      for (let i = 0; i < step[1]; i++, k++) faults = d.push(step[0](k), k * 1000).faults;
      return faults;
    });
    assert.deepEqual(got, c.expect, c.name);
    assert.ok(d.learned, `${c.name}: learned again`);
  }
});

test('relearn while learning restarts the learning window', () => {
  const d = new PictureDetector(cfg);
  for (let k = 0; k < cfg.referenceKeyframes - 1; k++) d.push(scene(k), k * 1000);
  d.relearn();
  d.push(scene(50), 50_000);
  assert.equal(d.learned, false, 'the keyframes before relearn do not count');
  for (let k = 51; k < 51 + cfg.referenceKeyframes - 1; k++) d.push(moved(k), k * 1000);
  assert.equal(d.learned, true);
});

test('restoreReference refuses references that are not a whole picture; a reference of another size is learned again', () => {
  const { d } = learned(scene);
  const good = d.exportReference()!;
  const bad: [string, PictureReference][] = [
    ['short luma', { ...good, luma: good.luma.subarray(1) }],
    ['zero width', { ...good, width: 0, luma: new Uint8Array(0) }],
    ['NaN normalDiff', { ...good, normalDiff: Number.NaN }],
    ['negative sharpness', { ...good, sharpness: -1 }],
    ['infinite noise floor', { ...good, noiseFloor: Number.POSITIVE_INFINITY }],
  ];
  for (const [name, ref] of bad) {
    const fresh = new PictureDetector(cfg);
    assert.equal(fresh.restoreReference(ref), false, name);
    assert.equal(fresh.learned, false, name);
  }
  // A 32×18 reference (thumbnails were smaller once) against 64×36 keyframes: no "moved", learning again.
  const small = new PictureDetector(cfg);
  const luma = new Uint8Array(32 * 18).fill(100);
  assert.equal(small.restoreReference({ width: 32, height: 18, luma, normalDiff: 1, sharpness: 10, noiseFloor: 0.5 }), true);
  const faults = [0, 1, 2].map((k) => small.push(moved(k), k * 1000).faults);
  assert.deepEqual(faults, [[], [], []]);
  assert.equal(small.learned, false);
});

test('reference store: one row per camera, replaced when learned again, forgotten; damaged rows are not used', () => {
  const db = openAppDb(':memory:');
  const store = new ReferenceStore(db, log);
  new ReferenceStore(db, log); // migrating twice is harmless
  assert.equal(store.load('cam-1'), null);
  const a = learned(scene).d.exportReference()!;
  const b = learned(moved).d.exportReference()!;
  store.save('cam-1', a, 1000);
  store.save('cam-2', a, 1000);
  store.save('cam-1', b, 2000);
  const got = store.load('cam-1')!;
  assert.equal(got.learnedAt, 2000);
  assert.deepEqual([...got.luma], [...b.luma]);
  store.forget('cam-1');
  assert.equal(store.load('cam-1'), null);
  assert.ok(store.load('cam-2'), 'other cameras keep theirs');
  store.forget('nobody'); // harmless

  const damage: [string, string][] = [
    ['luma of the wrong length', "UPDATE health_references SET luma = x'0102' WHERE camera_id = 'cam-2'"],
    ['luma stored as text', "UPDATE health_references SET luma = 'abc', width = 3, height = 1 WHERE camera_id = 'cam-2'"],
    ['negative measure', 'UPDATE health_references SET normal_diff = -3 WHERE camera_id = ?'],
  ];
  for (const [name, sql] of damage) {
    store.save('cam-2', a, 1000);
    const stmt = db.prepare(sql);
    if (sql.includes('?')) stmt.run('cam-2');
    else stmt.run();
    assert.equal(store.load('cam-2'), null, name);
  }
  db.close();
});
