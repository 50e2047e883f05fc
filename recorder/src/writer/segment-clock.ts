/**
 * Evidence time for one camera's recording (pure; no I/O, no clock of its own).
 *
 * Every video access unit arrives with two times: its media time (the camera's clock, through the
 * RTP timestamps) and the server's wall clock when its last packet arrived. Media time is smooth and
 * frame-exact, but its base is the camera's: it resets, jumps and wraps when the camera restarts its
 * encoder. Wall time is the truth but arrives with network and encoder jitter (never early). So a
 * segment's wall-clock start is the smallest `arrival - (media - media of its first frame)` over its
 * first frames (jitter only ever adds), media time carries the frames inside the segment, and the
 * segment is cut when the two disagree:
 * - a discontinuity: a new SSRC (the pull relinked to a new RTP stream), media time going backwards,
 *   or a media step larger than `maxGapMs` that the wall clock does not confirm: cut at once, the
 *   next segment starts at the first keyframe of the new timeline, dated by its own arrival;
 * - a gap: a media step larger than `maxGapMs` that the wall clock confirms (the camera sent nothing):
 *   cut, so the gap shows in the spans;
 * - drift: over the segment, the arrival lag (windowed minimum) moved more than `maxDriftMs` away from
 *   the one the segment was dated with: cut at the next keyframe, the drift reported;
 * - duration: the first keyframe at or after the next multiple of `segmentMs` of wall time.
 *
 * Cross-check with the camera's RTCP sender reports: where the camera sends them, each unit also
 * carries the camera's own capture time of it (`ntpMs`). Arrival is later than capture by the
 * camera's encoding and network latency; when the camera's clock agrees with ours (its capture time
 * is between `maxCameraLatencyMs` before arrival and arrival itself), that latency (the smallest
 * `arrival - capture` of the segment's frames so far, each taken back to the segment's first frame:
 * arrival by dts, capture by pts, so B-frames' reordering is not mistaken for latency) is taken off
 * the segment's start. A camera
 * clock outside that window (give or take CAMERA_CLOCK_TOLERANCE_MS) is not trusted at all (`cameraClockOffMs` reports by how much): the
 * segment is dated by arrival alone. The camera's clock never dates anything on its own.
 */

/**
 * A camera clock this far ahead of ours still agrees with it: two NTP-synchronised clocks differ by a
 * few ms, and a frame can arrive a millisecond after the time its sender report gives for it.
 */
const CAMERA_CLOCK_TOLERANCE_MS = 20;

/** Audio placed by the camera's sender reports more than this from its arrival-based place is not believed. */
const MAX_AUDIO_SHIFT_MS = 2000;

/** A length cut keeps the previous segment's timeline unless its own arrival estimate differs by more. */
const SNAP_MS = 100;

/** The start a segment is dated with before the camera latency (see startMs). */
function ownStart(s: { startMs: number; continuedStart: number | null }): number {
  return s.continuedStart !== null && Math.abs(s.startMs - s.continuedStart) <= SNAP_MS ? s.continuedStart : s.startMs;
}

export type CutReason = 'start' | 'duration' | 'discontinuity' | 'jump' | 'gap' | 'drift';

export interface ClockConfig {
  segmentMs: number;
  /** Largest allowed difference between media time and wall time inside one segment. */
  maxDriftMs: number;
  /** A media step larger than this between two frames is a discontinuity or a gap. */
  maxGapMs: number;
  /** The start of a segment is refined over its first frames for this long (short: a camera clock running off bends the estimate by its rate over this window). */
  startWindowMs?: number;
  /** Window of the arrival-lag minimum used for drift. */
  driftWindowMs?: number;
  /** Largest capture-to-arrival latency accepted from a camera's sender reports (default 1000 ms). */
  maxCameraLatencyMs?: number;
}

export interface VideoUnit {
  /** Decode time on the camera's media timeline, ms (pts when the source has no dts). */
  dtsMs: number;
  ptsMs: number;
  key: boolean;
  /** Server wall clock when the unit arrived, epoch ms. */
  wallMs: number;
  /** The pull switched to a new RTP stream (new SSRC) just before this unit. */
  newStream: boolean;
  /** The camera's capture time of this unit by its RTCP sender reports, epoch ms (absent: none). */
  ntpMs?: number | null;
}

export type VideoDecision =
  /** Waiting for a keyframe (before the first segment, or after a discontinuity). */
  | { kind: 'drop' }
  /** Write into the current segment; times relative to the segment's first frame, ms. */
  | { kind: 'write'; dtsMs: number; ptsMs: number }
  /** Close the current segment (if any) and start a new one with this keyframe. */
  | { kind: 'cut'; reason: CutReason; closed: CutReason | null; dtsMs: number; ptsMs: number; driftMs?: number; detail?: string };

