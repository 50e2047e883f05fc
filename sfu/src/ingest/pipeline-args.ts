import { fileURLToPath } from 'node:url';
import { audioBranchDescription, type AudioTarget } from './audio-branch.js';

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
}

export const STILL_BOUNDARY = 'wwstill';
/** Size of the grayscale keyframe thumbnails used for camera health. */
export const THUMB_WIDTH = 64;
export const THUMB_HEIGHT = 36;
/** RTP payload size: leaves room for SRTP and VPN/tunnel overhead on the way to remote commanders. */
export const RTP_MTU = 1200;

/** gst-launch-1.0 arguments for passthrough ingest of one RTSP H.264 stream. */
export function gstPassthroughArgs(url: string, target: IngestTarget): string[] {
  const pipeline = [
    // gst-launch escapes each argument on its own, so the URL needs no quoting as one argument.
    'rtspsrc', `location=${url}`, 'protocols=tcp', 'latency=0', 'tcp-timeout=5000000', 'timeout=5000000', 'do-rtcp=false',
    '!', 'application/x-rtp,media=video',
    '!', 'rtph264depay',
    '!', 'tee', 'name=t',
    // Live branch: re-packetize with SPS/PPS in-band before each keyframe (WebRTC carries no
    // out-of-band parameter sets), fixed SSRC and payload type, straight to mediasoup.
    // No queue here: the live branch runs in the depayloader's thread and never blocks
    // (udpsink sync=false), so a thread hop would only add CPU and delay.
    't.', '!', 'rtph264pay', 'config-interval=-1', `pt=${target.payloadType}`, `ssrc=${target.ssrc}`, `mtu=${RTP_MTU}`, 'aggregate-mode=zero-latency',
    '!', 'udpsink', `host=${target.rtpHost}`, `port=${target.rtpPort}`, `bind-address=${target.rtpHost}`, `bind-port=${target.sourcePort}`, 'sync=false', 'async=false',
    // Still branch: decode keyframes only (cheap); per keyframe a JPEG still (fast first picture)
    // and a 64x36 grayscale PGM thumbnail (camera health), as multipart parts on stdout.
    't.', '!', 'queue', 'leaky=downstream', 'max-size-buffers=60', 'max-size-bytes=0', 'max-size-time=0',
    '!', 'h264parse', '!', 'video/x-h264,alignment=au,stream-format=byte-stream',
    '!', 'identity', 'drop-buffer-flags=delta-unit',
    '!', 'avdec_h264', '!', 'videoconvert', '!', 'tee', 'name=k',
    'k.', '!', 'queue', '!', 'jpegenc', 'quality=80', '!', 'parts.sink_0',
    'k.', '!', 'queue', '!', 'videoscale', '!', 'videoconvert', '!', `video/x-raw,format=GRAY8,width=${THUMB_WIDTH},height=${THUMB_HEIGHT}`,
    '!', 'pnmenc', '!', 'parts.sink_1',
    'multipartmux', 'name=parts', `boundary=${STILL_BOUNDARY}`,
    '!', 'fdsink', 'fd=1', 'sync=false',
  ];
  return ['-q', '-e', ...pipeline];
}

/**
 * ffmpeg arguments for a camera that needs re-encoding (H.265, B-frames): H.264 baseline, no
 * B-frames, one slice per frame, in-band SPS/PPS, GOP of 1 s at 25 fps; plus keyframe stills.
 */
export function ffmpegTranscodeArgs(url: string, target: IngestTarget): string[] {
  const isRtsp = /^rtsps?:/i.test(url);
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-fflags', 'nobuffer', '-flags', 'low_delay',
    ...(isRtsp ? ['-rtsp_transport', 'tcp', '-timeout', '5000000'] : []),
    '-i', url,
    '-map', '0:v:0', '-an',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
    '-pix_fmt', 'yuv420p', '-bf', '0', '-g', '25', '-keyint_min', '25', '-threads', '1',
    '-x264-params', 'sliced-threads=0:scenecut=0', '-bsf:v', 'dump_extra',
    '-f', 'rtp', '-payload_type', String(target.payloadType), '-ssrc', String(target.ssrc),
    `rtp://${target.rtpHost}:${target.rtpPort}?pkt_size=${RTP_MTU}&localrtpport=${target.sourcePort}&localrtcpport=${target.sourcePort + 1}`,
    // Keyframe stills and health thumbnails, as multipart parts on stdout (see gstPassthroughArgs).
    '-filter_complex', `[0:v]select='eq(pict_type,I)',split[still][t];[t]scale=${THUMB_WIDTH}:${THUMB_HEIGHT},format=gray[thumb]`,
    '-map', '[still]', '-map', '[thumb]', '-c:v:0', 'mjpeg', '-q:v', '5', '-c:v:1', 'pgm', '-vsync', 'vfr',
    '-f', 'mpjpeg', '-boundary_tag', STILL_BOUNDARY, 'pipe:1',
  ];
}

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
    mtu: RTP_MTU,
    thumbWidth: THUMB_WIDTH,
    thumbHeight: THUMB_HEIGHT,
    boundary: STILL_BOUNDARY,
    // Live audio (docs/recording-time-and-audio.md): the branch the launcher links to rtspsrc's audio pad.
    ...(opts.audio ? { audioBranch: audioBranchDescription(opts.audio) } : {}),
  };
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify(config) };
}

/** The probe run of gst-ingest.py for one URL (on stdin). */
export function probeSpec(url: string, probeMs = 4000): { command: string; args: string[]; stdin: string } {
  return { command: INGEST_PYTHON, args: [GST_INGEST_SCRIPT], stdin: JSON.stringify({ mode: 'probe', url, probeMs, probeTimeoutMs: 12000 }) };
}
