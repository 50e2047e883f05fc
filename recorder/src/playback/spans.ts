/** Merging segments into recorded spans with the gaps between them. Pure. */

export interface TimeRange {
  startMs: number;
  endMs: number;
}

export interface SpansResult {
  from: number;
  to: number;
  spans: TimeRange[];
  gaps: TimeRange[];
  recordedMs: number;
}

/**
 * Merges time ranges (any order) into spans: ranges that overlap or are separated by at most
 * `toleranceMs` (segment boundaries are not sample-exact) join. The result is clipped to [from, to);
 * the gaps are the parts of [from, to) not covered, including a leading and trailing gap.
 */
export function mergeSpans(ranges: Iterable<TimeRange>, from: number, to: number, toleranceMs = 250): SpansResult {
  const sorted = [...ranges].filter((r) => r.endMs > r.startMs && r.endMs > from && r.startMs < to).sort((a, b) => a.startMs - b.startMs);
  return mergeSorted(sorted, from, to, toleranceMs);
}

/** As mergeSpans, for ranges already sorted by start (the index returns them so). */
export function mergeSorted(sorted: readonly TimeRange[], from: number, to: number, toleranceMs = 250): SpansResult {
  const spans: TimeRange[] = [];
  let cur: TimeRange | null = null;
  for (const r of sorted) {
    if (!(r.endMs > r.startMs) || r.endMs <= from || r.startMs >= to) continue;
    const s = Math.max(r.startMs, from);
    const e = Math.min(r.endMs, to);
    if (cur && s <= cur.endMs + toleranceMs) {
      if (e > cur.endMs) cur.endMs = e;
    } else {
      if (cur) spans.push(cur);
      cur = { startMs: s, endMs: e };
    }
  }
  if (cur) spans.push(cur);
  const gaps: TimeRange[] = [];
  let t = from;
  let recordedMs = 0;
  for (const s of spans) {
    if (s.startMs > t) gaps.push({ startMs: t, endMs: s.startMs });
    t = Math.max(t, s.endMs);
    recordedMs += s.endMs - s.startMs;
  }
  if (t < to) gaps.push({ startMs: t, endMs: to });
  return { from, to, spans, gaps, recordedMs };
}
