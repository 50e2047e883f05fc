/**
 * The Node pull's core (pure: no socket, no clock of its own — every packet comes with its arrival
 * time): RTP/RTCP packets of one H.264 video track in, the very records pull.py writes out
 * (pull-protocol.ts), so camera-writer.ts, the segment clock and everything downstream stay the same:
 *
 * - `wall`: the server's clock when the access unit's last packet arrived (pull.py: when the
 *   depayloader produced it, i.e. at its marker packet);
 * - `ntp`: the camera's capture time of the unit by its latest RTCP sender report for that SSRC;
 * - `pts`/`dts` in ns: the RTP timestamp unwrapped (32-bit wrap), dts = pts (no reordering);
 * - a new SSRC (the camera restarted its encoder) gives an `ssrc` event and `disc` on its first
 *   unit; its media time continues from the old stream's by the arrival gap (as pull.py's new pad);
 * - access units carry Annex B with SPS/PPS in front of every keyframe (h264parse config-interval=-1);
 * - RTP timestamps stepping back by less than half a second, twice within 50 units, mean a
 *   reordered stream (B-frames; not looked for in a baseline stream): `rtp()` answers `reordered`, the writer hands the camera to pull.py. A unit further
 *   behind is a stray, written at the newest unit's time; ten in a row are the camera's clock
 *   jumping back: a discontinuity, like a new SSRC.
 * Malformed packets are counted and dropped; nothing here throws on input.
 */
import { emptyRtpHeader, H264Depacketizer, ParameterSetTracker, parseRtp, toAnnexB, type AccessUnit, type ParameterSets } from '@wardwall/server-kit';
import type { PullRecord } from '../pull-protocol.js';
import { parseSenderReports, type SenderReport } from './rtcp-sender-report.js';
import { captureTimeMs, rtpDelta, RtpUnwrapper, ticksToNs } from './rtp-clock.js';

export interface PullRecordsOptions {
  /** The track's RTP payload type (other types are dropped). */
  payloadType: number;
  /** The track's clock rate, Hz (90000 for H.264). */
  clockRate: number;
  /** The SDP's sprop-parameter-sets, if any. */
  paramSets?: ParameterSets | null;
  /**
   * The stream may carry B-frames (default true); false when its SPS says it cannot (baseline
   * profile): steps back of its RTP time are then strays, never a reason to hand it to pull.py.
   */
  reorderPossible?: boolean;
  emit: (record: PullRecord) => void;
}

export interface PullRecordsStop {
  code: 'reordered';
  message: string;
}

const EMPTY = Buffer.alloc(0);
const MAX_RETIRED = 16;
const MAX_REPORTS = 32;
/** A step back of at most this much media time is a reordered picture (B-frames); more is a clock jump, s. */
const REORDER_WINDOW_S = 0.5;
/** Reordered pictures seen before the stream is declared one with B-frames. */
const REORDER_STEPS = 2;
/** … within this many units of each other. */
const REORDER_SPAN_UNITS = 50;
/** This many units in a row far behind the newest one are the camera's clock jumping back, not strays. */
const JUMP_CONFIRM_UNITS = 10;

export class PullRecords {
  private readonly header = emptyRtpHeader();
  private readonly reports = new Map<number, SenderReport>();
  private readonly retired: number[] = [];
  private readonly params: ParameterSetTracker;
  private depay = new H264Depacketizer();
  private unwrap = new RtpUnwrapper();
  private ssrc: number | null = null;
  /** Media time (ns) of the current stream's first unit. */
  private baseNs = 0;
  private lastPtsNs: number | null = null;
  private lastWall: number | null = null;
  private lastAuTs: number | null = null;
  private disc = false;
  /** Small steps back of the RTP timestamp seen in this timeline. */
  private backSteps = 0;
  private sinceBackStep = 0;
  /** Units in a row far behind the newest one. */
  private behind = 0;
  private prevArrival = 0;
  private prevTs: number | null = null;
  /** Packets dropped: not RTP, another payload type, an old stream's. */
  dropped = 0;
  /** Access units emitted. */
  units = 0;

  constructor(private readonly opts: PullRecordsOptions) {
    this.params = new ParameterSetTracker(opts.paramSets ?? null);
  }

  /** The `caps` event (first record of a run). */
  caps(): void {
    this.event({ k: 'ev', ev: 'caps', media: 'video', codec: 'h264' });
  }

