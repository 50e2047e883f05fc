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
  /** The probe found audio on the camera (with `audio` set: the run is paced for lip-sync). */
  cameraHasAudio?: boolean;
  /** The GOP bridge's target (H.264 passthrough only; docs/gop-bridge.md); absent: no bridge branch. */
  bridge?: BridgeTarget | null;
}

/**
 * Jitter margin of a paced run (rtspsrc's jitterbuffer latency): how late behind its smoothed
 * arrival time a packet may come and still leave on time. Part of the delay a paced run adds to
 * the video (with the Opus branch's own latency and the camera's audio-behind-video skew).
 */
export const PACED_JITTER_MS = 20;

/**
 * Lip-sync (docs/recording-time-and-audio.md, "Live audio on the wall"): mediasoup's sender reports
 * to the browsers map RTP time to the time a packet reached the SFU, so the browser lines audio and
 * video up by their arrival at the SFU. A run with live audio is therefore paced: rtspsrc with
 * RTCP, so that rtpbin aligns the camera's audio and video by its sender reports, and both udpsinks
 * with sync=true, so that every packet leaves at its running time + the pipeline latency. A camera
 * without live audio keeps the unpaced path (no RTCP, packets leave as they come: no added delay).
 */
export function pacedRun(opts: Pick<IngestOptions, 'audio' | 'cameraHasAudio'>): boolean {
  return Boolean(opts.audio && opts.cameraHasAudio);
}

/**
 * The live ingest process of one stream: gst-ingest.py (python3-gi) with its whole configuration,
 * URL included, on stdin. Nothing secret on the command line (`ps` shows only the script's path).
 */
export function gstIngestSpec(url: string, target: IngestTarget, opts: IngestOptions): { command: string; args: string[]; stdin: string } {
  const gop = Math.max(1, Math.min(60, Math.round(opts.fps && opts.fps > 0 ? opts.fps : 25)));
  const paced = pacedRun(opts);
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
    ...(opts.audio ? { audioBranch: audioBranchDescription(opts.audio, { paced }) } : {}),
    ...(paced ? { paced: { jitterMs: PACED_JITTER_MS } } : {}),
    // GOP bridge (docs/gop-bridge.md): built idle, started by SIGUSR1; re-encodes at the camera's size.
    ...(opts.bridge && !opts.transcode && opts.codec === 'H264' ? { bridge: { ...opts.bridge, bitrateKbps: 1500, gopFrames: 250 } } : {}),
  };
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify(config) };
}

/** The probe run of gst-ingest.py for one URL (on stdin). */
export function probeSpec(url: string, probeMs = 4000, opts: { snapshot?: boolean } = {}): { command: string; args: string[]; stdin: string } {
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify({ mode: 'probe', url, probeMs, probeTimeoutMs: 12000, ...(opts.snapshot ? { snapshot: true } : {}) }) };
}
