/**
 * Evidence holds: the footage of every live bookmark (its window plus a margin each side, per
 * camera) is held against the recorder's retention until the bookmark is deleted or released
 * (`hold: false`, unless its incident still holds it).
 *
 * Reliable by reconciliation, not by remembering: the recorder's own list of active holds is the
 * truth. Each round reads it, keeps the holds this module made (reason `bookmark <id> camera <c>`)
 * that are still wanted, creates the missing ones and releases the unwanted ones. Rounds run at
 * start, shortly after every change, every `reconcileEveryMs`, and, while the recorder does not
 * answer, again after a stepped back-off. A crash between creating a hold and noting it cannot
 * leak or lose one: the next round sees the recorder's list.
 */
import type { Logger } from 'pino';
import { backoffDelay, type Bookmark, type Incident } from '@wardwall/common';
import { recorderJson, type RecorderTarget } from './recorder-client.js';
import type { ServiceActor } from '@wardwall/accounts';

export interface WantedHold {
  bookmarkId: string;
  camera: string;
  from: number;
  to: number;
  createdBy: string;
}

export interface RecorderHold {
  id: number;
  camera: string | null;
  startMs: number;
  endMs: number;
  reason: string;
}

export interface HoldPlan {
  create: WantedHold[];
  release: RecorderHold[];
  kept: number;
}

/** What the audit trail (when it lands) is told about every hold this module makes or ends. */
export interface HoldEvent {
  action: 'created' | 'released';
  holdId: number;
  bookmarkId: string;
  camera: string;
  from: number;
  to: number;
  at: number;
  /** The user whose change made or ended the hold (null: not known, e.g. after a restart). */
  by: ServiceActor | null;
}

const REASON_RE = /^bookmark ([A-Za-z0-9_-]{8,64}) camera ([a-z0-9][a-z0-9_-]{0,63})$/;

export const holdReason = (h: Pick<WantedHold, 'bookmarkId' | 'camera'>): string => `bookmark ${h.bookmarkId} camera ${h.camera}`;

/** Whether a bookmark's footage should be held: not deleted, and held itself or by its live incident. Pure. */
export function isHeldBookmark(b: Bookmark, incidents: ReadonlyMap<string, Incident>): boolean {
  if (b.deleted) return false;
  if (b.hold) return true;
  const inc = b.incidentId ? incidents.get(b.incidentId) : undefined;
  return !!inc && !inc.deleted && inc.hold;
}

/** The holds the bookmarks want: one per (bookmark, camera), widened by `marginMs` each side. Pure. */
export function wantedHolds(bookmarks: readonly Bookmark[], incidents: ReadonlyMap<string, Incident>, marginMs: number): WantedHold[] {
  const out: WantedHold[] = [];
  for (const b of bookmarks) {
    if (!isHeldBookmark(b, incidents)) continue;
    for (const camera of b.cameras) out.push({ bookmarkId: b.id, camera, from: b.startMs - marginMs, to: Math.max(b.endMs + marginMs, b.startMs - marginMs + 1), createdBy: b.author || 'bookmarks' });
  }
  return out;
}

/** Compares the wanted holds with the recorder's active ones (only those this module made). Pure. */
export function planHolds(wanted: readonly WantedHold[], existing: readonly RecorderHold[]): HoldPlan {
  const want = new Map(wanted.map((w) => [holdReason(w), w]));
  const release: RecorderHold[] = [];
  const have = new Set<string>();
  for (const h of existing) {
    if (!REASON_RE.test(h.reason)) continue;
    const w = want.get(h.reason);
    if (w && !have.has(h.reason) && h.camera === w.camera && h.startMs === w.from && h.endMs === w.to) have.add(h.reason);
    else release.push(h);
  }
  return { create: wanted.filter((w) => !have.has(holdReason(w))), release, kept: have.size };
}

export function parseHoldReason(reason: string): { bookmarkId: string; camera: string } | null {
  const m = REASON_RE.exec(reason);
  return m ? { bookmarkId: m[1]!, camera: m[2]! } : null;
}

export interface HoldKeeperDeps {
  /** The recorder's own address (not the SFU's proxy); null when recording is disabled. */
  recorder: RecorderTarget | null;
  wanted: () => WantedHold[];
  retryMs: readonly number[];
  everyMs: number;
  log: Logger;
  now?: () => number;
  /** Audit hook: called for every hold created or released. Errors are logged, never thrown. */
  onHoldChanged?: (e: HoldEvent) => void;
  /** The user whose change last touched a bookmark (the recorder audits the hold call under their name). */
  changedBy?: (bookmarkId: string) => ServiceActor | null;
}

