import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compareWithJanus, oursForOneCamera, type SideFigures } from '../janus-compare.js';

const side = (over: Partial<SideFigures> = {}): SideFigures => ({ p50_ms: 30, p95_ms: 40, max_ms: 50, cpu_pct: 1, peak_rss_mb: 25, first_frame_ms: 800, ...over });

test('ratios are ours / Janus, rounded to two decimals, each with target 1', () => {
  const c = compareWithJanus(side({ p50_ms: 20, cpu_pct: 2.5, peak_rss_mb: 210 }), side());
  assert.deepEqual(c.ratios, { p50: 0.67, p95: 1, max: 1, cpu: 2.5, rss: 8.4, first_frame: 1 });
  assert.deepEqual(c.targets, { p50: 1, p95: 1, max: 1, cpu: 1, rss: 1, first_frame: 1 });
  assert.equal(c.pass, false);
  assert.deepEqual(c.failed, ['cpu', 'rss']);
});

test('pass when every ratio is at most 1 (equal counts as met)', () => {
  const c = compareWithJanus(side({ max_ms: 40 }), side());
  assert.equal(c.pass, true);
  assert.deepEqual(c.failed, []);
});

test('a missing or zero figure gives no ratio and fails', () => {
  const c = compareWithJanus(side({ p95_ms: NaN }), side({ cpu_pct: 0 }));
  assert.equal(c.ratios.p95, null);
  assert.equal(c.ratios.cpu, null);
  assert.equal(c.pass, false);
  assert.deepEqual(c.failed, ['p95', 'cpu']);
});

test('oursForOneCamera takes the other cameras\' share of the ingest processes off', () => {
  const u = { cpuSeconds: 1.5, peakRssMb: 390, byProcess: { node: 0.2, python3: 0.7, 'mediasoup-worke': 0.6 }, peakRssMbByProcess: { node: 150, python3: 160, 'mediasoup-worke': 80 }, countByProcess: { node: 1, python3: 2, 'mediasoup-worke': 2 } };
  // 1.5 - 0.35 = 1.15 s over 25 s = 4.6 %; 390 - 80 = 310 MB.
  assert.deepEqual(oursForOneCamera(u, 25, 'python3'), { cpu_pct: 4.6, peak_rss_mb: 310, ingests: 2 });
  // One ingest process: nothing to take off.
  assert.deepEqual(oursForOneCamera({ ...u, countByProcess: { python3: 1 } }, 25, 'python3'), { cpu_pct: 6, peak_rss_mb: 390, ingests: 1 });
  // None seen (another ingest program): the whole tree.
  assert.deepEqual(oursForOneCamera(u, 25, 'gst-launch-1.0'), { cpu_pct: 6, peak_rss_mb: 390, ingests: 0 });
});
