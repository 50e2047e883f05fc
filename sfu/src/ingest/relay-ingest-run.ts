/**
 * The relay engine of a camera stream's ingest (docs/relay-ingest.md): H.264 passthrough without a
 * process of its own. The SFU pulls the camera over RTSP/TCP itself (server-kit's RtspClient) and
 * sends each video RTP packet on to the producer's PlainTransport over loopback UDP, rewritten to
 * the producer's SSRC and payload type with continuous sequence numbers and timestamps (a camera
 * whose encoder restarts inside the session, or a reconnect, continues where the last packet left
 * off). SPS/PPS go before every keyframe that comes without them. The current GOP is kept as access
 * units: keyframes become stills and health thumbnails, and a joining viewer's GOP bridge is
 * re-encoded from it, both in the shared media host (one GStreamer process for every camera).
 *
 * What it cannot carry stays with the GStreamer engine (gst-ingest-run.ts): transcoding, H.265 and
 * live audio (paced for lip-sync).
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { OfflineReason } from '@wardwall/common';
import { backoffDelay, redactCredentials } from '@wardwall/common';
import {
  GopKeeper,
  H264Depacketizer,
  ParameterSetGate,
  ParameterSetTracker,
  RtpRewriter,
  RtspClient,
  buildRtp,
  emptyRtpHeader,
  parameterSetsStapA,
  parseRtp,
  spropParameterSets,
  toAnnexB,
  type AccessUnit,
  type RtspError,
} from '@wardwall/server-kit';
import type { IngestRun, IngestRunEvents } from './ingest-run.js';
import type { GrayImage } from './pgm.js';
import type { AccessUnit as MediaHostAccessUnit, MediaHostBridgeTarget } from './media-host.js';
import type { BridgeTarget, IngestTarget } from './pipeline-args.js';
import { RTP_MTU } from './pipeline-args.js';

/** A keyframe or a bridge frame for the media host: Annex-B, pts in 90 kHz ticks, unwrapped (monotonic). */
export type HostUnit = MediaHostAccessUnit;

/** What the relay needs of the shared media host (media-host.ts): decoding and the GOP bridge's encoder. */
export interface RelayMediaHost {
  still(key: string, annexB: Buffer): Promise<{ jpeg: Buffer; thumb: GrayImage }>;
  bridgeStart(key: string, target: MediaHostBridgeTarget, cutoffPts: number, gop: HostUnit[]): void;
  bridgeAu(key: string, unit: HostUnit): void;
  bridgeKeyframe(key: string): void;
  bridgeStop(key: string): void;
  drop(key: string): void;
}

export interface RelaySettings {
  host: RelayMediaHost;
  /** At most one still (and health thumbnail) per this many ms; 0: every keyframe. */
  stillIntervalMs: number;
}

export interface RelayIngestRunOptions {
  name: string;
  /** Stream key in the media host, e.g. "demo-1/main". */
  key: string;
  url: () => string;
  /** Where the producer's transport listens; read at every (re)start (a replaced worker moves it). */
  target: () => IngestTarget;
  bridge: () => BridgeTarget | null;
  relay: RelaySettings;
  backoffMs: readonly number[];
  stableAfterMs: number;
  log: Logger;
  now?: () => number;
}

/** RtspClient's error codes as the reasons browsers are shown. */
export function relayOfflineReason(err: Pick<RtspError, 'code'> | null): OfflineReason {
  switch (err?.code) {
    case 'auth_failed':
      return 'unauthorized';
    case 'not_found':
      return 'not_found';
    case 'connect_failed':
    case 'timeout':
    case 'refused':
      return 'unreachable';
    case 'unsupported':
      return 'unsupported';
    case undefined:
    case 'closed':
      return 'stream_ended';
    default:
      return 'pipeline_error';
  }
}

/** The bridge's encoder settings (as the GStreamer engine's gop_bridge.py). */
const BRIDGE_BITRATE_KBPS = 1500;
const BRIDGE_GOP_FRAMES = 250;

