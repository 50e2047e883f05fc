import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../src/config.js';
import { demoCameras } from '../src/demo-ward.js';
import {
  bearing,
  deriveNeighbours,
  directionOf,
  neighbourOnSide,
  resolveNeighbours,
  type NeighbourInput,
} from '../src/neighbours.js';

test('bearing: degrees clockwise from map north (north = smaller y)', () => {
  const o = { x: 500, y: 500 };
  const cases: [{ x: number; y: number }, number][] = [
    [{ x: 500, y: 400 }, 0],
    [{ x: 600, y: 500 }, 90],
    [{ x: 500, y: 600 }, 180],
    [{ x: 400, y: 500 }, 270],
    [{ x: 600, y: 400 }, 45],
  ];
  for (const [to, want] of cases) assert.equal(Math.round(bearing(o, to)), want, JSON.stringify(to));
});

test('directionOf: the side relative to the heading; boundaries go clockwise', () => {
  const cases: [bearing: number, heading: number | undefined, want: string][] = [
    [0, undefined, 'ahead'], // no heading: map north is ahead
    [90, undefined, 'right'],
    [180, undefined, 'behind'],
    [270, undefined, 'left'],
    [90, 90, 'ahead'], // camera looks east: east is ahead
    [0, 90, 'left'], // ... north is on its left
    [180, 90, 'right'],
    [270, 90, 'behind'],
    [0, 180, 'behind'],
    [44.9, 0, 'ahead'],
    [45, 0, 'right'], // tie on the boundary: clockwise side
    [135, 0, 'behind'],
    [225, 0, 'left'],
    [315, 0, 'ahead'],
    [314.9, 0, 'left'],
    [10, 350, 'ahead'], // wrap-around
    [330, 30, 'left'],
  ];
  for (const [b, h, want] of cases) assert.equal(directionOf(b, h), want, `bearing ${b} heading ${h}`);
});

const cam = (id: string, x: number, y: number, heading?: number, neighbours?: NeighbourInput['neighbours']): NeighbourInput => ({
  id,
  position: { x, y, heading },
  neighbours,
});

test('deriveNeighbours: the nearest camera per side within reach', () => {
  type Case = { name: string; self: NeighbourInput; others: NeighbourInput[]; max?: number; want: string[] };
  const cases: Case[] = [
    {
      name: 'one per side, nearest wins',
      self: cam('c', 500, 500, 0),
      others: [cam('n1', 500, 400), cam('n2', 500, 200), cam('e', 700, 500), cam('s', 500, 800), cam('w', 300, 510)],
      want: ['ahead:n1', 'right:e', 'behind:s', 'left:w'],
    },
    {
      name: 'heading turns the sides',
      self: cam('c', 500, 500, 90),
      others: [cam('n', 500, 400), cam('e', 600, 500)],
      want: ['ahead:e', 'left:n'],
    },
    {
      name: 'equal distance: closer to the axis wins',
      self: cam('c', 500, 500, 0),
      others: [cam('a', 560, 420), cam('b', 500, 400)],
      want: ['ahead:b'],
    },
    {
      name: 'equal distance and angle: smaller id wins',
      self: cam('c', 500, 500, 0),
      others: [cam('z', 530, 400), cam('y', 470, 400)],
      want: ['ahead:y'],
    },
    {
      name: 'a camera on a sector boundary goes to the clockwise side',
      self: cam('c', 500, 500, 0),
      others: [cam('d', 600, 400)],
      want: ['right:d'],
    },
    {
      name: 'out of reach: isolated',
      self: cam('c', 0, 0, 0),
      others: [cam('far', 1000, 1000)],
      max: 450,
      want: [],
    },
    {
      name: 'no position: isolated',
      self: { id: 'c', position: null },
      others: [cam('x', 10, 10)],
      want: [],
    },
    {
      name: 'others without a position or at the same point are skipped',
      self: cam('c', 500, 500),
      others: [{ id: 'nopos' }, cam('same', 500, 500), cam('ok', 500, 600)],
      want: ['behind:ok'],
    },
  ];
  for (const c of cases) {
    const got = deriveNeighbours(c.self, [c.self, ...c.others], c.max).map((n) => `${n.direction}:${n.id}`);
    assert.deepEqual(got, c.want, c.name);
  }
});

test('resolveNeighbours: explicit lists override, unknown ids and self dropped', () => {
  const cams: NeighbourInput[] = [
    cam('a', 100, 100, 0, [
      { id: 'c', direction: 'left' },
      { id: 'ghost', direction: 'right' },
      { id: 'a', direction: 'ahead' },
      { id: 'b', direction: 'left' },
      { id: 'c', direction: 'right' },
    ]),
    cam('b', 100, 300, 0),
    { id: 'c', position: null, neighbours: [{ id: 'a', direction: 'behind' }] },
  ];
  const g = resolveNeighbours(cams);
  assert.deepEqual(g.get('a'), [
    { id: 'c', direction: 'left', distance: null, derived: false },
    { id: 'b', direction: 'left', distance: 200, derived: false },
  ]);
  assert.deepEqual(g.get('b'), [{ id: 'a', direction: 'ahead', distance: 200, derived: true }]);
  assert.deepEqual(g.get('c'), [{ id: 'a', direction: 'behind', distance: null, derived: false }]);
  assert.equal(neighbourOnSide(g.get('a')!, 'left'), 'c');
  assert.equal(neighbourOnSide(g.get('a')!, 'ahead'), null);
});

test('the demo cameras form one connected street graph for 4, 5 and 6 cameras', () => {
  for (const count of [4, 5, 6, 16]) {
    const cams = demoCameras(resolveConfig({ demo: { count } }));
    const g = resolveNeighbours(cams);
    for (const c of cams) assert.ok(g.get(c.id)!.length > 0, `${c.id} of ${count} has neighbours`);
    const seen = new Set(['demo-1']);
    const queue = ['demo-1'];
    while (queue.length) for (const n of g.get(queue.shift()!)!) if (!seen.has(n.id)) { seen.add(n.id); queue.push(n.id); }
    assert.equal(seen.size, count, `all ${count} reachable from demo-1`);
  }
});

test('config: explicit neighbours and the map section are validated', () => {
  const base = { id: 'a', name: 'A', main: 'rtsp://h/a' };
  const c = resolveConfig({ cameras: [{ ...base, neighbours: [{ id: 'b', direction: 'left' }] }], map: { background: '/srv/ward.svg' } });
  assert.deepEqual(c.cameras[0]!.neighbours, [{ id: 'b', direction: 'left' }]);
  assert.equal(c.map.background, '/srv/ward.svg');
  assert.equal(resolveConfig({}).map.background, null);
  assert.throws(() => resolveConfig({ cameras: [{ ...base, neighbours: [{ id: 'b', direction: 'north' }] }] }), /cameras\.0\.neighbours\.0\.direction/);
  assert.throws(() => resolveConfig({ cameras: [{ ...base, neighbours: [{ id: 'a', direction: 'left' }] }] }), /cameras\.0\.neighbours\.0\.id: a camera cannot be its own/);
  assert.throws(() => resolveConfig({ map: { zoom: 3 } }), /map: unknown key/);
});
