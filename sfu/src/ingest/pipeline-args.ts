import { fileURLToPath } from 'node:url';
import { audioBranchDescription, type AudioTarget, type RtpStart } from './audio-branch.js';

/**
 * Pure builders for the ingest command lines. The live hop is GStreamer (H.264 passthrough, the
 * depayloader emits a frame on the RTP marker bit: ~3 ms added); transcoding uses ffmpeg. Both also
 * write the camera's keyframes as JPEG stills (multipart) to stdout for the fast first picture.
 */

export interface IngestTarget {
  /** Where mediasoup's PlainTransport listens for this stream's RTP. */
  rtpHost: string;
  rtpPort: number;
  /**
   * Local UDP port the pipeline sends from. Fixed per stream so that a restarted pipeline matches
   * the address mediasoup's comedia PlainTransport learned from the first packet.
   */
  sourcePort: number;
  ssrc: number;
  payloadType: number;
  /** Where this run's RTP time and sequence start (continuing the previous run's; media/rtp-continuity.ts). */
  rtpStart?: RtpStart;
}

/** Where the ingest's GOP bridge (gop_bridge.py) sends its re-encoded RTP: the bridge producer's transport. */
export interface BridgeTarget {
  rtpPort: number;
  sourcePort: number;
  ssrc: number;
}

export const STILL_BOUNDARY = 'wwstill';
/** Size of the grayscale keyframe thumbnails used for camera health. */
export const THUMB_WIDTH = 64;
export const THUMB_HEIGHT = 36;
/** RTP payload size: leaves room for SRTP and VPN/tunnel overhead on the way to remote commanders. */
export const RTP_MTU = 1200;

/** Debian's interpreter: python3-gi and GStreamer's introspection data live there. */
export const INGEST_PYTHON = '/usr/bin/python3';
export const GST_INGEST_SCRIPT = fileURLToPath(new URL('./gst-ingest.py', import.meta.url));

export interface IngestOptions {
  transcode: boolean;
  codec: 'H264' | 'H265';
  /** The camera's frame rate (probe), for the transcoder's GOP: one keyframe a second. */
  fps: number | null;
  /** Where the live audio branch sends Opus; absent: the camera's audio is drained. */
  audio?: AudioTarget | null;
  /** The GOP bridge's target (H.264 passthrough only; docs/gop-bridge.md); absent: no bridge branch. */
  bridge?: BridgeTarget | null;
}

/**
 * The live ingest process of one stream: gst-ingest.py (python3-gi) with its whole configuration,
 * URL included, on stdin. Nothing secret on the command line (`ps` shows only the script's path).
 */
export function gstIngestSpec(url: string, target: IngestTarget, opts: IngestOptions): { command: string; args: string[]; stdin: string } {
  const gop = Math.max(1, Math.min(60, Math.round(opts.fps && opts.fps > 0 ? opts.fps : 25)));
  const config = {
    mode: 'run',
    url,
    codec: opts.codec,
    transcode: opts.transcode,
    encoder: { bitrateKbps: 1500, gopFrames: gop },
    rtpHost: target.rtpHost,
    rtpPort: target.rtpPort,
    sourcePort: target.sourcePort,
    ssrc: target.ssrc,
    payloadType: target.payloadType,
    ...(target.rtpStart ? { timestampOffset: target.rtpStart.timestampOffset, seqnumOffset: target.rtpStart.seqnumOffset } : {}),
    mtu: RTP_MTU,
    thumbWidth: THUMB_WIDTH,
    thumbHeight: THUMB_HEIGHT,
    boundary: STILL_BOUNDARY,
    // Live audio (docs/recording-time-and-audio.md): the branch the launcher links to rtspsrc's audio pad.
    ...(opts.audio ? { audioBranch: audioBranchDescription(opts.audio) } : {}),
    // GOP bridge (docs/gop-bridge.md): built idle, started by SIGUSR1; re-encodes at the camera's size.
    ...(opts.bridge && !opts.transcode && opts.codec === 'H264' ? { bridge: { ...opts.bridge, bitrateKbps: 1500, gopFrames: 250 } } : {}),
  };
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify(config) };
}

/** The probe run of gst-ingest.py for one URL (on stdin). */
export function probeSpec(url: string, probeMs = 4000, opts: { snapshot?: boolean } = {}): { command: string; args: string[]; stdin: string } {
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify({ mode: 'probe', url, probeMs, probeTimeoutMs: 12000, ...(opts.snapshot ? { snapshot: true } : {}) }) };
}
