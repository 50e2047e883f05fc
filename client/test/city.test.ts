import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REMOTE_CAMERA_ID, type CameraInfo, type CityCameraInfo, type CityWardInfo } from '@wardwall/common';
import { cameraLabel, cityCameras, groupWards, keepsConsumerThroughCut, isRemoteCameraId, parseCityWards, parsePlacements, placePosition, REMOTE_CAMERA_ID_PATTERN, wardAreas, wardCameraInfo, withCityNeighbours } from '../src/core/city.js';
import { CAMERA_ID_PATTERN, isWardCameraId, LIVE_CAMERA_ID_PATTERN } from '../src/core/ids.js';
import { buildUrlSearch, parseUrlState } from '../src/core/url-state.js';
import { CameraStore } from '../src/services/camera-store.js';
import { CityWardsService } from '../src/services/city-wards.js';
import { Emitter } from '../src/services/emitter.js';
import type { SignalingClient } from '../src/services/signaling.js';

function cam(ward: string, id: string, name: string, position: CityCameraInfo['position'], state: CityCameraInfo['state'] = 'live'): CityCameraInfo {
  return { remoteId: `${ward}/${id}`, ward, id, name, state, reason: state === 'live' ? null : 'unreachable', position, since: 1000, linkDown: false };
}

function ward(id: string, name: string, cameras: CityCameraInfo[], online = true): CityWardInfo {
  return { ward: id, name, online, since: 5000, cameras: online ? cameras : cameras.map((c) => ({ ...c, state: 'offline', linkDown: true })) };
}

function local(id: string, position: CameraInfo['position']): CameraInfo {
  return { id, name: id, streams: { main: { state: 'live', reason: null, since: 1 } }, position, neighbours: [] };
}

// Ward w1 on the left half of the city map, w2 on the right half (scale 0.5 each).
const placements = new Map([
  ['w1', { x: 0, y: 0, scale: 0.5 }],
  ['w2', { x: 500, y: 0, scale: 0.5 }],
]);

test('ids: a ward camera is <ward>/<camera>, the same syntax as common, never a station id', () => {
  assert.equal(REMOTE_CAMERA_ID_PATTERN.source, REMOTE_CAMERA_ID.source.replace(/\(|\)/g, ''));
  for (const id of ['w1/demo-1', 'phuong-3/cong_chinh']) {
    assert.ok(isRemoteCameraId(id) && isWardCameraId(id) && LIVE_CAMERA_ID_PATTERN.test(id), id);
    assert.ok(!CAMERA_ID_PATTERN.test(id), id);
  }
  for (const id of ['demo-1', 'w1/', '/demo-1', 'w1/demo-1/x', 'W1/demo', 'w1//demo', `${'a'.repeat(33)}/x`]) assert.ok(!isRemoteCameraId(id), id);
  assert.ok(LIVE_CAMERA_ID_PATTERN.test('demo-1') && !isWardCameraId('demo-1'));
});

test('links: a live wall, a follow centre and review carry ward cameras', () => {
  const live = parseUrlState('?mode=live&cams=w1/demo-1,,demo-2');
  assert.deepEqual(live.state?.cams, ['w1/demo-1', null, 'demo-2']);
  assert.deepEqual(live.issues, []);
  assert.equal(buildUrlSearch(live.state!), '?mode=live&cams=w1/demo-1,,demo-2');
  const follow = parseUrlState('?mode=follow&centre=w2/cam-a');
  assert.equal(follow.state?.centre, 'w2/cam-a');
  const review = parseUrlState('?mode=review&cams=w1/demo-1,demo-2');
  assert.deepEqual(review.state?.cams, ['w1/demo-1', 'demo-2'], 'review plays a ward camera\'s recordings through the centre');
  assert.deepEqual(review.issues, []);
});

