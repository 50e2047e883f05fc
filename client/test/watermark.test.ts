import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampFontPx, stampGrid, watermarkText, watermarkTime } from '../src/core/watermark.js';
import { frameRecord } from '../src/core/frame-capture.js';

test('watermark text: name (username) and Vietnam time, whatever the machine zone', () => {
  const ms = Date.UTC(2026, 10, 28, 17, 5, 9, 700); // 00:05:09 on 29 Nov in Vietnam
  assert.equal(watermarkTime(ms), '29/11/2026 00:05:09');
  assert.equal(watermarkText({ displayName: 'Nguyễn Văn A', username: 'nva' }, ms), 'Nguyễn Văn A (nva) · 29/11/2026 00:05:09');
  assert.equal(watermarkText({ displayName: 'op', username: 'op' }, ms), 'op · 29/11/2026 00:05:09');
  assert.equal(watermarkText({ displayName: '  ', username: 'op' }, ms), 'op · 29/11/2026 00:05:09');
});

test('stamp grid covers the whole rotated picture: every quarter holds anchors', () => {
  for (const [w, h] of [[640, 360], [1920, 1080], [360, 640]] as const) {
    const pts = stampGrid(w, h, 200, 60);
    // Rotate the anchors as the stamp does (about the centre) and count them in each quadrant.
    const a = (-30 * Math.PI) / 180;
    const rotated = pts.map(({ x, y }) => {
      const dx = x - w / 2, dy = y - h / 2;
      return { x: w / 2 + dx * Math.cos(a) - dy * Math.sin(a), y: h / 2 + dx * Math.sin(a) + dy * Math.cos(a) };
    });
    for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const inside = rotated.filter((p) => p.x >= (qx * w) / 2 && p.x < ((qx + 1) * w) / 2 && p.y >= (qy * h) / 2 && p.y < ((qy + 1) * h) / 2);
      assert.ok(inside.length >= 2, `${w}x${h} quadrant ${qx},${qy} has ${inside.length} anchors`);
    }
  }
  assert.deepEqual(stampGrid(0, 100, 10, 10), []);
  // Copies that would fall outside the picture once turned are not drawn.
  const all = Math.ceil(Math.hypot(640, 360) / 60 / 2) * 2 + 1;
  assert.ok(stampGrid(640, 360, 200, 60).length < all * (Math.ceil(Math.hypot(640, 360) / 200 / 2) * 2 + 3) * 0.75);
  assert.deepEqual([stampFontPx(640, 360), stampFontPx(100, 100), stampFontPx(3840, 2160)], [13, 10, 40]);
});

test('the saved frame record names the viewer and the stamped watermark', () => {
  const rec = frameRecord({ camera: 'demo-1', cameraName: 'Cam 1', frameMs: 1000, timeSource: 'live', width: 640, height: 360, type: 'image/png', bytes: 10, sha256: 'ab'.repeat(32), savedMs: 2000, viewer: { id: '3', username: 'op', displayName: 'Op' }, watermark: 'Op (op) · x' });
  assert.deepEqual([rec.viewer, rec.watermark], [{ id: '3', username: 'op', displayName: 'Op' }, 'Op (op) · x']);
  const anon = frameRecord({ camera: 'demo-1', cameraName: 'Cam 1', frameMs: 1000, timeSource: 'live', width: 640, height: 360, type: 'image/png', bytes: 10, sha256: 'ab'.repeat(32), savedMs: 2000 });
  assert.deepEqual([anon.viewer, anon.watermark], [null, null]);
});
