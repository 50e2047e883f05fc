/**
 * Vietnamese spelling rules the wall's texts keep (docs/glossary.md): where the tone mark sits in
 * the open syllables oa, oe, uy, and a heuristic for text typed without diacritics. Pure.
 */

/** The glide, the vowel and the tone mark (grave, acute, hook, tilde, dot below) at a word's end, decomposed. */
const OPEN_GLIDE_END = /(?:o[ae]|uy)[\u0300\u0301\u0309\u0303\u0323]$/u;

/**
 * A word ending in oa/oe/uy (no final consonant) with the mark on the second vowel: "xoá",
 * "hoà", "khoẻ", "thuỷ". Not "quý" ("qu" is one consonant: the mark is on y) and not
 * syllables with a final consonant ("hoàn", "quyết"), where the mark is on the second vowel in
 * every style.
 */
function misplaced(word: string): boolean {
  const d = word.normalize('NFD').toLowerCase();
  const tail = OPEN_GLIDE_END.exec(d);
  // "quý": "qu" is one consonant, so y is the only vowel and carries the mark.
  return !!tail && !(d[tail.index] === 'u' && d[tail.index - 1] === 'q');
}

/** Words of `text` whose tone mark sits where docs/glossary.md says it must not (e.g. "Xoá"). */
export function misplacedToneMarks(text: string): string[] {
  return (text.normalize('NFC').match(/\p{L}+/gu) ?? []).filter(misplaced);
}

/** Moves the mark of oa/oe/uy open syllables onto the first vowel: "Xoá" → "Xóa", "thuỷ" → "thủy". */
export function placeToneMarks(text: string): string {
  return text.normalize('NFC').replace(/\p{L}+/gu, (word) => {
    if (!misplaced(word)) return word;
    const d = word.normalize('NFD');
    const tone = d.slice(-1);
    // ...glide, vowel, tone → ...glide + tone, vowel
    return (d.slice(0, -3) + d.slice(-3, -2) + tone + d.slice(-2, -1)).normalize('NFC');
  });
}

/**
 * Common Vietnamese words as they look typed without diacritics ("khong", "duoc", "nguoi"): a
 * Vietnamese text containing one lost its marks. Only forms that are not words themselves are
 * listed ("xem", "ghi", "sau", "theo", "danh", "trang" are correct as they are).
 */
const UNACCENTED = new Set([
  'khong', 'duoc', 'nguoi', 'ket', 'noi', 'giay', 'phut', 'vao', 'tren', 'duoi', 'truoc', 'ben', 'luc',
  'viec', 'trich', 'xuat', 'cac', 'them', 'tat', 'truc', 'tiep', 'hinh', 'luu', 'den', 'loc', 'nhap',
  'quyen', 'sua', 'doi', 'dau', 'khau', 'bam', 'mat', 'dieu', 'khien', 'thai', 'nhat', 'ky',
]);

/** Words of a Vietnamese `text` that look like Vietnamese typed without diacritics. */
export function unaccentedWords(text: string): string[] {
  // Placeholders, ICU plural arguments and codes are not words of the text.
  const plain = text.replace(/\{[^{}]*\}/g, ' ').replace(/\b[A-Z0-9_]{2,}\b/g, ' ');
  return (plain.match(/\p{L}+/gu) ?? []).filter((w) => UNACCENTED.has(w.toLowerCase()));
}
