import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  becameUrgent,
  withBookmarkDefaults,
  changeSchema,
  checkBookmarkWindow,
  incidentRanges,
  matchesFilter,
  mergeFields,
  BOOKMARK_DEFAULTS,
  type Bookmark,
} from '../src/bookmarks.js';

type F = { title: string; note: string; deleted: boolean };
const NOW = 1_800_000_000_000;

test('merge: last writer wins per field by server time; times clamped to now; tombstones stick', () => {
  const cur = { fields: { title: 'a', note: 'n', deleted: false }, times: { title: 100, note: 100, deleted: 100 } };
  const cases: { name: string; change: { fields: Partial<F>; times: Record<string, number> }; fields: F; taken: string[]; times?: Partial<Record<keyof F, number>> }[] = [
    { name: 'later title wins', change: { fields: { title: 'b' }, times: { title: 200 } }, fields: { title: 'b', note: 'n', deleted: false }, taken: ['title'] },
    { name: 'older title loses, newer note wins', change: { fields: { title: 'old', note: 'new' }, times: { title: 50, note: 150 } }, fields: { title: 'a', note: 'new', deleted: false }, taken: ['note'] },
    { name: 'a tie goes to the later arrival', change: { fields: { title: 'tie' }, times: { title: 100 } }, fields: { title: 'tie', note: 'n', deleted: false }, taken: ['title'] },
    { name: 'missing time = now', change: { fields: { note: 'x' }, times: {} }, fields: { title: 'a', note: 'x', deleted: false }, taken: ['note'], times: { note: NOW } },
    { name: 'future time clamped to now', change: { fields: { note: 'f' }, times: { note: NOW + 1e9 } }, fields: { title: 'a', note: 'f', deleted: false }, taken: ['note'], times: { note: NOW } },
    { name: 'delete', change: { fields: { deleted: true }, times: { deleted: 300 } }, fields: { title: 'a', note: 'n', deleted: true }, taken: ['deleted'] },
  ];
  for (const c of cases) {
    const m = mergeFields<F>(cur, c.change, NOW);
    assert.deepEqual(m.fields, c.fields, c.name);
    assert.deepEqual(m.taken, c.taken, c.name);
    for (const [k, v] of Object.entries(c.times ?? {})) assert.equal(m.times[k as keyof F], v, c.name);
  }
  const dead = { fields: { title: 'a', note: 'n', deleted: true }, times: { title: 1, note: 1, deleted: 1 } };
  assert.equal(mergeFields<F>(dead, { fields: { deleted: false }, times: { deleted: 999 } }, NOW).fields.deleted, true, 'undelete refused');
  const fresh = mergeFields<F>(null, { fields: { title: 't', note: '', deleted: false }, times: { title: 5 } }, NOW);
  assert.deepEqual(fresh.taken.sort(), ['deleted', 'note', 'title']);
});

test('window check: order, length, future', () => {
  assert.equal(checkBookmarkWindow({ startMs: NOW, endMs: NOW }, NOW), null);
  assert.equal(checkBookmarkWindow({ startMs: NOW, endMs: NOW - 1 }, NOW)?.field, 'endMs');
  assert.match(checkBookmarkWindow({ startMs: NOW - 2 * 86400_000, endMs: NOW }, NOW)!.message, /24 h/);
  assert.equal(checkBookmarkWindow({ startMs: NOW + 2 * 86400_000, endMs: NOW + 2 * 86400_000 }, NOW)?.field, 'startMs');
});

test('change schema: names the bad field', () => {
  const bad = [
    [{ entity: 'bookmark', id: 'short', fields: {}, times: {} }, 'id'],
    [{ entity: 'bookmark', id: 'abcdefgh1', fields: { note: 'x'.repeat(4001) }, times: {} }, 'fields.note'],
    [{ entity: 'bookmark', id: 'abcdefgh1', fields: { cameras: ['Bad Cam'] }, times: {} }, 'fields.cameras.0'],
    [{ entity: 'bookmark', id: 'abcdefgh1', fields: { tags: [''] }, times: {} }, 'fields.tags.0'],
    [{ entity: 'bookmark', id: 'abcdefgh1', fields: { startMs: 1.5 }, times: {} }, 'fields.startMs'],
    [{ entity: 'bookmark', id: 'abcdefgh1', fields: { title: 'a\u0001' }, times: {} }, 'fields.title'],
    [{ entity: 'incident', id: 'abcdefgh1', fields: { status: 'done' }, times: {} }, 'fields.status'],
  ] as const;
  for (const [input, path] of bad) {
    const r = changeSchema.safeParse(input);
    assert.equal(r.success, false, path);
    assert.equal(r.error!.issues[0]!.path.join('.'), path);
  }
  assert.ok(changeSchema.safeParse({ entity: 'incident', id: 'abcdefgh1', fields: { title: 'Trail', kind: 'trail' }, times: { title: 1 } }).success);
});

