/** Pure operations on the wall's camera slots (one per tile index, MAX_TILES long). */
import { MAX_TILES, tileCount, type LayoutName } from './layout.js';

export type Slots = readonly (string | null)[];

function normalise(slots: Slots): (string | null)[] {
  return Array.from({ length: MAX_TILES }, (_, i) => slots[i] ?? null);
}

export function assignCamera(slots: Slots, index: number, cameraId: string | null): (string | null)[] {
  const next = normalise(slots);
  if (index >= 0 && index < MAX_TILES) next[index] = cameraId;
  return next;
}

export function swapTiles(slots: Slots, a: number, b: number): (string | null)[] {
  const next = normalise(slots);
  if (a < 0 || b < 0 || a >= MAX_TILES || b >= MAX_TILES) return next;
  [next[a], next[b]] = [next[b]!, next[a]!];
  return next;
}

/**
 * Where a clicked camera goes: the selected tile when it is on the wall, else the first empty tile
 * of the layout, else the first tile.
 */
export function pickTarget(slots: Slots, layout: LayoutName, selected: number | null): number {
  const n = tileCount(layout);
  if (selected !== null && selected >= 0 && selected < n) return selected;
  for (let i = 0; i < n; i++) if (!slots[i]) return i;
  return 0;
}

/** Camera ids shown by the layout's tiles. */
export function camerasOnWall(slots: Slots, layout: LayoutName): Set<string> {
  const set = new Set<string>();
  const n = tileCount(layout);
  for (let i = 0; i < n; i++) {
    const id = slots[i];
    if (id) set.add(id);
  }
  return set;
}
