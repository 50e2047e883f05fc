/**
 * Wall-clock times as operators type and read them: Asia/Ho_Chi_Minh, which is UTC+07:00 all year
 * (no daylight saving since 1975), so conversion is a fixed offset. Pure.
 */
export const HCM_OFFSET_MS = 7 * 3600_000;

export interface HcmParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** Calendar fields of an instant in Asia/Ho_Chi_Minh. */
export function hcmParts(ms: number): HcmParts {
  const d = new Date(ms + HCM_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

/** The instant of calendar fields in Asia/Ho_Chi_Minh; null when a field is out of range (31/02 too). */
export function fromHcm(p: HcmParts): number | null {
  const { year, month, day, hour, minute, second, ms } = p;
  if (![year, month, day, hour, minute, second, ms].every(Number.isInteger)) return null;
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59 || ms > 999 || hour < 0 || minute < 0 || second < 0 || ms < 0) return null;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const back = new Date(t);
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) return null;
  return t - HCM_OFFSET_MS;
}

/** Midnight (00:00 Asia/Ho_Chi_Minh) of the day containing the instant. */
export function hcmDayStart(ms: number): number {
  const p = hcmParts(ms);
  return fromHcm({ ...p, hour: 0, minute: 0, second: 0, ms: 0 })!;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `yyyy-MM-dd` (the value of an <input type=date>) in Asia/Ho_Chi_Minh. */
export function hcmDateInput(ms: number): string {
  const p = hcmParts(ms);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** `HH:mm:ss` in Asia/Ho_Chi_Minh; with `withMs`, `HH:mm:ss.SSS`. */
export function hcmTimeText(ms: number, withMs = false): string {
  const p = hcmParts(ms);
  const base = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return withMs ? `${base}.${pad(p.ms, 3)}` : base;
}

/** `yyyyMMdd-HHmmss.SSS+0700`: sortable and safe in a file name. */
export function hcmFileStamp(ms: number): string {
  const p = hcmParts(ms);
  return `${pad(p.year, 4)}${pad(p.month)}${pad(p.day)}-${pad(p.hour)}${pad(p.minute)}${pad(p.second)}.${pad(p.ms, 3)}+0700`;
}

/** ISO 8601 with the +07:00 offset, milliseconds included. */
export function hcmIso(ms: number): string {
  return `${new Date(Math.round(ms) + HCM_OFFSET_MS).toISOString().slice(0, 23)}+07:00`;
}

const TIME_RE = /^(\d{1,2})[:h](\d{2})(?:[:m](\d{2})(?:[.,](\d{1,3}))?)?s?$/i;
const ISO_DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const VN_DATE_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

function parseTime(text: string): Pick<HcmParts, 'hour' | 'minute' | 'second' | 'ms'> | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const frac = m[4] ?? '';
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0), ms: frac ? Number(frac.padEnd(3, '0')) : 0 };
}

function parseDate(text: string): Pick<HcmParts, 'year' | 'month' | 'day'> | null {
  let m = ISO_DATE_RE.exec(text);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  m = VN_DATE_RE.exec(text);
  if (m) return { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) };
  return null;
}

/**
 * Parses a typed time in Asia/Ho_Chi_Minh. Accepts a time alone (`14:03`, `14:03:05`,
 * `14:03:05.250`, `14h03`), taken on the day of `dayOf`; or a date and a time
 * (`28/11/2026 14:03:05`, `2026-11-28 14:03:05`, `2026-11-28T14:03:05`). Null when invalid.
 */
export function parseHcmTime(input: string, dayOf: number): number | null {
  const text = input.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const pieces = text.split(/[ T]/);
  if (pieces.length === 1) {
    const time = parseTime(pieces[0]!);
    if (!time) return null;
    const day = hcmParts(dayOf);
    return fromHcm({ year: day.year, month: day.month, day: day.day, ...time });
  }
  if (pieces.length !== 2) return null;
  const date = parseDate(pieces[0]!) ?? parseDate(pieces[1]!);
  const time = parseTime(pieces[1]!) ?? parseTime(pieces[0]!);
  if (!date || !time) return null;
  return fromHcm({ ...date, ...time });
}

/** An <input type=date> value and an <input type=time> value (seconds optional) → instant. */
export function fromDateTimeInputs(date: string, time: string): number | null {
  const d = parseDate(date.trim());
  const t = parseTime(time.trim() || '00:00');
  if (!d || !t) return null;
  return fromHcm({ ...d, ...t });
}
