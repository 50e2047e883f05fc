/**
 * The wording rules of docs/glossary.md: one Vietnamese term per concept (the rejected variants of
 * the glossary's table appear in no Vietnamese message), tone marks placed one way, no Vietnamese
 * typed without diacritics, English counts through plural rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { en, vi, type MessageKey } from '../src/i18n/messages.js';
import { placeholders, translate } from '../src/i18n/i18n.js';
import { misplacedToneMarks, placeToneMarks, unaccentedWords } from '../src/i18n/vi-spelling.js';

const glossary = readFileSync(new URL('../../docs/glossary.md', import.meta.url), 'utf8');
const keys = Object.keys(vi) as MessageKey[];

/** The glossary's table rows: chosen terms and rejected variants, from the backticked cells. */
function glossaryRows(): { concept: string; use: string[]; reject: string[] }[] {
  const section = glossary.slice(glossary.indexOf('## Thuật ngữ'), glossary.indexOf('## Tone marks'));
  const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Concept'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map(([, concept, use, reject]) => ({ concept: concept!, use: ticks(use ?? ''), reject: ticks(reject ?? '') }));
}

/** Occurrences of `variant` in `text` (case-insensitive, whole words) not inside one of the chosen terms. */
function strayUses(text: string, variant: string, chosen: string[]): number {
  const lower = text.toLowerCase();
  const v = variant.toLowerCase();
  const covered = (at: number) =>
    chosen.some((c) => {
      const cl = c.toLowerCase();
      for (let i = lower.indexOf(cl); i !== -1; i = lower.indexOf(cl, i + 1)) if (i <= at && at + v.length <= i + cl.length) return true;
      return false;
    });
  let n = 0;
  for (let i = lower.indexOf(v); i !== -1; i = lower.indexOf(v, i + 1)) {
    const before = lower[i - 1] ?? ' ';
    const after = lower[i + v.length] ?? ' ';
    if (/\p{L}/u.test(before) || /\p{L}/u.test(after)) continue; // part of another word
    if (!covered(i)) n++;
  }
  return n;
}

test('the glossary table parses and names rejected variants', () => {
  const rows = glossaryRows();
  assert.ok(rows.length >= 20, `rows: ${rows.length}`);
  const rejected = rows.flatMap((r) => r.reject);
  for (const v of ['bằng chứng', 'sự vụ', 'lộ trình', 'xuất', 'truy theo', 'manifest', 'xoá']) assert.ok(rejected.includes(v), v);
});

