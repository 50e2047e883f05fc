/**
 * Phone wall: which layouts a narrow screen offers, and what a horizontal swipe puts on the wall.
 * Pure, no DOM.
 */
import type { LayoutName } from './layout.js';

/** Layouts usable on a phone: one camera or four. */
export function phoneLayout(layout: LayoutName): LayoutName {
  return layout === '1' ? '1' : '2x2';
}

/** A horizontal gesture of `dx`, `dy` px: 'next' (swipe left), 'prev' (swipe right) or null (too short, or vertical). */
export function swipeDirection(dx: number, dy: number, minPx = 50): 'next' | 'prev' | null {
  if (Math.abs(dx) < minPx || Math.abs(dx) < 1.5 * Math.abs(dy)) return null;
  return dx < 0 ? 'next' : 'prev';
}

/**
 * The tiles after a swipe: the next (or previous) page of `perPage` cameras in list order, after the
 * page that holds the first camera on the wall; wraps round. Tiles beyond the page are kept.
 */
export function swipeTiles(cameraIds: readonly string[], tiles: readonly (string | null)[], perPage: number, dir: 'next' | 'prev'): (string | null)[] {
  const out = [...tiles];
  if (cameraIds.length === 0 || perPage < 1) return out;
  const first = tiles.slice(0, perPage).find((x): x is string => !!x && cameraIds.includes(x));
  const pos = first ? cameraIds.indexOf(first) : -perPage;
  const pageStart = Math.floor(pos / perPage) * perPage;
  const pages = Math.ceil(cameraIds.length / perPage);
  const page = (((first ? pageStart / perPage : -1) + (dir === 'next' ? 1 : -1)) % pages + pages) % pages;
  for (let i = 0; i < perPage; i++) out[i] = cameraIds[page * perPage + i] ?? null;
  return out;
}
