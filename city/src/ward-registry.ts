/**
 * The ward's side of the city directory (docs/city.md). Connected to the ward's own leaf node, it
 * - writes the ward's record into the hub's `city_wards` bucket every `heartbeatMs` (the heartbeat
 *   the centre's presence is built on),
 * - keeps the ward's cameras in the hub's `city_cameras` bucket (key `<ward>.<camera>`): id, name,
 *   live state, map position; never a URL or a credential (records are built field by field and
 *   checked by the strict schema), a state change pushed as it happens,
 * - answers the centre's requests for this ward (ward-requests.ts) from its own camera list, on the
 *   leaf node, so the ward's own services get answers while the link is down.
 * The hub's buckets are reached through the hub's JetStream domain. A write that fails (link down,
 * hub restarting) marks the bucket unknown: after the next heartbeat that gets through, the ward
 * rewrites all its cameras and deletes the hub's keys of cameras it no longer has.
 */
import type { JetStreamClient, KV, NatsConnection, Subscription } from 'nats';
import type { CameraState, OfflineReason } from '@wardwall/common';
import type { Logger } from '@wardwall/server-kit';
import { CAMERAS_BUCKET, cameraKey, cameraRecordSchema, encodeJson, parseCameraKey, WARDS_BUCKET, type CameraRecord, type WardRecord } from './city-protocol.js';
import { HUB_DOMAIN, WARD_ID } from './nats-config.js';
import { serveWardRequests, type WardHandlers } from './ward-requests.js';

/** A camera as the ward's services know it; only these fields are ever published. */
export interface WardCamera {
  id: string;
  name: string;
  state: CameraState;
  reason: OfflineReason | null;
  position?: { x: number; y: number; heading?: number } | null;
  since: number;
}

export interface WardRegistryOptions {
  /** A connection to the ward's own leaf node. */
  nc: NatsConnection;
  ward: string;
  /** The ward's display name. */
  name: string;
  heartbeatMs?: number;
  /** The ward SFU's address the centre reaches (published in the presence record). */
  httpUrl?: string | null;
  /** How long a write to the hub may take before the link counts as down, ms. */
  writeTimeoutMs?: number;
  hubDomain?: string;
  log?: Logger;
  now?: () => number;
  /** This ward SFU's instance id (random at its start), sent in every heartbeat record. */
  instance?: string;
  /** More ops this ward answers besides `cameras.list` (the SFU's `pipe.open` / `pipe.close`). */
  handlers?: Omit<WardHandlers, 'cameras.list'>;
}

/** A camera the registry cannot publish (the message names the camera and the field). */
export class WardRegistryError extends Error {
  constructor(
    readonly code: 'BAD_CAMERA',
    message: string,
  ) {
    super(message);
    this.name = 'WardRegistryError';
  }
}

