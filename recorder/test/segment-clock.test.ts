/** The segment clock (evidence time): pure, table-tested. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentClock, type VideoDecision, type VideoUnit } from '../src/writer/segment-clock.js';

const T0 = Date.UTC(2026, 11, 7, 0, 36, 0, 0);
const cfg = { segmentMs: 60000, maxDriftMs: 250, maxGapMs: 2000 };

/** A camera at `fps` whose frames arrive `lag(i)` ms after capture; keyframe every `gop` frames. */
function frames(n: number, o: { fps?: number; gop?: number; media0?: number; wall0?: number; lag?: (i: number) => number; first?: number }): VideoUnit[] {
  const period = 1000 / (o.fps ?? 25);
  const out: VideoUnit[] = [];
  for (let k = 0; k < n; k++) {
    const i = (o.first ?? 0) + k;
    const media = (o.media0 ?? 0) + i * period;
    out.push({ dtsMs: media, ptsMs: media, key: i % (o.gop ?? 25) === 0, wallMs: (o.wall0 ?? T0) + i * period + (o.lag?.(i) ?? 5), newStream: false });
  }
  return out;
}

function run(clock: SegmentClock, units: VideoUnit[]): VideoDecision[] {
  return units.map((u) => clock.video(u));
}

test('the first segment starts at the first keyframe, dated by arrival with jitter filtered out', () => {
  const c = new SegmentClock(cfg);
  const units = frames(100, { first: 3, lag: (i) => (i === 25 ? 5 : 5 + ((i * 37) % 60)) });
  const d = run(c, units);
  // Frames before the first keyframe are dropped.
  assert.deepEqual(d.slice(0, 22).map((x) => x.kind), Array(22).fill('drop'));
  assert.equal(d[22]!.kind, 'cut');
  assert.equal((d[22] as { reason: string }).reason, 'start');
  // The keyframe (i = 25) arrived 5 ms after capture: the least-delayed frame dates the segment.
  assert.equal(c.startMs, T0 + 1000 + 5);
  assert.deepEqual(d[23], { kind: 'write', dtsMs: 40, ptsMs: 40 });
});

test('an encoder restart (new SSRC, new timestamp base 12 h away) cuts at its keyframe and dates the next segment by arrival', () => {
  const c = new SegmentClock(cfg);
  run(c, frames(200, {}));
  const before = c.startMs;
  // The camera restarts: media time jumps 12.6 h back, arrival continues.
  const after = frames(50, { media0: -12.6 * 3600000, wall0: T0 + 8000 + 300 });
  after[0]!.newStream = true;
  const d = run(c, after);
  assert.equal(d[0]!.kind, 'cut');
  assert.equal((d[0] as { reason: string }).reason, 'discontinuity');
  assert.notEqual(c.startMs, before);
  assert.equal(c.startMs, T0 + 8300 + 5);
  assert.equal(d[1]!.kind, 'write');
});

test('a timestamp jump without a new SSRC cuts too, forwards or backwards; a restart mid-GOP waits for the keyframe', () => {
  for (const jump of [-5000, 3.7 * 3600000, 2 ** 32 / 90]) {
    const c = new SegmentClock(cfg);
    run(c, frames(60, {}));
    // The restart arrives on a non-keyframe: dropped until the next keyframe.
    const after = frames(30, { media0: jump, wall0: T0 + 2400, first: 20 });
    const d = run(c, after);
    assert.equal(d[0]!.kind, 'drop', `jump ${jump}`);
    const cutAt = d.findIndex((x) => x.kind === 'cut');
    assert.equal(cutAt, 5, `jump ${jump}: cut at the keyframe`);
    assert.equal((d[cutAt] as { reason: string }).reason, 'jump');
    assert.equal(c.startMs, after[5]!.wallMs);
  }
});

test('a gap confirmed by the wall clock cuts (the gap shows in the spans); a network stall does not', () => {
  const c = new SegmentClock(cfg);
  run(c, frames(50, {}));
  const d = run(c, frames(30, { first: 150 })); // 4 s without frames, media and wall agree
  assert.equal((d[0] as { reason: string }).reason, 'gap');
  const c2 = new SegmentClock(cfg);
  run(c2, frames(50, {}));
  // A 3 s stall of the connection: frames arrive late, then in a burst; media time is continuous.
  const d2 = run(c2, frames(100, { first: 50, lag: (i) => (i < 125 ? 3000 - (i - 50) * 40 : 5) }).map((u) => ({ ...u, wallMs: Math.max(u.wallMs, T0 + 5000) })));
  assert.ok(d2.every((x) => x.kind === 'write' || (x.kind === 'cut' && x.reason === 'duration')), JSON.stringify(d2.filter((x) => x.kind !== 'write')));
  assert.equal(c2.startMs, T0 + 5);
});

