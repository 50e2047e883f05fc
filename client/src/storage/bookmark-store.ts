/**
 * Bookmarks, incidents, the outbox and the sync cursor in the wall's IndexedDB (db.ts, v2).
 * Every write that belongs together (a record and its outbox entry) is one transaction, so a
 * reload or a closed laptop never finds one without the other.
 */
import { wallDb, type LocalBookmark, type LocalIncident, type OutboxEntry, type SyncMetaRecord, type WallDatabase } from './db.js';

export interface BookmarkSnapshot {
  bookmarks: LocalBookmark[];
  incidents: LocalIncident[];
  outbox: OutboxEntry[];
  cursor: number;
  clockOffset: number;
}

export interface BookmarkWrite {
  bookmarks?: LocalBookmark[];
  incidents?: LocalIncident[];
  outboxPut?: OutboxEntry[];
  outboxDelete?: string[];
  meta?: SyncMetaRecord[];
}

export class BookmarkStorage {
  constructor(private readonly open: () => Promise<WallDatabase> = wallDb) {}

  async load(): Promise<BookmarkSnapshot> {
    const db = await this.open();
    const tx = db.transaction(['bookmarks', 'incidents', 'outbox', 'syncMeta'], 'readonly');
    const [bookmarks, incidents, outbox, cursor, offset] = await Promise.all([
      tx.objectStore('bookmarks').getAll(),
      tx.objectStore('incidents').getAll(),
      tx.objectStore('outbox').index('by-order').getAll(),
      tx.objectStore('syncMeta').get('cursor'),
      tx.objectStore('syncMeta').get('clockOffset'),
    ]);
    await tx.done;
    return {
      bookmarks,
      incidents,
      outbox,
      cursor: typeof cursor?.value === 'number' ? cursor.value : 0,
      clockOffset: typeof offset?.value === 'number' && Number.isFinite(offset.value) ? offset.value : 0,
    };
  }

  /** Writes everything in one transaction. */
  async write(w: BookmarkWrite): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['bookmarks', 'incidents', 'outbox', 'syncMeta'], 'readwrite');
    const ops: Promise<unknown>[] = [];
    for (const b of w.bookmarks ?? []) ops.push(tx.objectStore('bookmarks').put(b));
    for (const i of w.incidents ?? []) ops.push(tx.objectStore('incidents').put(i));
    for (const e of w.outboxPut ?? []) ops.push(tx.objectStore('outbox').put(e));
    for (const k of w.outboxDelete ?? []) ops.push(tx.objectStore('outbox').delete(k));
    for (const m of w.meta ?? []) ops.push(tx.objectStore('syncMeta').put(m));
    await Promise.all([...ops, tx.done]);
  }
}
