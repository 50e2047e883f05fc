import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthConfigSchema } from '@wardwall/common';
import { PictureDetector, quantile, type PictureFault } from '../src/health/picture-detector.js';
import { StreamDetector } from '../src/health/stream-detector.js';
import { black, blurred, covered, g, litWindows, moved, noisyBlack, oneLine, scene, staticScene, whiteLines, type Frame } from './health-scenes.js';
import { pictureMetrics } from '../src/health/picture-metrics.js';

const cfg = healthConfigSchema.parse({});
/** Feeds `learn` healthy keyframes, then each phase; returns the faults after each phase's last keyframe. */
function run(learn: Frame, phases: [Frame, number][]): PictureFault[][] {
  const d = new PictureDetector(cfg);
  let k = 0;
  for (let i = 0; i < cfg.referenceKeyframes + 1; i++, k++) d.push(learn(k), k * 1000);
  assert.ok(d.learned);
  return phases.map(([frame, count]) => {
    let faults: PictureFault[] = [];
    for (let i = 0; i < count; i++, k++) faults = d.push(frame(k), k * 1000).faults;
    return faults;
  });
}

test('picture detector: each fault from a table of keyframe sequences, and recovery', () => {
  const frozenFrame = scene(3);
  const cases: { name: string; learn: Frame; phases: [Frame, number][]; expect: PictureFault[][] }[] = [
    { name: 'healthy moving scene', learn: scene, phases: [[scene, 20]], expect: [[]] },
    { name: 'healthy static scene with sensor noise is not frozen', learn: staticScene, phases: [[staticScene, 20]], expect: [[]] },
    { name: 'black, then restored', learn: scene, phases: [[black, 1], [black, 1], [scene, 1]], expect: [[], ['black'], []] },
    { name: 'covered (uniform grey), then restored', learn: scene, phases: [[covered, 2], [scene, 1]], expect: [['covered'], []] },
    { name: 'frozen after frozenAfterMs of identical keyframes', learn: scene, phases: [[() => frozenFrame, 4], [() => frozenFrame, 2], [scene, 1]], expect: [[], ['frozen'], []] },
    { name: 'frozen static scene (noise gone) is caught by the calibrated threshold', learn: staticScene, phases: [[() => staticScene(99, 0), 6]], expect: [['frozen']] },
    { name: 'moved to another scene, then back', learn: scene, phases: [[moved, 1], [moved, 1], [scene, 2]], expect: [[], ['moved'], []] },
    { name: 'defocused, then sharp again', learn: scene, phases: [[blurred, 2], [scene, 2]], expect: [['defocused'], []] },
  ];
  for (const c of cases) assert.deepEqual(run(c.learn, c.phases), c.expect, c.name);
});

test('picture detector: black only for dark *featureless* pictures (a dark picture with detail is not black)', () => {
  const cases: { name: string; frame: Frame; black: boolean }[] = [
    { name: 'limited-range black', frame: black, black: true },
    { name: 'black with sensor noise', frame: noisyBlack, black: true },
    { name: 'full-range black', frame: () => g(() => 0), black: true },
    { name: 'white lines on black (H.265 camera at night)', frame: whiteLines, black: false },
    { name: 'one thin white line on black', frame: oneLine, black: false },
    { name: 'dark scene with lit windows', frame: litWindows, black: false },
  ];
  for (const c of cases) {
    const m = pictureMetrics(c.frame(0));
    if (!c.black) assert.ok(m.mean < cfg.blackMeanMax, `${c.name}: the case must be dark (mean ${m.mean})`);
    const d = new PictureDetector(cfg);
    let faults: PictureFault[] = [];
    for (let k = 0; k < cfg.pictureKeyframes + 3; k++) faults = d.push(c.frame(k), k * 1000).faults;
    assert.equal(faults.includes('black'), c.black, `${c.name}: ${JSON.stringify(faults)} (mean ${m.mean.toFixed(1)}, std ${m.std.toFixed(1)})`);
    assert.ok(!faults.includes('covered'), `${c.name}: not covered either`);
  }
  // A healthy camera whose picture turns dark with detail raises nothing; when it goes really black, it does.
  assert.deepEqual(run(whiteLines, [[whiteLines, 6], [black, 2]]), [[], ['black']]);
});

test('picture detector: nothing but black/covered is judged before the reference is learned', () => {
  const d = new PictureDetector(cfg);
  assert.deepEqual(d.push(moved(0), 0).faults, []);
  assert.deepEqual(d.push(moved(0), 9000).faults, []);
  assert.equal(d.learned, false);
  assert.deepEqual(d.push(black(), 10000).faults, []);
  assert.deepEqual(d.push(black(), 11000).faults, ['black']);
  assert.equal(d.frozenThreshold, cfg.frozenMaxDiff);
});