test('placement: a ward position lands on the city map, heading kept; an unplaced ward has none', () => {
  assert.deepEqual(placePosition({ x: 500, y: 1000, heading: 90 }, { x: 500, y: 0, scale: 0.5 }), { x: 750, y: 500, heading: 90 });
  assert.deepEqual(placePosition({ x: 333, y: 0 }, { x: 10, y: 20, scale: 0.3 }), { x: 109.9, y: 20 });
  assert.equal(placePosition({ x: 1, y: 1 }, undefined), null);
  assert.equal(placePosition(null, { x: 0, y: 0, scale: 1 }), null);
  const areas = wardAreas([ward('w1', 'Phường 1', []), ward('w9', 'Phường 9', []), ward('w2', 'Phường 2', [], false)], placements);
  assert.deepEqual(areas, [
    { ward: 'w1', name: 'Phường 1', online: true, x: 0, y: 0, size: 500 },
    { ward: 'w2', name: 'Phường 2', online: false, x: 500, y: 0, size: 500 },
  ]);
});

test('ward cameras as wall cameras: state, link down as the reason, ward named', () => {
  const w = ward('w1', 'Phường 1', [cam('w1', 'gate', 'Cổng', { x: 100, y: 100 })]);
  const live = wardCameraInfo(w, w.cameras[0]!, placements.get('w1'));
  assert.equal(live.id, 'w1/gate');
  assert.deepEqual(live.streams.main, { state: 'live', reason: null, since: 1000 });
  assert.deepEqual(live.position, { x: 50, y: 50 });
  assert.deepEqual(live.city, { ward: 'w1', wardName: 'Phường 1', linkDown: false });
  const down = ward('w1', 'Phường 1', [cam('w1', 'gate', 'Cổng', { x: 100, y: 100 })], false);
  const off = wardCameraInfo(down, down.cameras[0]!, placements.get('w1'));
  assert.deepEqual(off.streams.main, { state: 'offline', reason: 'link_down', since: 5000 });
  assert.equal(off.city?.linkDown, true);
  assert.equal(cameraLabel(live, live.id), 'Cổng (Phường 1)', 'named with its ward out of context (a trail)');
  assert.equal(cameraLabel(local('hq', null), 'hq'), 'hq');
  assert.equal(cameraLabel(undefined, 'w1/gone'), 'w1/gone');
});

test('neighbours across wards: a camera at the edge of one ward finds the next ward’s camera beyond it', () => {
  // w1's east edge camera at ward (900, 500) → city (450, 250); w2's west camera at ward (100, 500) → city (550, 250).
  const wards = [
    ward('w1', 'Phường 1', [cam('w1', 'east', 'Đông', { x: 900, y: 500 }), cam('w1', 'north', 'Bắc', { x: 900, y: 100 })]),
    ward('w2', 'Phường 2', [cam('w2', 'west', 'Tây', { x: 100, y: 500 }), cam('w2', 'far', 'Xa', { x: 900, y: 900 })]),
  ];
  const cams = new Map(cityCameras(wards, placements).map((c) => [c.id, c]));
  const east = cams.get('w1/east')!;
  assert.deepEqual(east.neighbours.map((n) => [n.id, n.direction, n.distance]), [
    ['w1/north', 'ahead', 200],
    ['w2/west', 'right', 100],
  ]);
  assert.deepEqual(cams.get('w2/west')!.neighbours.find((n) => n.direction === 'left')?.id, 'w1/east');
  assert.ok(cams.get('w2/far')!.neighbours.every((n) => n.id !== 'w1/east'), 'beyond reach (city units) is not a neighbour');
  // An unplaced ward's cameras: no position, no neighbours, and nobody's neighbour.
  const unplaced = cityCameras([...wards, ward('w3', 'Phường 3', [cam('w3', 'x', 'X', { x: 450, y: 250 })])], placements);
  assert.deepEqual(unplaced.find((c) => c.id === 'w3/x')!.neighbours, []);
  assert.equal(unplaced.find((c) => c.id === 'w3/x')!.position, null);
});

