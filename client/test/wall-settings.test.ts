import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wallForViewer } from '@wardwall/common';
import { DEFAULT_WATERMARK, parseFirstWall, parseWallSettings } from '../src/core/wall-settings.js';
import { sparseAnchors, sparseFontPx } from '../src/core/watermark.js';

const CAMS = ['demo-1', 'demo-2', 'demo-3', 'demo-4', 'demo-5', 'demo-6'];

test('first wall: the station default filtered to what the viewer may watch, else the first cameras', () => {
  const all = (): boolean => true;
  const some = (c: string): boolean => c === 'demo-3' || c === 'demo-5' || c === 'demo-6';
  assert.deepEqual(wallForViewer(null, CAMS, all), { layout: '2x2', tiles: ['demo-1', 'demo-2', 'demo-3', 'demo-4'], source: 'automatic' });
  assert.deepEqual(wallForViewer(null, CAMS, some), { layout: '2x2', tiles: ['demo-3', 'demo-5', 'demo-6'], source: 'automatic' });
  const station = { layout: '1+5' as const, tiles: ['demo-5', null, 'demo-2', 'gone', 'demo-6', 'demo-1', 'demo-3'] };
  assert.deepEqual(wallForViewer(station, CAMS, all), { layout: '1+5', tiles: ['demo-5', null, 'demo-2', null, 'demo-6', 'demo-1'], source: 'station' });
  assert.deepEqual(wallForViewer(station, CAMS, some), { layout: '1+5', tiles: ['demo-5', null, null, null, 'demo-6', null], source: 'station' });
  // None of the station's cameras is the viewer's: the first cameras they may watch, on the station's layout.
  assert.deepEqual(wallForViewer({ layout: '1', tiles: ['demo-1'] }, CAMS, some), { layout: '1', tiles: ['demo-3'], source: 'automatic' });
  assert.deepEqual(wallForViewer(null, CAMS, () => false), { layout: '2x2', tiles: [], source: 'automatic' });
});

test('wall settings from the server: checked, defaults for anything malformed', () => {
  assert.deepEqual(parseWallSettings(null), { watermark: DEFAULT_WATERMARK, defaultWall: null });
  const s = parseWallSettings({ watermark: { style: 'corner', opacity: 7, density: 2.6 }, defaultWall: { layout: '2x2', tiles: ['demo-1', '<x>', null, 'demo-4', 'demo-5'], source: 'station' } });
  assert.deepEqual(s.watermark, { style: 'corner', opacity: 1, density: 3 });
  assert.equal(s.defaultWall?.tiles.length, 16);
  assert.deepEqual(s.defaultWall?.tiles.slice(0, 5), ['demo-1', null, null, 'demo-4', null], 'bad ids and slots beyond the layout dropped');
  assert.equal(parseWallSettings({ watermark: { style: 'rainbow' } }).watermark.style, 'sparse');
  assert.equal(parseFirstWall({ layout: '7x7', tiles: [] }), null);
  assert.equal(parseFirstWall({ layout: '2x2', tiles: 'demo-1' }), null);
});

test('sparse watermark: one copy per cell, each quarter holds one at density 2; the line shrinks to fit', () => {
  const pts = sparseAnchors(640, 360, 2);
  assert.deepEqual(pts, [{ x: 160, y: 90 }, { x: 480, y: 90 }, { x: 160, y: 270 }, { x: 480, y: 270 }]);
  assert.equal(sparseAnchors(640, 360, 3).length, 9);
  assert.equal(sparseAnchors(640, 360, 99).length, 36, 'clamped to 6×6');
  assert.deepEqual(sparseAnchors(0, 360, 2), []);
  // A 40-character line (~0.55 em per character) fits a quarter of a 640-wide tile.
  const font = sparseFontPx(640, 360, 2, 22);
  assert.ok(font >= 9 && font <= 13, `font ${font}`);
  assert.ok(font * 22 * Math.cos(Math.PI / 6) <= 320, 'fits its cell');
  assert.equal(sparseFontPx(1920, 1080, 1, 10), 39, 'full size when it fits');
});