interface Segment {
  baseDts: number;
  firstWall: number;
  /** min(arrival - (dts - baseDts)) over the start window: the wall time of the first frame. */
  startMs: number;
  boundaryMs: number;
  lags: { wall: number; lag: number }[];
  lastDts: number;
  lastWall: number;
  /** min(arrival - camera capture time) over the start window (sender reports), or null. */
  camLag: number | null;
  /** Continues the previous segment's timeline (a duration cut): its start is not re-estimated. */
  continued: boolean;
  /** The camera's capture time of media time baseDts (sender reports), or null. */
  ntpBase: number | null;
  /** pts - dts of the segment's first frame (B-frames: the reorder delay). */
  basePtsOffset: number;
  /** Audio media time + this = video media time, fixed at the segment's first audio unit; null before it. */
  audioShift: number | null;
  /** A length cut: the start that continues the previous segment's timeline exactly. */
  continuedStart: number | null;
}

export class SegmentClock {
  private seg: Segment | null = null;
  /** A cut wanted at the next keyframe (drift, duration), or a discontinuity waiting for one. */
  private pending: { reason: CutReason; driftMs?: number; hard: boolean; detail?: string } | null = null;
  private readonly startWindowMs: number;
  private readonly driftWindowMs: number;
  /** The last segment's audio placement, the fallback while sender reports are missing. */
  private lastAudioShift: number | null = null;

  constructor(private readonly cfg: ClockConfig) {
    this.startWindowMs = cfg.startWindowMs ?? 1000;
    this.driftWindowMs = cfg.driftWindowMs ?? 5000;
  }

  /** How far the camera's clock (sender reports) is off ours when it is not trusted, ms; else null. */
  cameraClockOffMs: number | null = null;

  /** Wall-clock start of the current segment (refined during its first seconds), or null. */
  get startMs(): number | null {
    const s = this.seg;
    if (!s) return null;
    const max = this.cfg.maxCameraLatencyMs ?? 1000;
    // The camera says it captured the frames this long before they arrived: plausible, so use it.
    const latency = s.camLag !== null && s.camLag >= -CAMERA_CLOCK_TOLERANCE_MS && s.camLag <= max ? Math.max(0, s.camLag) : 0;
    return Math.round(ownStart(s) - latency);
  }

  /** Media time (ms) of the current segment's first frame, for audio. */
  get baseMediaMs(): number | null {
    return this.seg?.baseDts ?? null;
  }

  /** Forget the segment (the writer closed it for its own reasons: stop, stall, error). */
  reset(): void {
    this.seg = null;
    this.pending = null;
    this.lastAudioShift = null;
  }

  video(u: VideoUnit): VideoDecision {
    const seg = this.seg;
    if (seg && !this.pending?.hard) {
      const dDts = u.dtsMs - seg.lastDts;
      const dWall = u.wallMs - seg.lastWall;
      let reason: CutReason | null = null;
      let detail = '';
      if (u.newStream) {
        reason = 'discontinuity';
        detail = 'new RTP stream (SSRC)';
      } else if (dDts < -Math.min(500, this.cfg.maxGapMs)) {
        reason = 'jump';
        detail = `media time went back ${Math.round(-dDts)} ms`;
      } else if (dDts - dWall > this.cfg.maxDriftMs) {
        // Media time ran ahead of the wall clock between two frames (a forward jump shorter than a
        // gap): cut, or the start refinement below would take the jump for arrival delay and date
        // the segment early by it.
        reason = 'jump';
        detail = `media time jumped ${Math.round(dDts)} ms in ${Math.round(dWall)} ms of wall time`;
      } else if (dDts > this.cfg.maxGapMs) {
        if (Math.abs(dDts - dWall) > this.cfg.maxDriftMs) {
          reason = 'jump';
          detail = `media time jumped ${Math.round(dDts)} ms in ${Math.round(dWall)} ms of wall time`;
        } else {
          reason = 'gap';
          detail = `no media for ${Math.round(dDts)} ms`;
        }
      }
      if (reason) {
        this.pending = { reason, hard: true, detail };
        this.seg = null;
        // The old segment ends with the previous frame; this one belongs to the new timeline.
        return u.key ? this.open(u, reason, reason) : { kind: 'drop' };
      }
    }
    if (!this.seg) {
      if (!u.key) return { kind: 'drop' };
      const p = this.pending;
      return this.open(u, p ? p.reason : 'start', p?.hard ? p.reason : null, p?.driftMs, p?.detail);
    }
    const s = this.seg;
    // A decode time that steps back a little (a timestamper settling on the reorder delay) is held
    // just after the previous one: decode times into the muxer only ever grow.
    const dts = Math.max(u.dtsMs, s.lastDts + 0.001);
    const rel = dts - s.baseDts;
    const lag = u.wallMs - rel;
    if (!s.continued && u.wallMs - s.firstWall <= this.startWindowMs) {
      if (lag < s.startMs) s.startMs = lag;
    }
    // The camera's latency (its least delayed frame by its sender reports) over the whole segment:
    // the first report may come seconds after the stream starts, and the index is written at close.
    this.noteCamera(s, u);
    s.lags.push({ wall: u.wallMs, lag });
    while (s.lags.length > 0 && s.lags[0]!.wall < u.wallMs - this.driftWindowMs) s.lags.shift();
    s.lastDts = dts;
    s.lastWall = u.wallMs;
    if (!this.pending && (s.continued || u.wallMs - s.firstWall > this.startWindowMs + this.driftWindowMs)) {
      let min = Infinity;
      for (const l of s.lags) if (l.lag < min) min = l.lag;
      const drift = min - s.startMs;
      if (Math.abs(drift) > this.cfg.maxDriftMs) this.pending = { reason: 'drift', driftMs: Math.round(drift), hard: false };
    }
    if (!this.pending && s.startMs + rel >= s.boundaryMs) this.pending = { reason: 'duration', hard: false };
    if (this.pending && u.key) {
      const p = this.pending;
      return this.open(u, p.reason, p.reason, p.driftMs, p.detail);
    }
    return { kind: 'write', dtsMs: rel, ptsMs: Math.max(u.ptsMs, dts) - s.baseDts };
  }

