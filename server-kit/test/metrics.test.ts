/** The metrics access rule and sample shapes (pure), and the strict exposition reader the int tests use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@wardwall/common';
import { bearerToken, checkMetricsAccess, countBy, isLoopbackAddress, oneHot } from '../src/index.js';
import { readFileSync } from 'node:fs';
import { parsePromText, sampleValue } from '@wardwall/testing/prom-text';

function refusal(fn: () => void): { status: number; code: string } | null {
  try {
    fn();
    return null;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return { status: e.status, code: e.code };
  }
}

test('loopback addresses: 127.0.0.0/8, ::1, IPv4-mapped 127.x; nothing else', () => {
  for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(a), true, a);
  for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', '1.127.0.0', '::2', '', null, undefined, '127.0.0.1.evil']) assert.equal(isLoopbackAddress(a), false, String(a));
});

test('bearer token: only the Bearer scheme with one printable token', () => {
  assert.equal(bearerToken('Bearer abc-123'), 'abc-123');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('Basic YWJjOmRlZg=='), null);
  assert.equal(bearerToken('Bearer '), null);
  assert.equal(bearerToken('Bearer a b'), null);
  assert.equal(bearerToken(undefined), null);
  assert.equal(bearerToken(['Bearer a', 'Bearer b']), null);
});

test('without metrics.token: loopback may read, others 403, a token sent is 401', () => {
  assert.equal(refusal(() => checkMetricsAccess(undefined, '127.0.0.1', null)), null);
  assert.equal(refusal(() => checkMetricsAccess(undefined, '::1', null)), null);
  assert.deepEqual(refusal(() => checkMetricsAccess(undefined, '192.168.1.20', null)), { status: 403, code: 'FORBIDDEN' });
  assert.deepEqual(refusal(() => checkMetricsAccess('Bearer whatever-token-here', '127.0.0.1', null)), { status: 401, code: 'UNAUTHENTICATED' });
});

test('with metrics.token: the right bearer token from anywhere; missing or wrong is 401 (loopback too)', () => {
  const token = 'a-long-metrics-token-1234';
  assert.equal(refusal(() => checkMetricsAccess(`Bearer ${token}`, '192.168.1.20', token)), null);
  assert.equal(refusal(() => checkMetricsAccess(`Bearer ${token}`, '127.0.0.1', token)), null);
  assert.deepEqual(refusal(() => checkMetricsAccess(undefined, '127.0.0.1', token)), { status: 401, code: 'UNAUTHENTICATED' });
  assert.deepEqual(refusal(() => checkMetricsAccess(undefined, '10.1.1.1', token)), { status: 401, code: 'UNAUTHENTICATED' });
  assert.deepEqual(refusal(() => checkMetricsAccess(`Bearer ${token}x`, '10.1.1.1', token)), { status: 401, code: 'UNAUTHENTICATED' });
  assert.deepEqual(refusal(() => checkMetricsAccess(`Bearer ${token.slice(0, -1)}`, '127.0.0.1', token)), { status: 401, code: 'UNAUTHENTICATED' });
  assert.deepEqual(refusal(() => checkMetricsAccess(`Basic ${token}`, '127.0.0.1', token)), { status: 401, code: 'UNAUTHENTICATED' });
});

test('oneHot: every state present, 1 for the current one only', () => {
  assert.deepEqual(oneHot(['connecting', 'live', 'offline'], 'live'), { connecting: 0, live: 1, offline: 0 });
  assert.deepEqual(oneHot(['a', 'b'], null), { a: 0, b: 0 });
});

test('countBy: known keys present with 0, others added', () => {
  const m = countBy([{ k: 'offline' }, { k: 'black' }, { k: 'offline' }, { k: 'new' }], (x) => x.k, ['offline', 'black', 'frozen']);
  assert.deepEqual([...m], [['offline', 2], ['black', 1], ['frozen', 0], ['new', 1]]);
});

test('the strict exposition reader: reads valid text, refuses malformed text', () => {
  const ok = [
    '# HELP a_total Things, with a \\\\ and a \\n.',
    '# TYPE a_total counter',
    'a_total{camera="cam-1",stream="main"} 3',
    'a_total{camera="we\\"ird\\\\"} 1e3',
    '# TYPE g gauge',
    'g NaN',
    'g{x="1"} -Inf 1700000000000',
    '# TYPE h histogram',
    'h_bucket{le="+Inf"} 2',
    'h_sum 1.5',
    'h_count 2',
    '',
  ].join('\n');
  const f = parsePromText(ok);
  assert.equal(f.get('a_total')!.help, 'Things, with a \\ and a \n.');
  assert.equal(sampleValue(f, 'a_total', { camera: 'cam-1', stream: 'main' }), 3);
  assert.equal(sampleValue(f, 'a_total', { camera: 'we"ird\\' }), 1000);
  assert.equal(sampleValue(f, 'g', { x: '1' }), -Infinity);
  assert.equal(sampleValue(f, 'h_count'), 2);
  assert.equal(sampleValue(f, 'a_total', { camera: 'nope' }), undefined);
  const bad: [string, RegExp][] = [
    ['x 1\n', /no TYPE/],
    ['# TYPE x gauge\nx 1', /newline/],
    ['# TYPE x gauge\nx one\n', /bad value/],
    ['# TYPE x gauge\nx{a="1" 1\n', /expected , or }/],
    ['# TYPE x gauge\nx{a="\\t"} 1\n', /bad escape/],
    ['# TYPE x gauge\nx{a="1",a="2"} 1\n', /twice/],
    ['# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n', /twice/],
    ['# TYPE x widget\n', /bad type/],
    ['# TYPE x counter\nx 1\n', /_total/],
    ['# TYPE x gauge\nx 1 2 3\n', /value \[timestamp\]/],
    ['# TYPE x gauge\nx  1\n', /value \[timestamp\]/],
    ['# TYPE 1x gauge\n', /bad metric name/],
    ['# TYPE x gauge\nx{__name__="y"} 1\n', /reserved/],
  ];
  for (const [text, why] of bad) assert.throws(() => parsePromText(text), why, JSON.stringify(text));
});

test('the Grafana dashboard is valid JSON and queries only documented metrics', () => {
  const docs = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const dash = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  const names = new Set(dash.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/\bwardwall_[a-z_]+/g) ?? []));
  assert.ok(names.size >= 20, `metrics on the dashboard: ${names.size}`);
  for (const n of names) assert.ok(docs.includes(`\`${n}\``), `${n} is documented in docs/metrics.md`);
});
