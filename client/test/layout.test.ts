import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridArea, isLargeTile, LAYOUTS, layoutForKey, layoutGeometry, MAX_TILES, neighbour, tileAt, tileCount, tileRect } from '../src/core/layout.js';

test('tile counts per layout', () => {
  assert.deepEqual(
    LAYOUTS.map((l) => [l, tileCount(l)]),
    [
      ['1', 1],
      ['2x2', 4],
      ['3x3', 9],
      ['4x4', 16],
      ['1+5', 6],
    ],
  );
  assert.equal(Math.max(...LAYOUTS.map(tileCount)), MAX_TILES);
});

test('every layout covers its grid exactly once', () => {
  for (const l of LAYOUTS) {
    const { rows, cols, tiles } = layoutGeometry(l);
    const cover = Array.from({ length: rows * cols }, () => 0);
    for (const t of tiles) {
      assert.ok(t.rowSpan >= 1 && t.colSpan >= 1, l);
      for (let r = t.row; r < t.row + t.rowSpan; r++) for (let c = t.col; c < t.col + t.colSpan; c++) cover[r * cols + c]! += 1;
    }
    assert.deepEqual(cover, Array.from({ length: rows * cols }, () => 1), `layout ${l}`);
  }
});

test('uniform grids place tiles in reading order', () => {
  assert.deepEqual(tileRect('3x3', 0), { row: 0, col: 0, rowSpan: 1, colSpan: 1 });
  assert.deepEqual(tileRect('3x3', 5), { row: 1, col: 2, rowSpan: 1, colSpan: 1 });
  assert.deepEqual(tileRect('4x4', 15), { row: 3, col: 3, rowSpan: 1, colSpan: 1 });
  assert.equal(tileRect('2x2', 4), null);
  assert.equal(tileRect('1', 1), null);
});

test('1+5: one 2x2 tile on a 3x3 grid and five small ones', () => {
  const g = layoutGeometry('1+5');
  assert.equal(g.rows, 3);
  assert.equal(g.cols, 3);
  assert.deepEqual(g.tiles[0], { row: 0, col: 0, rowSpan: 2, colSpan: 2 });
  assert.deepEqual(
    g.tiles.slice(1).map((t) => [t.row, t.col, t.rowSpan, t.colSpan]),
    [
      [0, 2, 1, 1],
      [1, 2, 1, 1],
      [2, 0, 1, 1],
      [2, 1, 1, 1],
      [2, 2, 1, 1],
    ],
  );
  assert.equal(isLargeTile('1+5', 0), true);
  assert.equal(isLargeTile('1+5', 1), false);
  assert.equal(isLargeTile('2x2', 0), false);
});

test('grid-area strings are 1-based with spans', () => {
  assert.equal(gridArea({ row: 0, col: 0, rowSpan: 2, colSpan: 2 }), '1 / 1 / span 2 / span 2');
  assert.equal(gridArea({ row: 2, col: 1, rowSpan: 1, colSpan: 1 }), '3 / 2 / span 1 / span 1');
});

test('tileAt finds the tile covering a cell', () => {
  assert.equal(tileAt('1+5', 1, 1), 0);
  assert.equal(tileAt('1+5', 1, 2), 2);
  assert.equal(tileAt('1+5', 2, 0), 3);
  assert.equal(tileAt('2x2', 2, 0), -1);
});

test('arrow navigation moves to neighbours and stops at edges', () => {
  const cases: [Parameters<typeof neighbour>, number][] = [
    [['2x2', 0, 'right'], 1],
    [['2x2', 0, 'down'], 2],
    [['2x2', 0, 'left'], 0],
    [['2x2', 0, 'up'], 0],
    [['2x2', 3, 'up'], 1],
    [['3x3', 4, 'left'], 3],
    [['4x4', 15, 'right'], 15],
    [['1+5', 0, 'right'], 1],
    [['1+5', 0, 'down'], 3],
    [['1+5', 4, 'up'], 0],
    [['1+5', 2, 'left'], 0],
    [['1+5', 5, 'up'], 2],
    [['1+5', 1, 'down'], 2],
    [['1', 0, 'right'], 0],
    [['2x2', 9, 'right'], 0],
  ];
  for (const [args, want] of cases) assert.equal(neighbour(...args), want, JSON.stringify(args));
});

test('number keys choose layouts', () => {
  assert.equal(layoutForKey('1'), '1');
  assert.equal(layoutForKey('2'), '2x2');
  assert.equal(layoutForKey('3'), '3x3');
  assert.equal(layoutForKey('4'), '4x4');
  assert.equal(layoutForKey('5'), '1+5');
  assert.equal(layoutForKey('6'), null);
  assert.equal(layoutForKey('0'), null);
  assert.equal(layoutForKey('a'), null);
  assert.equal(layoutForKey(' '), null);
});

test('the server\'s tile counts per layout (displays, presets) match the client\'s geometry', async () => {
  const { LAYOUT_TILE_COUNT } = await import('@wardwall/common');
  const { LAYOUTS, tileCount } = await import('../src/core/layout.js');
  for (const l of LAYOUTS) assert.equal(LAYOUT_TILE_COUNT[l], tileCount(l), l);
});
