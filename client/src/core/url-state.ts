/**
 * The wall's view in the address bar: mode, layout, the cameras on the tiles, the review time and
 * the follow centre, so a view can be shared as a link, the back and forward buttons move between
 * views and a reload restores the view. Pure: parses a query string (outside input: anything may be
 * there) and builds one. Parameter names and the time format are shared with the SFU's alert links
 * (`@wardwall/common/wall-link`).
 *
 *   live:    ?mode=live&layout=2x2&cams=demo-1,demo-2,,demo-4     (tile slots; an empty slot is empty)
 *   review:  ?mode=review&cams=demo-1,demo-3&at=20261207-140300   (cameras; instant in Vietnam time)
 *   follow:  ?mode=follow&centre=demo-2[&at=...]                  (at: following on the recording)
 */
import { LINK_PARAMS, linkTime, parseLinkTime } from '@wardwall/common/wall-link';
import { LIVE_CAMERA_ID_PATTERN } from './ids.js';
import { isLayoutName, MAX_TILES, type LayoutName } from './layout.js';

/** The views a link carries, then the pages (a link to a page names the page only). */
export const LINK_MODES = ['live', 'review', 'follow', 'displays', 'admin', 'residents', 'audit'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

/** At most this many cameras in a review link (as review itself). */
export const MAX_LINK_REVIEW_CAMERAS = 9;
/** Query strings longer than this are not read at all (a link is a few hundred characters). */
export const MAX_QUERY_LENGTH = 4096;

export interface UrlState {
  mode: LinkMode;
  /** Live: the layout (null: keep the current one). */
  layout: LayoutName | null;
  /** Live: camera per tile slot (null = empty); review: the cameras, in order; follow: unused. */
  cams: (string | null)[];
  /** Review: the instant; follow: the instant on the recording (null: live). */
  at: number | null;
  /** Follow: the camera in the centre. */
  centre: string | null;
}

/** What was wrong with a link (shown to the user; the rest of the link still applies). */
export type UrlIssue = 'BAD_MODE' | 'BAD_LAYOUT' | 'BAD_CAMERA' | 'BAD_TIME' | 'TOO_MANY_CAMERAS' | 'TOO_LONG';

export interface ParsedUrl {
  /** Null when the query carries no view (a plain `/`, or only other features' parameters). */
  state: UrlState | null;
  issues: UrlIssue[];
}

const isMode = (v: string): v is LinkMode => (LINK_MODES as readonly string[]).includes(v);

function cameraId(raw: string): string | null | 'bad' {
  const id = raw.trim();
  if (id === '') return null;
  // A station camera, or at a city centre a ward's camera `<ward>/<camera>`: live and follow play
  // it through a pipe, review plays its recordings through the centre (docs/city.md).
  return LIVE_CAMERA_ID_PATTERN.test(id) ? id : 'bad';
}

/** Reads the view from a query string (`location.search`, with or without the `?`). Never throws. */
export function parseUrlState(search: string): ParsedUrl {
  const issues: UrlIssue[] = [];
  if (typeof search !== 'string') return { state: null, issues };
  if (search.length > MAX_QUERY_LENGTH) return { state: null, issues: ['TOO_LONG'] };
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  } catch {
    return { state: null, issues };
  }
  const modeRaw = q.get(LINK_PARAMS.mode);
  const present = [LINK_PARAMS.mode, LINK_PARAMS.layout, LINK_PARAMS.cams, LINK_PARAMS.at, LINK_PARAMS.centre].some((k) => q.has(k));
  if (!present) return { state: null, issues };
  let mode: LinkMode = 'live';
  if (modeRaw !== null) {
    if (isMode(modeRaw)) mode = modeRaw;
    else issues.push('BAD_MODE');
  } else if (q.has(LINK_PARAMS.centre)) mode = 'follow';
  else if (q.has(LINK_PARAMS.at)) mode = 'review';

  let layout: LayoutName | null = null;
  const layoutRaw = q.get(LINK_PARAMS.layout);
  if (layoutRaw !== null) {
    if (isLayoutName(layoutRaw)) layout = layoutRaw;
    else issues.push('BAD_LAYOUT');
  }

  const cams: (string | null)[] = [];
  const camsRaw = q.get(LINK_PARAMS.cams);
  if (camsRaw !== null) {
    const parts = camsRaw.split(',');
    const max = mode === 'review' ? MAX_LINK_REVIEW_CAMERAS : MAX_TILES;
    if (parts.length > max) issues.push('TOO_MANY_CAMERAS');
    let bad = false;
    for (const part of parts.slice(0, max)) {
      const id = cameraId(part);
      if (id === 'bad') {
        bad = true;
        cams.push(null);
      } else cams.push(id);
    }
    if (bad) issues.push('BAD_CAMERA');
  }
  // Review: a list of distinct cameras, no empty slots. Live: slots, trailing empties dropped.
  let list = cams;
  if (mode === 'review') list = [...new Set(cams.filter((c): c is string => c !== null))];
  while (list.length && list[list.length - 1] === null) list.pop();

  let at: number | null = null;
  const atRaw = q.get(LINK_PARAMS.at);
  if (atRaw !== null) {
    at = parseLinkTime(atRaw);
    if (at === null) issues.push('BAD_TIME');
  }

  let centre: string | null = null;
  const centreRaw = q.get(LINK_PARAMS.centre);
  if (centreRaw !== null) {
    const id = cameraId(centreRaw);
    if (id === 'bad') issues.push('BAD_CAMERA');
    else centre = id;
  }
  const view = mode === 'live' || mode === 'review' || mode === 'follow';
  return {
    state: { mode, layout: mode === 'live' ? layout : null, cams: mode === 'live' || mode === 'review' ? list : [], at: mode === 'review' || mode === 'follow' ? at : null, centre: mode === 'follow' ? centre : null },
    issues: view ? [...new Set(issues)] : issues.filter((i) => i === 'BAD_MODE'),
  };
}

