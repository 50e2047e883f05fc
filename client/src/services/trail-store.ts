/**
 * Pursuit trails saved like bookmarks (IndexedDB first, synced to the SFU and shared): a trail is
 * an incident of kind 'trail' whose bookmarks are its hops, each on one camera from its time in to
 * its time out (core/trail.ts maps hops to bookmarks). The footage of every hop is held against
 * retention as for any bookmark, and the trail exports as one evidence package.
 */
import { hopChanged, hopsFromBookmarks, hopToBookmark, isOpen, type Trail } from '../core/trail.js';
import type { BookmarkService, LocalBookmark } from './bookmarks.js';

export interface TrailStore {
  /** Saves the whole trail; returns the id it is stored under (a new trail gets the incident's id). */
  save(trail: Trail): Promise<string>;
  /** Newest first. */
  list(): Promise<Trail[]>;
  remove(id: string): Promise<void>;
  /** Asks for one evidence package of every hop; returns the recorder's export job id. */
  exportTrail(id: string): Promise<string>;
  /** Called when trails change (also edits by other operators); returns the unsubscribe. */
  subscribe(cb: () => void): () => void;
}

export class IncidentTrailStore implements TrailStore {
  /** Trails made in this page (local id) → their incident id. */
  private readonly ids = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly bookmarks: BookmarkService) {}

  save(trail: Trail): Promise<string> {
    const run = this.queue.then(() => this.write(trail));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(trail: Trail): Promise<string> {
    const svc = this.bookmarks;
    await svc.ready;
    let id = this.ids.get(trail.id) ?? (svc.incident(trail.id) ? trail.id : null);
    if (!id) {
      const inc = await svc.createIncident({ title: trail.title, kind: 'trail', status: 'investigating' });
      id = inc.id;
      this.ids.set(trail.id, id);
    }
    const stored = this.hopBookmarks(id);
    for (let i = 0; i < trail.hops.length; i++) {
      const want = hopToBookmark(trail.hops[i]!, trail.source);
      const have = stored[i];
      if (!have) await svc.createBookmark({ ...want, incidentId: id, title: trail.title });
      else if (hopChanged(have, want)) await svc.updateBookmark(have.id, want);
    }
    const status = isOpen(trail) ? 'investigating' : 'closed';
    const inc = svc.incident(id);
    if (inc && (inc.status !== status || inc.title !== trail.title)) await svc.updateIncident(id, { status, title: trail.title });
    return id;
  }

  private hopBookmarks(incidentId: string): LocalBookmark[] {
    return this.bookmarks.bookmarksOf(incidentId).sort((a, b) => a.startMs - b.startMs || a.createdMs - b.createdMs);
  }

  async list(): Promise<Trail[]> {
    const svc = this.bookmarks;
    await svc.ready;
    return svc
      .incidents({ kind: 'trail' })
      .map((inc): Trail | null => {
        const { hops, source } = hopsFromBookmarks(this.hopBookmarks(inc.id));
        if (hops.length === 0) return null;
        return { id: inc.id, title: inc.title, source, createdAt: inc.createdMs, updatedAt: inc.updatedMs, hops };
      })
      .filter((tr): tr is Trail => tr !== null);
  }

  async remove(id: string): Promise<void> {
    const inc = this.ids.get(id) ?? id;
    for (const b of this.bookmarks.bookmarksOf(inc)) await this.bookmarks.deleteBookmark(b.id);
    await this.bookmarks.deleteIncident(inc);
  }

  async exportTrail(id: string): Promise<string> {
    await this.bookmarks.flush();
    return (await this.bookmarks.exportIncident(this.ids.get(id) ?? id)).id;
  }

  subscribe(cb: () => void): () => void {
    return this.bookmarks.on('change', cb);
  }
}
