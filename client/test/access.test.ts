import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  availablePages,
  canCamera,
  clampToLookback,
  lookbackFloorMs,
  lookbackMinDate,
  parseMe,
  permittedCameras,
  permittedTiles,
  type Me,
} from '../src/core/access.js';
import { fromHcm } from '../src/core/hcm-time.js';

const base: Me = { id: '1', username: 'op', displayName: 'Operator One', role: 'operator', system: [], cameras: {}, lookbackDays: 7 };
const me = (over: Partial<Me>): Me => ({ ...base, ...over });

test('parseMe keeps known permissions, names the offending field otherwise', () => {
  const m = parseMe({ id: 7, username: 'a', displayName: '', role: 'viewer', system: ['audit', 'bogus'], cameras: { 'demo-1': ['live', 'fly'] }, lookbackDays: null });
  assert.deepEqual(m, { id: '7', username: 'a', displayName: 'a', role: 'viewer', system: ['audit'], cameras: { 'demo-1': ['live'] }, lookbackDays: null });
  const bad: [unknown, RegExp][] = [
    [null, /me: not an object/],
    [{ ...m, role: 'god' }, /me\.role/],
    [{ ...m, cameras: [] }, /me\.cameras/],
    [{ ...m, cameras: { x: 'live' } }, /me\.cameras\.x/],
    [{ ...m, lookbackDays: -1 }, /me\.lookbackDays/],
    [{ ...m, username: 3 }, /me\.username/],
    [{ ...m, system: 'admin' }, /me\.system/],
  ];
  for (const [raw, re] of bad) assert.throws(() => parseMe(raw), re);
});

test('camera rights: own entry first, else the "*" entry, else nothing', () => {
  const cases: [Me | null, string, 'live' | 'playback' | 'export', boolean][] = [
    [me({ cameras: { 'demo-1': ['live'] } }), 'demo-1', 'live', true],
    [me({ cameras: { 'demo-1': ['live'] } }), 'demo-1', 'playback', false],
    [me({ cameras: { 'demo-1': ['live'] } }), 'demo-2', 'live', false],
    [me({ cameras: { '*': ['live', 'playback'] } }), 'demo-9', 'playback', true],
    [me({ cameras: { '*': ['live', 'playback'], 'demo-2': [] } }), 'demo-2', 'live', false],
    [null, 'demo-1', 'live', false],
  ];
  for (const [m, cam, perm, want] of cases) assert.equal(canCamera(m, perm, cam), want, `${cam} ${perm}`);
});

test('the wall lists and shows only cameras with live; review only playback', () => {
  const cams = new Map([['demo-1', 'a'], ['demo-2', 'b'], ['demo-3', 'c']]);
  const m = me({ cameras: { 'demo-1': ['live', 'playback'], 'demo-2': ['live'], 'demo-3': ['playback'] } });
  assert.deepEqual([...permittedCameras(m, 'live', cams).keys()], ['demo-1', 'demo-2']);
  assert.deepEqual([...permittedCameras(m, 'playback', cams).keys()], ['demo-1', 'demo-3']);
  assert.deepEqual([...permittedCameras(null, 'live', cams).keys()], []);
  assert.deepEqual(permittedTiles(m, ['demo-3', null, 'demo-2', 'demo-1']), [null, null, 'demo-2', 'demo-1']);
});

test('pages: follow with any live right, review with any playback right, admin and audit by permission', () => {
  const cases: [Me | null, string[]][] = [
    [me({ cameras: { 'demo-1': ['live'] } }), ['live', 'follow']],
    [me({ cameras: { 'demo-1': ['live', 'playback'] } }), ['live', 'follow', 'review']],
    [me({ cameras: { '*': ['live', 'playback', 'export'] }, system: ['admin', 'audit'] }), ['live', 'follow', 'review', 'admin', 'residents', 'audit']],
    [me({ cameras: {}, system: ['audit'] }), ['live', 'audit']],
    [me({ cameras: { 'demo-1': ['live'], 'demo-7': ['export', 'playback'] } }), ['live', 'follow', 'review']],
    [null, ['live']],
  ];
  for (const [m, want] of cases) assert.deepEqual(availablePages(m), want);
});

test('look-back: floor, date picker minimum (Vietnam date) and clamping', () => {
  const now = fromHcm({ year: 2026, month: 11, day: 28, hour: 3, minute: 0, second: 0, ms: 0 })!;
  const m = me({ lookbackDays: 7 });
  assert.equal(lookbackFloorMs(m, now), now - 7 * 86_400_000);
  assert.equal(lookbackMinDate(m, now), '2026-11-21');
  assert.equal(lookbackMinDate(me({ lookbackDays: null }), now), '');
  assert.equal(lookbackFloorMs(me({ lookbackDays: null }), now), -Infinity);
  assert.deepEqual(clampToLookback(m, now - 8 * 86_400_000, now), { start: now - 7 * 86_400_000, clamped: true });
  assert.deepEqual(clampToLookback(m, now - 3600_000, now), { start: now - 3600_000, clamped: false });
  assert.deepEqual(clampToLookback(me({ lookbackDays: null }), 0, now), { start: 0, clamped: false });
  // 0 days: only from now on.
  assert.equal(clampToLookback(me({ lookbackDays: 0 }), now - 1, now).clamped, true);
});
