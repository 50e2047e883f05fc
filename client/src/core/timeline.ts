/** Timeline geometry: time ↔ x, recorded spans and gaps as rectangles, ticks. Pure. */
import { HCM_OFFSET_MS } from './hcm-time.js';

export interface TimeRange {
  startMs: number;
  endMs: number;
}

export interface View {
  from: number;
  to: number;
}

export function timeToX(t: number, view: View, width: number): number {
  return ((t - view.from) / (view.to - view.from)) * width;
}

/** x → time, clamped into the view. */
export function xToTime(x: number, view: View, width: number): number {
  if (width <= 0) return view.from;
  const f = Math.min(1, Math.max(0, x / width));
  return view.from + f * (view.to - view.from);
}

export interface Rect {
  x: number;
  width: number;
  startMs: number;
  endMs: number;
}

/**
 * Ranges (spans or gaps) clipped to the view as x rectangles, at least `minWidth` wide so a short
 * span stays visible; ranges outside the view are dropped.
 */
export function rangeRects(ranges: readonly TimeRange[], view: View, width: number, minWidth = 1): Rect[] {
  const out: Rect[] = [];
  for (const r of ranges) {
    const s = Math.max(r.startMs, view.from);
    const e = Math.min(r.endMs, view.to);
    if (e <= s) continue;
    const x = timeToX(s, view, width);
    const w = Math.max(minWidth, timeToX(e, view, width) - x);
    out.push({ x, width: w, startMs: s, endMs: e });
  }
  return out;
}

/** Gaps = the parts of the view not covered by (sorted or unsorted, possibly overlapping) spans. */
export function gapsOf(spans: readonly TimeRange[], view: View): TimeRange[] {
  const sorted = [...spans].filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  const gaps: TimeRange[] = [];
  let t = view.from;
  for (const s of sorted) {
    if (s.endMs <= t) continue;
    if (s.startMs >= view.to) break;
    if (s.startMs > t) gaps.push({ startMs: t, endMs: Math.min(s.startMs, view.to) });
    t = Math.max(t, s.endMs);
  }
  if (t < view.to) gaps.push({ startMs: t, endMs: view.to });
  return gaps;
}

/** Whether an instant is inside a recorded span. */
export function isRecorded(spans: readonly TimeRange[], t: number): boolean {
  return spans.some((s) => t >= s.startMs && t < s.endMs);
}

/**
 * The instant whose thumbnail to show for a hover at `at`: rounded to `roundMs` (so nearby hovers
 * share one cached picture) but kept inside the hovered span (a rounded instant must not fall into a
 * gap or past the recorded edge, by `edgeMs`). Null over a gap: there is no picture to ask for.
 */
export function thumbnailInstant(spans: readonly TimeRange[], at: number, roundMs = 1000, edgeMs = 250): number | null {
  const span = spans.find((s) => at >= s.startMs && at < s.endMs);
  if (!span) return null;
  const rounded = Math.round(at / roundMs) * roundMs;
  return Math.max(span.startMs, Math.min(rounded, Math.max(span.startMs, span.endMs - edgeMs)));
}

const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/**
 * Tick instants for the view: the smallest step that keeps ticks at least `minGapPx` apart,
 * aligned to the step in Asia/Ho_Chi_Minh (UTC+7, so alignment works on the shifted epoch).
 */
export function ticks(view: View, width: number, minGapPx = 80, offsetMs = HCM_OFFSET_MS): { step: number; at: number[] } {
  const span = view.to - view.from;
  if (span <= 0 || width <= 0) return { step: 0, at: [] };
  const step = TICK_STEPS_MS.find((s) => (s / span) * width >= minGapPx) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
  const first = Math.ceil((view.from + offsetMs) / step) * step - offsetMs;
  const at: number[] = [];
  for (let t = first; t <= view.to && at.length < 500; t += step) at.push(t);
  return { step, at };
}

/** Zooms the view around an anchor instant by `factor` (<1 zooms in), keeping it within [minSpan, maxSpan]. */
export function zoomView(view: View, anchor: number, factor: number, minSpan = 10_000, maxSpan = 86_400_000): View {
  const span = view.to - view.from;
  const next = Math.min(maxSpan, Math.max(minSpan, span * factor));
  const f = span > 0 ? (anchor - view.from) / span : 0.5;
  const from = anchor - f * next;
  return { from, to: from + next };
}

/** Keeps `t` visible: shifts the view (same span) when t leaves its inner margin. */
export function follow(view: View, t: number, margin = 0.1): View {
  const span = view.to - view.from;
  if (t < view.from + span * margin || t > view.to - span * margin) return { from: t - span / 2, to: t + span / 2 };
  return view;
}