test('drift between media and wall time beyond the tolerance cuts at the next keyframe and reports the drift', () => {
  const c = new SegmentClock({ ...cfg, maxDriftMs: 100 });
  // The camera's clock runs 1 % slow: after 20 s its media time is 200 ms behind.
  const units = frames(1000, { lag: (i) => 5 + i * 40 * 0.01 });
  const d = run(c, units);
  const cut = d.findIndex((x) => x.kind === 'cut' && x.reason === 'drift');
  assert.ok(cut > 0, 'cut for drift');
  const dc = d[cut] as { driftMs: number };
  assert.ok(dc.driftMs >= 100 && dc.driftMs < 200, `drift ${dc.driftMs}`);
  assert.equal(units[cut]!.key, true);
  // The new segment is dated by arrival again (the last one: the camera keeps drifting).
  const last = d.map((x) => x.kind).lastIndexOf('cut');
  assert.equal(c.startMs, Math.round(units[last]!.wallMs));
});

test('duration cuts fall on the first keyframe at or after a wall-clock boundary; spans are exact to the frame', () => {
  const c = new SegmentClock({ ...cfg, segmentMs: 10000 });
  // A 10 s GOP at 6 fps, starting 2.5 s past a boundary.
  const units = frames(6 * 40, { fps: 6, gop: 60, wall0: T0 + 2500 });
  const d = run(c, units);
  const cuts = d.map((x, i) => [x, i] as const).filter(([x]) => x.kind === 'cut');
  assert.equal(cuts[0]![1], 0);
  for (const [x, i] of cuts.slice(1)) {
    assert.equal((x as { reason: string }).reason, 'duration');
    assert.equal(units[i]!.key, true);
  }
  // Writes inside a segment are on the camera's frame grid: 1/6 s apart.
  const w = d.slice(1, 4) as { dtsMs: number }[];
  assert.deepEqual(w.map((x) => Math.round(x.dtsMs)), [167, 333, 500]);
});

test('B-frames: pts ahead of dts stays relative; audio is placed on the segment timeline', () => {
  const c = new SegmentClock(cfg);
  const d = c.video({ dtsMs: 1000, ptsMs: 1080, key: true, wallMs: T0, newStream: false });
  assert.deepEqual(d, { kind: 'cut', reason: 'start', closed: null, dtsMs: 0, ptsMs: 80 });
  assert.equal(c.audio(1010), 10);
  assert.equal(c.audio(990), null);
});

test('sender reports: a plausible camera latency is taken off the start; a camera clock that disagrees is ignored and reported', () => {
  // Captured at T0 + i*40, arrives 80..100 ms later; the camera's clock is right.
  const units = frames(50, { lag: (i) => 80 + (i % 3) * 10 }).map((u, i) => ({ ...u, ntpMs: T0 + i * 40 }));
  const c = new SegmentClock(cfg);
  run(c, units);
  assert.equal(c.startMs, T0);
  assert.equal(c.cameraClockOffMs, null);
  // The camera's clock is an hour behind: dated by arrival alone (80 ms late), and reported.
  const wrong = new SegmentClock(cfg);
  run(wrong, units.map((u) => ({ ...u, ntpMs: u.ntpMs - 3600_000 })));
  assert.equal(wrong.startMs, T0 + 80);
  assert.ok(Math.abs(wrong.cameraClockOffMs! + 3600_080) < 2, String(wrong.cameraClockOffMs));
  // A camera clock ahead of ours (capture after arrival) is not trusted either.
  const ahead = new SegmentClock(cfg);
  run(ahead, units.map((u) => ({ ...u, ntpMs: u.ntpMs + 500 })));
  assert.equal(ahead.startMs, T0 + 80);
});

/**
 * A B-frame camera (decode order I0 P3 B1 B2 P6 B4 B5 …, as h264timestamper stamps it: pts = dts +
 * one frame for the IDR): frame n is captured at T0 + n*40 (its RTP time, the pts, is what the
 * sender reports date), the encoder sends decode unit k at T0 + 100 + k*40 (it must hold I0 until
 * P3 is captured). A P-frame arrives 80 ms after its capture, the IDR 100 ms after: the latency of
 * the segment's first frame is 100 ms, not the smallest arrival - capture over reordered frames.
 */
function bFrameUnits(n: number, media0 = 5000): VideoUnit[] {
  const period = 40;
  const out: VideoUnit[] = [];
  for (let k = 0; k < n; k++) {
    // Display index of decode unit k: 0, 3, 1, 2, 6, 4, 5, …
    const g = Math.floor((k - 1) / 3);
    const shown = k === 0 ? 0 : (k - 1) % 3 === 0 ? 3 * g + 3 : 3 * g + ((k - 1) % 3);
    out.push({
      dtsMs: media0 + k * period,
      ptsMs: media0 + period + shown * period,
      key: k === 0 || k % 50 === 0,
      wallMs: T0 + 100 + k * period,
      newStream: false,
      ntpMs: T0 + shown * period,
    });
  }
  return out;
}