test('no Vietnamese message uses a variant the glossary rejects', () => {
  const problems: string[] = [];
  for (const row of glossaryRows()) {
    for (const variant of row.reject) {
      for (const k of keys) if (strayUses(vi[k], variant, row.use)) problems.push(`${k}: "${variant}" (use ${row.use.join(' / ')}): ${vi[k]}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the check catches a rejected variant and spares the chosen term', () => {
  assert.equal(strayUses('Xuất chứng cứ', 'xuất', ['trích xuất']), 1);
  assert.equal(strayUses('Trích xuất chứng cứ', 'xuất', ['trích xuất']), 0);
  assert.equal(strayUses('Đang xuất…', 'xuất', ['trích xuất']), 1);
  assert.equal(strayUses('Truy theo lúc 10:00', 'truy theo', ['bám theo']), 1);
  assert.equal(strayUses('Phát lại · chậm {seconds} giây', 'chậm {seconds}', ['trễ']), 1);
  assert.equal(strayUses('Mạng chậm', 'chậm {seconds}', ['trễ']), 0);
});

test('the phrases the duty officers flagged read naturally', () => {
  assert.equal(translate('vi', 'display.changedBy', { who: 'Lan', time: '14:03:05' }), 'Lan đổi lúc 14:03:05');
  assert.equal(translate('vi', 'replay.title', { seconds: 30 }), 'Phát lại · trễ 30 giây');
  assert.equal(translate('vi', 'mode.follow'), 'Bám theo');
  assert.doesNotMatch(vi['residents.revealOnce'], /không lưu được/);
  assert.match(vi['frame.save'], /^Lưu khung hình/);
  assert.match(vi['review.stepBack'], /khung hình/);
  assert.match(vi['stats.fps'], /khung hình\/s/);
  assert.doesNotMatch(vi['export.verified'] + vi['export.notVerified'] + vi['verdict.unexpected'], /manifest/i);
});

test('tone marks of oa, oe, uy sit on the first vowel everywhere (docs/glossary.md)', () => {
  const wrong = keys.flatMap((k) => misplacedToneMarks(vi[k]).map((w) => `${k}: ${w}`));
  assert.deepEqual(wrong, []);
});

test('the tone-mark rule: flagged and converted words, and what it leaves alone', () => {
  assert.deepEqual(misplacedToneMarks('Xoá hoà thuỷ khoẻ Huỷ'), ['Xoá', 'hoà', 'thuỷ', 'khoẻ', 'Huỷ']);
  assert.deepEqual(misplacedToneMarks('Xóa hòa thủy khỏe hủy quý thuế hoặc của mùa toàn hoạt khoảng quyết ngoài'), []);
  assert.equal(placeToneMarks('Xoá, hoà; THUỶ khoẻ quý'), 'Xóa, hòa; THỦY khỏe quý');
  // Decomposed input (NFD) is judged the same.
  assert.deepEqual(misplacedToneMarks('xoá'.normalize('NFD')), ['xoá']);
});

test('no Vietnamese message lacks its diacritics', () => {
  const bare = keys.flatMap((k) => unaccentedWords(vi[k]).map((w) => `${k}: ${w}`));
  assert.deepEqual(bare, []);
  // The heuristic itself flags unaccented text and ignores placeholders and codes.
  assert.deepEqual(unaccentedWords('Khong luu duoc {file}'), ['Khong', 'luu', 'duoc']);
  assert.deepEqual(unaccentedWords('Xem lại sau'), [], 'words correct without marks are not flagged');
  assert.deepEqual(unaccentedWords('Không lưu được {nguoi} ERR_MAT'), []);
});

test('Vietnamese has no plural forms; English counts go through Intl.PluralRules', () => {
  for (const k of keys) assert.doesNotMatch(vi[k], /, plural,/, `vi ${k} has no plural forms`);
  // An English count followed by a plural noun without a plural argument reads "1 cameras".
  const bare = keys.filter((k) => /\{(n|days|count|total)\} [a-z]+s\b/.test(en[k].replace(/\{\w+, plural,[^]*?\}\s*\}/g, '')));
  assert.deepEqual(bare, []);
  assert.equal(translate('en', 'follow.hops', { n: 1 }), '1 hop');
  assert.equal(translate('en', 'follow.hops', { n: 2 }), '2 hops');
  assert.equal(translate('en', 'follow.hops', { n: 0 }), '0 hops');
  assert.equal(translate('en', 'export.start', { n: 1 }), 'Export 1 camera');
  assert.equal(translate('en', 'export.start', { n: 4 }), 'Export 4 cameras');
  assert.equal(translate('en', 'health.count', { n: 1 }), '1 alert');
  assert.equal(translate('en', 'inc.count', { n: 3 }), '3 bookmarks');
  assert.equal(translate('en', 'export.verified', { n: 1 }), 'Verified: 1 file matches the manifest’s SHA-256');
  assert.equal(translate('en', 'review.lookback', { days: 1 }), 'Playback limited to the last day');
  assert.equal(translate('en', 'review.lookback', { days: 7 }), 'Playback limited to the last 7 days');
  assert.equal(translate('vi', 'follow.hops', { n: 1 }), '1 chặng');
  assert.equal(translate('vi', 'export.start', { n: 2 }), 'Trích xuất 2 camera');
});

test('plural arguments count as placeholders, so both languages still name the same ones', () => {
  assert.deepEqual(placeholders('{n, plural, one {# hop} other {# hops}} at {time}'), ['n', 'time']);
  for (const k of keys) assert.deepEqual(placeholders(en[k]), placeholders(vi[k]), k);
});
