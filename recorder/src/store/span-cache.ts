/**
 * Merged recorded spans per camera and UTC day, so that listing a month (the review timeline zoomed
 * out) merges ~30 cached day lists instead of ~43,000 segment rows. Invalidated exactly by the index
 * whenever a segment of that camera touching that day is added, changed or removed.
 */
import { mergeSorted, type SpansResult, type TimeRange } from '../playback/spans.js';

const DAY = 86_400_000;
const MAX_ENTRIES = 50_000;

export class SpanCache {
  private readonly days = new Map<string, TimeRange[]>();

  constructor(
    /** Segment [start, end] pairs of a camera overlapping [from, to), sorted by start. */
    private readonly ranges: (camera: string, from: number, to: number) => [number, number][],
    private readonly toleranceMs = 250,
  ) {}

  spans(camera: string, from: number, to: number): SpansResult {
    const parts: TimeRange[] = [];
    for (let d = Math.floor(from / DAY); d * DAY < to; d++) {
      for (const s of this.day(camera, d)) if (s.endMs > from && s.startMs < to) parts.push(s);
    }
    // Joins spans that meet at day boundaries, clips to the window and lists the gaps.
    return mergeSorted(parts, from, to, this.toleranceMs);
  }

  /** A segment of `camera` covering [startMs, endMs] was added, changed or removed. */
  invalidate(camera: string, startMs: number, endMs: number): void {
    for (let d = Math.floor(startMs / DAY); d <= Math.floor(endMs / DAY); d++) this.days.delete(`${camera}\u0000${d}`);
  }

  clear(): void {
    this.days.clear();
  }

  private day(camera: string, d: number): TimeRange[] {
    const key = `${camera}\u0000${d}`;
    let spans = this.days.get(key);
    if (!spans) {
      const from = d * DAY;
      const to = from + DAY;
      spans = mergeSorted(this.ranges(camera, from, to).map(([s, e]) => ({ startMs: s, endMs: e })), from, to, this.toleranceMs).spans;
      if (this.days.size >= MAX_ENTRIES) this.days.clear();
      this.days.set(key, spans);
    }
    return spans;
  }
}
