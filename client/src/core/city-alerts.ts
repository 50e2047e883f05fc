/**
 * The wards' alerts and urgent bookmarks at a city centre (docs/city.md, "Alerts and urgent
 * bookmarks"): parsing the pushes and turning them into what the wall already shows (an alert row
 * and a tile badge on `<ward>/<camera>`, an urgent bar). Pure.
 */
import type { CityAlertInfo, CityUrgentInfo, HealthAlert } from '@wardwall/common';
import { isHealthAlert } from './health-alerts.js';
import { isWardCameraId } from './ids.js';

/** A ward's alert as the centre's wall lists it: the camera is `<ward>/<camera>`; `ward` says whose it is. */
export type WardHealthAlert = HealthAlert & { ward: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function parseCityAlert(raw: unknown): CityAlertInfo | null {
  if (!isObject(raw) || typeof raw.ward !== 'string' || typeof raw.remoteId !== 'string' || !isWardCameraId(raw.remoteId)) return null;
  return isHealthAlert(raw) ? (raw as unknown as CityAlertInfo) : null;
}

export function parseCityUrgent(raw: unknown): CityUrgentInfo | null {
  if (!isObject(raw) || typeof raw.ward !== 'string' || typeof raw.id !== 'string' || typeof raw.title !== 'string' || typeof raw.by !== 'string') return null;
  if (typeof raw.startMs !== 'number' || typeof raw.endMs !== 'number' || typeof raw.at !== 'number') return null;
  if (!Array.isArray(raw.cameras) || raw.cameras.length === 0 || !raw.cameras.every((c) => typeof c === 'string' && isWardCameraId(c))) return null;
  return raw as unknown as CityUrgentInfo;
}

/** The alert row and tile badge of a ward's alert (keyed apart from the centre's own alert ids). */
export function wardHealthAlert(a: CityAlertInfo): WardHealthAlert {
  return { id: a.id, cameraId: a.remoteId, kind: a.kind, state: a.state, openedAt: a.openedAt, ackedAt: a.ackedAt, ackedBy: a.ackedBy, closedAt: a.closedAt, detail: a.detail, ward: a.ward };
}

export const wardAlertKey = (a: { ward: string; id: number }): string => `${a.ward}#${a.id}`;

/** The ward alerts after one push: closed ones leave. */
export function applyWardAlert(map: ReadonlyMap<string, WardHealthAlert>, a: CityAlertInfo): Map<string, WardHealthAlert> {
  const next = new Map(map);
  const key = wardAlertKey(a);
  if (a.state === 'closed') next.delete(key);
  else next.set(key, wardHealthAlert(a));
  return next;
}

/** What an urgent bar needs, from a ward's urgent bookmark (its id kept apart from the centre's own bookmarks). */
export interface UrgentNotice {
  id: string;
  cameras: string[];
  author: string;
  title: string;
  startMs: number;
  /** Set for a ward's bookmark (the bar names the ward). */
  ward?: string;
}

export function urgentNoticeOf(u: CityUrgentInfo): UrgentNotice {
  return { id: `${u.ward}#${u.id}`, cameras: u.cameras, author: u.by, title: u.title, startMs: u.startMs, ward: u.ward };
}
