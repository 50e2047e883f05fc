/**
 * Pure builders for the synthetic demo cameras: one ffmpeg process per camera renders a moving test
 * picture with the camera's name, the wall-clock time (Asia/Ho_Chi_Minh) and the machine-readable
 * timestamp strip (common/timestrip.ts), encodes H.264 (baseline, no B-frames, one slice per frame)
 * and publishes it over RTSP/TCP; cameras with a sub stream publish a 320x180 copy as well.
 */
import { STRIP_CELLS, stripGeqLumaExpression, stripHeight } from '@wardwall/common';

export interface DemoCameraSpec {
  id: string;
  name: string;
  index: number;
  width: number;
  height: number;
  fps: number;
  gopFrames: number;
  bitrateKbps: number;
  /** RTSP publish URLs. */
  mainUrl: string;
  subUrl?: string;
  fontFile: string;
}

/**
 * Publish over UDP: ffmpeg's RTSP/TCP output leaves Nagle's algorithm on, which holds small RTP
 * writes for the receiver's delayed ACK (tens of ms). Loopback UDP does not lose packets here.
 */
export const PUBLISH_TRANSPORT = 'udp';

export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** Escapes a value for use inside a single-quoted drawtext option of a filter graph. */
export function escapeDrawtext(text: string): string {
  return text.replace(/\\/g, '\\\\\\\\').replace(/'/g, "'\\\\\\''").replace(/:/g, '\\\\:').replace(/%/g, '\\\\%');
}

export function demoFilterGraph(spec: DemoCameraSpec): string {
  const { width: w, height: h, fps } = spec;
  const sh = stripHeight(w);
  const hue = (spec.index * 67) % 360;
  const font = spec.fontFile;
  const fs = Math.max(12, Math.round(h / 16));
  const walkerY = Math.round(h * 0.55);
  const parts = [
    `testsrc2=size=${w}x${h}:rate=${fps},realtime,hue=h=${hue}[bg]`,
    `color=c=orange:size=${Math.round(w / 20)}x${Math.round(h / 5)}:rate=${fps}[walker]`,
    `[bg][walker]overlay=x='mod(t*${60 + spec.index * 15}+${spec.index * 90},W)':y=${walkerY}:shortest=1,` +
      `drawtext=fontfile=${font}:text='${escapeDrawtext(spec.name)}':x=10:y=${sh + 8}:fontsize=${fs}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4,` +
      `drawtext=fontfile=${font}:text='%{localtime\\:%F %T}':x=10:y=h-${fs * 2}:fontsize=${fs}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4,` +
      // Stamp the wall clock of this frame: pts = RTCTIME in microseconds, read back by geq as T.
      `settb=1/1000000,setpts=RTCTIME,split[pic][stamp]`,
    `[stamp]scale=${STRIP_CELLS}:2,format=yuv420p,geq=lum='${stripGeqLumaExpression()}':cb=128:cr=128,scale=${w}:${sh}:flags=neighbor[strip]`,
    `[pic][strip]overlay=0:0:format=yuv420,setpts=N/(${fps}*TB),format=yuv420p` + (spec.subUrl ? ',split[main][subsrc]' : '[main]'),
  ];
  if (spec.subUrl) parts.push(`[subsrc]scale=320:180[sub]`);
  return parts.join(';');
}

/** H.264 encoder arguments shared by the demo and test cameras (baseline, no B-frames, fixed GOP). */
export function encoderArgs(spec: Pick<DemoCameraSpec, 'gopFrames'>, kbps: number): string[] {
  return [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
    // One slice per frame: node-rtsp-rtmp-server marks every slice as the end of a frame.
    '-threads', '1', '-x264-params', 'sliced-threads=0:scenecut=0',
    '-bf', '0', '-g', String(spec.gopFrames), '-keyint_min', String(spec.gopFrames),
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`, '-pix_fmt', 'yuv420p',
  ];
}

/** The ffmpeg command line for one demo camera (main and, when configured, sub stream). */
export function demoCameraArgs(spec: DemoCameraSpec): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-filter_complex', demoFilterGraph(spec)];
  args.push('-map', '[main]', ...encoderArgs(spec, spec.bitrateKbps), '-f', 'rtsp', '-rtsp_transport', PUBLISH_TRANSPORT, spec.mainUrl);
  if (spec.subUrl) {
    args.push('-map', '[sub]', ...encoderArgs(spec, Math.max(150, Math.round(spec.bitrateKbps / 4))), '-f', 'rtsp', '-rtsp_transport', PUBLISH_TRANSPORT, spec.subUrl);
  }
  return args;
}
