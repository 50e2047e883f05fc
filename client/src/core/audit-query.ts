/**
 * The audit page's pure side: turning the filter form (user, camera, action, from/to typed in
 * Vietnam time) into the query of GET /api/audit, paging with the `before` cursor, and parsing
 * the reply.
 */
import { parseHcmTime } from './hcm-time.js';
import { ParseError, arrayOf, isObj, num, numOrNull, str } from './parse.js';
import type { AuditEntry } from '@wardwall/common';

export const AUDIT_PAGE_SIZE = 50;
export const HASH_PREFIX_LENGTH = 12;

export interface AuditFilter {
  user: string;
  camera: string;
  action: string;
  /** Typed times (`dd/MM/yyyy HH:mm[:ss]`, `yyyy-MM-dd HH:mm`, or a time alone = today), Vietnam time. */
  fromText: string;
  toText: string;
}

export type { AuditEntry };

export interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { user: '', camera: '', action: '', fromText: '', toText: '' };

export type AuditQueryResult = { ok: true; query: Record<string, string> } | { ok: false; field: 'from' | 'to'; code: 'BAD_TIME' | 'BAD_TIME_RANGE' };

/**
 * The query of one page: the filter's non-empty fields, from/to as ms since the epoch, `before` for
 * the next (older) page. A time alone is taken on the day of `now`.
 */
export function auditQuery(f: AuditFilter, now: number, before: number | null = null, limit = AUDIT_PAGE_SIZE): AuditQueryResult {
  const query: Record<string, string> = {};
  for (const key of ['user', 'camera', 'action'] as const) {
    const v = f[key].trim();
    if (v) query[key] = v;
  }
  let from: number | null = null;
  let to: number | null = null;
  if (f.fromText.trim()) {
    from = parseHcmTime(f.fromText, now);
    if (from === null) return { ok: false, field: 'from', code: 'BAD_TIME' };
    query.from = String(from);
  }
  if (f.toText.trim()) {
    to = parseHcmTime(f.toText, now);
    if (to === null) return { ok: false, field: 'to', code: 'BAD_TIME' };
    query.to = String(to);
  }
  if (from !== null && to !== null && to <= from) return { ok: false, field: 'to', code: 'BAD_TIME_RANGE' };
  if (before !== null) query.before = String(before);
  query.limit = String(limit);
  return { ok: true, query };
}

export function parseAuditPage(raw: unknown): AuditPage {
  if (!isObj(raw)) throw new ParseError('reply: not an object');
  return {
    entries: arrayOf(raw.entries, 'entries', (e, field) => {
      if (!isObj(e)) throw new ParseError(`${field}: not an object`);
      return {
        seq: num(e.seq, `${field}.seq`),
        at: num(e.at, `${field}.at`),
        user: typeof e.user === 'string' ? e.user : e.user === null || e.user === undefined ? '' : String(e.user),
        action: str(e.action, `${field}.action`),
        camera: typeof e.camera === 'string' ? e.camera : null,
        detail: isObj(e.detail) ? e.detail : {},
        hash: str(e.hash, `${field}.hash`),
        prevHash: typeof e.prevHash === 'string' ? e.prevHash : '',
      };
    }),
    next: numOrNull(raw.next, 'next'),
  };
}

export function hashPrefix(hash: string): string {
  return hash.slice(0, HASH_PREFIX_LENGTH);
}

/** The detail object as one short line (`key=value`, strings unquoted), for the table. */
export function detailText(detail: Record<string, unknown>, max = 160): string {
  const text = Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