export class RelayIngestRun extends EventEmitter<IngestRunEvents> implements IngestRun {
  private client: RtspClient | null = null;
  private socket: Socket | null = null;
  private socketPort = 0;
  private target: IngestTarget | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private attempt = 0;
  private startedAt = 0;
  private readyRef = false;
  private readonly now: () => number;
  /** Lives across reconnects: the producer's stream stays continuous. */
  private rewriter: RtpRewriter | null = null;
  private depay = new H264Depacketizer();
  private gate = new ParameterSetGate();
  private params = new ParameterSetTracker();
  private readonly gop = new GopKeeper();
  private readonly header = emptyRtpHeader();
  /** The camera's RTP time unwrapped (32-bit wrap, signed steps) for the media host's pts. */
  private lastTs: number | null = null;
  private extTs = 0;
  private bridgeBase = 0;
  private lastStillAt = 0;
  private stillBusy = false;
  private bridging = false;

  constructor(private readonly opts: RelayIngestRunOptions) {
    super();
    this.now = opts.now ?? Date.now;
  }

  get running(): boolean {
    return this.client !== null;
  }
  get pid(): number | undefined {
    return undefined;
  }
  get ready(): boolean {
    return this.readyRef && this.client !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.endBridge();
    const client = this.client;
    this.client = null;
    client?.close();
    this.closeSocket();
    this.opts.relay.host.drop(this.opts.key);
  }

  restart(why: string): void {
    if (this.stopped || !this.client) return;
    this.opts.log.info({ ingest: this.opts.name, why }, 'relay restart');
    this.client.close();
  }

  requestBridge(): boolean {
    if (!this.ready) return false;
    if (this.bridging) {
      this.opts.relay.host.bridgeKeyframe(this.opts.key);
      return true;
    }
    const target = this.opts.bridge();
    const units = this.gop.units();
    if (!target || units.length === 0 || !this.params.get()) return false;
    this.bridging = true;
    // The host's pts count from the bridge's first unit (its keyframe): never negative.
    this.bridgeBase = this.ptsOf(units[0]!.timestamp);
    const gop = units.map((u) => this.hostUnit(u));
    this.opts.relay.host.bridgeStart(
      this.opts.key,
      { host: this.target?.rtpHost ?? '127.0.0.1', port: target.rtpPort, sourcePort: target.sourcePort, ssrc: target.ssrc, payloadType: this.target?.payloadType ?? 96, mtu: RTP_MTU, bitrateKbps: BRIDGE_BITRATE_KBPS, gopFrames: BRIDGE_GOP_FRAMES },
      gop[gop.length - 1]!.pts,
      gop,
    );
    return true;
  }

  private endBridge(): void {
    if (!this.bridging) return;
    this.bridging = false;
    this.opts.relay.host.bridgeStop(this.opts.key);
  }

  /** RTP time (32 bits) → a monotonic 90 kHz count (a step over half the range counts as going back). */
  private ptsOf(ts: number): number {
    if (this.lastTs !== null) this.extTs += ((ts - this.lastTs + 0x80000000) >>> 0) - 0x80000000;
    this.lastTs = ts;
    return this.extTs;
  }

  private hostUnit(au: AccessUnit): HostUnit {
    return { pts: Math.max(0, this.ptsOf(au.timestamp) - this.bridgeBase), key: au.keyframe, data: this.annexB(au) };
  }

  private annexB(au: AccessUnit): Buffer {
    return toAnnexB(au, au.keyframe ? this.params.get() : null);
  }

  private launch(): void {
    this.timer = null;
    if (this.stopped) return;
    let target: IngestTarget;
    try {
      target = this.opts.target();
    } catch (e) {
      // No transport right now (the stream is moving to a new worker): try again shortly.
      this.scheduleRestart({ code: 'closed' }, (e as Error).message);
      return;
    }
    this.target = target;
    if (!this.socket || this.socketPort !== target.sourcePort) this.openSocket(target);
    this.rewriter ??= new RtpRewriter({ ssrc: target.ssrc, payloadType: target.payloadType, onRebase: (reason) => this.onRebase(reason) });
    this.rewriter.reset();
    this.depay = new H264Depacketizer();
    this.gate = new ParameterSetGate();
    this.gop.clear();
    this.readyRef = false;
    this.startedAt = this.now();
    const client = new RtspClient({ url: this.opts.url(), idleTimeoutMs: 5000 });
    this.client = client;
    client.on('rtp', (_track, packet) => this.onRtp(packet));
    client.once('close', (err) => {
      if (this.client !== client) return;
      this.client = null;
      this.endBridge();
      if (this.stopped) return;
      this.scheduleRestart(err, err ? err.message : 'the camera ended the session');
    });
    this.emit('started');
    client.start().then(
      (info) => {
        const track = info.selected[0];
        if (!track || track.encodingName !== 'H264') {
          client.close();
          return;
        }
        const sprop = spropParameterSets(`sprop-parameter-sets=${track.fmtp['sprop-parameter-sets'] ?? ''}`);
        if (sprop) this.params = new ParameterSetTracker(sprop);
      },
      () => undefined, // the close event carries the error
    );
  }

