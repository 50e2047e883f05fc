/**
 * Wall layouts: pure maths from a layout name to grid geometry. No DOM.
 *
 * A layout is a square grid of `size` x `size` cells and a list of tiles; each tile covers a
 * rectangle of cells (0-based row/col, spans >= 1). Tiles are listed in reading order.
 */
import { WALL_LAYOUTS, type WallLayout } from '@wardwall/common';

/** The layouts (shared with the server, which keeps displays' and presets' layouts). */
export const LAYOUTS = WALL_LAYOUTS;
export type LayoutName = WallLayout;

/** The most tiles any layout has: the wall keeps this many camera slots. */
export const MAX_TILES = 16;

export interface TileRect {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
}

export interface LayoutGeometry {
  rows: number;
  cols: number;
  tiles: readonly TileRect[];
}

export function isLayoutName(value: unknown): value is LayoutName {
  return typeof value === 'string' && (LAYOUTS as readonly string[]).includes(value);
}

function uniform(n: number): LayoutGeometry {
  const tiles: TileRect[] = [];
  for (let i = 0; i < n * n; i++) tiles.push({ row: Math.floor(i / n), col: i % n, rowSpan: 1, colSpan: 1 });
  return { rows: n, cols: n, tiles };
}

const GEOMETRY: Record<LayoutName, LayoutGeometry> = {
  '1': uniform(1),
  '2x2': uniform(2),
  '3x3': uniform(3),
  '4x4': uniform(4),
  // One large tile over the top-left 2x2 cells, two small ones down the right, three along the bottom.
  '1+5': {
    rows: 3,
    cols: 3,
    tiles: [
      { row: 0, col: 0, rowSpan: 2, colSpan: 2 },
      { row: 0, col: 2, rowSpan: 1, colSpan: 1 },
      { row: 1, col: 2, rowSpan: 1, colSpan: 1 },
      { row: 2, col: 0, rowSpan: 1, colSpan: 1 },
      { row: 2, col: 1, rowSpan: 1, colSpan: 1 },
      { row: 2, col: 2, rowSpan: 1, colSpan: 1 },
    ],
  },
};

export function layoutGeometry(layout: LayoutName): LayoutGeometry {
  return GEOMETRY[layout];
}

export function tileCount(layout: LayoutName): number {
  return GEOMETRY[layout].tiles.length;
}

/** Geometry of one tile, or null when the layout has no such tile. */
export function tileRect(layout: LayoutName, index: number): TileRect | null {
  return GEOMETRY[layout].tiles[index] ?? null;
}

/** CSS grid placement (1-based lines) for a tile. */
export function gridArea(rect: TileRect): string {
  return `${rect.row + 1} / ${rect.col + 1} / span ${rect.rowSpan} / span ${rect.colSpan}`;
}

/** The tile covering a cell, or -1. */
export function tileAt(layout: LayoutName, row: number, col: number): number {
  return GEOMETRY[layout].tiles.findIndex(
    (t) => row >= t.row && row < t.row + t.rowSpan && col >= t.col && col < t.col + t.colSpan,
  );
}

export type Direction = 'up' | 'down' | 'left' | 'right';

/**
 * The neighbouring tile in a direction (keyboard navigation), or the same index at the wall's
 * edge. An index outside the layout moves to tile 0.
 */
export function neighbour(layout: LayoutName, index: number, direction: Direction): number {
  const rect = tileRect(layout, index);
  if (!rect) return 0;
  const { rows, cols } = GEOMETRY[layout];
  let row = rect.row;
  let col = rect.col;
  switch (direction) {
    case 'up':
      row = rect.row - 1;
      break;
    case 'down':
      row = rect.row + rect.rowSpan;
      break;
    case 'left':
      col = rect.col - 1;
      break;
    case 'right':
      col = rect.col + rect.colSpan;
      break;
  }
  if (row < 0 || col < 0 || row >= rows || col >= cols) return index;
  const found = tileAt(layout, row, col);
  return found < 0 ? index : found;
}

/** Layout for the number keys 1..5 (shortcuts), or null. */
export function layoutForKey(key: string): LayoutName | null {
  const n = Number(key);
  return Number.isInteger(n) && n >= 1 && n <= LAYOUTS.length ? LAYOUTS[n - 1]! : null;
}

/** Whether a tile is the large one of a mixed layout. */
export function isLargeTile(layout: LayoutName, index: number): boolean {
  const rect = tileRect(layout, index);
  return !!rect && (rect.rowSpan > 1 || rect.colSpan > 1);
}
