/**
 * The one key table of the wall: every keyboard shortcut of every mode, which component handles
 * it, and its line in the help overlay. The key handlers (ww-app, ww-review, ww-follow, the camera
 * list's filter field) resolve keys only through `resolveShortcut`, and `<ww-help>` lists
 * `shortcutsFor(mode)`, so the help cannot drift from what the keys do. Pure (no DOM).
 */
import type { MessageKey } from '../i18n/messages.js';

/** Where keys are read: the app's pages, plus a duty-room display (kiosk). */
export type ShortcutMode = 'live' | 'review' | 'follow' | 'displays' | 'residents' | 'admin' | 'audit' | 'kiosk';

/** What handles a shortcut: the app root, review, follow, or the camera list's filter field. */
export type ShortcutOwner = 'app' | 'review' | 'follow' | 'filter' | 'ptz';

export const APP_ACTIONS = ['layout', 'fullscreen', 'stats', 'select', 'move', 'expand', 'clear', 'bookmark', 'bookmarkUrgent', 'escape', 'help'] as const;
export const REVIEW_ACTIONS = ['playPause', 'stepBack', 'stepForward', 'jumpBack', 'jumpForward', 'slower', 'faster', 'bookmark', 'bookmarkUrgent'] as const;
export const FOLLOW_ACTIONS = ['hop', 'playPause'] as const;
export const FILTER_ACTIONS = ['pickFirst', 'clearFilter'] as const;
/** A live tile in PTZ mode (client/src/controllers/ptz.ts) steers the camera with these instead. */
export const PTZ_ACTIONS = ['steer', 'zoom', 'preset', 'exit'] as const;
export type AppAction = (typeof APP_ACTIONS)[number];
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];
export type FollowAction = (typeof FOLLOW_ACTIONS)[number];
export type FilterAction = (typeof FILTER_ACTIONS)[number];
export type PtzAction = (typeof PTZ_ACTIONS)[number];

interface ShortcutBase {
  /** `KeyboardEvent.key` values that trigger it. */
  keys: readonly string[];
  /** true: only with Shift; false: only without; absent: either (e.g. "?" needs Shift on some layouts). */
  shift?: boolean;
  /** What the help shows, key caps in order; "+" joins a chord; a `help.key.*` message is translated. */
  label: readonly (string | MessageKey)[];
  /** The help line. */
  text: MessageKey;
}

export type Shortcut = ShortcutBase &
  (
    | { by: 'app'; action: AppAction }
    | { by: 'review'; action: ReviewAction }
    | { by: 'follow'; action: FollowAction }
    | { by: 'filter'; action: FilterAction }
    | { by: 'ptz'; action: PtzAction }
  );

const ARROW_KEYS = ['ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown'] as const;
const ARROW_LABEL = ['←', '↑', '→', '↓'] as const;

// Keys every page of the app has.
const HELP: Shortcut = { by: 'app', action: 'help', keys: ['?'], label: ['?'], text: 'help.help' };
const ESCAPE_PANELS: Shortcut = { by: 'app', action: 'escape', keys: ['Escape'], label: ['Esc'], text: 'help.escapePanels' };

const LIVE: readonly Shortcut[] = [
  { by: 'app', action: 'layout', keys: ['1', '2', '3', '4', '5'], shift: false, label: ['1', '2', '3', '4', '5'], text: 'help.layouts' },
  { by: 'app', action: 'fullscreen', keys: ['f', 'F'], label: ['F'], text: 'help.fullscreen' },
  { by: 'app', action: 'stats', keys: ['s', 'S'], label: ['S'], text: 'help.stats' },
  { by: 'app', action: 'select', keys: ARROW_KEYS, shift: false, label: ARROW_LABEL, text: 'help.arrows' },
  { by: 'app', action: 'move', keys: ARROW_KEYS, shift: true, label: ['Shift', '+', '←↑→↓'], text: 'help.shiftArrows' },
  { by: 'app', action: 'expand', keys: ['Enter'], label: ['Enter'], text: 'help.enter' },
  { by: 'app', action: 'clear', keys: ['Delete', 'Backspace'], label: ['Delete', 'Backspace'], text: 'help.delete' },
  { by: 'app', action: 'bookmark', keys: ['b', 'B'], shift: false, label: ['B'], text: 'help.bookmark' },
  { by: 'app', action: 'bookmarkUrgent', keys: ['b', 'B'], shift: true, label: ['Shift', '+', 'B'], text: 'help.bookmarkUrgent' },
  { by: 'app', action: 'escape', keys: ['Escape'], label: ['Esc'], text: 'help.escape' },
  HELP,
  { by: 'filter', action: 'pickFirst', keys: ['Enter'], label: ['Enter'], text: 'help.filterEnter' },
  { by: 'filter', action: 'clearFilter', keys: ['Escape'], label: ['Esc'], text: 'help.filterEscape' },
  { by: 'ptz', action: 'steer', keys: ARROW_KEYS, label: ARROW_LABEL, text: 'help.ptz.steer' },
  { by: 'ptz', action: 'zoom', keys: ['+', '=', '-'], label: ['+', '−'], text: 'help.ptz.zoom' },
  { by: 'ptz', action: 'preset', keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], label: ['1', '…', '9'], text: 'help.ptz.preset' },
  { by: 'ptz', action: 'exit', keys: ['Escape'], label: ['Esc'], text: 'help.ptz.exit' },
];

