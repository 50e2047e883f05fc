import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CityAlertInfo } from '@wardwall/common';
import { applyWardAlert, parseCityAlert, parseCityUrgent, urgentNoticeOf, wardHealthAlert } from '../src/core/city-alerts.js';
import { sortAlerts, tileHealth } from '../src/core/health-alerts.js';

const a: CityAlertInfo = { ward: 'w1', remoteId: 'w1/gate-1', id: 3, cameraId: 'gate-1', kind: 'offline', state: 'open', openedAt: 1000, ackedAt: null, ackedBy: null, closedAt: null, detail: { drops: 1 } };

test('parseCityAlert / parseCityUrgent: checked shapes, ward ids only', () => {
  assert.deepEqual(parseCityAlert(a), a);
  assert.equal(parseCityAlert({ ...a, remoteId: 'gate-1' }), null, 'a station id is not a ward camera');
  assert.equal(parseCityAlert({ ...a, kind: 'nope' }), null);
  assert.equal(parseCityAlert('x'), null);
  const u = { ward: 'w1', id: 'b1', cameras: ['w1/gate-1'], startMs: 1, endMs: 2, title: 't', by: 'thu', at: 3 };
  assert.deepEqual(parseCityUrgent(u), u);
  assert.equal(parseCityUrgent({ ...u, cameras: ['gate-1'] }), null);
  assert.equal(parseCityUrgent({ ...u, cameras: [] }), null);
  assert.equal(parseCityUrgent({ ...u, startMs: 'x' }), null);
});

test('ward alerts: keyed per ward, shown on the <ward>/<camera> tile, closed ones leave', () => {
  let m = applyWardAlert(new Map(), a);
  m = applyWardAlert(m, { ...a, ward: 'w2', remoteId: 'w2/gate-1' });
  assert.equal(m.size, 2, 'the same alert id in two wards: two alerts');
  const row = wardHealthAlert(a);
  assert.equal(row.cameraId, 'w1/gate-1');
  assert.equal(row.ward, 'w1');
  const tiles = tileHealth([...m.values()]);
  assert.deepEqual([...tiles.keys()].sort(), ['w1/gate-1', 'w2/gate-1']);
  assert.equal(sortAlerts([...m.values()]).length, 2);
  m = applyWardAlert(m, { ...a, state: 'closed', closedAt: 2000 });
  assert.deepEqual([...m.values()].map((x) => x.cameraId), ['w2/gate-1']);
});

test('urgentNoticeOf: the bar of a ward\'s urgent bookmark', () => {
  const n = urgentNoticeOf({ ward: 'w1', id: 'b1', cameras: ['w1/gate-1', 'w1/alley'], startMs: 5, endMs: 9, title: 'Xe máy', by: 'thu', at: 6 });
  assert.deepEqual(n, { id: 'w1#b1', cameras: ['w1/gate-1', 'w1/alley'], author: 'thu', title: 'Xe máy', startMs: 5, ward: 'w1' });
});
