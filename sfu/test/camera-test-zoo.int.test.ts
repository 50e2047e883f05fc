/**
 * The admin page's Test against the camera zoo (real GStreamer RTSP server, awkward encoders, basic
 * authentication): H.265 and B-frame cameras are recognised and transcoded, each with a decoded
 * snapshot; a wrong password is "refused"; an unreachable address is "unreachable".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CameraZoo } from '@wardwall/testing/zoo';
import { testCameraUrl } from '../src/cameras/camera-test.js';

let zoo: CameraZoo;
before(async () => {
  zoo = await CameraZoo.start({ kinds: ['h265', 'bframes', 'g711'], user: 'viewer', password: 'Zoo-Test_7', prerendered: true });
});
after(async () => {
  await zoo?.close();
});

const isJpeg = (dataUrl: string | null) => !!dataUrl && Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64').subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));

test('Test recognises H.265 and B-frames (transcode, why), audio, and decodes a snapshot', async () => {
  const h265 = await testCameraUrl(zoo.url('h265'), 'auto');
  assert.equal(h265.reachable, true);
  assert.equal(h265.authentication, 'ok');
  assert.deepEqual([h265.ingest?.codec, h265.ingest?.mode, h265.ingest?.reason], ['H265', 'transcode', 'h265']);
  assert.ok(isJpeg(h265.snapshot), 'an H.265 keyframe decoded to JPEG');
  const bf = await testCameraUrl(zoo.url('bframes'), 'auto');
  assert.deepEqual([bf.ingest?.codec, bf.ingest?.bframes, bf.ingest?.mode, bf.ingest?.reason], ['H264', true, 'transcode', 'bframes']);
  assert.ok(isJpeg(bf.snapshot));
  const g711 = await testCameraUrl(zoo.url('g711'), 'auto');
  assert.equal(g711.ingest?.mode, 'passthrough');
  assert.ok((g711.ingest?.audio ?? []).some((a) => /PCM[AU]/.test(a)), JSON.stringify(g711.ingest?.audio));
  // transcode: false on an H.265 camera: cannot be shown, and why.
  const forced = await testCameraUrl(zoo.url('h265'), false);
  assert.deepEqual([forced.ingest?.mode, forced.ingest?.reason], ['unplayable', 'needs_transcode']);
});

test('Test names a refused password and an unreachable camera', async () => {
  const wrong = new URL(zoo.url('g711'));
  wrong.password = 'not-the-password';
  const refused = await testCameraUrl(wrong.toString(), 'auto');
  assert.deepEqual([refused.reachable, refused.authentication, refused.error, refused.ingest], [true, 'refused', 'unauthorized', null]);
  const down = await testCameraUrl('rtsp://127.0.0.1:1/nothing', 'auto');
  assert.deepEqual([down.reachable, down.error], [false, 'unreachable']);
});
