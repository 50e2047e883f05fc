/** HLS playlists (playback/hls.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlaylist, fileParts } from '../src/playback/hls.js';
import type { Fmp4Info } from '../src/store/fmp4.js';

const T = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

test('HLS playlist: keyframe-aligned byte ranges, program date time, a discontinuity per file, window clipping', () => {
  const frag = (i: number, key: boolean) => ({ offset: 800 + i * 1000, length: 1000, baseTime: i * 90000, duration: 90000, samples: 25, keyframe: key });
  const info = (n: number, keyEvery = 1): Fmp4Info => ({ initLength: 800, timescale: 90000, fragments: Array.from({ length: n }, (_, i) => frag(i, i % keyEvery === 0)), validBytes: 800 + n * 1000, size: 800 + n * 1000 });
  const parts = fileParts({ segmentId: 1, startMs: T, info: info(4, 2) });
  assert.deepEqual(parts.map((p) => [p.offset, p.length, p.startMs - T, p.durationMs]), [[800, 2000, 0, 2000], [2800, 2000, 2000, 2000]]);
  const { text, parts: n } = buildPlaylist(
    [
      { segmentId: 7, startMs: T, info: info(4) },
      { segmentId: 9, startMs: T + 10000, info: info(4) },
    ],
    { from: T + 2500, to: T + 11500, uri: (id) => `media/${id}.mp4` },
  );
  assert.equal(n, 4);
  const lines = text.split('\n');
  assert.equal(lines[0], '#EXTM3U');
  assert.ok(lines.includes('#EXT-X-ENDLIST'));
  assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
  assert.deepEqual(lines.filter((l) => l.startsWith('#EXT-X-MAP')), ['#EXT-X-MAP:URI="media/7.mp4",BYTERANGE="800@0"', '#EXT-X-MAP:URI="media/9.mp4",BYTERANGE="800@0"']);
  assert.deepEqual(lines.filter((l) => l.startsWith('#EXT-X-BYTERANGE')), ['#EXT-X-BYTERANGE:1000@2800', '#EXT-X-BYTERANGE:1000@3800', '#EXT-X-BYTERANGE:1000@800', '#EXT-X-BYTERANGE:1000@1800']);
  assert.deepEqual(lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME')).map((l) => Date.parse(l.slice(25)) - T), [2000, 3000, 10000, 11000]);
});

test('HLS playlist reaching the present: an EVENT playlist without ENDLIST whose listed parts never change', () => {
  const frag = (i: number) => ({ offset: 800 + i * 1000, length: 1000, baseTime: i * 90000, duration: 90000, samples: 25, keyframe: true });
  const info = (n: number): Fmp4Info => ({ initLength: 800, timescale: 90000, fragments: Array.from({ length: n }, (_, i) => frag(i)), validBytes: 800 + n * 1000, size: 800 + n * 1000 });
  const at = (n: number) =>
    buildPlaylist(
      [
        { segmentId: 1, startMs: T, info: info(4) },
        { segmentId: 2, startMs: T + 4000, info: info(n), open: true },
      ],
      { from: T, to: T + 86_400_000, uri: (id) => `media/${id}.mp4`, live: true },
    );
  const early = at(2);
  const later = at(5);
  assert.ok(early.text.includes('#EXT-X-PLAYLIST-TYPE:EVENT'));
  assert.ok(!early.text.includes('#EXT-X-ENDLIST'));
  // The open file's last part (it may still grow) is held back.
  assert.equal(early.parts, 4 + 1);
  assert.equal(later.parts, 4 + 4);
  // A reload only appends: the earlier playlist is a prefix of the later one.
  assert.ok(later.text.startsWith(early.text.trimEnd()), 'append-only');
});
