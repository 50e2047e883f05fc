import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOOKMARK_DEFAULTS, INCIDENT_DEFAULTS, type Bookmark, type Incident } from '@wardwall/common';
import { holdReason, isHeldBookmark, parseHoldReason, planHolds, wantedHolds } from '../src/bookmarks/holds.js';

const bm = (o: Partial<Bookmark>): Bookmark => ({ ...BOOKMARK_DEFAULTS, cameras: ['c1'], startMs: 10_000, endMs: 10_000, id: 'bookmark1', author: 'An', createdMs: 0, updatedMs: 0, seq: 1, times: {}, ...o });
const inc = (o: Partial<Incident>): Incident => ({ ...INCIDENT_DEFAULTS, title: 't', id: 'incident1', author: 'An', createdMs: 0, updatedMs: 0, seq: 1, times: {}, ...o });

test('a bookmark is held unless deleted, or released and not held by a live incident', () => {
  const incidents = new Map([['incident1', inc({})], ['incident2', inc({ id: 'incident2', hold: false })], ['incident3', inc({ id: 'incident3', deleted: true })]]);
  const cases: [Partial<Bookmark>, boolean][] = [
    [{}, true],
    [{ deleted: true }, false],
    [{ hold: false }, false],
    [{ hold: false, incidentId: 'incident1' }, true],
    [{ hold: false, incidentId: 'incident2' }, false],
    [{ hold: false, incidentId: 'incident3' }, false],
    [{ deleted: true, incidentId: 'incident1' }, false],
  ];
  for (const [o, want] of cases) assert.equal(isHeldBookmark(bm(o), incidents), want, JSON.stringify(o));
});

test('wanted holds: one per camera, widened by the margin (an instant keeps a non-empty window)', () => {
  const w = wantedHolds([bm({ cameras: ['c1', 'c2'], startMs: 10_000, endMs: 20_000 }), bm({ id: 'bookmark2', deleted: true })], new Map(), 1000);
  assert.deepEqual(w, [
    { bookmarkId: 'bookmark1', camera: 'c1', from: 9000, to: 21000, createdBy: 'An' },
    { bookmarkId: 'bookmark1', camera: 'c2', from: 9000, to: 21000, createdBy: 'An' },
  ]);
  const instant = wantedHolds([bm({})], new Map(), 0)[0]!;
  assert.ok(instant.to > instant.from);
});

test('hold plan: keeps matching holds, creates missing ones, releases changed, unwanted and duplicate ones, ignores others', () => {
  const want = [
    { bookmarkId: 'bookmark1', camera: 'c1', from: 0, to: 10, createdBy: 'a' },
    { bookmarkId: 'bookmark2', camera: 'c1', from: 0, to: 10, createdBy: 'a' },
    { bookmarkId: 'bookmark3', camera: 'c2', from: 5, to: 10, createdBy: 'a' },
  ];
  const existing = [
    { id: 1, camera: 'c1', startMs: 0, endMs: 10, reason: holdReason(want[0]!) }, // kept
    { id: 2, camera: 'c1', startMs: 0, endMs: 10, reason: holdReason(want[0]!) }, // duplicate → released
    { id: 3, camera: 'c2', startMs: 0, endMs: 10, reason: holdReason(want[2]!) }, // window changed → released + created
    { id: 4, camera: 'c9', startMs: 0, endMs: 10, reason: 'bookmark gonegone1 camera c9' }, // unwanted
    { id: 5, camera: 'c1', startMs: 0, endMs: 10, reason: 'export 123' }, // not ours
  ];
  const plan = planHolds(want, existing);
  assert.deepEqual(plan.release.map((h) => h.id), [2, 3, 4]);
  assert.deepEqual(plan.create.map((w) => w.bookmarkId), ['bookmark2', 'bookmark3']);
  assert.equal(plan.kept, 1);
  assert.deepEqual(parseHoldReason('bookmark gonegone1 camera c9'), { bookmarkId: 'gonegone1', camera: 'c9' });
  assert.equal(parseHoldReason('export 1'), null);
});
