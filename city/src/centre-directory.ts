/**
 * The centre's city directory (docs/city.md): creates the hub's buckets, watches them and feeds
 * directory-state.ts, whose changes it emits (`change`). A tick every `tickMs` marks offline the
 * wards whose heartbeats stopped. Connected to the hub's client port as a centre service.
 */
import { EventEmitter } from 'node:events';
import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';
import type { Logger } from '@wardwall/server-kit';
import { CAMERAS_BUCKET, cameraRecordSchema, decodeJson, parseCameraKey, WARDS_BUCKET, WARDS_MAX_AGE_MS, wardRecordSchema } from './city-protocol.js';
import { DirectoryState, type DirectoryChange, type DirectoryWard } from './directory-state.js';
import { WARD_ID } from './nats-config.js';

export interface CentreDirectoryOptions {
  /** A connection to the hub (client port). */
  nc: NatsConnection;
  offlineAfterBeats?: number;
  tickMs?: number;
  log?: Logger;
  now?: () => number;
}

interface Events {
  change: [change: DirectoryChange];
}

export class CentreDirectory extends EventEmitter<Events> {
  readonly state: DirectoryState;
  private timer: NodeJS.Timeout | null = null;
  private watches: QueuedIterator<KvEntry>[] = [];
  private readonly now: () => number;
  /** Each ward's published SFU address (`httpUrl` of its record), for recordings through the centre. */
  private readonly httpUrls = new Map<string, string>();

  constructor(private readonly opts: CentreDirectoryOptions) {
    super();
    this.state = new DirectoryState({ offlineAfterBeats: opts.offlineAfterBeats });
    this.now = opts.now ?? Date.now;
  }

  /** Creates the buckets when missing (the hub keeps them across restarts) and starts watching. */
  async start(): Promise<void> {
    const js = this.opts.nc.jetstream();
    const cameras = await js.views.kv(CAMERAS_BUCKET, { history: 1 });
    const wards = await js.views.kv(WARDS_BUCKET, { history: 1, ttl: WARDS_MAX_AGE_MS });
    await this.watch(wards, (e, initial) => this.onWard(e, initial));
    await this.watch(cameras, (e) => this.onCamera(e));
    this.timer = setInterval(() => this.apply(this.state.tick(this.now())), this.opts.tickMs ?? 250);
  }

  /** The directory now: wards sorted by id, each with its cameras. */
  view(): DirectoryWard[] {
    return this.state.view();
  }

  /** The SFU address a ward published in its presence record (null when it published none). */
  wardHttpUrl(ward: string): string | null {
    return this.httpUrls.get(ward) ?? null;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  private async watch(kv: KV, on: (e: KvEntry, initial: boolean) => void): Promise<void> {
    let initial = true;
    const it = await kv.watch({ key: '>', initializedFn: () => (initial = false) });
    this.watches.push(it);
    void (async () => {
      try {
        for await (const e of it) on(e, initial);
      } catch (err) {
        this.opts.log?.error({ err }, 'city: bucket watch ended');
      }
    })();
  }

  private apply(changes: DirectoryChange[]): void {
    for (const c of changes) this.emit('change', c);
  }

  private onWard(e: KvEntry, initial: boolean): void {
    if (!WARD_ID.test(e.key)) return;
    if (e.operation !== 'PUT') {
      this.httpUrls.delete(e.key);
      return this.apply(this.state.wardDeleted(e.key));
    }
    const record = decodeJson(e.value, wardRecordSchema);
    if (!record || record.ward !== e.key) {
      this.opts.log?.warn({ key: e.key }, 'city: ignored a ward record that does not fit');
      return;
    }
    if (record.httpUrl) this.httpUrls.set(record.ward, record.httpUrl);
    else this.httpUrls.delete(record.ward);
    // A record found at start may be old (a ward gone since): seen when the hub stored it.
    const now = this.now();
    this.apply(this.state.wardPut(record, initial ? Math.min(now, e.created.getTime()) : now));
    if (initial) this.apply(this.state.tick(now));
  }

  private onCamera(e: KvEntry): void {
    const key = parseCameraKey(e.key);
    if (!key) return;
    if (e.operation !== 'PUT') return this.apply(this.state.cameraDeleted(key.ward, key.camera));
    const record = decodeJson(e.value, cameraRecordSchema);
    if (!record || record.ward !== key.ward || record.id !== key.camera) {
      this.opts.log?.warn({ key: e.key }, 'city: ignored a camera record that does not fit');
      return;
    }
    this.apply(this.state.cameraPut(record));
  }
}