test('the centre’s own cameras take ward cameras as neighbours; configured lists are kept', () => {
  const own = [local('hq-door', { x: 480, y: 300 }), { ...local('hq-yard', { x: 480, y: 350 }), neighbours: [{ id: 'hq-door', direction: 'ahead' as const, distance: 50, derived: false }] }];
  const remote = cityCameras([ward('w2', 'Phường 2', [cam('w2', 'west', 'Tây', { x: 100, y: 600 })])], placements, own);
  assert.deepEqual(remote[0]!.neighbours.map((n) => n.id), ['hq-door'], 'the ward camera takes the centre camera as a neighbour');
  const merged = withCityNeighbours(own, remote);
  assert.deepEqual(merged[0]!.neighbours.map((n) => [n.id, n.direction]), [['w2/west', 'right'], ['hq-yard', 'behind']]);
  assert.equal(merged[1], own[1], 'a configured neighbour list is not touched');
  assert.equal(withCityNeighbours(merged, remote)[0], merged[0], 'unchanged neighbours keep the object');
});

test('grouping: wards by name, counts with link down, filter on camera or ward name without diacritics', () => {
  const wards = [
    ward('w2', 'Phường 2', [cam('w2', 'b', 'Chợ', { x: 1, y: 1 }), cam('w2', 'a', 'Bến xe', null, 'offline')]),
    ward('w1', 'Phường 1', [cam('w1', 'gate', 'Cổng trường', null)], false),
    ward('w3', 'Phường 3', []),
  ];
  const all = groupWards(wards, '');
  assert.deepEqual(all.map((g) => [g.ward, g.online, g.live, g.offline, g.total, g.cameras.map((c) => c.remoteId)]), [
    ['w1', false, 0, 1, 1, ['w1/gate']],
    ['w2', true, 1, 1, 2, ['w2/a', 'w2/b']],
    ['w3', true, 0, 0, 0, []],
  ]);
  assert.deepEqual(groupWards(wards, 'cong truong').map((g) => g.ward), ['w1']);
  assert.deepEqual(groupWards(wards, 'phuong 2').map((g) => [g.ward, g.cameras.length]), [['w2', 2]], 'a ward name matches all its cameras');
  assert.deepEqual(groupWards(wards, 'w2/b').map((g) => g.cameras.map((c) => c.id)), [['b']]);
  assert.deepEqual(groupWards(wards, 'nothing here'), []);
});

test('parsing: pushes and replies are checked, bad entries dropped, never an exception', () => {
  const good = { ward: 'w1', name: 'P1', online: true, since: 1, cameras: [cam('w1', 'a', 'A', { x: 1, y: 2, heading: 30 })] };
  assert.deepEqual(parseCityWards([good]), [good]);
  for (const bad of [null, 1, 'x', {}, { wards: [] }]) assert.deepEqual(parseCityWards(bad), []);
  const parsed = parseCityWards([
    good,
    { ...good, ward: 'BAD WARD' },
    { ...good, cameras: 'no' },
    { ...good, ward: 'w2', cameras: [cam('w1', 'a', 'A', null), { ...cam('w2', 'b', 'B', null), state: 'weird' }, { ...cam('w2', 'c', 'C', { x: 'x', y: 1 } as never), url: 'rtsp://x' }] },
  ]);
  assert.deepEqual(parsed.map((w) => [w.ward, w.cameras.map((c) => c.remoteId)]), [['w1', ['w1/a']], ['w2', ['w2/c']]]);
  assert.equal(parsed[1]!.cameras[0]!.position, null);
  assert.ok(!('url' in parsed[1]!.cameras[0]!), 'only the known fields are kept');
  assert.deepEqual([...parsePlacements([{ ward: 'w1', map: { x: 1, y: 2, scale: 0.5 } }, { ward: 'w2', map: { x: 1, y: 2, scale: 0 } }, 'x']).entries()], [['w1', { x: 1, y: 2, scale: 0.5 }]]);
});