test('quantile', () => {
  assert.equal(quantile([], 0.5), 0);
  assert.equal(quantile([5, 1, 3], 0.5), 3);
  assert.equal(quantile([4, 1, 3, 2], 0.25), 1);
});

const S = { ...cfg, offlineGraceMs: 1000, noMediaMs: 2500, stormReconnects: 3, stormWindowMs: 60000, lowRateRatio: 0.25, lowRateAfterMs: 5000, rateLearnMs: 10000 };

test('stream detector: offline after the grace period, cleared when live again', () => {
  const d = new StreamDetector(S, 0);
  d.onState('live', 0);
  d.onCounters({ packets: 10, bytes: 10000 }, 400);
  d.onCounters({ packets: 20, bytes: 20000 }, 900);
  assert.deepEqual(d.evaluate(500).faults, []);
  d.onState('offline', 1000);
  assert.deepEqual(d.evaluate(1500).faults, []);
  assert.deepEqual(d.evaluate(2000).faults, ['offline']);
  d.onState('live', 3000);
  assert.deepEqual(d.evaluate(3000).faults, []);
  // a live stream whose packet counter stops is offline before the ingest says so
  let p = 0;
  for (let t = 4000; t <= 6000; t += 1000) d.onCounters({ packets: (p += 50), bytes: p * 1000 }, t);
  assert.deepEqual(d.evaluate(7000).faults, []);
  d.onCounters({ packets: p, bytes: p * 1000 }, 7000);
  d.onCounters({ packets: p, bytes: p * 1000 }, 8000);
  assert.deepEqual(d.evaluate(8000).faults, []);
  assert.deepEqual(d.evaluate(8500).faults, ['offline']);
  d.onCounters({ packets: p + 10, bytes: p * 1000 + 10 }, 9000);
  assert.deepEqual(d.evaluate(9000).faults, []);
  // the ingest's own no-media timeout fires later: offline counts from the last media seen
  d.onState('offline', 10500);
  assert.deepEqual(d.evaluate(10500).faults, ['offline']);
  d.onState('live', 11000);
  // 'connecting' at start is not offline
  const c = new StreamDetector(S, 0);
  assert.deepEqual(c.evaluate(60000).faults, []);
});

test('stream detector: reconnect storm while drops pile up in the window, cleared as they age out', () => {
  const d = new StreamDetector(S, 0);
  const table: [number, 'live' | 'offline'][] = [[0, 'live'], [1000, 'offline'], [2000, 'live'], [3000, 'offline'], [4000, 'live'], [5000, 'offline'], [5500, 'live']];
  for (const [at, state] of table) d.onState(state, at);
  assert.deepEqual(d.evaluate(6000).faults, ['reconnect_storm']);
  assert.equal(d.evaluate(6000).measures.drops, 3);
  assert.ok(!d.evaluate(61500).faults.includes('reconnect_storm'));
});

test('stream detector: low rate against the learned normal, after lowRateAfterMs; recovers', () => {
  const d = new StreamDetector(S, 0);
  d.onState('live', 0);
  let packets = 0;
  let bytes = 0;
  let at = 0;
  const feed = (seconds: number, pps: number, kbps: number): string[] => {
    let faults: string[] = [];
    for (let i = 0; i < seconds; i++) {
      at += 1000;
      packets += pps;
      bytes += (kbps * 1000) / 8;
      d.onCounters({ packets, bytes }, at);
      faults = d.evaluate(at).faults;
    }
    return faults;
  };
  assert.deepEqual(feed(15, 100, 1000), []);
  assert.ok(d.normalRates && Math.abs(d.normalRates.kbps - 1000) < 1 && Math.abs(d.normalRates.pps - 100) < 1);
  assert.deepEqual(feed(3, 100, 100), [], 'not before lowRateAfterMs');
  assert.deepEqual(feed(3, 100, 100), ['low_rate'], 'bitrate far below normal');
  assert.deepEqual(feed(1, 100, 1000), []);
  assert.deepEqual(feed(7, 10, 900), ['low_rate'], 'packet rate (frame rate) far below normal');
  assert.deepEqual(feed(1, 90, 900), []);
  // a counter reset (new producer) is skipped, not a negative rate
  packets = 0;
  bytes = 0;
  assert.deepEqual(feed(1, 100, 1000), []);
});