/**
 * The query string of a view (`?mode=...`), keeping the given other parameters (e.g. none: a link is
 * the view only). Cameras are listed with commas (ids never contain one); times in Vietnam time.
 */
export function buildUrlSearch(state: UrlState): string {
  const q: string[] = [`${LINK_PARAMS.mode}=${state.mode}`];
  if (state.mode === 'live') {
    if (state.layout) q.push(`${LINK_PARAMS.layout}=${encodeURIComponent(state.layout)}`);
    const slots = state.cams.map((c) => (c && LIVE_CAMERA_ID_PATTERN.test(c) ? c : ''));
    while (slots.length && slots[slots.length - 1] === '') slots.pop();
    if (slots.length) q.push(`${LINK_PARAMS.cams}=${slots.slice(0, MAX_TILES).join(',')}`);
  } else if (state.mode === 'review') {
    const list = state.cams.filter((c): c is string => !!c && LIVE_CAMERA_ID_PATTERN.test(c)).slice(0, MAX_LINK_REVIEW_CAMERAS);
    if (list.length) q.push(`${LINK_PARAMS.cams}=${list.join(',')}`);
    if (state.at !== null && Number.isFinite(state.at)) q.push(`${LINK_PARAMS.at}=${linkTime(state.at)}`);
  } else if (state.mode === 'follow') {
    if (state.centre && LIVE_CAMERA_ID_PATTERN.test(state.centre)) q.push(`${LINK_PARAMS.centre}=${state.centre}`);
    if (state.at !== null && Number.isFinite(state.at)) q.push(`${LINK_PARAMS.at}=${linkTime(state.at)}`);
  }
  return `?${q.join('&')}`;
}

/** The cameras a view names (tiles, review cameras, the follow centre). */
export function camerasOfState(state: UrlState): string[] {
  const ids = state.mode === 'follow' ? [state.centre] : state.cams;
  return [...new Set(ids.filter((c): c is string => !!c))];
}

/**
 * Splits a view's cameras into those the viewer may see (`allowed`) and those refused: a link naming
 * a camera the viewer has no right on (or that does not exist: the two are not told apart) gets a
 * refusal, never an empty wall.
 */
export function refusedCameras(state: UrlState, allowed: (cameraId: string) => boolean): string[] {
  return camerasOfState(state).filter((c) => !allowed(c));
}

/** The view without the refused cameras (their tiles empty, dropped from review, no centre). */
export function withoutCameras(state: UrlState, refused: readonly string[]): UrlState {
  if (refused.length === 0) return state;
  const drop = new Set(refused);
  return {
    ...state,
    cams: state.mode === 'live' ? state.cams.map((c) => (c && drop.has(c) ? null : c)) : state.cams.filter((c) => !c || !drop.has(c)),
    centre: state.centre && drop.has(state.centre) ? null : state.centre,
  };
}