const REVIEW: readonly Shortcut[] = [
  { by: 'review', action: 'playPause', keys: [' '], label: ['help.key.space'], text: 'help.review.playPause' },
  { by: 'review', action: 'stepBack', keys: [','], label: [','], text: 'help.review.stepBack' },
  { by: 'review', action: 'stepForward', keys: ['.'], label: ['.'], text: 'help.review.stepForward' },
  { by: 'review', action: 'jumpBack', keys: ['ArrowLeft'], label: ['←'], text: 'help.review.jumpBack' },
  { by: 'review', action: 'jumpForward', keys: ['ArrowRight'], label: ['→'], text: 'help.review.jumpForward' },
  { by: 'review', action: 'slower', keys: ['['], label: ['['], text: 'help.review.slower' },
  { by: 'review', action: 'faster', keys: [']'], label: [']'], text: 'help.review.faster' },
  { by: 'review', action: 'bookmark', keys: ['b', 'B'], shift: false, label: ['B'], text: 'help.review.bookmark' },
  { by: 'review', action: 'bookmarkUrgent', keys: ['b', 'B'], shift: true, label: ['Shift', '+', 'B'], text: 'help.bookmarkUrgent' },
  ESCAPE_PANELS,
  HELP,
];

const FOLLOW: readonly Shortcut[] = [
  { by: 'follow', action: 'hop', keys: ARROW_KEYS, label: ARROW_LABEL, text: 'help.follow.hop' },
  { by: 'follow', action: 'playPause', keys: [' '], label: ['help.key.space'], text: 'help.follow.playPause' },
  ESCAPE_PANELS,
  HELP,
];

const PAGE: readonly Shortcut[] = [ESCAPE_PANELS, HELP];

const KIOSK: readonly Shortcut[] = [{ by: 'app', action: 'fullscreen', keys: ['f', 'F'], label: ['F'], text: 'help.fullscreen' }];

export const SHORTCUTS: Readonly<Record<ShortcutMode, readonly Shortcut[]>> = {
  live: LIVE,
  review: REVIEW,
  follow: FOLLOW,
  displays: PAGE,
  residents: PAGE,
  admin: PAGE,
  audit: PAGE,
  kiosk: KIOSK,
};

/** The help lines of a mode, in the table's order. */
export function shortcutsFor(mode: ShortcutMode): readonly Shortcut[] {
  return SHORTCUTS[mode];
}

/** The key state a handler sees (a KeyboardEvent fits). */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
}

/**
 * The shortcut a key press means in a mode for one owner (or any owner), or null. Modifier keys
 * other than Shift (Ctrl, Alt, Meta) are the browser's and the system's, never the wall's: the
 * handlers check them before asking.
 */
export function resolveShortcut<O extends ShortcutOwner>(mode: ShortcutMode, press: KeyPress, owner?: O): Extract<Shortcut, { by: O }> | null {
  for (const s of SHORTCUTS[mode]) {
    if (owner !== undefined && s.by !== owner) continue;
    if (!s.keys.includes(press.key)) continue;
    if (s.shift !== undefined && s.shift !== press.shiftKey) continue;
    return s as Extract<Shortcut, { by: O }>;
  }
  return null;
}

/** The mode the keys of a page are read in. */
export function shortcutMode(page: string): ShortcutMode {
  return page in SHORTCUTS ? (page as ShortcutMode) : 'admin';
}
