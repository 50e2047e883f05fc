import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAMERA_ID } from '@wardwall/common';
import { acceptsDrag, MIME_CAMERA, MIME_TILE, readDrop } from '../src/core/dnd.js';
import { CAMERA_ID_PATTERN, stillUrl } from '../src/core/ids.js';
import { MAX_TILES } from '../src/core/layout.js';
import { foldText, matchesFilter } from '../src/core/text.js';
import { assignCamera, camerasOnWall, pickTarget, swapTiles } from '../src/core/wall-ops.js';

const slots = (...ids: (string | null)[]): (string | null)[] => Array.from({ length: MAX_TILES }, (_, i) => ids[i] ?? null);

test('assign, clear and swap keep MAX_TILES slots', () => {
  const a = assignCamera([], 2, 'cam-a');
  assert.equal(a.length, MAX_TILES);
  assert.equal(a[2], 'cam-a');
  assert.equal(assignCamera(a, 2, null)[2], null);
  assert.deepEqual(assignCamera(a, 99, 'x'), a);
  const s = swapTiles(slots('a', null, 'c'), 0, 2);
  assert.deepEqual(s.slice(0, 3), ['c', null, 'a']);
  assert.deepEqual(swapTiles(slots('a', 'b'), 0, 1).slice(0, 2), ['b', 'a']);
  assert.deepEqual(swapTiles(slots('a'), 0, -1).slice(0, 1), ['a']);
});

test('a clicked camera goes to the selected tile, else the first empty one', () => {
  assert.equal(pickTarget(slots('a', 'b', null, null), '2x2', 1), 1);
  assert.equal(pickTarget(slots('a', 'b', null, null), '2x2', null), 2);
  assert.equal(pickTarget(slots('a', 'b', 'c', 'd'), '2x2', null), 0);
  // A selection outside the layout does not count.
  assert.equal(pickTarget(slots('a', null), '2x2', 7), 1);
  assert.equal(pickTarget(slots(), '1', null), 0);
});

test('cameras on the wall are those of the layout’s tiles', () => {
  assert.deepEqual([...camerasOnWall(slots('a', 'b', null, null, 'e'), '2x2')].sort(), ['a', 'b']);
  assert.deepEqual([...camerasOnWall(slots('a', 'b', null, null, 'e'), '3x3')].sort(), ['a', 'b', 'e']);
});

test('drag payloads', () => {
  assert.equal(acceptsDrag(['text/plain']), false);
  assert.equal(acceptsDrag([MIME_CAMERA, 'text/plain']), true);
  assert.equal(acceptsDrag([MIME_TILE]), true);
  const data = (m: Record<string, string>) => (type: string) => m[type] ?? '';
  assert.deepEqual(readDrop(data({ [MIME_CAMERA]: 'demo-1' })), { kind: 'camera', cameraId: 'demo-1' });
  assert.deepEqual(readDrop(data({ [MIME_TILE]: '3', [MIME_CAMERA]: 'x' })), { kind: 'tile', fromIndex: 3 });
  assert.equal(readDrop(data({ [MIME_TILE]: 'abc' })), null);
  assert.equal(readDrop(data({})), null);
});

test('filter ignores case and Vietnamese diacritics', () => {
  assert.equal(foldText('Ngã tư Lê Lợi'), 'nga tu le loi');
  assert.equal(foldText('Đường vào phường'), 'duong vao phuong');
  assert.ok(matchesFilter('nga tu', 'Ngã tư Lê Lợi'));
  assert.ok(matchesFilter('LOI ngã', 'Ngã tư Lê Lợi'));
  assert.ok(matchesFilter('demo-3', 'Cổng chùa', 'demo-3'));
  assert.ok(!matchesFilter('chợ', 'Ngã tư Lê Lợi', 'demo-1'));
  assert.ok(matchesFilter('   ', 'x'));
});

test('camera id pattern equals the server’s, still URLs are escaped and cache-busted', () => {
  assert.equal(CAMERA_ID_PATTERN.source, CAMERA_ID.source);
  assert.equal(stillUrl('demo-1', 123), '/api/cameras/demo-1/still?t=123');
});
