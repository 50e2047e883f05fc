/**
 * Which cameras changed between two camera lists (pure): the SFU uses it to restart only the
 * changed camera's ingest, the recorder to restart only its writer. `key` says what counts as a
 * change for the caller (the SFU: the whole config; the recorder: what it pulls).
 */
export interface CameraListDiff<T> {
  added: T[];
  removed: string[];
  changed: T[];
  /** Same id and same key: left alone. */
  unchanged: string[];
}

export function diffCameraLists<T extends { id: string }>(before: readonly T[], after: readonly T[], key: (c: T) => string = (c) => JSON.stringify(c)): CameraListDiff<T> {
  const old = new Map(before.map((c) => [c.id, key(c)]));
  const now = new Set(after.map((c) => c.id));
  const out: CameraListDiff<T> = { added: [], removed: [], changed: [], unchanged: [] };
  for (const c of after) {
    const k = old.get(c.id);
    if (k === undefined) out.added.push(c);
    else if (k !== key(c)) out.changed.push(c);
    else out.unchanged.push(c.id);
  }
  for (const id of old.keys()) if (!now.has(id)) out.removed.push(id);
  return out;
}

/** What the services run: the enabled stored cameras, then the config's demo cameras (ids not stored). Pure. */
export function runningCameras<T extends { id: string }>(enabledStored: readonly T[], demo: readonly T[]): T[] {
  const ids = new Set(enabledStored.map((c) => c.id));
  return [...enabledStored, ...demo.filter((c) => !ids.has(c.id))];
}
