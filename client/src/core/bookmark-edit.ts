/**
 * Editing a bookmark in a form: the window typed in Vietnam time (a time left as shown keeps its
 * milliseconds), and the patch of only the fields the operator changed. Sending unchanged fields
 * would stamp them with a new edit time and, under last-writer-wins per field, overwrite another
 * operator's concurrent edit of those fields. Pure.
 */
import type { BookmarkFields } from '@wardwall/common/bookmarks';
import { fromDateTimeInputs, hcmDateInput, hcmTimeText } from './hcm-time.js';

export interface TypedWindow {
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
}

/** The texts a form shows for a window (times with milliseconds). */
export function windowTexts(w: { startMs: number; endMs: number }): TypedWindow {
  return { startDate: hcmDateInput(w.startMs), startTime: hcmTimeText(w.startMs, true), endDate: hcmDateInput(w.endMs), endTime: hcmTimeText(w.endMs, true) };
}

/** The typed window, or which problem it has. Unchanged texts give back the original instants exactly. */
export function typedWindow(original: { startMs: number; endMs: number }, typed: TypedWindow): { startMs: number; endMs: number } | { error: 'badTime' | 'badRange' } {
  const shown = windowTexts(original);
  const instant = (date: string, time: string, shownDate: string, shownTime: string, orig: number): number | null =>
    date.trim() === shownDate && time.trim() === shownTime ? orig : fromDateTimeInputs(date, time);
  const startMs = instant(typed.startDate, typed.startTime, shown.startDate, shown.startTime, original.startMs);
  const endMs = instant(typed.endDate, typed.endTime, shown.endDate, shown.endTime, original.endMs);
  if (startMs === null || endMs === null) return { error: 'badTime' };
  if (endMs < startMs) return { error: 'badRange' };
  return { startMs, endMs };
}

type Editable = Pick<BookmarkFields, 'cameras' | 'startMs' | 'endMs' | 'title' | 'note' | 'tags' | 'urgent'>;

const same = (a: unknown, b: unknown): boolean => (Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b);

/** The fields of `edited` that differ from `current` (empty when nothing changed). */
export function changedFields(current: Editable, edited: Editable): Partial<Editable> {
  const out: Partial<Editable> = {};
  for (const k of ['cameras', 'startMs', 'endMs', 'title', 'note', 'tags', 'urgent'] as const) {
    if (!same(current[k] ?? (k === 'urgent' ? false : undefined), edited[k])) (out as Record<string, unknown>)[k] = edited[k];
  }
  return out;
}