test('sender reports with B-frames: capture time (by pts) and arrival (in decode order) are compared on one timeline', () => {
  const units = bFrameUnits(49);
  assert.deepEqual(units.slice(0, 7).map((u) => u.ntpMs! - T0), [0, 120, 40, 80, 240, 160, 200]);
  const c = new SegmentClock(cfg);
  run(c, units);
  // Dated at the capture of its first frame (the IDR), not 80 ms late (the reorder delay).
  assert.equal(c.startMs, T0);
  assert.equal(c.cameraClockOffMs, null);
  // Audio captured with the IDR plays with it (at its pts, one frame into the segment).
  assert.equal(c.audio(6000, T0), 40);
});

test('sender reports: a camera clock a few ms ahead of ours still agrees (two NTP clocks); 50 ms ahead does not', () => {
  const units = frames(50, { lag: () => 0 }).map((u, i) => ({ ...u, ntpMs: T0 + i * 40 + 2 }));
  const c = new SegmentClock(cfg);
  run(c, units);
  assert.equal(c.cameraClockOffMs, null);
  assert.equal(c.startMs, T0);
  const far = new SegmentClock(cfg);
  run(far, units.map((u) => ({ ...u, ntpMs: u.ntpMs + 48 })));
  assert.equal(far.cameraClockOffMs, 50);
});

test('audio is placed by the sender reports of both streams (lip-sync as captured), fixed per segment; without them by pts', () => {
  // Video media time 1000 ms = capture T0; audio media time 5000 ms = capture T0 + 0 too, but its
  // pts timeline (arrival-based in the pull) puts it 175 ms late: audio pts 5175 ↔ capture T0.
  const c = new SegmentClock(cfg);
  c.video({ dtsMs: 1000, ptsMs: 1000, key: true, wallMs: T0 + 90, newStream: false, ntpMs: T0 });
  assert.equal(c.audio(1175, T0), 0);
  assert.equal(c.audio(1215, T0 + 40), 40);
  // Fixed inside the segment: a later, slightly different report does not move it (no jump).
  assert.equal(c.audio(1255, T0 + 83), 80);
  // Without reports: by pts.
  const plain = new SegmentClock(cfg);
  plain.video({ dtsMs: 1000, ptsMs: 1000, key: true, wallMs: T0 + 90, newStream: false });
  assert.equal(plain.audio(1175, null), 175);
  // An implausible placement (seconds off) is not believed.
  const odd = new SegmentClock(cfg);
  odd.video({ dtsMs: 1000, ptsMs: 1000, key: true, wallMs: T0 + 90, newStream: false, ntpMs: T0 });
  assert.equal(odd.audio(1175, T0 + 10_000), 175);
});

test('sender reports that start after the first seconds of a segment still date it (the index is written at close)', () => {
  // The first report comes 3 s in (RTSP servers send their first RTCP after a few seconds).
  const units = frames(150, { lag: () => 90 }).map((u, i) => ({ ...u, ntpMs: i < 75 ? null : T0 + i * 40 }));
  const c = new SegmentClock(cfg);
  run(c, units);
  assert.equal(c.startMs, T0);
});

test('a decode time stepping back a little is held after the previous one (no cut); a big step back cuts', () => {
  const c = new SegmentClock(cfg);
  run(c, frames(10, {}));
  const d = c.video({ dtsMs: 9 * 40 - 80, ptsMs: 9 * 40 + 40, key: false, wallMs: T0 + 400, newStream: false });
  assert.equal(d.kind, 'write');
  assert.ok((d as { dtsMs: number }).dtsMs > 9 * 40 - 1e-6);
  const back = c.video({ dtsMs: -2000, ptsMs: -2000, key: true, wallMs: T0 + 440, newStream: false });
  assert.equal((back as { reason: string }).reason, 'jump');
});

test('a cut for length continues the timeline: the next segment starts exactly where the previous one ends', () => {
  const c = new SegmentClock({ ...cfg, segmentMs: 4000 });
  const units = frames(400, { lag: (i) => 5 + ((i * 53) % 90) });
  const starts: number[] = [];
  const bases: number[] = [];
  units.forEach((u) => {
    const d = c.video(u);
    if (d.kind === 'cut') {
      starts.push(c.startMs!);
      bases.push(u.dtsMs);
    }
  });
  assert.ok(starts.length >= 3);
  for (let i = 1; i < starts.length; i++) assert.equal(starts[i]! - starts[i - 1]!, bases[i]! - bases[i - 1]!);
});
