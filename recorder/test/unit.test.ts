/** Pure parts: naming, time parsing and windows, span merging, retention planning, progress, HLS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactUtc, parseSegmentFileName, segmentRelPath, segmentFileName, parseIncomingName, incomingPattern, newRunId } from '../src/store/naming.js';
import { parseInstant, checkWindow, isoHoChiMinh, MIN_TIME_MS } from '../src/playback/time.js';
import { mergeSpans } from '../src/playback/spans.js';
import { planRetention, isHeld, type RetentionSegment } from '../src/store/retention.js';
import { AnchorEstimator, parseProgress, parseSegmentList } from '../src/writer/progress.js';
import { classifyStderr, segmentArgs } from '../src/writer/ffmpeg-args.js';
import { buildPlaylist, fileParts } from '../src/playback/hls.js';
import type { Fmp4Info } from '../src/store/fmp4.js';

const T = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

test('segment names: format and parse round-trip, UTC with ms', () => {
  assert.equal(compactUtc(T), '20250102T030405.678Z');
  assert.equal(segmentFileName('cam-1', T), 'cam-1_20250102T030405.678Z.mp4');
  assert.equal(segmentRelPath('cam_1', T), 'cam_1/2025-01-02/cam_1_20250102T030405.678Z.mp4');
  assert.deepEqual(parseSegmentFileName('cam_1_20250102T030405.678Z.mp4'), { camera: 'cam_1', startMs: T, dup: 0 });
  assert.deepEqual(parseSegmentFileName('a_20250102T030405.678Z~2.mp4'), { camera: 'a', startMs: T, dup: 2 });
  for (const bad of ['x.mp4', 'cam_20251302T030405.678Z.mp4', 'cam_20250230T000000.000Z.mp4', 'cam_20250102T250405.678Z.mp4', '../x_20250102T030405.678Z.mp4', 'Cam_20250102T030405.678Z.mp4', 'cam_20250102T030405.678Z.mp4.tmp', 'cam_20250102T030405Z.mp4']) {
    assert.equal(parseSegmentFileName(bad), null, bad);
  }
  assert.throws(() => segmentRelPath('../etc', T));
  const run = newRunId(T);
  assert.match(run, /^r[a-z0-9]+$/);
  assert.notEqual(newRunId(T), run);
  assert.equal(incomingPattern(run), `${run}_%Y%m%dT%H%M%SZ.mp4`);
  assert.deepEqual(parseIncomingName(`${run}_20250102T030405Z.mp4`), { runId: run, startSecMs: T - 678 });
  assert.equal(parseIncomingName(`${run}_20250102T030405Z.mp4.x`), null);
  assert.throws(() => incomingPattern('../x'));
});

test('time parsing: epoch ms or ISO with a zone, nothing else', () => {
  assert.equal(parseInstant(String(T)), T);
  assert.equal(parseInstant(T), T);
  assert.equal(parseInstant('2025-01-02T03:04:05.678Z'), T);
  assert.equal(parseInstant('2025-01-02T10:04:05.678+07:00'), T);
  assert.equal(parseInstant('2025-01-02T10:04:05.678+0700'), T);
  for (const bad of ['', 'yesterday', '2025-01-02', '2025-01-02T03:04:05', '1e12', '-5', '12.5', '../../etc/passwd', '2025-13-02T03:04:05Z', 'x'.repeat(100), null, undefined, {}, 1.5, Number.NaN]) {
    assert.equal(parseInstant(bad), null, String(bad));
  }
  assert.equal(isoHoChiMinh(T), '2025-01-02T10:04:05.678+07:00');
  const now = T;
  assert.equal(checkWindow(T, T + 1000, { maxSpanMs: 3600000, now }), null);
  assert.match(checkWindow(T, T, { maxSpanMs: 3600000, now }) ?? '', /after/);
  assert.match(checkWindow(T + 1, T, { maxSpanMs: 3600000, now }) ?? '', /after/);
  assert.match(checkWindow(T, T + 7200000, { maxSpanMs: 3600000, now }) ?? '', /at most/);
  assert.match(checkWindow(T + 3 * 86400000, T + 3 * 86400000 + 1, { maxSpanMs: 3600000, now }) ?? '', /future/);
  assert.ok(MIN_TIME_MS < T);
});

test('span merging: contiguous segments join, gaps are reported, clipped to the window', () => {
  const cases: { name: string; ranges: [number, number][]; from: number; to: number; spans: [number, number][]; gaps: [number, number][] }[] = [
    { name: 'empty', ranges: [], from: 0, to: 100, spans: [], gaps: [[0, 100]] },
    { name: 'contiguous', ranges: [[10, 20], [20, 30], [30, 40]], from: 0, to: 100, spans: [[10, 40]], gaps: [[0, 10], [40, 100]] },
    { name: 'within tolerance', ranges: [[10, 20], [20.2, 30]], from: 0, to: 30, spans: [[10, 30]], gaps: [[0, 10]] },
    { name: 'gap', ranges: [[10, 20], [25, 30]], from: 0, to: 30, spans: [[10, 20], [25, 30]], gaps: [[0, 10], [20, 25]] },
    { name: 'unsorted + overlap', ranges: [[25, 30], [10, 22], [15, 20]], from: 0, to: 30, spans: [[10, 22], [25, 30]], gaps: [[0, 10], [22, 25]] },
    { name: 'clipped', ranges: [[0, 50], [60, 200]], from: 40, to: 100, spans: [[40, 50], [60, 100]], gaps: [[50, 60]] },
    { name: 'outside', ranges: [[0, 10], [200, 300]], from: 50, to: 100, spans: [], gaps: [[50, 100]] },
    { name: 'empty range ignored', ranges: [[20, 20], [30, 40]], from: 0, to: 50, spans: [[30, 40]], gaps: [[0, 30], [40, 50]] },
  ];
  for (const c of cases) {
    const r = mergeSpans(c.ranges.map(([s, e]) => ({ startMs: s, endMs: e })), c.from, c.to, 1);
    assert.deepEqual(r.spans.map((s) => [s.startMs, s.endMs]), c.spans, c.name);
    assert.deepEqual(r.gaps.map((s) => [s.startMs, s.endMs]), c.gaps, c.name);
    assert.equal(r.recordedMs, c.spans.reduce((a, [s, e]) => a + e - s, 0), c.name);
  }
});

test('retention planning: age, quota, free space, oldest first, holds and open segments are kept', () => {
  const H = 3600000;
  const now = 100 * H;
  const seg = (id: number, camera: string, startH: number, bytes = 100, open = false): RetentionSegment => ({ id, camera, startMs: startH * H, endMs: (startH + 1) * H, bytes, open });
  const segs = [seg(1, 'a', 1), seg(2, 'b', 2), seg(3, 'a', 3), seg(4, 'b', 4), seg(5, 'a', 98), seg(6, 'b', 99, 100, true)];
  const base = { now, maxAgeMs: 1000 * H, maxBytes: 0, storeBytes: 600, freeBytes: 1e9, minFreeBytes: 0 };
  assert.deepEqual(planRetention(segs, [], base).delete, [], 'nothing to do');
  assert.deepEqual(planRetention(segs, [], { ...base, maxAgeMs: 95.5 * H }).delete.map((d) => [d.id, d.reason]), [[1, 'age'], [2, 'age'], [3, 'age']]);
  assert.deepEqual(planRetention(segs, [], { ...base, maxAgeMs: 95.5 * H, maxAgeMsByCamera: { b: 1000 * H } }).delete.map((d) => d.id), [1, 3], 'per-camera override');
  assert.deepEqual(planRetention(segs, [], { ...base, maxBytes: 350 }).delete.map((d) => [d.id, d.reason]), [[1, 'quota'], [2, 'quota'], [3, 'quota']]);
  assert.deepEqual(planRetention(segs, [], { ...base, freeBytes: 50, minFreeBytes: 200 }).delete.map((d) => [d.id, d.reason]), [[1, 'free-space'], [2, 'free-space']]);
  // Holds: a camera hold over hour 1..2 of camera a keeps seg 1; an all-camera hold keeps seg 2; the plan moves on.
  const holds = [{ camera: 'a', startMs: 1.5 * H, endMs: 1.6 * H }, { camera: null, startMs: 2 * H, endMs: 2.5 * H }];
  const p = planRetention(segs, holds, { ...base, maxBytes: 350 });
  assert.deepEqual(p.delete.map((d) => d.id), [3, 4, 5]);
  assert.equal(p.heldKept, 2);
  // Everything unheld gone and still over: the open segment stays, the deficit is reported.
  const q = planRetention(segs, holds, { ...base, maxBytes: 10 });
  assert.deepEqual(q.delete.map((d) => d.id), [3, 4, 5]);
  assert.equal(q.quotaDeficitBytes, 600 - 300 - 10);
  assert.equal(isHeld({ camera: 'b', startMs: 1 * H, endMs: 2 * H }, holds), false, 'a camera hold does not hold other cameras');
  assert.equal(isHeld({ camera: 'a', startMs: 2.5 * H, endMs: 3 * H }, holds), false, 'touching is not overlapping');
  assert.deepEqual(planRetention(segs, [], { ...base, maxBytes: 10, maxDeletions: 2 }).delete.map((d) => d.id), [1, 2], 'bounded pass');
  // The walk stops early: a generator past the horizon is not drained.
  let pulled = 0;
  function* lazy(): Generator<RetentionSegment> {
    for (const s of segs) {
      pulled++;
      yield s;
    }
  }
  planRetention(lazy(), [], base);
  assert.equal(pulled, 1);
});

test('progress parsing and the wall-clock anchor', () => {
  const { blocks, rest } = parseProgress('frame=1\nout_time_us=1000000\nprogress=continue\nframe=2\nout_time_us=15');
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.out_time_us, '1000000');
  const again = parseProgress(rest + '00000\nprogress=continue\n');
  assert.equal(again.blocks[0]!.out_time_us, '1500000');
  const a = new AnchorEstimator(10000);
  assert.equal(a.anchorMs, null);
  a.add(10_000, 1_000_000); // reported 0 ms late
  a.add(10_700, 1_500_000); // 200 ms late
  assert.equal(a.anchorMs, 9000);
  a.add(30_000, 21_000_000); // the first samples leave the window
  assert.equal(a.anchorMs, 9000);
  const list = parseSegmentList('r1_20250102T030405Z.mp4,0.000000,5.480000\n/x/y/r1_20250102T030409Z.mp4,5.480000,9.480000\n');
  assert.deepEqual(list.get('r1_20250102T030409Z.mp4'), { start: 5.48, end: 9.48 });
});

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
