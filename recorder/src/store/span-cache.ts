/**
 * Merged recorded spans per camera and UTC day, so that listing a month (the review timeline zoomed
 * out) reads ~30 small day summaries instead of ~43,000 segment rows. Two levels: a memory map, and
 * a persistent copy (the `day_spans` table, via `DaySpanStore`) so a restarted recorder lists fast at
 * once. Kept current by the index: a segment appended at the end of a day (the normal case: the
 * newest segment, or the open one growing) extends that day's summary in place; any other change
 * drops the day, which is recomputed from its rows (≤ 1,440 at 60 s segments) when next listed.
 */
import { mergeSorted, type SpansResult, type TimeRange } from '../playback/spans.js';

const DAY = 86_400_000;
const MAX_ENTRIES = 50_000;

/** The persistent level: one JSON list of [start, end] pairs per camera and day. */
export interface DaySpanStore {
  get(camera: string, day: number): TimeRange[] | undefined;
  put(camera: string, day: number, spans: readonly TimeRange[]): void;
  drop(camera: string, day: number): void;
}

export class SpanCache {
  private readonly days = new Map<string, TimeRange[]>();

  constructor(
    /** Segment [start, end] pairs of a camera overlapping [from, to), sorted by start. */
    private readonly ranges: (camera: string, from: number, to: number) => [number, number][],
    private readonly toleranceMs = 250,
    private readonly store: DaySpanStore | null = null,
  ) {}

  spans(camera: string, from: number, to: number): SpansResult {
    const parts: TimeRange[] = [];
    for (let d = Math.floor(from / DAY); d * DAY < to; d++) {
      for (const s of this.day(camera, d)) if (s.endMs > from && s.startMs < to) parts.push(s);
    }
    // Joins spans that meet at day boundaries, clips to the window and lists the gaps.
    return mergeSorted(parts, from, to, this.toleranceMs);
  }

  /** A segment of `camera` covering [startMs, endMs] was changed or removed: its days are recomputed. */
  invalidate(camera: string, startMs: number, endMs: number): void {
    for (let d = Math.floor(startMs / DAY); d <= Math.floor(endMs / DAY); d++) {
      this.days.delete(key(camera, d));
      this.store?.drop(camera, d);
    }
  }

  /**
   * A segment [startMs, endMs] of `camera` was added (its row is in the index already), or grew at
   * its end. Where it lies at or after
   * the start of a day's last span, the summary is extended in place; elsewhere the day is dropped.
   */
  appended(camera: string, startMs: number, endMs: number): void {
    for (let d = Math.floor(startMs / DAY); d <= Math.floor(endMs / DAY); d++) {
      const cached = this.cached(camera, d);
      if (!cached) {
        // First segment of the day (or no summary yet): compute it now, the new row included, so
        // that the summary exists from the start and listings never meet a cold day of rows.
        this.day(camera, d);
        continue;
      }
      const next = appendToDay(cached, Math.max(startMs, d * DAY), Math.min(endMs, (d + 1) * DAY), this.toleranceMs);
      if (next) this.remember(camera, d, next);
      else this.invalidate(camera, d * DAY, d * DAY);
    }
  }

  clear(): void {
    this.days.clear();
  }

  private cached(camera: string, d: number): TimeRange[] | undefined {
    const k = key(camera, d);
    let spans = this.days.get(k);
    if (!spans && this.store) {
      spans = this.store.get(camera, d);
      if (spans) this.keep(k, spans);
    }
    return spans;
  }

  private day(camera: string, d: number): TimeRange[] {
    let spans = this.cached(camera, d);
    if (!spans) {
      const from = d * DAY;
      const to = from + DAY;
      spans = mergeSorted(this.ranges(camera, from, to).map(([s, e]) => ({ startMs: s, endMs: e })), from, to, this.toleranceMs).spans;
      this.remember(camera, d, spans);
    }
    return spans;
  }

  private remember(camera: string, d: number, spans: TimeRange[]): void {
    this.keep(key(camera, d), spans);
    this.store?.put(camera, d, spans);
  }

  private keep(k: string, spans: TimeRange[]): void {
    if (this.days.size >= MAX_ENTRIES) this.days.clear();
    this.days.set(k, spans);
  }
}

function key(camera: string, d: number): string {
  return `${camera}\u0000${d}`;
}

/**
 * The day's spans with [s, e) added, when that is an append (it starts at or after the start of the
 * last span); null otherwise (the day must be recomputed).
 */
export function appendToDay(spans: readonly TimeRange[], s: number, e: number, toleranceMs: number): TimeRange[] | null {
  if (!(e > s)) return [...spans];
  const last = spans[spans.length - 1];
  if (!last) return [{ startMs: s, endMs: e }];
  if (s < last.startMs) return null;
  if (s <= last.endMs + toleranceMs) return [...spans.slice(0, -1), { startMs: last.startMs, endMs: Math.max(last.endMs, e) }];
  return [...spans, { startMs: s, endMs: e }];
}
