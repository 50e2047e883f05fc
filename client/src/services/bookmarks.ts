/**
 * Bookmarks and incidents for the wall, IndexedDB first. No DOM beyond fetch and IndexedDB.
 *
 * Every edit is written to IndexedDB at once (the record and its outbox entry in one transaction)
 * and shows at once; the outbox is pushed to the SFU over the signaling WebSocket whenever a
 * session is up (retried with back-off; it survives reloads), and the server's records come back
 * live (`bookmarkChanged` / `incidentChanged`) and by pulling everything after the last seen
 * sequence number on each new session. Merge rule (server side, common/src/bookmarks.ts):
 * last-writer-wins per field by the edit's time in server time (this browser's clock corrected by
 * the offset measured against the server); deletions are tombstones.
 *
 * Public API (also used by follow mode to save trails):
 *   await svc.ready
 *   svc.createBookmark({ cameras, startMs, endMs?, title?, note?, tags?, incidentId? }) → LocalBookmark
 *   svc.updateBookmark(id, { title?, note?, tags?, startMs?, endMs?, cameras?, incidentId?, hold? })
 *   svc.deleteBookmark(id)            tombstone (releases the footage hold)
 *   svc.createIncident({ title, kind?: 'incident' | 'trail', note?, status? }) → LocalIncident
 *   svc.updateIncident(id, patch) / svc.deleteIncident(id)
 *   svc.bookmarks(filter?) / svc.incidents() / svc.bookmarksOf(incidentId) / svc.bookmark(id)
 *   svc.exportIncident(id) → the recorder's export job (poll with RecorderApi.exportStatus)
 *   svc.status  { pending, rejected, online }   svc.on('change', fn)   svc.serverNow()
 */
import {
  BOOKMARK_DEFAULTS,
  INCIDENT_DEFAULTS,
  becameUrgent,
  bookmarkRecordSchema,
  incidentRecordSchema,
  matchesFilter,
  type Bookmark,
  type BookmarkFields,
  type BookmarkFilter,
  type ChangeResult,
  type Incident,
  type IncidentFields,
  type IncidentKind,
  type IncidentStatus,
} from '@wardwall/common/bookmarks';
import { backoffDelay } from '../core/backoff.js';
import { batches, isPermanentRejection, localView, mergeEdit, outboxKey, toChange, type Entity } from '../core/bookmark-sync.js';
import type { LocalBookmark, LocalIncident, OutboxEntry } from '../storage/db.js';
import { BookmarkStorage } from '../storage/bookmark-store.js';
import { Emitter } from './emitter.js';
import { SignalingError } from './errors.js';
import type { SignalingClient } from './signaling.js';

export type { LocalBookmark, LocalIncident };

export interface NewBookmark {
  cameras: string[];
  startMs: number;
  /** Defaults to startMs (an instant). */
  endMs?: number;
  title?: string;
  note?: string;
  tags?: string[];
  incidentId?: string | null;
  /** Needs attention now (display rules push its cameras). */
  urgent?: boolean;
}

export interface NewIncident {
  title: string;
  kind?: IncidentKind;
  note?: string;
  status?: IncidentStatus;
}

export interface BookmarkSyncStatus {
  /** Records with edits the server has not confirmed. */
  pending: number;
  /** Records the server refused (kept locally with the reason). */
  rejected: number;
  /** Whether a signaling session is up. */
  online: boolean;
}

export interface BookmarkEvents {
  change: [];
  /** A bookmark became urgent on the server (live push: someone marked it now), not one of this browser's own pending edits. */
  urgent: [bookmark: LocalBookmark];
}

/** Push retry steps after a failed push, ms (the last repeats). */
export const PUSH_RETRY_MS: readonly number[] = [1000, 2000, 5000, 10000, 30000];
/** A push frame stays below the SFU's default 64 KiB message limit. */
const PUSH_MAX_BYTES = 48 * 1024;
const PUSH_MAX_COUNT = 50;