  /**
   * Audio time relative to the current segment, ms; null when there is no segment or it is before its
   * start. Audio and video media times have separate bases (two RTP streams); with the camera's sender
   * reports for both (`ntpMs` here, the video units' own), the audio is placed by the camera's capture
   * times (lip-sync as the camera recorded it); without, by the pull's pts (first-packet arrival). The
   * placement is fixed per segment at its first audio unit (no jump inside a segment) and taken anew
   * at each segment (an audio clock drifting from the video clock is caught up at every cut).
   */
  audio(ptsMs: number, ntpMs: number | null = null): number | null {
    const s = this.seg;
    if (!s) return null;
    if (s.audioShift === null) {
      const byCamera = ntpMs !== null && s.ntpBase !== null ? ntpMs - s.ntpBase - (ptsMs - s.baseDts) : null;
      s.audioShift = byCamera !== null && Math.abs(byCamera) <= MAX_AUDIO_SHIFT_MS ? byCamera : (this.lastAudioShift ?? 0);
      this.lastAudioShift = s.audioShift;
    }
    const rel = ptsMs - s.baseDts + s.audioShift;
    return rel < 0 ? null : rel;
  }

  private noteCamera(s: Segment, u: VideoUnit): void {
    if (u.ntpMs === undefined || u.ntpMs === null) return;
    // The capture time is the one of the unit's presentation (its pts; the pull maps the RTP time,
    // which is the pts), while arrival follows decode order (dts): with B-frames the two differ by
    // up to the reorder delay, a P-frame arriving well before a B-frame it is shown after. Both are
    // taken back to the segment's first frame on their own timeline: arrival by dts (as startMs
    // is), capture by pts; their difference is the first frame's latency.
    s.ntpBase ??= u.ntpMs - (u.ptsMs - s.baseDts);
    const camLag = u.wallMs - u.ntpMs + (u.ptsMs - u.dtsMs) - s.basePtsOffset;
    if (s.camLag === null || camLag < s.camLag) s.camLag = camLag;
    const max = this.cfg.maxCameraLatencyMs ?? 1000;
    this.cameraClockOffMs = s.camLag < -CAMERA_CLOCK_TOLERANCE_MS || s.camLag > max ? Math.round(-s.camLag) : null;
  }

  private open(u: VideoUnit, reason: CutReason, closed: CutReason | null, driftMs?: number, detail?: string): VideoDecision {
    const prev = this.seg;
    // A cut for length: where the previous segment ends on media time (continuing its timeline, so
    // consecutive segments join exactly) unless this segment's own arrival estimate (refined over
    // its first second like any start) says otherwise by more than SNAP_MS: then its own.
    const continuedStart = reason === 'duration' && prev ? ownStart(prev) + (u.dtsMs - prev.baseDts) : null;
    const startMs = u.wallMs;
    this.seg = {
      baseDts: u.dtsMs,
      firstWall: u.wallMs,
      startMs,
      boundaryMs: (Math.floor(startMs / this.cfg.segmentMs) + 1) * this.cfg.segmentMs,
      lags: [{ wall: u.wallMs, lag: u.wallMs }],
      lastDts: u.dtsMs,
      lastWall: u.wallMs,
      // The previous segment's latency, taken to this segment's first frame.
      camLag: continuedStart !== null && prev!.camLag !== null ? prev!.camLag + prev!.basePtsOffset - (u.ptsMs - u.dtsMs) : null,
      continued: false,
      continuedStart,
      ntpBase: null,
      basePtsOffset: u.ptsMs - u.dtsMs,
      audioShift: null,
    };
    // A new timeline (discontinuity): the audio placement of the old one says nothing about it.
    if (reason === 'discontinuity' || reason === 'jump') this.lastAudioShift = null;
    this.noteCamera(this.seg, u);
    this.pending = null;
    return {
      kind: 'cut',
      reason,
      closed: closed === 'start' ? null : closed,
      dtsMs: 0,
      ptsMs: u.ptsMs - u.dtsMs,
      ...(driftMs !== undefined ? { driftMs } : {}),
      ...(detail ? { detail } : {}),
    };
  }
}
