/**
 * Alerts and urgent bookmarks of the wards, as NATS subjects (issue 17: "alerts and bookmarks as
 * subjects"). A ward publishes every change of a camera health alert on `city.<ward>.evt.alert` and
 * every bookmark that becomes urgent on `city.<ward>.evt.bookmark.urgent`; the centre subscribes to
 * `city.*.evt.…` on the hub (the leaf node forwards them) and pushes them to the central users who
 * may watch the camera. Core NATS does not keep messages: an event published while a ward's link is
 * down is lost, so the centre asks the ward for its open alerts (`alerts.list`) whenever the ward
 * comes (back) online and replaces what it held for that ward.
 *
 * What crosses is strict and small: an alert's numbers and names (never a URL), an urgent
 * bookmark's id, cameras, times, title and who marked it (not its note or tags: those stay at the
 * ward). Pure: schemas and the centre's book of ward alerts.
 */
import { z } from 'zod';
import { ALERT_STATES, CAMERA_ID, HEALTH_KINDS, type HealthAlert } from '@wardwall/common';

export const WARD_ALERT_EVENT = 'alert';
export const WARD_URGENT_EVENT = 'bookmark.urgent';

const time = z.number().int().min(0).max(8.64e15);

export const wardAlertSchema = z
  .object({
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    cameraId: z.string().regex(CAMERA_ID),
    kind: z.enum(HEALTH_KINDS),
    state: z.enum(ALERT_STATES),
    openedAt: time,
    ackedAt: time.nullable(),
    ackedBy: z.string().max(100).nullable(),
    closedAt: time.nullable(),
    detail: z.record(z.string().max(40), z.number()).refine((d) => Object.keys(d).length <= 16, 'at most 16 measures'),
  })
  .strict();
export type WardAlert = z.infer<typeof wardAlertSchema>;

export const wardAlertEventSchema = z.object({ alert: wardAlertSchema }).strict();
export type WardAlertEvent = z.infer<typeof wardAlertEventSchema>;

export const wardUrgentBookmarkSchema = z
  .object({
    id: z.string().min(1).max(64),
    cameras: z.array(z.string().regex(CAMERA_ID)).min(1).max(16),
    startMs: time,
    endMs: time,
    title: z.string().max(200),
    by: z.string().max(100),
    /** Ward server time when it became urgent. */
    at: time,
  })
  .strict();
export const wardUrgentEventSchema = z.object({ bookmark: wardUrgentBookmarkSchema }).strict();
export type WardUrgentEvent = z.infer<typeof wardUrgentEventSchema>;

/** The `alerts.list` op: the ward's open and acknowledged alerts. */
export const alertsListRequestSchema = z.object({}).strict();
export const alertsListReplySchema = z.object({ alerts: z.array(wardAlertSchema).max(10_000) }).strict();

/** What a ward publishes of one of its alerts (field by field: nothing else can slip through). */
export function wardAlertOf(a: HealthAlert): WardAlert {
  return { id: a.id, cameraId: a.cameraId, kind: a.kind, state: a.state, openedAt: a.openedAt, ackedAt: a.ackedAt, ackedBy: a.ackedBy, closedAt: a.closedAt, detail: { ...a.detail } };
}

/** A ward alert as the centre shows it: the camera as `<ward>/<camera>`. */
export interface CityAlert extends WardAlert {
  ward: string;
  /** `<ward>/<camera>`. */
  remoteId: string;
}

/**
 * The centre's book of the wards' alerts that are not closed. Every input returns the alerts that
 * changed (closed ones included once, so a wall can drop them), or nothing when it changed nothing.
 */
export class WardAlertBook {
  private readonly byWard = new Map<string, Map<number, CityAlert>>();

  private static cityAlert(ward: string, a: WardAlert): CityAlert {
    return { ...a, ward, remoteId: `${ward}/${a.cameraId}` };
  }

  private static same(a: WardAlert, b: WardAlert): boolean {
    return a.state === b.state && a.ackedAt === b.ackedAt && a.ackedBy === b.ackedBy && a.closedAt === b.closedAt && a.cameraId === b.cameraId && a.kind === b.kind;
  }

  /** One event from a ward. */
  apply(ward: string, a: WardAlert): CityAlert[] {
    const book = this.byWard.get(ward) ?? new Map<number, CityAlert>();
    const cur = book.get(a.id);
    if (a.state === 'closed') {
      if (!cur) return [];
      book.delete(a.id);
      return [WardAlertBook.cityAlert(ward, a)];
    }
    if (cur && WardAlertBook.same(cur, a)) return [];
    book.set(a.id, WardAlertBook.cityAlert(ward, a));
    this.byWard.set(ward, book);
    return [book.get(a.id)!];
  }

  /** The ward's whole list (after it came back online): what is not in it any more counts as closed. */
  replaceWard(ward: string, alerts: readonly WardAlert[], now: number): CityAlert[] {
    const changed: CityAlert[] = [];
    const listed = new Set(alerts.map((a) => a.id));
    for (const [id, cur] of this.byWard.get(ward) ?? []) {
      if (!listed.has(id)) changed.push({ ...cur, state: 'closed', closedAt: cur.closedAt ?? now });
    }
    const fresh = new Map<number, CityAlert>();
    for (const a of alerts) {
      if (a.state === 'closed') continue;
      const cur = this.byWard.get(ward)?.get(a.id);
      const next = WardAlertBook.cityAlert(ward, a);
      fresh.set(a.id, next);
      if (!cur || !WardAlertBook.same(cur, a)) changed.push(next);
    }
    if (fresh.size) this.byWard.set(ward, fresh);
    else this.byWard.delete(ward);
    return changed;
  }

  /** Every open or acknowledged alert, oldest first. */
  list(): CityAlert[] {
    return [...this.byWard.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.openedAt - b.openedAt || a.remoteId.localeCompare(b.remoteId));
  }
}
