/**
 * Pure rules of the bookmarks outbox: coalescing edits into one entry per record, the local view
 * (server record + unsent edits on top), and cutting the outbox into pushes that fit one
 * signaling message.
 */
import type { Change } from '@wardwall/common/bookmarks';
import type { OutboxEntry, SyncMark } from '../storage/db.js';

export type Entity = Change['entity'];

export const outboxKey = (entity: Entity, id: string): string => `${entity}:${id}`;

/** Merges an edit into the record's outbox entry (or starts one); clears a rejection. */
export function mergeEdit(entry: OutboxEntry | undefined, entity: Entity, id: string, fields: Record<string, unknown>, at: number, order: number): OutboxEntry {
  const times: Record<string, number> = { ...(entry?.times ?? {}) };
  for (const k of Object.keys(fields)) times[k] = at;
  return {
    entity,
    id,
    fields: { ...(entry?.fields ?? {}), ...fields },
    times,
    key: outboxKey(entity, id),
    order: entry?.order ?? order,
    rev: (entry?.rev ?? 0) + 1,
    attempts: 0,
    rejected: null,
  } as OutboxEntry;
}

/** The record as this browser shows it: the server's (or the local draft) with unsent edits applied. */
export function localView<R extends object>(record: R, entry: OutboxEntry | undefined): R & { sync: SyncMark; syncError: { code: string; message: string } | null } {
  if (!entry) return { ...record, sync: 'synced', syncError: null };
  return { ...record, ...(entry.fields as Partial<R>), sync: entry.rejected ? 'rejected' : 'pending', syncError: entry.rejected };
}

/** What goes on the wire for an entry. */
export function toChange(e: OutboxEntry): Change {
  return { entity: e.entity, id: e.id, fields: e.fields, times: e.times } as Change;
}

/**
 * Cuts the sendable entries (not rejected, in queue order) into batches whose JSON stays under
 * `maxBytes` and `maxCount`. An entry larger than `maxBytes` on its own goes alone (the server
 * answers it with a clear error; the record stays local).
 */
export function batches(entries: readonly OutboxEntry[], maxBytes: number, maxCount: number): OutboxEntry[][] {
  const out: OutboxEntry[][] = [];
  let cur: OutboxEntry[] = [];
  let size = 0;
  for (const e of [...entries].filter((x) => !x.rejected).sort((a, b) => a.order - b.order)) {
    const n = JSON.stringify(toChange(e)).length + 1;
    if (cur.length && (size + n > maxBytes || cur.length >= maxCount)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(e);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Codes after which resending the same change cannot succeed (the entry is kept as rejected). */
export function isPermanentRejection(code: string): boolean {
  return !['INTERNAL', 'RATE_LIMITED', 'DISCONNECTED', 'TIMEOUT'].includes(code);
}
