import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteLink, linkTime, parseLinkTime, reviewLinkPath } from '@wardwall/common/wall-link';
import { buildUrlSearch, camerasOfState, parseUrlState, refusedCameras, withoutCameras, type UrlState } from '../src/core/url-state.js';

// 14:03:05 on 7 Dec 2026 in Vietnam = 07:03:05 UTC.
const AT = Date.UTC(2026, 11, 7, 7, 3, 5);

test('link time: Vietnam wall clock, milliseconds only when present, round trip', () => {
  assert.equal(linkTime(AT), '20261207-140305');
  assert.equal(linkTime(AT + 120), '20261207-140305.120');
  assert.equal(linkTime(Date.UTC(2026, 11, 6, 17, 30)), '20261207-003000'); // after midnight in Vietnam, still the 6th in UTC
  for (const ms of [AT, AT + 1, AT + 999, Date.UTC(2030, 0, 1)]) assert.equal(parseLinkTime(linkTime(ms)), ms);
  assert.equal(parseLinkTime(String(AT)), AT, 'epoch milliseconds accepted');
  assert.equal(parseLinkTime('20261207-140305.5'), AT + 500);
});

test('link time: bad input is null, never an exception', () => {
  for (const bad of ['', 'now', '2026-12-07T14:03:05', '20260231-120000', '20261301-000000', '20261207-240000', '20261207-146005',
    '19991231-235959', '21000101-000000', '20261207-140305.1234', '1'.repeat(200), '-1', '99999999999999', '1e12', ' 20261207-140305']) {
    assert.equal(parseLinkTime(bad), null, bad);
  }
});

test('review link path and absolute link', () => {
  assert.equal(reviewLinkPath('demo-2', AT), '/?mode=review&cams=demo-2&at=20261207-140305');
  assert.equal(absoluteLink('https://wall.example/', '/?a=1'), 'https://wall.example/?a=1');
  assert.equal(absoluteLink('https://proxy.example/ward7', '/?a=1'), 'https://proxy.example/ward7/?a=1');
  assert.equal(absoluteLink(null, '/?a=1'), null);
  // The server's link opens the same view the browser parses.
  const parsed = parseUrlState(reviewLinkPath('demo-2', AT).slice(1));
  assert.deepEqual(parsed, { state: { mode: 'review', layout: null, cams: ['demo-2'], at: AT, centre: null }, issues: [] });
});

const live = (cams: (string | null)[], layout: UrlState['layout'] = '2x2'): UrlState => ({ mode: 'live', layout, cams, at: null, centre: null });

interface Row {
  name: string;
  search: string;
  state: UrlState | null;
  issues?: string[];
}
const ROWS: Row[] = [
  { name: 'no view', search: '', state: null },
  { name: 'other features only', search: '?display=T%C6%B0%E1%BB%9Dng%201', state: null },
  { name: 'live wall', search: '?mode=live&layout=2x2&cams=demo-1,demo-2,,demo-4', state: live(['demo-1', 'demo-2', null, 'demo-4']) },
  { name: 'live, trailing empties dropped', search: 'mode=live&layout=3x3&cams=demo-1,,,', state: live(['demo-1'], '3x3') },
  { name: 'live without layout keeps the current', search: '?mode=live&cams=demo-1', state: live(['demo-1'], null) },
  { name: 'review', search: '?mode=review&cams=demo-1,demo-3&at=20261207-140305', state: { mode: 'review', layout: null, cams: ['demo-1', 'demo-3'], at: AT, centre: null } },
  { name: 'review, duplicates and empties removed', search: '?mode=review&cams=demo-1,,demo-1,demo-3', state: { mode: 'review', layout: null, cams: ['demo-1', 'demo-3'], at: null, centre: null } },
  { name: 'follow live', search: '?mode=follow&centre=demo-2', state: { mode: 'follow', layout: null, cams: [], at: null, centre: 'demo-2' } },
  { name: 'follow on the recording', search: '?mode=follow&centre=demo-2&at=20261207-140305', state: { mode: 'follow', layout: null, cams: [], at: AT, centre: 'demo-2' } },
  { name: 'mode implied by centre', search: '?centre=demo-2', state: { mode: 'follow', layout: null, cams: [], at: null, centre: 'demo-2' } },
  { name: 'mode implied by at', search: '?cams=demo-2&at=' + AT, state: { mode: 'review', layout: null, cams: ['demo-2'], at: AT, centre: null } },
  { name: 'a page: nothing else read', search: '?mode=admin&cams=demo-1&at=x', state: { mode: 'admin', layout: null, cams: [], at: null, centre: null } },
  { name: 'unknown mode', search: '?mode=settings&cams=demo-1', state: live(['demo-1'], null), issues: ['BAD_MODE'] },
  { name: 'bad layout', search: '?mode=live&layout=9x9&cams=demo-1', state: live(['demo-1'], null), issues: ['BAD_LAYOUT'] },
  { name: 'script in a camera id', search: '?mode=live&cams=demo-1,<script>alert(1)</script>,demo-3', state: live(['demo-1', null, 'demo-3'], null), issues: ['BAD_CAMERA'] },
  { name: 'path traversal in a camera id', search: '?mode=review&cams=../../etc/passwd,demo-2', state: { mode: 'review', layout: null, cams: ['demo-2'], at: null, centre: null }, issues: ['BAD_CAMERA'] },
  { name: 'upper case and spaces', search: '?mode=live&cams=%20demo-1%20,DEMO-2', state: live(['demo-1'], null), issues: ['BAD_CAMERA'] },
  { name: 'bad centre', search: '?mode=follow&centre=javascript:alert(1)', state: { mode: 'follow', layout: null, cams: [], at: null, centre: null }, issues: ['BAD_CAMERA'] },
  { name: 'bad time', search: '?mode=review&cams=demo-1&at=yesterday', state: { mode: 'review', layout: null, cams: ['demo-1'], at: null, centre: null }, issues: ['BAD_TIME'] },
  { name: 'too many tiles', search: '?mode=live&cams=' + Array.from({ length: 20 }, (_, i) => `c${i}`).join(','), state: live(Array.from({ length: 16 }, (_, i) => `c${i}`), null), issues: ['TOO_MANY_CAMERAS'] },
  { name: 'too many review cameras', search: '?mode=review&cams=' + Array.from({ length: 12 }, (_, i) => `c${i}`).join(','), state: { mode: 'review', layout: null, cams: Array.from({ length: 9 }, (_, i) => `c${i}`), at: null, centre: null }, issues: ['TOO_MANY_CAMERAS'] },
  { name: 'a huge query is not read', search: '?mode=live&cams=' + 'a,'.repeat(5000), state: null, issues: ['TOO_LONG'] },
  { name: 'repeated parameters: the first wins', search: '?mode=live&mode=review&cams=demo-1&cams=demo-9', state: live(['demo-1'], null) },
  { name: 'broken percent escapes', search: '?mode=live&cams=%E0%A4%A,demo-2', state: live([null, 'demo-2'], null), issues: ['BAD_CAMERA'] },
  { name: 'prototype keys are plain parameters', search: '?__proto__=x&constructor=y&mode=live', state: live([], null) },
];

