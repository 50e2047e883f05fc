/** Folds text for matching: lower case, Vietnamese diacritics removed (đ -> d). */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .trim();
}

/** Whether every word of the query occurs in one of the fields (order free, diacritics ignored). */
export function matchesFilter(query: string, ...fields: string[]): boolean {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = fields.map(foldText).join(' ');
  return words.every((w) => hay.includes(w));
}

/** Splits "a, b,,c" into distinct trimmed tags. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}
