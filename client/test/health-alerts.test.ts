import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthAlert } from '@wardwall/common';
import { applyAlert, canRelearn, isHealthAlert, outageRanges, sortAlerts, tileHealth } from '../src/core/health-alerts.js';
import type { Me } from '../src/core/access.js';

const a = (id: number, over: Partial<HealthAlert> = {}): HealthAlert => ({
  id, cameraId: 'cam-1', kind: 'black', state: 'open', openedAt: id * 1000, ackedAt: null, ackedBy: null, closedAt: null, detail: {}, ...over,
});

test('isHealthAlert accepts alerts and refuses malformed pushes', () => {
  assert.equal(isHealthAlert(a(1)), true);
  const bad: unknown[] = [null, 1, {}, { ...a(1), kind: 'melted' }, { ...a(1), state: 'gone' }, { ...a(1), id: '1' }, { ...a(1), detail: null }, { ...a(1), ackedBy: 3 }];
  for (const b of bad) assert.equal(isHealthAlert(b), false, JSON.stringify(b));
});

test('applyAlert keeps the open set; sortAlerts puts unacknowledged and newest first', () => {
  let open = applyAlert(new Map(), a(1));
  open = applyAlert(open, a(2, { state: 'acknowledged' }));
  open = applyAlert(open, a(3));
  assert.deepEqual(sortAlerts(open.values()).map((x) => x.id), [3, 1, 2]);
  open = applyAlert(open, a(1, { state: 'closed', closedAt: 5000 }));
  assert.deepEqual([...open.keys()].sort(), [2, 3]);
});

test('tileHealth: the most severe kind per camera, count, all acknowledged', () => {
  const m = tileHealth([a(1, { kind: 'frozen' }), a(2, { kind: 'offline', state: 'acknowledged' }), a(3, { cameraId: 'cam-2', kind: 'low_rate', state: 'acknowledged' })]);
  assert.deepEqual(m.get('cam-1'), { kind: 'offline', count: 2, acknowledged: false });
  assert.deepEqual(m.get('cam-2'), { kind: 'low_rate', count: 1, acknowledged: true });
  assert.equal(m.has('cam-3'), false);
});

test('outageRanges merges overlapping outages, runs an unclosed one to now, skips minor kinds', () => {
  const alerts = [
    a(1, { kind: 'offline', openedAt: 1000, closedAt: 5000, state: 'closed' }),
    a(2, { kind: 'black', openedAt: 4000, closedAt: 8000, state: 'closed' }),
    a(3, { kind: 'low_rate', openedAt: 20000, closedAt: 30000, state: 'closed' }),
    a(4, { kind: 'frozen', openedAt: 40000 }),
  ];
  assert.deepEqual(outageRanges(alerts, 50000), [{ startMs: 1000, endMs: 8000 }, { startMs: 40000, endMs: 50000 }]);
});

test('canRelearn: unclosed moved/defocused alerts, for viewers with control and live on the camera', () => {
  const me = (over: Partial<Me>): Me => ({ id: 'u', username: 'u', displayName: 'u', role: 'operator', system: ['control', 'bookmark'], cameras: { '*': ['live', 'playback'] }, lookbackDays: 7, ...over });
  const cases: [string, Me | null, HealthAlert, boolean][] = [
    ['operator, open moved', me({}), a(1, { kind: 'moved' }), true],
    ['operator, acknowledged defocused', me({}), a(1, { kind: 'defocused', state: 'acknowledged' }), true],
    ['closed moved', me({}), a(1, { kind: 'moved', state: 'closed', closedAt: 5 }), false],
    ['black needs no reference', me({}), a(1, { kind: 'black' }), false],
    ['frozen is not accepted as a view', me({}), a(1, { kind: 'frozen' }), false],
    ['viewer without control', me({ role: 'viewer', system: [] }), a(1, { kind: 'moved' }), false],
    ['control but no live on that camera', me({ cameras: { 'cam-2': ['live'] } }), a(1, { kind: 'moved' }), false],
    ['control and live on that camera only', me({ cameras: { 'cam-1': ['live'] } }), a(1, { kind: 'moved' }), true],
    ['signed out', null, a(1, { kind: 'moved' }), false],
  ];
  for (const [name, who, alert, expected] of cases) assert.equal(canRelearn(who, alert), expected, name);
});