const bm = (o: Partial<Bookmark>): Bookmark => ({ ...BOOKMARK_DEFAULTS, cameras: ['c1'], startMs: 1000, endMs: 1000, id: 'abcdefgh1', author: 'An', createdMs: 0, updatedMs: 0, seq: 1, times: {}, ...o });

test('filter: camera, time range, author, tag, text, incident, tombstones', () => {
  const b = bm({ cameras: ['c1', 'c2'], startMs: 1000, endMs: 2000, title: 'Người lạ', note: 'xe máy đỏ', tags: ['Trộm'], incidentId: 'inc000001' });
  const cases: [Parameters<typeof matchesFilter>[1], boolean][] = [
    [{}, true],
    [{ camera: 'c2' }, true],
    [{ camera: 'c3' }, false],
    [{ from: 1500, to: 5000 }, true],
    [{ from: 2001 }, false],
    [{ to: 999 }, false],
    [{ author: 'an' }, true],
    [{ author: 'bình' }, false],
    [{ tag: 'trộm' }, true],
    [{ tag: 'xe' }, false],
    [{ text: 'MÁY' }, true],
    [{ text: 'người' }, true],
    [{ text: 'nguoi la' }, true],
    [{ text: 'do xe' }, true],
    [{ tag: 'TROM' }, true],
    [{ incidentId: 'inc000001' }, true],
    [{ incidentId: 'inc000002' }, false],
  ];
  for (const [f, want] of cases) assert.equal(matchesFilter(b, f), want, JSON.stringify(f));
  assert.equal(matchesFilter(bm({ deleted: true }), {}), false);
  assert.equal(matchesFilter(bm({ deleted: true }), { includeDeleted: true }), true);
});

test('incident ranges: one per bookmark and camera in time order, instants padded, deleted skipped', () => {
  const r = incidentRanges([bm({ cameras: ['b'], startMs: 5000, endMs: 5000 }), bm({ cameras: ['a', 'c'], startMs: 1000, endMs: 3000 }), bm({ cameras: ['x'], deleted: true })], 500);
  assert.deepEqual(r, [
    { camera: 'a', from: 1000, to: 3000 },
    { camera: 'c', from: 1000, to: 3000 },
    { camera: 'b', from: 4500, to: 5500 },
  ]);
});

test('urgent: fires on becoming urgent only; old records read as not urgent; the filter keeps urgent ones', () => {
  const plain = { urgent: false, deleted: false };
  const urgent = { urgent: true, deleted: false };
  const cases: [string, { urgent: boolean; deleted: boolean } | null, { urgent: boolean; deleted: boolean }, boolean][] = [
    ['created urgent', null, urgent, true],
    ['created plain', null, plain, false],
    ['marked urgent', plain, urgent, true],
    ['edited while urgent', urgent, urgent, false],
    ['urgent cleared', urgent, plain, false],
    ['deleted while urgent', urgent, { urgent: true, deleted: true }, false],
    ['created urgent and deleted at once', null, { urgent: true, deleted: true }, false],
  ];
  for (const [name, before, after, want] of cases) assert.equal(becameUrgent(before, after), want, name);
  const old = { title: 'x', hold: true } as Partial<Bookmark>;
  assert.equal(withBookmarkDefaults(old).urgent, false);
  assert.equal(withBookmarkDefaults({ urgent: true }).urgent, true);
  const b = { ...BOOKMARK_DEFAULTS, cameras: ['c'], startMs: NOW, endMs: NOW, id: 'b1', author: 'a', createdMs: NOW, updatedMs: NOW, seq: 1, times: {} } as Bookmark;
  assert.equal(matchesFilter(b, { urgent: true }), false);
  assert.equal(matchesFilter({ ...b, urgent: true }, { urgent: true }), true);
  assert.equal(matchesFilter(b, {}), true);
});
