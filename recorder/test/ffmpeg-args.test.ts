/** The segment ffmpeg's arguments and stderr classes (writer/ffmpeg-args.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyStderr, segmentArgs } from '../src/writer/ffmpeg-args.js';

test('segment ffmpeg arguments: TS on stdin, copy, fragmented MP4 flushed per fragment, only the output file named', () => {
  const args = segmentArgs({ output: '/s/c/.incoming/r1_20250102T030405Z.mp4', audio: true });
  const at = (k: string) => args[args.indexOf(k) + 1];
  assert.equal(at('-c'), 'copy');
  assert.equal(at('-i'), 'pipe:0');
  assert.equal(at('-f'), 'mpegts');
  assert.equal(at('-movflags'), '+frag_keyframe+empty_moov+default_base_moof');
  assert.equal(at('-frag_duration'), '1000000');
  assert.equal(at('-flush_packets'), '1');
  assert.ok(args.includes('0:a:0?'));
  assert.ok(!segmentArgs({ output: '/x.mp4', audio: false }).includes('0:a:0?'));
  assert.equal(args.filter((a) => a.includes('rtsp')).length, 0);
  assert.equal(args[args.length - 1], '/s/c/.incoming/r1_20250102T030405Z.mp4');
  assert.equal(classifyStderr(['av_interleaved_write_frame(): No space left on device']), 'disk-full');
  assert.equal(classifyStderr(['method DESCRIBE failed: 404 Not Found']), 'not-found');
  assert.equal(classifyStderr(['Connection to tcp://x failed: Connection refused']), 'connect-failed');
});
