/**
 * Camera configuration changes in the audit trail: at start, the configured camera set (ids, names,
 * sub stream, transcode; never URLs) is compared with the last one recorded, and the difference is
 * appended as `cameras_configured`. Features that add cameras at run time append their own entries.
 */
import type { CameraConfig } from '@wardwall/common';
import type { AuditLog } from '@wardwall/accounts';

export interface CameraSummary {
  id: string;
  name: string;
  sub: boolean;
  transcode: boolean | 'auto';
}

export function summarize(cams: readonly CameraConfig[]): CameraSummary[] {
  return cams.map((c) => ({ id: c.id, name: c.name, sub: c.sub !== undefined, transcode: c.transcode })).sort((a, b) => a.id.localeCompare(b.id));
}

/** What changed between two camera sets. Pure. */
export function cameraDiff(before: readonly CameraSummary[], after: readonly CameraSummary[]): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((c) => [c.id, JSON.stringify(c)]));
  const now = new Map(after.map((c) => [c.id, JSON.stringify(c)]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id)),
  };
}

export function auditCameraSet(audit: AuditLog, cams: readonly CameraConfig[]): void {
  const current = summarize(cams);
  const last = audit.query({ action: 'cameras_configured', limit: 1 }).entries[0]?.detail.cameras;
  const before = Array.isArray(last) ? (last as CameraSummary[]) : [];
  const diff = cameraDiff(before, current);
  if (last !== undefined && !diff.added.length && !diff.removed.length && !diff.changed.length) return;
  audit.append('system', 'cameras_configured', null, { ...diff, cameras: current });
}
