/**
 * Small checks for JSON that comes from the server (it enters as `unknown`): each failure names the
 * offending field. Pure; the client does not pull zod into the bundle for these few shapes.
 */
export class ParseError extends Error {
  readonly code = 'BAD_REPLY';
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new ParseError(`${field}: a string is required`);
  return v;
}

export function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParseError(`${field}: a number is required`);
  return v;
}

export function numOrNull(v: unknown, field: string): number | null {
  return v === null || v === undefined ? null : num(v, field);
}

export function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ParseError(`${field}: one of ${values.join(', ')} is required`);
  return v as T;
}

export function arrayOf<T>(v: unknown, field: string, item: (x: unknown, field: string) => T): T[] {
  if (!Array.isArray(v)) throw new ParseError(`${field}: a list is required`);
  return v.map((x, i) => item(x, `${field}.${i}`));
}
