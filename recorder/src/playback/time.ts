/**
 * Time parameters of the HTTP API: ms since the epoch (digits) or ISO 8601 with an explicit zone.
 * Pure; windows are validated against sane bounds so absurd requests fail early with a code.
 */
import { z } from 'zod';

/** Nothing is recorded before this (2000-01-01T00:00:00Z). */
export const MIN_TIME_MS = 946684800000;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Parses one instant; null when it is neither an epoch-ms integer nor an ISO time with a zone. */
export function parseInstant(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : null;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 40) return null;
  if (/^\d{1,16}$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : null;
  }
  if (!ISO_RE.test(raw)) return null;
  const t = Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}

/** A zod schema for an instant field: the output is epoch ms. */
export const instant = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const t = parseInstant(v);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'must be ms since the epoch or an ISO 8601 time with a zone (Z or +07:00)' });
    return z.NEVER;
  }
  if (t < MIN_TIME_MS) {
    ctx.addIssue({ code: 'custom', message: 'is before 2000-01-01' });
    return z.NEVER;
  }
  return t;
});

export interface WindowLimits {
  /** Longest allowed window, ms. */
  maxSpanMs: number;
  now: number;
  /** How far past `now` the end may reach, ms. */
  futureSlackMs?: number;
}

/** Checks a [from, to) window; returns an error message or null. */
export function checkWindow(from: number, to: number, limits: WindowLimits): string | null {
  if (!(to > from)) return '"to" must be after "from"';
  if (to - from > limits.maxSpanMs) return `the window may span at most ${Math.round(limits.maxSpanMs / 3600000)} h`;
  if (from > limits.now + (limits.futureSlackMs ?? 86400000)) return '"from" is in the future';
  return null;
}

/** ISO time in Asia/Ho_Chi_Minh (UTC+07:00, no daylight saving): `2025-01-02T03:04:05.678+07:00`. */
export function isoHoChiMinh(ms: number): string {
  return `${new Date(ms + 7 * 3600000).toISOString().slice(0, 23)}+07:00`;
}