test('camera store: ward cameras join the centre’s own after them, follow the pushes, survive a new hello', () => {
  const store = new CameraStore();
  let changes = 0;
  store.on('change', () => changes++);
  store.replace([local('hq', { x: 480, y: 250 })]);
  store.setCity([ward('w2', 'Phường 2', [cam('w2', 'west', 'Tây', { x: 100, y: 500 })])], placements);
  assert.deepEqual([...store.snapshot().keys()], ['hq', 'w2/west']);
  assert.deepEqual(store.get('hq')!.neighbours.map((n) => n.id), ['w2/west']);
  store.setCity([ward('w2', 'Phường 2', [cam('w2', 'west', 'Tây', { x: 100, y: 500 })], false)], placements);
  assert.deepEqual(store.get('w2/west')!.streams.main, { state: 'offline', reason: 'link_down', since: 5000 });
  store.replace([local('hq', { x: 480, y: 250 }), local('hq-2', null)]);
  assert.deepEqual([...store.snapshot().keys()], ['hq', 'hq-2', 'w2/west'], 'a new camera list keeps the wards');
  store.updateStream('w2/west', 'main', { state: 'live', reason: null, since: 9 });
  assert.equal(store.get('w2/west')!.streams.main.state, 'offline', 'a ward camera changes only through the city pushes');
  store.setCity([ward('w2', 'Phường 2', [cam('w2', 'west', 'Tây', { x: 100, y: 500 })])], placements, 50);
  assert.deepEqual(store.get('hq')!.neighbours, [], 'a shorter reach (the centre’s map.neighbourDistance) leaves the ward camera out');
  store.setCity([], placements);
  assert.deepEqual([...store.snapshot().keys()], ['hq', 'hq-2']);
  assert.equal(changes, 6);
});

test('a consumer is kept through a ward’s link cut only', () => {
  assert.equal(keepsConsumerThroughCut({ state: 'offline', reason: 'link_down', since: 1 }), true);
  assert.equal(keepsConsumerThroughCut({ state: 'offline', reason: 'unreachable', since: 1 }), false);
  assert.equal(keepsConsumerThroughCut({ state: 'live', reason: null, since: 1 }), false);
  assert.equal(keepsConsumerThroughCut(undefined), false);
});

class FakeSignaling extends Emitter<{ session: [unknown]; cityWards: [unknown] }> {
  fire(event: 'session' | 'cityWards', data: unknown): void {
    this.emit(event, data);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('city service: a centre’s hello reads the list; a push wins over an older reply; a station clears it', async () => {
  const sig = new FakeSignaling();
  const replies: { resolve: (r: Response) => void }[] = [];
  const asked: string[] = [];
  const fetchFn = ((url: string) => {
    asked.push(url);
    const d = deferred<Response>();
    replies.push(d);
    return d.promise;
  }) as unknown as typeof fetch;
  const city = new CityWardsService(sig as unknown as SignalingClient, fetchFn);
  let changes = 0;
  city.on('change', () => changes++);
  const w1 = { ward: 'w1', name: 'P1', online: true, since: 1, cameras: [cam('w1', 'a', 'A', null)] };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  sig.fire('session', { city: { role: 'centre', placements: [{ ward: 'w1', map: { x: 0, y: 0, scale: 0.5 } }] } });
  assert.equal(city.role, 'centre');
  assert.deepEqual([...city.placements.keys()], ['w1']);
  assert.equal(city.neighbourDistance, 450, 'the default reach when the hello names none');
  assert.deepEqual(asked, ['/api/city/cameras']);
  replies[0]!.resolve(json({ wards: [w1] }));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(city.loaded, true);
  assert.deepEqual(city.wards.map((w) => w.ward), ['w1']);

  // A new session reads again; a push arriving meanwhile is newer than that reply.
  sig.fire('session', { city: { role: 'centre', placements: [], neighbourDistance: 300 } });
  assert.equal(city.neighbourDistance, 300);
  sig.fire('cityWards', [{ ...w1, online: false }]);
  replies[1]!.resolve(json({ wards: [w1] }));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(city.wards[0]!.online, false, 'the older reply did not overwrite the push');

  // A refused read keeps what is known (the next push brings the list).
  sig.fire('session', { city: { role: 'centre', placements: [] } });
  replies[2]!.resolve(json({ code: 'UNAUTHORIZED' }, 401));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(city.wards.length, 1);

  // A station's hello (no city): nothing of the city, no read.
  sig.fire('session', { sessionId: 's' });
  assert.equal(city.role, 'off');
  assert.deepEqual(city.wards, []);
  assert.equal(asked.length, 3);
  assert.ok(changes >= 6);
  city.close();
});
