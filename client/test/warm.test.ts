import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CameraInfo, DisplayState } from '@wardwall/common';
import { warmTargets } from '../src/core/warm.js';

const live = { state: 'live' as const, reason: null, since: 0 };
const cam = (id: string, sub: boolean, subState: 'live' | 'offline' = 'live'): CameraInfo => ({
  id,
  name: id,
  streams: { main: live, ...(sub ? { sub: { ...live, state: subState } } : {}) },
  position: null,
  neighbours: [],
});
const cameras = new Map([cam('a', true), cam('b', false), cam('c', true, 'offline')].map((c) => [c.id, c]));
const state = (upcoming: NonNullable<DisplayState['tour']>['upcoming'], paused = false): DisplayState => ({
  name: 'w',
  layout: '1',
  tiles: ['a'],
  source: { kind: 'tour', id: 't', label: 't' },
  changedBy: 'x',
  changedAt: 0,
  online: true,
  tour: { tourId: 't', name: 't', index: 0, steps: 2, paused, intervalSec: 5, nextAt: 1, upcoming },
});

test('warmTargets: the next step\'s cameras in the stream their tile will take', () => {
  const cases: [DisplayState | null, number, string[]][] = [
    [null, 1920, []],
    [state(null), 1920, []],
    [state({ layout: '1', tiles: ['a'] }), 1920, ['a/main']],
    [state({ layout: '4x4', tiles: ['a', 'b', 'a', null] }), 1920, ['a/sub', 'b/main']],
    [state({ layout: '4x4', tiles: ['c', 'zz'] }), 1920, ['c/main']], // sub offline: main
    [state({ layout: '1+5', tiles: ['a', 'a'] }), 1600, ['a/main', 'a/sub']],
    [state({ layout: '1', tiles: ['a'] }, true), 1920, []], // paused: nothing is coming
  ];
  for (const [s, w, want] of cases) assert.deepEqual(warmTargets(s, cameras, w).map((t) => `${t.cameraId}/${t.stream}`), want, JSON.stringify(s?.tour?.upcoming));
});
