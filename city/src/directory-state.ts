/**
 * The centre's city directory as pure state: wards (online or offline) and their cameras, fed with
 * the entries of the hub's buckets and the clock, answering with the changes each input made. No
 * NATS, no timers: centre-directory.ts does the I/O and calls `tick(now)` a few times a second.
 *
 * Presence: a ward rewrites its record in the wards bucket every `heartbeatMs`; a ward whose record
 * was not rewritten for `offlineAfterBeats` heartbeats is offline (its link is down, or it stopped),
 * and is online again with its next record. A deleted record (the ward left in order) removes the
 * ward and its cameras. Cameras of an offline ward are shown offline (`linkDown`), their last known
 * state kept for when the ward returns.
 */
import type { CameraRecord, WardRecord } from './city-protocol.js';

export interface WardEntry {
  ward: string;
  name: string;
  online: boolean;
  /** Centre time of the last heartbeat received, ms. */
  lastSeen: number;
  heartbeatMs: number;
  /** Centre time of the last online/offline change, ms. */
  since: number;
  /** The ward SFU's instance id from its last record (absent from wards that do not send one). */
  instance?: string;
}

export type DirectoryChange =
  | { kind: 'ward-online'; ward: string; at: number }
  | { kind: 'ward-offline'; ward: string; at: number; silentMs: number }
  | { kind: 'ward-removed'; ward: string }
  /** The ward's record names another SFU instance than before: the ward's SFU restarted (its pipes are gone). */
  | { kind: 'ward-restarted'; ward: string; at: number; instance: string }
  | { kind: 'camera'; ward: string; camera: string; record: CameraRecord }
  | { kind: 'camera-removed'; ward: string; camera: string };

/** A camera as the centre shows it. */
export interface DirectoryCamera extends CameraRecord {
  /** The ward is offline: the camera cannot be reached (its `state` is shown as 'offline'). */
  linkDown: boolean;
}

export interface DirectoryWard {
  ward: string;
  name: string;
  online: boolean;
  since: number;
  cameras: DirectoryCamera[];
}

export interface DirectoryStateOptions {
  /** Heartbeats missed before a ward is offline (default 3). */
  offlineAfterBeats?: number;
}

export class DirectoryState {
  private readonly wards = new Map<string, WardEntry>();
  private readonly cameras = new Map<string, Map<string, CameraRecord>>();
  private readonly beats: number;

  constructor(opts: DirectoryStateOptions = {}) {
    this.beats = opts.offlineAfterBeats ?? 3;
  }

  /** A ward's record was (re)written: a heartbeat. */
  wardPut(record: WardRecord, now: number): DirectoryChange[] {
    const had = this.wards.get(record.ward);
    this.wards.set(record.ward, { ward: record.ward, name: record.name, online: true, lastSeen: now, heartbeatMs: record.heartbeatMs, since: had?.online ? had.since : now, ...(record.instance ? { instance: record.instance } : {}) });
    const changes: DirectoryChange[] = had?.online ? [] : [{ kind: 'ward-online', ward: record.ward, at: now }];
    if (had?.instance && record.instance && had.instance !== record.instance) changes.push({ kind: 'ward-restarted', ward: record.ward, at: now, instance: record.instance });
    return changes;
  }

  /** The ward's record was deleted or purged: the ward left; its cameras go with it. */
  wardDeleted(ward: string): DirectoryChange[] {
    const changes: DirectoryChange[] = [];
    for (const camera of this.cameras.get(ward)?.keys() ?? []) changes.push({ kind: 'camera-removed', ward, camera });
    this.cameras.delete(ward);
    if (this.wards.delete(ward)) changes.push({ kind: 'ward-removed', ward });
    return changes;
  }

  cameraPut(record: CameraRecord): DirectoryChange[] {
    let of = this.cameras.get(record.ward);
    if (!of) this.cameras.set(record.ward, (of = new Map()));
    const had = of.get(record.id);
    of.set(record.id, record);
    return had && sameCamera(had, record) ? [] : [{ kind: 'camera', ward: record.ward, camera: record.id, record }];
  }

  cameraDeleted(ward: string, camera: string): DirectoryChange[] {
    const of = this.cameras.get(ward);
    if (!of?.delete(camera)) return [];
    if (of.size === 0) this.cameras.delete(ward);
    return [{ kind: 'camera-removed', ward, camera }];
  }

  /** Marks offline every online ward silent for `offlineAfterBeats` heartbeats at `now`. */
  tick(now: number): DirectoryChange[] {
    const changes: DirectoryChange[] = [];
    for (const w of this.wards.values()) {
      const silentMs = now - w.lastSeen;
      if (w.online && silentMs >= this.beats * w.heartbeatMs) {
        w.online = false;
        w.since = now;
        changes.push({ kind: 'ward-offline', ward: w.ward, at: now, silentMs });
      }
    }
    return changes;
  }

  ward(ward: string): Readonly<WardEntry> | undefined {
    return this.wards.get(ward);
  }

  /**
   * The directory: wards sorted by id, each with its cameras sorted by id. Cameras whose ward has no
   * record (yet) are listed under an offline ward named by its id.
   */
  view(): DirectoryWard[] {
    const ids = [...new Set([...this.wards.keys(), ...this.cameras.keys()])].sort();
    return ids.map((id) => {
      const w = this.wards.get(id);
      const online = w?.online ?? false;
      const cameras = [...(this.cameras.get(id)?.values() ?? [])]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((c): DirectoryCamera => (online ? { ...c, linkDown: false } : { ...c, state: 'offline', linkDown: true }));
      return { ward: id, name: w?.name ?? id, online, since: w?.since ?? 0, cameras };
    });
  }
}

function sameCamera(a: CameraRecord, b: CameraRecord): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
