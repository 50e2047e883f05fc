/**
 * Bookmarks and incidents: the shared data model, the wire schemas and the merge rule.
 *
 * A *bookmark* marks an instant (startMs === endMs) or a window [startMs, endMs] on one or more
 * cameras, with a title, a note and tags. An *incident* groups bookmarks (across cameras) under a
 * title and a status; `kind: 'trail'` is an incident made by follow mode (each hop one bookmark on
 * one camera, ordered by time).
 *
 * Sync model (client IndexedDB first, server SQLite the shared truth):
 *  - the client writes a *change* `{entity, id, fields, times}`: the fields it set and, per field,
 *    the instant of the edit in *server time* (the client's clock corrected by the offset measured
 *    from the server's `serverTime`); the server clamps every time to its own `now`;
 *  - merge = last-writer-wins PER FIELD: a field is taken when its time is later than the stored
 *    field's time (ties: the change that arrives later wins);
 *  - `deleted` is a sticky tombstone: once true it stays, so a deletion syncs and wins over edits;
 *  - every applied change gets the next server sequence number (`seq`); clients pull `since` a seq.
 * Pure (zod only): used by the SFU, the client and their tests.
 */
import { z } from 'zod';
import { CAMERA_ID } from './config.js';

export const BOOKMARK_LIMITS = {
  title: 200,
  note: 4000,
  tags: 20,
  tag: 40,
  cameras: 16,
  /** Longest bookmark window: 24 h. */
  spanMs: 24 * 3600_000,
  /** Changes per push. */
  batch: 200,
} as const;

/** Nothing is recorded before 2000-01-01; later than now + 1 day is refused too. */
export const MIN_BOOKMARK_MS = 946684800000;
export const FUTURE_SLACK_MS = 24 * 3600_000;