export interface HoldStatus {
  /** Server time of the last successful round, or null. */
  lastOkMs: number | null;
  lastError: string | null;
  /** Holds wanted at the last round. */
  wanted: number;
  failures: number;
}

export class HoldKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private failures = 0;
  private readonly now: () => number;
  readonly status: HoldStatus = { lastOkMs: null, lastError: null, wanted: 0, failures: 0 };

  constructor(private readonly deps: HoldKeeperDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.schedule(0);
  }

  /** Something changed: reconcile soon (coalesced). */
  poke(): void {
    this.schedule(100);
  }

  /** Runs one round now (waits for a running one first); resolves when it is done. */
  async reconcileNow(): Promise<void> {
    if (this.running) await this.running;
    await this.round();
  }

  private schedule(ms: number): void {
    if (this.closed || !this.deps.recorder) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.round();
    }, ms);
    this.timer.unref?.();
  }

  private round(): Promise<void> {
    if (this.closed || !this.deps.recorder) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.reconcile()
      .then(
        () => {
          this.failures = 0;
          this.status.lastOkMs = this.now();
          this.status.lastError = null;
          return this.deps.everyMs;
        },
        (e: unknown) => {
          const delay = backoffDelay(this.deps.retryMs, this.failures);
          this.failures++;
          this.status.lastError = e instanceof Error ? e.message : String(e);
          this.deps.log.warn({ err: this.status.lastError, retryInMs: delay, failures: this.failures }, 'evidence holds not reconciled; retrying');
          return delay;
        },
      )
      .then((next) => {
        this.status.failures = this.failures;
        this.running = null;
        const soon = this.again;
        this.again = false;
        this.schedule(soon ? 100 : next);
      });
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const wanted = this.deps.wanted();
    this.status.wanted = wanted.length;
    const existing = await this.listHolds();
    const plan = planHolds(wanted, existing);
    for (const h of plan.release) {
      if (this.closed) return;
      const p = parseHoldReason(h.reason)!;
      const by = this.deps.changedBy?.(p.bookmarkId) ?? null;
      await this.call('DELETE', `/api/holds/${h.id}`, undefined, [404], by);
      this.emit({ action: 'released', holdId: h.id, bookmarkId: p.bookmarkId, camera: p.camera, from: h.startMs, to: h.endMs, at: this.now(), by });
    }
    for (const w of plan.create) {
      if (this.closed) return;
      const by = this.deps.changedBy?.(w.bookmarkId) ?? null;
      const reply = (await this.call('POST', '/api/holds', { camera: w.camera, from: w.from, to: w.to, reason: holdReason(w), createdBy: w.createdBy.slice(0, 120) }, [], by)) as { id?: unknown };
      if (typeof reply?.id !== 'number') throw new Error('recorder: hold reply without an id');
      this.emit({ action: 'created', holdId: reply.id, bookmarkId: w.bookmarkId, camera: w.camera, from: w.from, to: w.to, at: this.now(), by });
    }
    if (plan.create.length || plan.release.length) this.deps.log.info({ created: plan.create.length, released: plan.release.length, kept: plan.kept }, 'evidence holds reconciled');
  }

  private emit(e: HoldEvent): void {
    try {
      this.deps.onHoldChanged?.(e);
    } catch (err) {
      this.deps.log.error({ err }, 'onHoldChanged hook failed');
    }
  }

  private async listHolds(): Promise<RecorderHold[]> {
    const body = (await this.call('GET', '/api/holds')) as { holds?: unknown };
    if (!Array.isArray(body?.holds)) throw new Error('recorder: holds reply without a list');
    return (body.holds as Record<string, unknown>[]).filter(
      (h): h is Record<string, unknown> & RecorderHold => typeof h?.id === 'number' && typeof h.reason === 'string' && typeof h.startMs === 'number' && typeof h.endMs === 'number',
    );
  }

  private call(method: string, path: string, body?: unknown, okStatuses: number[] = [], actor?: ServiceActor | null): Promise<unknown> {
    return recorderJson(this.deps.recorder!, method, path, body, okStatuses, actor ?? undefined);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
