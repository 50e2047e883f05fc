/** The AAC decoder delay the recorder writes audio early by (writer/aac-delay.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aacDecoderDelayMs, adtsSampleRate } from '../src/writer/aac-delay.js';

test('AAC decoder delay: one 1024-sample frame at the ADTS header rate; not ADTS: none', () => {
  // ADTS header, AAC-LC, 16 kHz (index 8), mono.
  const adts16k = Uint8Array.from([0xff, 0xf1, 0x60, 0x40, 0x20, 0x1f, 0xfc]);
  assert.equal(adtsSampleRate(adts16k), 16000);
  assert.equal(aacDecoderDelayMs(adts16k), 64);
  const adts48k = Uint8Array.from([0xff, 0xf1, 0x4c, 0x40, 0x20, 0x1f, 0xfc]);
  assert.equal(aacDecoderDelayMs(adts48k), (1024 * 1000) / 48000);
  assert.equal(aacDecoderDelayMs(Uint8Array.from([0, 1, 2, 3, 4, 5, 6])), 0);
  assert.equal(aacDecoderDelayMs(Uint8Array.from([0xff, 0xf1])), 0);
});
