import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { en, LANGS, MESSAGES, vi } from '../src/i18n/messages.js';
import { ErrorCode, OFFLINE_REASONS } from '@wardwall/common';
import { errorMessage, formatDate, formatTime, interpolate, placeholders, reasonText, translate } from '../src/i18n/i18n.js';

test('both languages have exactly the same keys, none empty', () => {
  const viKeys = Object.keys(vi).sort();
  const enKeys = Object.keys(en).sort();
  assert.deepEqual(enKeys, viKeys);
  for (const lang of LANGS) {
    for (const [k, v] of Object.entries(MESSAGES[lang])) assert.ok(typeof v === 'string' && v.trim() !== '', `${lang}:${k} is empty`);
  }
});

test('placeholders match between languages', () => {
  for (const k of Object.keys(vi) as (keyof typeof vi)[]) {
    assert.deepEqual(placeholders(en[k]), placeholders(vi[k]), `placeholders of ${k}`);
  }
});

test('every key used by the client exists, and every key is used', () => {
  const src = new URL('../src/', import.meta.url).pathname;
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.includes(`${join('i18n', 'messages.ts')}`)) files.push(p);
    }
  };
  walk(src);
  const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  const used = new Set<string>();
  for (const m of code.matchAll(/\bt\(\s*'([\w.+]+)'/g)) used.add(m[1]!);
  for (const m of code.matchAll(/text: '([\w.+]+)'/g)) used.add(m[1]!);
  for (const k of used) assert.ok(k in vi, `t('${k}') has no message`);
  // Keys built from a prefix at run time.
  const dynamic = ['help.key.', 'help.mouse', 'layout.', 'lang.', 'state.', 'stream.', 'err.', 'reason.', 'mode.', 'role.', 'perm.', 'sys.', 'health.kind.', 'resident.sharing.', 'residents.status.', 'residents.source.', 'inc.status.', 'inc.kind.', 'display.source.', 'rule.', 'ingest.', 'ingestReason.'];
  for (const k of Object.keys(vi)) {
    if (dynamic.some((p) => k.startsWith(p))) continue;
    assert.ok(used.has(k), `message ${k} is never used`);
  }
});

test('interpolation', () => {
  assert.equal(interpolate('a {x} b {y}', { x: 1, y: 'z' }), 'a 1 b z');
  assert.equal(interpolate('a {missing}', { x: 1 }), 'a {missing}');
  assert.equal(translate('vi', 'conn.retryIn', { seconds: 5 }), 'thử lại sau 5 giây');
  assert.equal(translate('en', 'conn.retryIn', { seconds: 5 }), 'retrying in 5 s');
  assert.equal(translate('vi', 'app.title'), 'Tường giám sát phường');
  assert.equal(translate('en', 'app.title'), 'Ward monitoring wall');
});

test('error codes map to messages, unknown ones name the code', () => {
  assert.equal(errorMessage('CAMERA_OFFLINE', 'en'), 'camera is offline');
  assert.equal(errorMessage('WHATEVER', 'en'), 'error WHATEVER');
  assert.equal(errorMessage('WHATEVER', 'vi'), 'lỗi WHATEVER');
});

test('times are shown in Asia/Ho_Chi_Minh (UTC+7) whatever the machine zone', () => {
  const ms = Date.UTC(2025, 0, 31, 17, 5, 9); // 00:05:09 on 1 Feb in Vietnam
  assert.equal(formatTime(ms, 'en'), '00:05:09');
  assert.equal(formatTime(ms, 'vi'), '00:05:09');
  assert.match(formatDate(ms, 'en'), /01\/02\/2025/);
  assert.match(formatDate(ms, 'vi'), /01\/02\/2025/);
});

test('every offline reason code of the protocol has a text in both languages', () => {
  for (const r of OFFLINE_REASONS) {
    assert.ok(`reason.${r}` in vi, `vi reason.${r}`);
    assert.notEqual(reasonText(r, 'en'), r);
    assert.notEqual(reasonText(r, 'vi'), r);
  }
  assert.equal(reasonText('something_new', 'en'), 'something_new');
  assert.equal(reasonText(null, 'en'), '');
});

test('the server error codes a tile can show have their own text', () => {
  for (const code of [ErrorCode.CAMERA_OFFLINE, ErrorCode.CANNOT_CONSUME, ErrorCode.UNKNOWN_CAMERA, ErrorCode.UNKNOWN_STREAM, ErrorCode.RATE_LIMITED]) {
    assert.ok(`err.${code}` in vi, code);
  }
});