  /** One RTP packet of the video track, arrived at `arrivalMs` (epoch ms). */
  rtp(packet: Buffer, arrivalMs: number): PullRecordsStop | null {
    const h = parseRtp(packet, this.header);
    if (!h || h.payloadType !== this.opts.payloadType) {
      this.dropped++;
      return null;
    }
    if (h.ssrc !== this.ssrc) {
      if (this.retired.includes(h.ssrc)) {
        this.dropped++; // late packets of a stream already replaced
        return null;
      }
      this.newStream(h.ssrc, arrivalMs);
    }
    const prevArrival = this.prevTs === h.timestamp ? arrivalMs : this.prevArrival;
    this.prevArrival = arrivalMs;
    this.prevTs = h.timestamp;
    // Up to two units: the previous one (its marker lost) and this packet's own at its marker.
    for (let au = this.depay.push(packet, h); au; au = this.depay.next()) {
      // The unit ended at this packet (its marker) or before it (this packet opened the next one).
      const stop = this.unit(au, au.timestamp === h.timestamp ? arrivalMs : prevArrival);
      if (stop) return stop;
    }
    return null;
  }

  /** One RTCP packet (compound) of the video track. */
  rtcp(packet: Buffer): void {
    for (const sr of parseSenderReports(packet)) {
      if (!this.reports.has(sr.ssrc) && this.reports.size >= MAX_REPORTS) this.reports.clear();
      this.reports.set(sr.ssrc, sr);
    }
  }

  /** The end of the stream (the camera ended the session): the unit in progress, then `eos`. */
  end(arrivalMs: number): void {
    const au = this.depay.flush();
    if (au) this.unit(au, arrivalMs);
    this.event({ k: 'ev', ev: 'eos' });
  }

  private newStream(ssrc: number, arrivalMs: number): void {
    if (this.ssrc !== null) {
      this.retired.push(this.ssrc);
      if (this.retired.length > MAX_RETIRED) this.retired.shift();
      this.depay = new H264Depacketizer();
      this.prevTs = null;
      this.restartTimeline(arrivalMs);
    }
    this.ssrc = ssrc;
    this.event({ k: 'ev', ev: 'ssrc', media: 'video', ssrc });
  }

  /** A new media timeline (new SSRC, or a clock jumping back): it goes on from the old one's by the time between them. */
  private restartTimeline(arrivalMs: number): void {
    this.unwrap = new RtpUnwrapper();
    this.lastAuTs = null;
    this.backSteps = 0;
    this.behind = 0;
    this.disc = true;
    if (this.lastPtsNs !== null && this.lastWall !== null) this.baseNs = this.lastPtsNs + Math.max(1, Math.round((arrivalMs - this.lastWall) * 1e6));
  }

  private unit(au: AccessUnit, wall: number): PullRecordsStop | null {
    if (this.lastAuTs !== null) {
      const d = rtpDelta(au.timestamp, this.lastAuTs);
      if (d === 0) return null; // a repeated timestamp: never a new picture
      if (d < 0 && -d <= this.opts.clockRate * REORDER_WINDOW_S && this.opts.reorderPossible !== false) {
        // A step back of a few frames: pictures sent out of presentation order (B-frames), when
        // another comes soon after (B-frame streams step back every few frames).
        if (this.sinceBackStep > REORDER_SPAN_UNITS) this.backSteps = 0;
        this.sinceBackStep = 0;
        if (++this.backSteps >= REORDER_STEPS) return { code: 'reordered', message: `RTP timestamps go back (by ${-d} ticks): a stream with B-frames` };
        return null;
      }
      if (d < 0 && ++this.behind < JUMP_CONFIRM_UNITS) {
        // Far behind the newest unit: a stray (servers under load send some), written at the
        // newest unit's time so the timeline does not move; it is not a picture to drop (later
        // frames may refer to it).
        return this.emitUnit(au, this.lastPtsNs ?? 0, wall, false);
      }
      if (d < 0) this.restartTimeline(wall); // still behind: the camera's clock jumped back, a discontinuity
    }
    this.behind = 0;
    this.sinceBackStep++;
    this.lastAuTs = au.timestamp;
    return this.emitUnit(au, this.baseNs + ticksToNs(this.unwrap.unwrap(au.timestamp), this.opts.clockRate), wall);
  }

  private emitUnit(au: AccessUnit, pts: number, wall: number, inTime = true): null {
    this.params.observe(au);
    const sr = this.ssrc === null ? undefined : this.reports.get(this.ssrc);
    const ntp = sr && inTime ? captureTimeMs(au.timestamp, sr, this.opts.clockRate) : null;
    const payload = toAnnexB(au, au.keyframe ? this.params.get() : null);
    this.lastPtsNs = pts;
    this.lastWall = wall;
    const disc = this.disc;
    this.disc = false;
    this.units++;
    this.opts.emit({ header: { k: 'v', codec: 'h264', pts, dts: pts, key: au.keyframe, wall, ntp, disc }, payload });
    return null;
  }

  private event(header: PullRecord['header']): void {
    this.opts.emit({ header, payload: EMPTY });
  }
}
