/**
 * Camera health alerts on the wall: validation of pushed alerts, the open set per camera, the
 * tile's badge, and outage bands for the review timeline. Pure.
 */
import { ALERT_STATES, HEALTH_KINDS, type HealthAlert, type HealthKind } from '@wardwall/common';
import type { TimeRange } from './timeline.js';
import { canCamera, hasSystem, type Me } from './access.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): v is number | null => v === null || isNum(v);

/** Whether a value from the server is a well-formed alert (pushes are outside input). */
export function isHealthAlert(v: unknown): v is HealthAlert {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return (
    isNum(a.id) &&
    typeof a.cameraId === 'string' &&
    (HEALTH_KINDS as readonly unknown[]).includes(a.kind) &&
    (ALERT_STATES as readonly unknown[]).includes(a.state) &&
    isNum(a.openedAt) &&
    isNumOrNull(a.ackedAt) &&
    isNumOrNull(a.closedAt) &&
    (a.ackedBy === null || typeof a.ackedBy === 'string') &&
    typeof a.detail === 'object' &&
    a.detail !== null
  );
}

/** Severity order for the one badge a tile shows (the worst first). */
const SEVERITY: readonly HealthKind[] = ['offline', 'black', 'covered', 'moved', 'frozen', 'defocused', 'reconnect_storm', 'low_rate'];

/** Applies one alert change to the open set (id -> alert): closed alerts leave it. Returns a new map. */
export function applyAlert(open: ReadonlyMap<number, HealthAlert>, alert: HealthAlert): Map<number, HealthAlert> {
  const next = new Map(open);
  if (alert.state === 'closed') next.delete(alert.id);
  else next.set(alert.id, alert);
  return next;
}

/** Open (and acknowledged) alerts sorted: unacknowledged first, then newest first. */
export function sortAlerts(alerts: Iterable<HealthAlert>): HealthAlert[] {
  return [...alerts].sort((a, b) => (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) || b.openedAt - a.openedAt || b.id - a.id);
}

export interface TileHealth {
  /** The most severe open fault of the camera. */
  kind: HealthKind;
  /** How many faults are open. */
  count: number;
  /** Whether every open alert is acknowledged. */
  acknowledged: boolean;
}

/** Per camera, what its tile shows. */
export function tileHealth(open: Iterable<HealthAlert>): Map<string, TileHealth> {
  const by = new Map<string, HealthAlert[]>();
  for (const a of open) {
    if (a.state === 'closed') continue;
    by.set(a.cameraId, [...(by.get(a.cameraId) ?? []), a]);
  }
  const out = new Map<string, TileHealth>();
  for (const [cameraId, list] of by) {
    const kind = [...list].sort((a, b) => SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind))[0]!.kind;
    out.set(cameraId, { kind, count: list.length, acknowledged: list.every((a) => a.state === 'acknowledged') });
  }
  return out;
}

/** Kinds that mean no usable picture: drawn as outage bands on the review timeline. */
export const OUTAGE_KINDS: readonly HealthKind[] = ['offline', 'black', 'covered', 'frozen', 'moved'];

/** Merged time ranges during which the camera had an outage (an unclosed alert runs to `now`). */
export function outageRanges(alerts: readonly HealthAlert[], now: number, kinds: readonly HealthKind[] = OUTAGE_KINDS): TimeRange[] {
  const ranges = alerts
    .filter((a) => kinds.includes(a.kind))
    .map((a) => ({ startMs: a.openedAt, endMs: a.closedAt ?? now }))
    .filter((r) => r.endMs > r.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const out: TimeRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ ...r });
  }
  return out;
}

/** Alerts that end by accepting the camera's current view as its new reference (re-aimed or replaced on purpose). */
export const RELEARN_KINDS: readonly HealthKind[] = ['moved', 'defocused'];

/**
 * Whether the viewer is offered "accept the current view" on an alert: an unclosed moved or
 * defocused alert, and the rights the server asks for (`control`, and `live` on the camera).
 */
export function canRelearn(me: Me | null, alert: HealthAlert): boolean {
  return alert.state !== 'closed' && RELEARN_KINDS.includes(alert.kind) && hasSystem(me, 'control') && canCamera(me, 'live', alert.cameraId);
}
