/**
 * Cheap recorded footage for export tests: ONE real fragmented-MP4 segment made by ffmpeg the way
 * the recorder writes them (H.264, 1 s GOP and fragments), hard-linked under consecutive segment
 * names of a camera in a recorder's store, then indexed by the store's own reconcile. A gigabyte of
 * "footage" costs one segment's disk and a few seconds. The noise picture makes the segment large
 * (lossless H.264 of noise does not compress).
 */
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { segmentRelPath } from '@wardwall/recorder/naming';

const run = promisify(execFile);

export interface SegmentSpec {
  seconds: number;
  width: number;
  height: number;
  /** true: lossless noise (large, ~ width*height*1.5 bytes a frame); false: a normal test picture. */
  noise: boolean;
}

/** Makes one segment file; returns its size. */
export async function makeSegment(out: string, spec: SegmentSpec): Promise<number> {
  mkdirSync(dirname(out), { recursive: true });
  const src = spec.noise ? `nullsrc=size=${spec.width}x${spec.height}:rate=25,geq=random(1)*255:128:128` : `testsrc2=size=${spec.width}x${spec.height}:rate=25`;
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', src, '-t', String(spec.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', ...(spec.noise ? ['-qp', '0'] : ['-b:v', '1M']), '-pix_fmt', 'yuv420p', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-bf', '0',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000',
    out,
  ], { maxBuffer: 1 << 20 });
  return statSync(out).size;
}

/**
 * Links `segment` as `count` consecutive segments of `camera` from `startMs` into the store at
 * `root` (call the store's reconcile afterwards). Returns the window covered.
 */
export function linkSegments(root: string, segment: string, camera: string, startMs: number, count: number, seconds: number): { from: number; to: number } {
  for (let i = 0; i < count; i++) {
    const rel = segmentRelPath(camera, startMs + i * seconds * 1000);
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    linkSync(segment, join(root, rel));
  }
  return { from: startMs, to: startMs + count * seconds * 1000 };
}
