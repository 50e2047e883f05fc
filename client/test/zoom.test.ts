import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ZOOM, NO_ZOOM, panBy, wheelFactor, zoomAt, zoomTransform } from '../src/core/zoom.js';

test('zooming at a point keeps that picture point under it', () => {
  const z = zoomAt(NO_ZOOM, 2, 100, 50, 400, 200);
  assert.deepEqual(z, { scale: 2, x: -100, y: -50 });
  // Picture point under (100, 50): (100 - x) / scale = 100.
  assert.equal((100 - z.x) / z.scale, 100);
  assert.deepEqual(zoomAt(z, 0.5, 0, 0, 400, 200), NO_ZOOM);
  assert.equal(zoomAt(NO_ZOOM, 100, 0, 0, 400, 200).scale, MAX_ZOOM);
});

test('pan stays within the picture; no pan without zoom', () => {
  const z = zoomAt(NO_ZOOM, 2, 0, 0, 400, 200);
  assert.deepEqual(panBy(z, 50, 50, 400, 200), { scale: 2, x: 0, y: 0 });
  assert.deepEqual(panBy(z, -1000, -1000, 400, 200), { scale: 2, x: -400, y: -200 });
  assert.deepEqual(panBy(NO_ZOOM, 10, 10, 400, 200), NO_ZOOM);
});

test('wheel notches and the CSS transform', () => {
  assert.equal(wheelFactor(-100), 1.25);
  assert.equal(wheelFactor(100), 0.8);
  assert.equal(wheelFactor(0), 1);
  assert.equal(zoomTransform(NO_ZOOM), '');
  assert.equal(zoomTransform({ scale: 2, x: -10, y: -5 }), 'translate(-10.00px, -5.00px) scale(2.0000)');
});
