/**
 * Waiting for a recorder export job: polls its status until it is done or failed (or the wait is
 * called off). One loop for every place that starts an export: the export panel (<ww-export>, also
 * used for an incident's package in <ww-bookmarks>) and a pursuit trail's package (<ww-follow>).
 */
import type { ExportStatus, RecorderApi } from './recorder-api.js';

/** How often a running job is asked about. */
export const EXPORT_POLL_MS = 500;

export interface ExportWait {
  /** Called off: the wait ends with null at the next step. */
  signal: AbortSignal;
  /** Each status seen while the job is queued or running (progress). */
  onStatus?: (status: ExportStatus) => void;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The job's last status ('done' or 'failed'), or null when called off. Given a status (the reply that
 * created the job) it waits before asking again; given only the job's id it asks at once.
 */
export async function waitForExport(api: Pick<RecorderApi, 'exportStatus'>, job: ExportStatus | string, wait: ExportWait): Promise<ExportStatus | null> {
  const id = typeof job === 'string' ? job : job.id;
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let status: ExportStatus;
  if (typeof job === 'string') {
    if (wait.signal.aborted) return null;
    status = await api.exportStatus(id);
  } else status = job;
  while (status.state === 'queued' || status.state === 'running') {
    wait.onStatus?.(status);
    await sleep(wait.pollMs ?? EXPORT_POLL_MS);
    if (wait.signal.aborted) return null;
    status = await api.exportStatus(id);
  }
  return status;
}
