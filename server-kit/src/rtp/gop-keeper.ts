/**
 * The current GOP of a camera (the access units since the last keyframe), for stills and the GOP
 * bridge (docs/gop-bridge.md): the TypeScript twin of the ingest's GopBuffer (sfu/src/ingest/
 * gop_bridge.py). Bounded in bytes; past the bound it stays empty until the next keyframe. The
 * latest keyframe itself is kept apart, so that a still is possible even after an overflow. A damaged
 * access unit (packets lost) empties it until the next keyframe, like an overflow.
 */
import type { AccessUnit } from './h264-depacketizer.js';

export const DEFAULT_GOP_MAX_BYTES = 6 * 1024 * 1024;

export class GopKeeper {
  private list: AccessUnit[] = [];
  private keyframe: AccessUnit | null = null;
  bytes = 0;
  overflowed = false;

  constructor(readonly maxBytes = DEFAULT_GOP_MAX_BYTES) {}

  push(au: AccessUnit): void {
    if (au.damaged) {
      // Packets were lost: what follows does not decode until the next keyframe.
      this.list = [];
      this.bytes = 0;
      this.overflowed = true;
      return;
    }
    if (au.keyframe) {
      this.keyframe = au;
      this.list = [];
      this.bytes = 0;
      this.overflowed = false;
    } else if (this.overflowed || this.list.length === 0) return;
    if (this.bytes + au.bytes > this.maxBytes) {
      this.list = [];
      this.bytes = 0;
      this.overflowed = true;
      return;
    }
    this.list.push(au);
    this.bytes += au.bytes;
  }

  /** The latest keyframe access unit (kept even when its GOP overflowed); null before the first. */
  latestKeyframe(): AccessUnit | null {
    return this.keyframe;
  }

  /** The access units since the last keyframe, oldest (the keyframe) first; empty before the first keyframe and after an overflow. */
  units(): readonly AccessUnit[] {
    return this.list;
  }

  /** Forget everything (a new source whose stream cannot continue the old GOP). */
  clear(): void {
    this.list = [];
    this.bytes = 0;
    this.overflowed = false;
    this.keyframe = null;
  }
}