export const INCIDENT_KINDS = ['incident', 'trail'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_STATUSES = ['open', 'investigating', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The fields a client may set on a bookmark (everything else is the server's). */
export interface BookmarkFields {
  cameras: string[];
  startMs: number;
  endMs: number;
  title: string;
  note: string;
  tags: string[];
  /** The incident (or trail) this bookmark belongs to, or null. */
  incidentId: string | null;
  /** Whether the footage is held against retention (false = released). */
  hold: boolean;
  /** Needs attention now: display rules for urgent bookmarks push its cameras to a duty-room display. */
  urgent: boolean;
  deleted: boolean;
}

export interface IncidentFields {
  kind: IncidentKind;
  title: string;
  note: string;
  status: IncidentStatus;
  hold: boolean;
  deleted: boolean;
}

export type BookmarkField = keyof BookmarkFields;
export type IncidentField = keyof IncidentFields;

export const BOOKMARK_FIELDS: readonly BookmarkField[] = ['cameras', 'startMs', 'endMs', 'title', 'note', 'tags', 'incidentId', 'hold', 'urgent', 'deleted'];
export const INCIDENT_FIELDS: readonly IncidentField[] = ['kind', 'title', 'note', 'status', 'hold', 'deleted'];
/** Fields a new record must carry. */
export const BOOKMARK_REQUIRED: readonly BookmarkField[] = ['cameras', 'startMs', 'endMs'];
export const INCIDENT_REQUIRED: readonly IncidentField[] = ['title'];

/** What the server stores and sends: the fields, who made it, and the per-field server times. */
interface Meta<F extends string> {
  id: string;
  /** The principal's name that created it (set by the server). */
  author: string;
  /** Server time of creation. */
  createdMs: number;
  /** Server time of the latest applied change. */
  updatedMs: number;
  /** Server sequence number of the latest applied change (sync cursor). */
  seq: number;
  /** Per field: server time of the value held. */
  times: Partial<Record<F, number>>;
}
export type Bookmark = BookmarkFields & Meta<BookmarkField>;
export type Incident = IncidentFields & Meta<IncidentField>;

export const BOOKMARK_DEFAULTS: Omit<BookmarkFields, 'cameras' | 'startMs' | 'endMs'> = { title: '', note: '', tags: [], incidentId: null, hold: true, urgent: false, deleted: false };
export const INCIDENT_DEFAULTS: Omit<IncidentFields, 'title'> = { kind: 'incident', note: '', status: 'open', hold: true, deleted: false };

// --- schemas -------------------------------------------------------------------------------------

/** Client-made ids: UUIDs (crypto.randomUUID) or other short safe tokens. */
export const RECORD_ID = /^[A-Za-z0-9_-]{8,64}$/;
const recordId = z.string().regex(RECORD_ID, 'an id of 8–64 letters, digits, "-" or "_"');
// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
const noControl = (s: string): boolean => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);
const text = (max: number) => z.string().max(max, `at most ${max} characters`).refine(noControl, 'no control characters');
const epochMs = z
  .number()
  .int('whole milliseconds')
  .min(MIN_BOOKMARK_MS, 'is before 2000-01-01');
const tag = z.string().trim().min(1, 'an empty tag').max(BOOKMARK_LIMITS.tag, `a tag of at most ${BOOKMARK_LIMITS.tag} characters`).refine(noControl, 'no control characters');

export const bookmarkFieldsSchema = z
  .object({
    cameras: z.array(z.string().regex(CAMERA_ID, 'not a camera id')).min(1, 'at least one camera').max(BOOKMARK_LIMITS.cameras),
    startMs: epochMs,
    endMs: epochMs,
    title: text(BOOKMARK_LIMITS.title),
    note: text(BOOKMARK_LIMITS.note),
    tags: z.array(tag).max(BOOKMARK_LIMITS.tags, `at most ${BOOKMARK_LIMITS.tags} tags`),
    incidentId: recordId.nullable(),
    hold: z.boolean(),
    urgent: z.boolean(),
    deleted: z.boolean(),
  })
  .partial()
  .strict();

export const incidentFieldsSchema = z
  .object({
    kind: z.enum(INCIDENT_KINDS),
    title: text(BOOKMARK_LIMITS.title),
    note: text(BOOKMARK_LIMITS.note),
    status: z.enum(INCIDENT_STATUSES),
    hold: z.boolean(),
    deleted: z.boolean(),
  })
  .partial()
  .strict();

/** Per-field edit times (ms, server time); fractions are rounded. */
const fieldTimes = z.record(z.string().max(32), z.number().min(0).max(8.64e15).transform(Math.round));

const metaSchema = { id: recordId, author: z.string().max(200), createdMs: z.number(), updatedMs: z.number(), seq: z.number().int().min(0), times: fieldTimes };
/** A stored record as the server sends it (checked by clients on receipt). */
export const bookmarkRecordSchema = bookmarkFieldsSchema.required().extend(metaSchema);
export const incidentRecordSchema = incidentFieldsSchema.required().extend(metaSchema);

/** One client change: the fields set and, per field, its edit time in server time. */
export const changeSchema = z.discriminatedUnion('entity', [
  z.object({ entity: z.literal('bookmark'), id: recordId, fields: bookmarkFieldsSchema, times: fieldTimes }).strict(),
  z.object({ entity: z.literal('incident'), id: recordId, fields: incidentFieldsSchema, times: fieldTimes }).strict(),
]);
export type Change = z.infer<typeof changeSchema>;
export type BookmarkChange = Extract<Change, { entity: 'bookmark' }>;
export type IncidentChange = Extract<Change, { entity: 'incident' }>;

export type ChangeResult = { id: string; ok: true; record: Bookmark | Incident } | { id: string; ok: false; error: { code: string; message: string } };

/** Filters of a bookmark search (REST query or in the client). All optional. */
export interface BookmarkFilter {
  camera?: string;
  from?: number;
  to?: number;
  author?: string;
  tag?: string;
  text?: string;
  incidentId?: string;
  /** Only urgent bookmarks. */
  urgent?: boolean;
  includeDeleted?: boolean;
}

// --- pure rules ----------------------------------------------------------------------------------

/** The problem with a bookmark's time window (after merging), or null. */
export function checkBookmarkWindow(b: Pick<BookmarkFields, 'startMs' | 'endMs'>, now: number): { field: 'startMs' | 'endMs'; message: string } | null {
  if (b.endMs < b.startMs) return { field: 'endMs', message: 'must not be before startMs' };
  if (b.endMs - b.startMs > BOOKMARK_LIMITS.spanMs) return { field: 'endMs', message: 'the window may span at most 24 h' };
  if (b.startMs > now + FUTURE_SLACK_MS) return { field: 'startMs', message: 'is in the future' };
  return null;
}

export interface MergeOutcome<F> {
  /** The merged fields. */
  fields: F;
  /** The merged per-field times. */
  times: Partial<Record<keyof F & string, number>>;
  /** The fields the change won. */
  taken: (keyof F & string)[];
}

/**
 * Last-writer-wins per field. `current` null = a new record (every field of the change is taken).
 * A change's field time is clamped to `now` (no writing into the future); missing times are `now`.
 * `deleted` is sticky: a tombstone is never undone.
 */
export function mergeFields<F extends object>(
  current: { fields: F; times: Partial<Record<keyof F & string, number>> } | null,
  change: { fields: Partial<F>; times: Record<string, number> },
  now: number,
): MergeOutcome<F> {
  const fields = { ...(current?.fields ?? {}) } as F;
  const times = { ...(current?.times ?? {}) } as Partial<Record<keyof F & string, number>>;
  const taken: (keyof F & string)[] = [];
  for (const key of Object.keys(change.fields) as (keyof F & string)[]) {
    const value = change.fields[key];
    if (value === undefined) continue;
    const at = Math.min(now, change.times[key] ?? now);
    const held = times[key];
    if (current && held !== undefined && at < held) continue;
    if (key === 'deleted' && (fields as Record<string, unknown>).deleted === true && value === false) continue;
    (fields as Record<string, unknown>)[key] = value;
    times[key] = at;
    taken.push(key);
  }
  return { fields, times, taken };
}

/** Lower case without Vietnamese diacritics ("Người lạ" matches "nguoi la"). */
const fold = (s: string): string => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

/** Whether a bookmark matches a search (text and tag ignore case and diacritics). */
/**
 * Whether a change made the bookmark urgent: urgent and live now, and before it was not urgent,
 * deleted or did not exist. Display rules fire on this transition only, not on every edit.
 */
export function becameUrgent(before: Pick<BookmarkFields, 'urgent' | 'deleted'> | null, after: Pick<BookmarkFields, 'urgent' | 'deleted'>): boolean {
  return !!after.urgent && !after.deleted && (!before || !before.urgent || before.deleted);
}

/** A stored record of an older build (before `urgent`) read with the defaults of the fields it lacks. */
export function withBookmarkDefaults<T extends Partial<BookmarkFields>>(r: T): T & Pick<BookmarkFields, 'urgent'> {
  return { ...r, urgent: r.urgent ?? false };
}

export function matchesFilter(b: Bookmark, f: BookmarkFilter): boolean {
  if (b.deleted && !f.includeDeleted) return false;
  if (f.camera && !b.cameras.includes(f.camera)) return false;
  if (f.from !== undefined && b.endMs < f.from) return false;
  if (f.to !== undefined && b.startMs > f.to) return false;
  if (f.author && b.author.toLowerCase() !== f.author.toLowerCase()) return false;
  if (f.tag && !b.tags.some((t) => fold(t) === fold(f.tag!.trim()))) return false;
  if (f.incidentId && b.incidentId !== f.incidentId) return false;
  if (f.urgent && !b.urgent) return false;
  if (f.text) {
    const hay = fold([b.title, b.note, ...b.tags].join(' '));
    if (!fold(f.text).split(/\s+/).filter(Boolean).every((w) => hay.includes(w))) return false;
  }
  return true;
}

/** The (camera, from, to) ranges an incident's bookmarks cover, an instant padded by `padMs` each side. */
export function incidentRanges(bookmarks: readonly Pick<Bookmark, 'cameras' | 'startMs' | 'endMs' | 'deleted'>[], padMs: number): { camera: string; from: number; to: number }[] {
  const out: { camera: string; from: number; to: number }[] = [];
  for (const b of [...bookmarks].filter((b) => !b.deleted).sort((a, z) => a.startMs - z.startMs)) {
    const pad = b.endMs > b.startMs ? 0 : padMs;
    for (const camera of b.cameras) out.push({ camera, from: b.startMs - pad, to: b.endMs + pad });
  }
  return out;
}
