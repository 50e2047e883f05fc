/** zod parsing of request input into AppErrors that name the offending field. */
import type { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';

export function parseBody<T>(schema: z.ZodType<T>, input: unknown, where = 'body'): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || where;
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  throw new AppError(ErrorCode.BAD_REQUEST, `${where}: ${field}: ${detail}`.slice(0, 300));
}

/** Query parameters as an object; a parameter given twice is refused. */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) throw new AppError(ErrorCode.BAD_REQUEST, `query: ${k.slice(0, 40)}: given more than once`);
    out[k] = v;
  }
  return out;
}
