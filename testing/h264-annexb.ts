/**
 * Real H.264 for media tests and benches: ffmpeg (testsrc2, libx264 constrained baseline unless
 * asked otherwise, no B-frames, SPS/PPS before every keyframe) as an Annex-B byte stream, split into access units the
 * way an RTP depayloader delivers them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestAccessUnit {
  /** Annex-B, start codes included. */
  data: Buffer;
  /** Carries an IDR slice. */
  key: boolean;
  /** 90 kHz ticks (frame index × 90000 / fps). */
  pts: number;
}

export interface TestStreamSpec {
  width: number;
  height: number;
  frames: number;
  /** Frames per GOP (keyframe interval). */
  gop: number;
  fps?: number;
  /** testsrc2 (default); `grain`: testsrc2 with film grain (camera-like sensor noise, big keyframes); `noise`: hardly compresses. */
  picture?: 'testsrc2' | 'grain' | 'noise';
  /** Default 1500. */
  bitrateKbps?: number;
  /** Default baseline (constrained baseline, like cheap cameras' sub streams). */
  profile?: 'baseline' | 'main' | 'high';
}

/** Encodes a test stream (a few hundred ms of CPU for a few seconds of 720p). */
export async function encodeTestH264(spec: TestStreamSpec): Promise<Buffer> {
  const fps = spec.fps ?? 25;
  const size = `${spec.width}x${spec.height}`;
  const src =
    spec.picture === 'noise' ? `nullsrc=size=${size}:rate=${fps},geq=random(1)*255:128:128` : spec.picture === 'grain' ? `testsrc2=size=${size}:rate=${fps},noise=alls=20:allf=t` : `testsrc2=size=${size}:rate=${fps}`;
  const { stdout } = await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'lavfi', '-i', src, '-frames:v', String(spec.frames),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', spec.profile ?? 'baseline', '-pix_fmt', 'yuv420p', '-b:v', `${spec.bitrateKbps ?? 1500}k`,
    '-g', String(spec.gop), '-keyint_min', String(spec.gop), '-sc_threshold', '0', '-bf', '0',
    '-x264-params', 'repeat-headers=1', '-f', 'h264', '-',
  ], { encoding: 'buffer', maxBuffer: 256 << 20 });
  return stdout;
}

/** The NAL units of an Annex-B stream, each with its start code. */
export function splitNalUnits(stream: Buffer): Buffer[] {
  const starts: { at: number; body: number }[] = [];
  let i = stream.indexOf(START3);
  while (i >= 0) {
    starts.push({ at: i > 0 && stream[i - 1] === 0 ? i - 1 : i, body: i + 3 });
    i = stream.indexOf(START3, i + 3);
  }
  return starts.map((s, k) => stream.subarray(s.at, k + 1 < starts.length ? starts[k + 1]!.at : stream.length));
}
const START3 = Buffer.from([0, 0, 1]);

function nalType(nal: Buffer): number {
  const body = nal[2] === 1 ? 3 : 4;
  return nal[body]! & 0x1f;
}

/**
 * Access units: a new one starts at an AUD, SPS, PPS or SEI after a slice, or at a slice whose
 * first_mb_in_slice is 0 after a slice.
 */
export function splitAccessUnits(stream: Buffer, fps = 25): TestAccessUnit[] {
  const out: TestAccessUnit[] = [];
  let cur: Buffer[] = [];
  let vcl = false;
  let key = false;
  const flush = () => {
    if (cur.length) out.push({ data: Buffer.concat(cur), key, pts: Math.round((out.length * 90000) / fps) });
    cur = [];
    vcl = false;
    key = false;
  };
  for (const nal of splitNalUnits(stream)) {
    const type = nalType(nal);
    const body = nal[2] === 1 ? 3 : 4;
    const firstMb0 = (type === 1 || type === 5) && (nal[body + 1]! & 0x80) !== 0;
    if (vcl && ([6, 7, 8, 9].includes(type) || firstMb0)) flush();
    cur.push(nal);
    if (type === 1 || type === 5) vcl = true;
    if (type === 5) key = true;
  }
  flush();
  return out;
}
