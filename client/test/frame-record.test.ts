/** The saved-frame record (client/src/core/frame-capture.ts): file names, both time zones, digest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hexOf as hex } from '@wardwall/common';
import { frameFileName, frameRecord, sidecarName } from '../src/core/frame-capture.js';

test('saved frame record: names, times in both zones, digest', () => {
  const ms = Date.UTC(2026, 10, 28, 7, 3, 5, 250);
  const digest = hex(createHash('sha256').update('png bytes').digest());
  assert.equal(frameFileName('demo-1', ms, digest, 'image/png'), `demo-1_20261128-140305.250+0700_${digest.slice(0, 12)}.png`);
  assert.equal(frameFileName('cam/../x y', ms, digest, 'image/jpeg').startsWith('cam_.._x_y_'), true);
  const rec = frameRecord({ camera: 'demo-1', cameraName: 'Demo 1', frameMs: ms, timeSource: 'recording', width: 640, height: 360, type: 'image/png', bytes: 9, sha256: digest, savedMs: ms + 1000 });
  assert.equal(rec.frameTime.hoChiMinh, '2026-11-28T14:03:05.250+07:00');
  assert.equal(rec.frameTime.utc, '2026-11-28T07:03:05.250Z');
  assert.equal(rec.file, frameFileName('demo-1', ms, digest, 'image/png'));
  assert.equal(sidecarName(rec.file), rec.file.replace('.png', '.json'));
});