function checked(value: unknown, id: unknown): CameraRecord {
  const r = cameraRecordSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const name = typeof id === 'string' ? id.slice(0, 64) : '?';
  throw new WardRegistryError('BAD_CAMERA', `camera "${name}": ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
}

function toRecord(ward: string, c: WardCamera): CameraRecord {
  const p = c.position;
  return checked({
    ward,
    id: c.id,
    name: c.name,
    state: c.state,
    reason: c.reason,
    position: p ? { x: p.x, y: p.y, ...(p.heading !== undefined ? { heading: p.heading } : {}) } : null,
    since: c.since,
  }, c.id);
}

export class WardRegistry {
  private readonly cameras = new Map<string, CameraRecord>();
  private readonly pending = new Set<string>();
  /** The hub's copy is unknown (start, or a write failed): rewrite everything at the next chance. */
  private fullSync = true;
  private buckets: { cameras: KV; wards: KV } | null = null;
  private readonly js: JetStreamClient;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private beating = false;
  private timer: NodeJS.Timeout | null = null;
  private sub: Subscription | null = null;
  private stopped = false;
  private linkUp: boolean | null = null;
  private readonly heartbeatMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: WardRegistryOptions) {
    if (!WARD_ID.test(opts.ward)) throw new Error(`city: bad ward id "${opts.ward}"`);
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.js = opts.nc.jetstream({ domain: opts.hubDomain ?? HUB_DOMAIN, timeout: opts.writeTimeoutMs ?? 1500 });
  }

  /** Starts answering requests and the heartbeat (the first one at once). */
  start(): void {
    this.sub = serveWardRequests(this.opts.nc, this.opts.ward, { ...this.opts.handlers, 'cameras.list': () => ({ cameras: this.list() }) }, this.opts.log);
    const loop = async () => {
      if (this.stopped) return;
      const started = this.now();
      await this.beat();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), Math.max(0, this.heartbeatMs - (this.now() - started)));
    };
    void loop();
  }

  /** The ward's cameras, sorted by id (what `cameras.list` answers). */
  list(): CameraRecord[] {
    return [...this.cameras.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Whether the last write to the hub got through (null before the first). */
  get hubReachable(): boolean | null {
    return this.linkUp;
  }

  /**
   * Replaces the camera list: new and changed cameras are written, removed ones deleted. A camera
   * that does not fit (id, name, state, position) throws `WardRegistryError` BAD_CAMERA and changes
   * nothing.
   */
  setCameras(list: readonly WardCamera[]): void {
    const next = new Map(list.map((c) => [c.id, toRecord(this.opts.ward, c)]));
    if (next.size !== list.length) throw new WardRegistryError('BAD_CAMERA', 'two cameras with the same id');
    for (const id of this.cameras.keys()) if (!next.has(id)) this.pending.add(id);
    for (const [id, r] of next) if (JSON.stringify(this.cameras.get(id)) !== JSON.stringify(r)) this.pending.add(id);
    this.cameras.clear();
    for (const [id, r] of next) this.cameras.set(id, r);
    this.kick();
  }

  /** One camera's live state changed: pushed at once. Unknown ids are ignored (false); a bad state throws BAD_CAMERA. */
  setCameraState(id: string, state: CameraState, reason: OfflineReason | null, since = this.now()): boolean {
    const had = this.cameras.get(id);
    if (!had) return false;
    if (had.state === state && had.reason === reason) return true;
    this.cameras.set(id, checked({ ...had, state, reason, since }, id));
    this.pending.add(id);
    this.kick();
    return true;
  }

  /**
   * Stops the heartbeat and the request answers. With `leave`, the ward's record and cameras are
   * deleted from the hub (the centre removes the ward); without, the centre sees it go offline.
   */
  async stop(opts: { leave?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.sub?.unsubscribe();
    await this.chain;
    if (opts.leave && this.buckets) {
      for (const id of this.cameras.keys()) await this.buckets.cameras.delete(cameraKey(this.opts.ward, id)).catch(() => undefined);
      await this.buckets.wards.delete(this.opts.ward).catch(() => undefined);
    }
  }

  private kick(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      await this.sync();
    });
  }

  private async open(): Promise<{ cameras: KV; wards: KV }> {
    if (!this.buckets) {
      // The centre creates the buckets; a ward only binds to them.
      const [cameras, wards] = [await this.js.views.kv(CAMERAS_BUCKET, { bindOnly: true }), await this.js.views.kv(WARDS_BUCKET, { bindOnly: true })];
      this.buckets = { cameras, wards };
    }
    return this.buckets;
  }

  private failed(e: unknown, what: string): void {
    this.fullSync = true;
    if (this.linkUp !== false) this.opts.log?.warn({ err: e, ward: this.opts.ward }, `city: ${what} failed: the hub is not reachable, retrying every heartbeat`);
    this.linkUp = false;
  }

  private ok(): void {
    if (this.linkUp === false) this.opts.log?.info({ ward: this.opts.ward }, 'city: the hub is reachable again');
    this.linkUp = true;
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const b = await this.open();
      const record: WardRecord = {
        ward: this.opts.ward, name: this.opts.name, at: this.now(), heartbeatMs: this.heartbeatMs, cameras: this.cameras.size,
        ...(this.opts.httpUrl ? { httpUrl: this.opts.httpUrl } : {}),
        ...(this.opts.instance ? { instance: this.opts.instance } : {}),
      };
      await b.wards.put(this.opts.ward, encodeJson(record));
      this.ok();
      if (this.fullSync) this.kick();
    } catch (e) {
      this.failed(e, 'heartbeat');
    } finally {
      this.beating = false;
    }
    await this.chain;
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    if (this.fullSync && this.linkUp !== true) return; // the next heartbeat that gets through calls again
    try {
      const b = await this.open();
      if (this.fullSync) {
        this.pending.clear();
        const stale: string[] = [];
        for await (const key of await b.cameras.keys(`${this.opts.ward}.>`)) {
          const k = parseCameraKey(key);
          if (k && k.ward === this.opts.ward && !this.cameras.has(k.camera)) stale.push(k.camera);
        }
        for (const id of stale) await b.cameras.delete(cameraKey(this.opts.ward, id));
        for (const r of this.cameras.values()) await b.cameras.put(cameraKey(this.opts.ward, r.id), encodeJson(r));
        this.fullSync = false;
      } else {
        for (const id of [...this.pending]) {
          this.pending.delete(id);
          const r = this.cameras.get(id);
          if (r) await b.cameras.put(cameraKey(this.opts.ward, id), encodeJson(r));
          else await b.cameras.delete(cameraKey(this.opts.ward, id));
        }
      }
      this.ok();
    } catch (e) {
      this.failed(e, 'camera update');
    }
  }
}
