/**
 * A pursuit's trails for <ww-follow>: the save queue (every hop is saved at once, one save after
 * another so a new trail's incident id is known before the next hop), the list of saved trails, the
 * resume of this browser's unfinished live pursuit after a reload, deleting, and exporting a trail as
 * one evidence package (waiting on services/export-job.ts). The state shown stays on the host.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isOpen, type Trail } from '../core/trail.js';
import { errorMessage, t } from '../i18n/i18n.js';
import { errorCodeOf } from '../services/errors.js';
import { waitForExport } from '../services/export-job.js';
import type { RecorderApi } from '../services/recorder-api.js';
import type { TrailStore } from '../services/trail-store.js';

/**
 * Which trail this browser is following (trails sync to every operator, so an open trail alone
 * does not say it is ours). A pointer only; the trail itself lives in IndexedDB and on the server.
 */
const CURRENT_TRAIL_KEY = 'wardwall.follow.currentTrail';
const currentTrailPointer = {
  get: (): string | null => {
    try {
      return localStorage.getItem(CURRENT_TRAIL_KEY);
    } catch {
      return null;
    }
  },
  set: (id: string | null): void => {
    try {
      if (id) localStorage.setItem(CURRENT_TRAIL_KEY, id);
      else localStorage.removeItem(CURRENT_TRAIL_KEY);
    } catch {
      /* private mode: the pursuit just does not resume after a reload */
    }
  },
};

/** What the trails read and change on their host (<ww-follow>). */
export interface TrailsHost extends ReactiveControllerHost {
  readonly trails: TrailStore | null;
  readonly recorder: RecorderApi | null;
  readonly source: 'live' | 'recording';
  trail: Trail | null;
  saved: Trail[];
  shown: string | null;
  centre: string;
  error: string | null;
  exportNote: { text: string; href?: string; failed?: boolean } | null;
}

export class FollowTrailsController implements ReactiveController {
  private saving: Promise<void> = Promise.resolve();
  private storeOff: (() => void) | null = null;
  private exportAbort: AbortController | null = null;
  /** Settles once the saved trails are read (and this browser's unfinished pursuit resumed). */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly host: TrailsHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.storeOff = this.host.trails?.subscribe(() => void this.loadSaved(false)) ?? null;
    this.ready = this.loadSaved(true);
  }

  hostDisconnected(): void {
    this.storeOff?.();
    this.storeOff = null;
    this.exportAbort?.abort();
  }

  /** Shows a trail as the one followed and saves it (saves run one after another, in order). */
  setTrail(trail: Trail): void {
    this.host.trail = trail;
    this.host.shown = trail.id;
    const store = this.host.trails;
    if (!store) return;
    this.saving = this.saving
      .then(() => store.save(trail))
      .then((id) => {
        if (trail.source === 'live') currentTrailPointer.set(isOpen(trail) ? id : null);
        // A new trail is stored under its incident's id from now on.
        if (id === trail.id) return;
        if (this.host.trail?.id === trail.id) this.host.trail = { ...this.host.trail, id };
        if (this.host.shown === trail.id) this.host.shown = id;
      })
      .then(() => this.loadSaved(false))
      .catch((e: unknown) => {
        console.warn('[follow] cannot save the trail', e);
        this.host.error = t('follow.saveFailed');
      });
  }

  async loadSaved(resume: boolean): Promise<void> {
    const store = this.host.trails;
    if (!store) return;
    try {
      this.host.saved = await store.list();
    } catch (e) {
      console.warn('[follow] cannot read trails', e);
      return;
    }
    // After a reload, this browser's unfinished live pursuit carries on where it was.
    const mine = currentTrailPointer.get();
    const open = this.host.saved.find((tr) => tr.id === mine && isOpen(tr) && tr.source === 'live');
    if (resume && open && !this.host.trail && this.host.source === 'live') {
      this.host.trail = open;
      this.host.shown = open.id;
      this.host.centre = open.hops[open.hops.length - 1]!.cameraId;
    }
  }

  /** Deletes a saved trail (its hops' footage is no longer held for it). */
  async deleteTrail(id: string): Promise<void> {
    if (!this.host.trails || this.host.trail?.id === id) return;
    try {
      await this.host.trails.remove(id);
      if (this.host.shown === id) this.host.shown = null;
      await this.loadSaved(false);
    } catch (e) {
      console.warn('[follow] cannot delete the trail', e);
      this.host.error = t('follow.saveFailed');
    }
  }

  /** Exports a trail as one evidence package (every hop's camera over its time). */
  async exportTrail(id: string): Promise<void> {
    const store = this.host.trails;
    const api = this.host.recorder;
    if (!store || !api) return;
    this.exportAbort?.abort();
    const abort = new AbortController();
    this.exportAbort = abort;
    this.host.exportNote = { text: t('follow.exporting') };
    try {
      await this.saving;
      // One package of every hop's camera over the hop's time (the incident export).
      const job = await store.exportTrail(id);
      const st = await waitForExport(api, job, { signal: abort.signal });
      if (!st) return;
      if (st.state === 'failed') throw new Error(st.error ?? 'failed');
      this.host.exportNote = { text: t('follow.exported', { file: `${job}.tar` }), href: api.downloadUrl(job) };
    } catch (e) {
      if (abort.signal.aborted) return;
      const code = errorCodeOf(e);
      const message = code && code !== 'INTERNAL' ? errorMessage(code) : e instanceof Error ? e.message : String(e);
      this.host.exportNote = { text: t('follow.exportFailed', { message }), failed: true };
    }
  }
}
