/**
 * zod parsing of request input (JSON bodies, query strings) into AppErrors that name the offending
 * field: the one helper every route of the SFU and the recorder uses, so that a bad field is
 * answered the same way everywhere. A route that needs another code or wording (a resident's
 * INVALID_FIELD, the recorder's BAD_TIME_RANGE) passes `error`, and still parses here.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import { readJsonBody, MAX_JSON_BODY } from './router.js';

export type Issue = z.core.$ZodIssue;

export interface ParseOptions {
  /** Names the input in messages ('body', 'query', 'changes.3'); default 'body'. */
  where?: string;
  /** Turns the first issue into the error to throw; default `body: field: detail`, BAD_REQUEST. */
  error?: (issue: Issue, where: string) => AppError;
}

/** The dotted path of the field an issue is about, or `fallback` for the input as a whole. */
export function issueField(issue: Issue, fallback: string): string {
  return issue.path.map(String).join('.') || fallback;
}

/** The default reply: `where: field: detail` (unknown fields listed by name), 400 BAD_REQUEST. */
export function defaultIssueError(issue: Issue, where: string): AppError {
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return new AppError(ErrorCode.BAD_REQUEST, `${where}: ${issueField(issue, where)}: ${detail}`.slice(0, 300));
}

/** `field: message` with '(body)' for the whole body, 400 BAD_REQUEST (the feature routes' wording). */
export function plainIssueError(issue: Issue): AppError {
  return new AppError(ErrorCode.BAD_REQUEST, `${issueField(issue, '(body)')}: ${issue.message}`);
}

/** Parses `input` with `schema` or throws the AppError of its first issue. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, opts: ParseOptions = {}): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const where = opts.where ?? 'body';
  throw (opts.error ?? defaultIssueError)(r.error.issues[0]!, where);
}

/** The historical signature (`parseBody(schema, input, where)`), kept for the SFU's account routes. */
export function parseBody<T>(schema: z.ZodType<T>, input: unknown, where = 'body'): T {
  return parseInput(schema, input, { where });
}

/** Reads the JSON body of `req` (see readJsonBody) and parses it with `schema`. */
export async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>, opts: ParseOptions & { limit?: number } = {}): Promise<T> {
  return parseInput(schema, await readJsonBody(req, opts.limit ?? MAX_JSON_BODY), opts);
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