for (const row of ROWS) {
  test(`parse: ${row.name}`, () => {
    const got = parseUrlState(row.search);
    assert.deepEqual(got.state, row.state);
    assert.deepEqual([...got.issues].sort(), [...(row.issues ?? [])].sort());
  });
}

test('parse never throws on arbitrary input', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = '?&=,%-_.:/<>"\'`\\ \u0000\u00e9\u1ea1abcdemo0123456789';
  for (let i = 0; i < 3000; i++) {
    const s = Array.from({ length: Math.floor(rnd() * 120) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const { state } = parseUrlState(['?mode=live&cams=', '?mode=review&at=', '?centre=', ''][i % 4] + s);
    // A station camera, or (live, follow) a city centre's ward camera `<ward>/<camera>`.
    if (state) for (const c of camerasOfState(state)) assert.match(c, state.mode === 'review' ? /^[a-z0-9][a-z0-9_-]{0,63}$/ : /^(?:[a-z0-9][a-z0-9_-]{0,31}\/)?[a-z0-9][a-z0-9_-]{0,63}$/);
  }
  assert.deepEqual(parseUrlState(undefined as unknown as string), { state: null, issues: [] });
});

test('build then parse returns the same view', () => {
  const states: UrlState[] = [
    live(['demo-1', null, 'demo-3'], '2x2'),
    live([], '1+5'),
    { mode: 'review', layout: null, cams: ['demo-1', 'demo-2'], at: AT + 250, centre: null },
    { mode: 'follow', layout: null, cams: [], at: null, centre: 'demo-4' },
    { mode: 'follow', layout: null, cams: [], at: AT, centre: 'demo-4' },
    { mode: 'audit', layout: null, cams: [], at: null, centre: null },
  ];
  for (const s of states) assert.deepEqual(parseUrlState(buildUrlSearch(s)).state, s, buildUrlSearch(s));
  assert.equal(buildUrlSearch(live(['demo-1', null, 'demo-3', null])), '?mode=live&layout=2x2&cams=demo-1,,demo-3');
  assert.equal(buildUrlSearch({ mode: 'review', layout: null, cams: ['demo-1'], at: AT, centre: null }), '?mode=review&cams=demo-1&at=20261207-140305');
  // Anything that is not a camera id is never written into a link.
  assert.equal(buildUrlSearch(live(['a&b=c', 'demo-2'])), '?mode=live&layout=2x2&cams=,demo-2');
});

test('refused cameras: those the viewer may not see, then the view without them', () => {
  const allowed = (c: string): boolean => c === 'demo-1' || c === 'demo-3';
  const s = live(['demo-1', 'demo-2', 'demo-3', 'demo-2']);
  assert.deepEqual(refusedCameras(s, allowed), ['demo-2']);
  assert.deepEqual(withoutCameras(s, ['demo-2']).cams, ['demo-1', null, 'demo-3', null]);
  const f: UrlState = { mode: 'follow', layout: null, cams: [], at: null, centre: 'demo-2' };
  assert.deepEqual(refusedCameras(f, allowed), ['demo-2']);
  assert.equal(withoutCameras(f, ['demo-2']).centre, null);
  const r: UrlState = { mode: 'review', layout: null, cams: ['demo-2', 'demo-3'], at: AT, centre: null };
  assert.deepEqual(withoutCameras(r, refusedCameras(r, allowed)).cams, ['demo-3']);
});
