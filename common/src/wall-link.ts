/**
 * Links into the wall: the query parameters that carry a view (mode, layout, cameras on tiles, the
 * review time, the follow centre) and the review link of one camera at one instant, built the same
 * way by the browser (copy link, history) and by the SFU (alert pushes, the health webhook).
 * Pure and browser-safe (no zod, no Node). The browser's full parser is client/src/core/url-state.ts.
 */

/** Query parameter names. `display` (kiosk displays) is another feature's and never written here. */
export const LINK_PARAMS = { mode: 'mode', layout: 'layout', cams: 'cams', at: 'at', centre: 'centre' } as const;

/** Vietnam time has no daylight saving: UTC+7 all year. */
const HCM_OFFSET_MS = 7 * 3600_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * An instant as it appears in a link: Vietnam wall-clock time, `YYYYMMDD-HHmmss` and `.SSS` when the
 * milliseconds are not zero (readable: "camera X at 14:03" is `...-140300`).
 */
export function linkTime(ms: number): string {
  const d = new Date(Math.round(ms) + HCM_OFFSET_MS);
  const base = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const milli = d.getUTCMilliseconds();
  return milli ? `${base}.${pad(milli, 3)}` : base;
}

/** Earliest and latest instants a link may name (years 2000..2099). */
export const LINK_TIME_MIN_MS = Date.UTC(2000, 0, 1) - HCM_OFFSET_MS;
export const LINK_TIME_MAX_MS = Date.UTC(2100, 0, 1) - HCM_OFFSET_MS - 1;

/**
 * Parses a link time: `YYYYMMDD-HHmmss[.SSS]` (Vietnam time) or plain milliseconds since the epoch
 * (13 digits). Null for anything else, an impossible date (31/02) or an instant outside 2000..2099.
 */
export function parseLinkTime(text: string): number | null {
  if (text.length > 24) return null;
  let ms: number;
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const milli = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
    const utc = Date.UTC(y, mo - 1, d, h, mi, s, milli);
    const back = new Date(utc);
    if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return null;
    ms = utc - HCM_OFFSET_MS;
  } else if (/^\d{12,13}$/.test(text)) {
    ms = Number(text);
  } else return null;
  return ms >= LINK_TIME_MIN_MS && ms <= LINK_TIME_MAX_MS ? ms : null;
}

/** The path and query of the review of one camera at one instant: `/?mode=review&cams=<id>&at=<time>`. */
export function reviewLinkPath(cameraId: string, atMs: number): string {
  const q = new URLSearchParams();
  q.set(LINK_PARAMS.mode, 'review');
  q.set(LINK_PARAMS.cams, cameraId);
  q.set(LINK_PARAMS.at, linkTime(atMs));
  return `/?${q.toString()}`;
}

/**
 * An absolute link from a public base URL (`sfu.publicUrl`, e.g. `https://wall.station.example/`
 * or with a path prefix behind a reverse proxy) and a link path; null without a base.
 */
export function absoluteLink(base: string | null, path: string): string | null {
  if (!base) return null;
  const prefix = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${prefix}${path}`;
}