const newId = (): string => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`);

export class BookmarkService extends Emitter<BookmarkEvents> {
  private readonly bookmarkMap = new Map<string, LocalBookmark>();
  private readonly incidentMap = new Map<string, LocalIncident>();
  /** The last server record of each entity (without local edits), to rebuild the local view. */
  private readonly serverRecords = new Map<string, Bookmark | Incident>();
  /** Bookmarks this browser marked urgent: their notice is for the other operators. */
  private readonly markedUrgentHere = new Set<string>();
  private readonly outbox = new Map<string, OutboxEntry>();
  private cursor = 0;
  private clockOffset = 0;
  private order = 0;
  private flushing = false;
  private flushAgain = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly unsubscribe: (() => void)[] = [];
  /** Resolves when the local database has been read. */
  readonly ready: Promise<void>;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly storage = new BookmarkStorage(),
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    super();
    this.ready = this.load();
  }

  private async load(): Promise<void> {
    try {
      const snap = await this.storage.load();
      this.cursor = snap.cursor;
      this.clockOffset = snap.clockOffset;
      for (const e of snap.outbox) {
        this.outbox.set(e.key, e);
        this.order = Math.max(this.order, e.order);
      }
      for (const b of snap.bookmarks) this.bookmarkMap.set(b.id, b);
      for (const i of snap.incidents) this.incidentMap.set(i.id, i);
    } catch (err) {
      console.warn('[bookmarks] cannot read the local database', err);
    }
    if (this.closed) return;
    this.unsubscribe.push(
      this.signaling.on('session', (hello) => {
        this.clockOffset = hello.serverTime - Date.now();
        void this.syncNow();
      }),
      this.signaling.on('lost', () => this.emit('change')),
      this.signaling.on('bookmarkChanged', (raw) => void this.receive('bookmark', raw)),
      this.signaling.on('incidentChanged', (raw) => void this.receive('incident', raw)),
    );
    this.emit('change');
    if (this.signaling.connected) void this.syncNow();
  }

  /** Now in server time (this browser's clock corrected by the measured offset). */
  serverNow(): number {
    return Math.round(Date.now() + this.clockOffset);
  }

  get status(): BookmarkSyncStatus {
    let pending = 0;
    let rejected = 0;
    for (const e of this.outbox.values()) e.rejected ? rejected++ : pending++;
    return { pending, rejected, online: this.signaling.connected };
  }

  // --- reading -------------------------------------------------------------------------------

  bookmark(id: string): LocalBookmark | undefined {
    return this.bookmarkMap.get(id);
  }

  incident(id: string): LocalIncident | undefined {
    return this.incidentMap.get(id);
  }

  /** Live bookmarks matching the filter, newest first. Local author '' = made here, not yet confirmed. */
  bookmarks(filter: BookmarkFilter = {}): LocalBookmark[] {
    return [...this.bookmarkMap.values()].filter((b) => matchesFilter(b, filter)).sort((a, b) => b.startMs - a.startMs);
  }

  incidents(opts: { kind?: IncidentKind; includeDeleted?: boolean } = {}): LocalIncident[] {
    return [...this.incidentMap.values()].filter((i) => (opts.includeDeleted || !i.deleted) && (!opts.kind || i.kind === opts.kind)).sort((a, b) => b.createdMs - a.createdMs);
  }

  /** An incident's (or trail's) live bookmarks in time order. */
  bookmarksOf(incidentId: string): LocalBookmark[] {
    return this.bookmarks({ incidentId }).sort((a, b) => a.startMs - b.startMs);
  }

  // --- editing (local first) -----------------------------------------------------------------

  async createBookmark(input: NewBookmark): Promise<LocalBookmark> {
    const now = this.serverNow();
    const fields: BookmarkFields = {
      ...BOOKMARK_DEFAULTS,
      cameras: [...new Set(input.cameras)],
      startMs: Math.round(input.startMs),
      endMs: Math.round(input.endMs ?? input.startMs),
      title: input.title ?? '',
      note: input.note ?? '',
      tags: input.tags ?? [],
      incidentId: input.incidentId ?? null,
      urgent: input.urgent ?? false,
    };
    const draft: Bookmark = { ...fields, id: newId(), author: '', createdMs: now, updatedMs: now, seq: 0, times: {} };
    if (fields.urgent) this.markedUrgentHere.add(draft.id);
    await this.edit('bookmark', draft.id, fields as unknown as Record<string, unknown>, draft);
    return this.bookmarkMap.get(draft.id)!;
  }

  async updateBookmark(id: string, patch: Partial<Omit<BookmarkFields, 'deleted'>>): Promise<void> {
    if (!this.bookmarkMap.has(id)) throw new Error(`no bookmark ${id}`);
    if (patch.urgent) this.markedUrgentHere.add(id);
    await this.edit('bookmark', id, patch);
  }

  /** Deletes (a tombstone that syncs); the footage hold is released by the server. */
  async deleteBookmark(id: string): Promise<void> {
    if (!this.bookmarkMap.has(id)) return;
    await this.edit('bookmark', id, { deleted: true });
  }

  async createIncident(input: NewIncident): Promise<LocalIncident> {
    const now = this.serverNow();
    const fields: IncidentFields = { ...INCIDENT_DEFAULTS, title: input.title, ...(input.kind ? { kind: input.kind } : {}), ...(input.note !== undefined ? { note: input.note } : {}), ...(input.status ? { status: input.status } : {}) };
    const draft: Incident = { ...fields, id: newId(), author: '', createdMs: now, updatedMs: now, seq: 0, times: {} };
    await this.edit('incident', draft.id, fields as unknown as Record<string, unknown>, draft);
    return this.incidentMap.get(draft.id)!;
  }

  async updateIncident(id: string, patch: Partial<Omit<IncidentFields, 'deleted'>>): Promise<void> {
    if (!this.incidentMap.has(id)) throw new Error(`no incident ${id}`);
    await this.edit('incident', id, patch);
  }

  /** Deletes the incident (tombstone); its bookmarks stay, ungrouped. */
  async deleteIncident(id: string): Promise<void> {
    if (!this.incidentMap.has(id)) return;
    for (const b of this.bookmarksOf(id)) await this.edit('bookmark', b.id, { incidentId: null });
    await this.edit('incident', id, { deleted: true });
  }

  private async edit(entity: Entity, id: string, fields: Record<string, unknown>, draft?: Bookmark | Incident): Promise<void> {
    const key = outboxKey(entity, id);
    const entry = mergeEdit(this.outbox.get(key), entity, id, fields, this.serverNow(), ++this.order);
    const base = draft ?? this.serverRecords.get(key) ?? this.current(entity, id)!;
    if (draft) this.serverRecords.set(key, draft);
    this.outbox.set(key, entry);
    const view = localView(base, entry);
    this.put(entity, view);
    this.emit('change');
    await this.storage.write({ outboxPut: [entry], ...(entity === 'bookmark' ? { bookmarks: [view as LocalBookmark] } : { incidents: [view as LocalIncident] }) });
    void this.flush();
  }

  private current(entity: Entity, id: string): Bookmark | Incident | undefined {
    const r = entity === 'bookmark' ? this.bookmarkMap.get(id) : this.incidentMap.get(id);
    if (!r) return undefined;
    const { sync: _s, syncError: _e, ...rest } = r;
    return rest as Bookmark | Incident;
  }

  private put(entity: Entity, view: LocalBookmark | LocalIncident): void {
    if (entity === 'bookmark') this.bookmarkMap.set(view.id, view as LocalBookmark);
    else this.incidentMap.set(view.id, view as LocalIncident);
  }

  // --- sync ----------------------------------------------------------------------------------

  /** Pulls what changed on the server, then pushes the outbox. */
  async syncNow(): Promise<void> {
    await this.ready;
    if (!this.signaling.connected || this.closed) return;
    try {
      await this.pull();
    } catch (err) {
      console.warn('[bookmarks] pull failed', err);
    }
    await this.flush();
  }

  private async pull(): Promise<void> {
    for (;;) {
      const t0 = Date.now();
      const r = await this.signaling.request({ type: 'bookmarksPull', since: this.cursor });
      this.clockOffset = Math.round(r.serverTime - (t0 + Date.now()) / 2);
      const bookmarks = r.bookmarks.flatMap((raw) => this.parse('bookmark', raw));
      const incidents = r.incidents.flatMap((raw) => this.parse('incident', raw));
      this.cursor = r.seq;
      await this.acceptServer(bookmarks, incidents, [{ key: 'cursor', value: this.cursor }, { key: 'clockOffset', value: this.clockOffset }]);
      if (!r.more) return;
    }
  }

  private parse(entity: 'bookmark', raw: unknown): Bookmark[];
  private parse(entity: 'incident', raw: unknown): Incident[];
  private parse(entity: Entity, raw: unknown): (Bookmark | Incident)[] {
    const r = (entity === 'bookmark' ? bookmarkRecordSchema : incidentRecordSchema).safeParse(raw);
    if (!r.success) {
      console.warn(`[bookmarks] ignored a malformed ${entity} from the server`, r.error.issues[0]);
      return [];
    }
    return [r.data as Bookmark | Incident];
  }

  private async receive(entity: Entity, raw: unknown): Promise<void> {
    await this.ready;
    const recs = entity === 'bookmark' ? this.parse('bookmark', raw) : this.parse('incident', raw);
    if (recs.length === 0) return;
    const before = entity === 'bookmark' ? new Map((recs as Bookmark[]).map((b) => [b.id, (this.serverRecords.get(outboxKey('bookmark', b.id)) as Bookmark | undefined) ?? this.bookmarkMap.get(b.id)])) : null;
    await this.acceptServer(entity === 'bookmark' ? (recs as Bookmark[]) : [], entity === 'incident' ? (recs as Incident[]) : []);
    for (const b of entity === 'bookmark' ? (recs as Bookmark[]) : []) {
      const view = this.bookmarkMap.get(b.id);
      if (!view || !becameUrgent(before!.get(b.id) ?? null, b)) continue;
      if (this.markedUrgentHere.delete(b.id)) continue;
      this.emit('urgent', view);
    }
  }

  /** Takes server records (newer seq only), rebuilds their local views, saves them. */
  private async acceptServer(bookmarks: Bookmark[], incidents: Incident[], meta: { key: 'cursor' | 'clockOffset'; value: number }[] = []): Promise<void> {
    const bViews: LocalBookmark[] = [];
    const iViews: LocalIncident[] = [];
    const take = (entity: Entity, rec: Bookmark | Incident): LocalBookmark | LocalIncident | null => {
      const key = outboxKey(entity, rec.id);
      const known = this.serverRecords.get(key) ?? this.current(entity, rec.id);
      if (known && known.seq > rec.seq) return null;
      this.serverRecords.set(key, rec);
      const view = localView(rec, this.outbox.get(key));
      this.put(entity, view);
      return view;
    };
    for (const b of bookmarks) {
      const v = take('bookmark', b);
      if (v) bViews.push(v as LocalBookmark);
    }
    for (const i of incidents) {
      const v = take('incident', i);
      if (v) iViews.push(v as LocalIncident);
    }
    if (bViews.length || iViews.length) this.emit('change');
    await this.storage.write({ bookmarks: bViews, incidents: iViews, meta });
  }

  /** Pushes the outbox in batches; on failure retries after a stepped back-off. */
  async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    if (!this.signaling.connected || this.closed) return;
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        for (const batch of batches([...this.outbox.values()], PUSH_MAX_BYTES, PUSH_MAX_COUNT)) await this.push(batch);
      } while (this.flushAgain && this.signaling.connected);
      this.failures = 0;
    } catch (err) {
      const delay = backoffDelay(this.failures++, PUSH_RETRY_MS);
      console.warn(`[bookmarks] push failed; retrying in ${delay} ms`, err);
      this.scheduleRetry(delay);
    } finally {
      this.flushing = false;
    }
  }

  private scheduleRetry(ms: number): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, ms);
  }

  private async push(batch: OutboxEntry[]): Promise<void> {
    const sent = new Map(batch.map((e) => [e.key, e.rev]));
    let results: ChangeResult[];
    try {
      results = (await this.signaling.request({ type: 'bookmarksPush', changes: batch.map(toChange) })).results;
    } catch (err) {
      // A single change too large for one frame can never go: keep it, marked refused.
      if (err instanceof SignalingError && err.code === 'MESSAGE_TOO_LARGE' && batch.length === 1) {
        results = [{ id: batch[0]!.id, ok: false, error: { code: err.code, message: err.message } }];
      } else throw err;
    }
    const bRecs: Bookmark[] = [];
    const iRecs: Incident[] = [];
    const done: string[] = [];
    const kept: OutboxEntry[] = [];
    results.forEach((r, i) => {
      const entry = batch[i];
      if (!entry) return;
      const cur = this.outbox.get(entry.key);
      const unchanged = cur !== undefined && cur.rev === sent.get(entry.key);
      if (r.ok) {
        if (unchanged) {
          this.outbox.delete(entry.key);
          done.push(entry.key);
        }
        if (entry.entity === 'bookmark') bRecs.push(...this.parse('bookmark', r.record));
        else iRecs.push(...this.parse('incident', r.record));
      } else if (unchanged && isPermanentRejection(r.error.code)) {
        const rejected = { ...cur, rejected: r.error };
        this.outbox.set(entry.key, rejected);
        kept.push(rejected);
        const base = this.serverRecords.get(entry.key) ?? this.current(entry.entity, entry.id);
        if (base) this.put(entry.entity, localView(base, rejected));
      }
    });
    await this.storage.write({ outboxDelete: done, outboxPut: kept });
    await this.acceptServer(bRecs, iRecs);
    for (const e of kept) {
      const view = e.entity === 'bookmark' ? this.bookmarkMap.get(e.id) : this.incidentMap.get(e.id);
      if (view) await this.storage.write(e.entity === 'bookmark' ? { bookmarks: [view as LocalBookmark] } : { incidents: [view as LocalIncident] });
    }
    this.emit('change');
  }

  // --- export --------------------------------------------------------------------------------

  /** Asks for one evidence package of the incident's ranges; returns the recorder's export job. */
  async exportIncident(id: string, format?: 'zip' | 'tar'): Promise<{ id: string; state: string }> {
    let res: Response;
    try {
      res = await this.fetchFn(`/api/incidents/${encodeURIComponent(id)}/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(format ? { format } : {}) });
    } catch {
      throw new SignalingError('DISCONNECTED', 'the server cannot be reached');
    }
    const body = (await res.json().catch(() => null)) as { id?: unknown; state?: unknown; code?: unknown; message?: unknown } | null;
    if (!res.ok || typeof body?.id !== 'string') {
      throw new SignalingError((typeof body?.code === 'string' ? body.code : 'INTERNAL') as SignalingError['code'], typeof body?.message === 'string' ? body.message : `HTTP ${res.status}`);
    }
    return { id: body.id, state: String(body.state) };
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }
}