  private scheduleRestart(err: Pick<RtspError, 'code'> | null, message: string): void {
    if (this.now() - this.startedAt >= this.opts.stableAfterMs) this.attempt = 0;
    const delay = backoffDelay(this.opts.backoffMs, this.attempt++);
    this.readyRef = false;
    this.emit('exited', { reason: relayOfflineReason(err), code: null, signal: null, restartInMs: delay, detail: [redactCredentials(message).slice(0, 300)] });
    this.timer = setTimeout(() => this.launch(), delay);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    try {
      socket?.close();
    } catch {
      // already closed (after an error)
    }
  }

  private openSocket(target: IngestTarget): void {
    this.closeSocket();
    const socket = createSocket('udp4');
    socket.on('error', (e) => {
      // (bind failed, or the transport went away): the next start opens a new socket.
      this.opts.log.warn({ ingest: this.opts.name, err: e.message }, 'relay socket error');
      if (this.socket === socket) this.socket = null;
      try {
        socket.close();
      } catch {
        // already closed
      }
    });
    // Fixed source port: mediasoup's comedia transport keeps the address it learned from the first packet.
    socket.bind({ address: target.rtpHost, port: target.sourcePort, exclusive: true });
    this.socket = socket;
    this.socketPort = target.sourcePort;
  }

  private send(packet: Buffer): void {
    const t = this.target;
    if (t && this.socket) this.socket.send(packet, t.rtpPort, t.rtpHost);
  }

  private onRebase(reason: string): void {
    // 'ssrc': the camera's encoder restarted inside the session (new SSRC, sequence and time base).
    if (reason !== 'reset') this.opts.log.info({ ingest: this.opts.name, reason }, 'source_changed');
  }

  /** Per packet (docs/rtp-tools.md, "Relay flow per packet"). */
  private onRtp(packet: Buffer): void {
    const rewriter = this.rewriter;
    const h = parseRtp(packet, this.header);
    if (!h || !rewriter) return;
    const now = this.now();
    // SPS/PPS before a keyframe that comes without them (the browser's decoder needs them in-band).
    if (this.gate.before(packet, h)) {
      const ps = this.params.get();
      const slot = ps ? rewriter.insertBefore(h, now) : null;
      if (ps && slot) this.send(buildRtp({ payloadType: rewriter.payloadType, ssrc: rewriter.ssrc, ...slot }, parameterSetsStapA(ps.sps, ps.pps)));
    }
    if (!rewriter.rewrite(packet, h, now)) return; // a straggler of the previous SSRC
    this.send(packet);
    for (let au = this.depay.push(packet, h); au; au = this.depay.next()) this.onAccessUnit(au);
  }

  private onAccessUnit(au: AccessUnit): void {
    this.params.observe(au);
    this.gop.push(au);
    if (au.keyframe) {
      const at = this.now();
      this.readyRef = true;
      // The camera's own keyframe: viewers switch to the real producer here; the bridge ends.
      this.endBridge();
      this.emit('keyframe', at);
      this.maybeStill(au, at);
    } else if (this.bridging) {
      this.opts.relay.host.bridgeAu(this.opts.key, this.hostUnit(au));
    }
  }

  private maybeStill(au: AccessUnit, at: number): void {
    const interval = this.opts.relay.stillIntervalMs;
    if (this.stillBusy || (this.lastStillAt !== 0 && at - this.lastStillAt < interval)) return;
    this.stillBusy = true;
    this.lastStillAt = at;
    this.opts.relay.host.still(this.opts.key, this.annexB(au)).then(
      (s) => {
        this.stillBusy = false;
        if (this.stopped) return;
        this.emit('still', s.jpeg, at);
        this.emit('thumbnail', s.thumb, at);
      },
      (e: Error) => {
        this.stillBusy = false;
        this.opts.log.debug({ ingest: this.opts.name, err: e.message }, 'still failed');
      },
    );
  }
}
