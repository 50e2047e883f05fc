/** Small helpers over fast-xml-parser's output (namespace prefixes dropped, attributes as `@name`). Pure. */
export type Xml = Record<string, unknown>;
export const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export const obj = (v: unknown): Xml => (typeof v === 'object' && v !== null ? (v as Xml) : {});
/** An element's text (a plain string, or `#text` when it has attributes); '' otherwise. */
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as Xml)['#text'] === 'string' ? ((v as Xml)['#text'] as string) : '');
export const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
