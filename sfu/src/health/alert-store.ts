/**
 * Camera health alerts in the SFU's SQLite database. An alert is opened once per (camera, kind)
 * while its fault lasts; it may be acknowledged (who and when) and is closed when the camera
 * recovers. Closed alerts stay: they are the camera's health history.
 */
import type { AlertState, HealthAlert, HealthKind } from '@wardwall/common';
import { migrate, type AppDb } from '@wardwall/server-kit';

const MIGRATIONS = [
  `CREATE TABLE health_alerts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     camera_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),
     opened_at INTEGER NOT NULL,
     acked_at INTEGER,
     acked_by TEXT,
     acked_by_user TEXT,
     closed_at INTEGER,
     detail TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX health_alerts_camera ON health_alerts (camera_id, opened_at);
   CREATE UNIQUE INDEX health_alerts_unclosed ON health_alerts (camera_id, kind) WHERE state != 'closed';`,
];

interface Row {
  id: number;
  camera_id: string;
  kind: string;
  state: string;
  opened_at: number;
  acked_at: number | null;
  acked_by: string | null;
  closed_at: number | null;
  detail: string;
}

function toAlert(r: Row): HealthAlert {
  let detail: Record<string, number> = {};
  try {
    detail = JSON.parse(r.detail) as Record<string, number>;
  } catch {
    /* kept empty */
  }
  return {
    id: r.id,
    cameraId: r.camera_id,
    kind: r.kind as HealthKind,
    state: r.state as AlertState,
    openedAt: r.opened_at,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
    closedAt: r.closed_at,
    detail,
  };
}

export class AlertStore {
  constructor(private readonly db: AppDb) {
    migrate(db, 'health', MIGRATIONS);
  }

  get(id: number): HealthAlert | null {
    const r = this.db.prepare('SELECT * FROM health_alerts WHERE id = ?').get(id) as Row | undefined;
    return r ? toAlert(r) : null;
  }

  /** Open and acknowledged alerts, newest first. */
  unclosed(): HealthAlert[] {
    return (this.db.prepare("SELECT * FROM health_alerts WHERE state != 'closed' ORDER BY opened_at DESC, id DESC").all() as Row[]).map(toAlert);
  }

  /** Opens an alert, or returns the unclosed one of this camera and kind. */
  open(cameraId: string, kind: HealthKind, detail: Record<string, number>, at: number): { alert: HealthAlert; created: boolean } {
    const existing = this.db.prepare("SELECT * FROM health_alerts WHERE camera_id = ? AND kind = ? AND state != 'closed'").get(cameraId, kind) as Row | undefined;
    if (existing) return { alert: toAlert(existing), created: false };
    const r = this.db
      .prepare("INSERT INTO health_alerts (camera_id, kind, state, opened_at, detail) VALUES (?, ?, 'open', ?, ?) RETURNING *")
      .get(cameraId, kind, at, JSON.stringify(detail)) as Row;
    return { alert: toAlert(r), created: true };
  }

  /** Closes the unclosed alert of this camera and kind; null when there is none. */
  close(cameraId: string, kind: HealthKind, at: number): HealthAlert | null {
    const r = this.db
      .prepare("UPDATE health_alerts SET state = 'closed', closed_at = ? WHERE camera_id = ? AND kind = ? AND state != 'closed' RETURNING *")
      .get(at, cameraId, kind) as Row | undefined;
    return r ? toAlert(r) : null;
  }

  /** Acknowledges an open alert; returns the updated alert, or the unchanged one when it was not open. */
  acknowledge(id: number, by: { userId: string; name: string }, at: number): { alert: HealthAlert | null; changed: boolean } {
    const r = this.db
      .prepare("UPDATE health_alerts SET state = 'acknowledged', acked_at = ?, acked_by = ?, acked_by_user = ? WHERE id = ? AND state = 'open' RETURNING *")
      .get(at, by.name, by.userId, id) as Row | undefined;
    if (r) return { alert: toAlert(r), changed: true };
    return { alert: this.get(id), changed: false };
  }

  /** One camera's alerts opened in [from, to) or still unclosed then, newest first. */
  history(cameraId: string, from: number, to: number, limit: number): HealthAlert[] {
    return (
      this.db
        .prepare('SELECT * FROM health_alerts WHERE camera_id = ? AND opened_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at DESC, id DESC LIMIT ?')
        .all(cameraId, to, from, limit) as Row[]
    ).map(toAlert);
  }
}
