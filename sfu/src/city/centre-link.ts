/**
 * City mode, command-centre side (docs/city.md): the centre's SFU connects to the hub, keeps the
 * city directory (`CentreDirectory`: wards online/offline, their cameras with live state) and lends
 * central viewers a ward camera's stream through `CentrePipes` (one pipe per camera stream and
 * centre router, leased per viewer, closed after a linger). A ward camera is named `<ward>/<camera>`
 * at the centre (REMOTE_CAMERA_ID in common): never a station camera id, which has no '/'.
 * Installed by app.ts only when `city.role` is 'centre'.
 */
import { hostname } from 'node:os';
import type { NatsConnection } from 'nats';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError, ErrorCode, parseRemoteCameraId, type CityAlertInfo, type CityUrgentInfo, type CityCameraInfo, type CityWardInfo, type Config, type StreamKind } from '@wardwall/common';
import { CENTRE_GONE_MS, CENTRE_HEARTBEAT_SUBJECT, CentreDirectory, connectNats, decodeJson, encodeJson, newInstanceId, PipeClosedEventSchema, requestWard, wardEventSubject, WARD_ID, type CentreHeartbeat, type DirectoryCamera } from '@wardwall/city';
import { canSeeCamera, OPEN_ACCESS, type AccessPolicy, type AuditLog, type Principal } from '@wardwall/accounts';
import type { Router } from '@wardwall/server-kit';
import { CentrePipes, PipeLinkError, type PipeLease, type WardRequester } from './pipe-link.js';
import { readCityPassword } from './password-file.js';
import { installCentreEvents, type CentreEventsIn } from './centre-events-in.js';
import { loadOrCreateCentreKey } from './assertion-key.js';
import { centreRecordingRoutes, centreSigner, type CentreSigner } from './centre-recordings.js';
import { unwatchUse, watchUse } from './ward-link.js';

const CAMERA_RIGHTS = ['live', 'playback', 'export'] as const;

/** How long the centre waits for a ward's answer to `pipe.open` / `pipe.close`, ms. */
const PIPE_REQUEST_TIMEOUT_MS = 5000;

export type RemoteCamera = CityCameraInfo;
export type RemoteWard = CityWardInfo;

/** Directory changes come in bursts (a ward's cameras at once): listeners are called once per burst. */
const CHANGE_COALESCE_MS = 100;

/** How often the centre publishes its heartbeat to the wards, ms. */
const CENTRE_HEARTBEAT_MS = 1000;

export interface CentreLink {
  directory: CentreDirectory;
  /** This SFU start's instance id (in the centre's heartbeat to the wards). */
  instance: string;
  nc: NatsConnection;
  /** The wards and their cameras, the ones `principal` may see (the `live` right on `<ward>/<camera>`). */
  wards(principal: Principal | null): RemoteWard[];
  /** Whether `remoteId` names a camera the directory knows. */
  has(remoteId: string): boolean;
  /**
   * A lease on the ward camera's pipe producer on `router` (opening the pipe on first use) for the
   * central viewer `principal`: the ward checks the centre's assertion and audits the viewer by name
   * (`watch`). Throws AppError (403 when the ward refuses the viewer).
   */
  acquire(remoteId: string, stream: StreamKind, router: types.Router, principal?: Principal | null): Promise<PipeLease>;
  /** Signs the centre's assertions (Ed25519 key under `<sfu.dataDir>`). */
  signer: CentreSigner;
  /** The centre's public key, `ed25519:…`: what a ward pins in `city.centreKey`. */
  publicKey: string;
  /** Pipes open now (including lingering ones), over every centre router. */
  pipeCount(): number;
  /** Calls `fn` after the directory changed (a ward online/offline/removed, a camera added/changed/removed). */
  onChanged(fn: () => void): void;
  /** The wards' alerts and urgent bookmarks (NATS subjects). */
  events: CentreEventsIn;
  /** Calls `fn` for every change of a ward's alert. */
  onAlert(fn: (alert: CityAlertInfo) => void): void;
  /** Calls `fn` when a bookmark becomes urgent at a ward. */
  onUrgent(fn: (urgent: CityUrgentInfo) => void): void;
  close(): Promise<void>;
}

function remoteCamera(ward: string, c: DirectoryCamera): RemoteCamera {
  return { remoteId: `${ward}/${c.id}`, ward, id: c.id, name: c.name, state: c.state, reason: c.reason, position: c.position, since: c.since, linkDown: c.linkDown };
}

export async function installCentreLink(deps: { config: Readonly<Config>; router: Router; access: AccessPolicy; log: Logger; audit?: AuditLog | null; wardGoneMs?: number }): Promise<CentreLink> {
  const { config, log } = deps;
  const instance = newInstanceId();
  // Stable across this SFU's restarts: a ward that hears a new instance of this node drops the old one's pipes.
  const node = `${hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100)}:${config.sfu.port}`;
  const wardGoneMs = deps.wardGoneMs ?? CENTRE_GONE_MS;
  const city = config.city;
  if (city.role !== 'centre') throw new Error('installCentreLink: city.role is not "centre"');
  const key = loadOrCreateCentreKey(config.sfu.dataDir);
  log.info({ publicKey: key.publicText }, "city: the centre's assertion key (a ward pins it in city.centreKey)");
  const password = readCityPassword(city.nats.passwordFile);
  const nc = await connectNats({ server: city.nats.url.replace(/^nats:\/\//, ''), user: city.nats.user, password, name: 'wardwall-sfu centre' });
  const directory = new CentreDirectory({ nc, log: log.child({ part: 'city-directory' }) });
  try {
    await directory.start();
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw e;
  }
  const listeners: (() => void)[] = [];
  let burst: NodeJS.Timeout | null = null;
  directory.on('change', (c) => {
    if (c.kind === 'ward-online' || c.kind === 'ward-offline' || c.kind === 'ward-removed' || c.kind === 'ward-restarted') log.info({ ward: c.ward, change: c.kind }, 'city: ward presence changed');
    burst ??= setTimeout(() => {
      burst = null;
      for (const fn of listeners) fn();
    }, CHANGE_COALESCE_MS);
  });
  const access = deps.access ?? OPEN_ACCESS;
  const camerasOf = (ward: string): string[] => directory.view().find((w) => w.ward === ward)?.cameras.map((c) => c.id) ?? [];
  const signer = centreSigner(key.privateKey, access, camerasOf);
  // The viewer a pipe is being opened for (`<ward>/<camera>/<stream>` → principal): its assertion goes with `pipe.open`.
  const opening = new Map<string, Principal>();
  const requester: WardRequester = {
    open: (ward, req) => {
      const p = opening.get(`${ward}/${req.cameraId}/${req.stream}`);
      const assertion = p ? signer.sign(p, ward, watchUse(req.cameraId, req.stream)) : undefined;
      return requestWard(nc, ward, 'pipe.open', { ...req, ...(assertion ? { assertion } : {}) }, PIPE_REQUEST_TIMEOUT_MS);
    },
    close: (ward, req) => requestWard(nc, ward, 'pipe.close', req, PIPE_REQUEST_TIMEOUT_MS),
  };
  // One CentrePipes per centre router: a viewer consumes on its transport's router.
  const pipesByRouter = new Map<string, CentrePipes>();
  const pipesOf = (router: types.Router): CentrePipes => {
    let p = pipesByRouter.get(router.id);
    if (!p) {
      p = new CentrePipes({
        router,
        listen: { ip: city.pipeIp, ...(city.pipeAnnouncedAddress ? { announcedAddress: city.pipeAnnouncedAddress } : {}) },
        requester,
        lingerMs: city.lingerMs,
        requestTimeoutMs: PIPE_REQUEST_TIMEOUT_MS + 500,
        centreInstance: instance,
        log: log.child({ part: 'city-pipes' }),
      });
      pipesByRouter.set(router.id, p);
      const created = p;
      router.observer.once('close', () => pipesByRouter.get(router.id) === created && pipesByRouter.delete(router.id));
    }
    return p;
  };
  const find = (remoteId: string): { ward: string; camera: string; online: boolean; found: RemoteCamera | null } | null => {
    const id = parseRemoteCameraId(remoteId);
    if (!id) return null;
    const w = directory.view().find((x) => x.ward === id.ward);
    const c = w?.cameras.find((x) => x.id === id.camera);
    return { ...id, online: w?.online ?? false, found: c ? remoteCamera(id.ward, c) : null };
  };
  const wards = (principal: Principal | null): RemoteWard[] =>
    directory.view().map((w) => ({
      ward: w.ward,
      name: w.name,
      online: w.online,
      since: w.since,
      cameras: w.cameras
        .map((c) => remoteCamera(w.ward, c))
        .filter((c) => canSeeCamera(deps.access ?? OPEN_ACCESS, principal, c.remoteId))
        .map((c) => ({ ...c, rights: CAMERA_RIGHTS.filter((p) => (deps.access ?? OPEN_ACCESS).can(principal, p, c.remoteId)) })),
    }));
  // A ward closed a pipe by itself (its camera's producer went away): close the centre's half.
  const closedSub = nc.subscribe(wardEventSubject('*', 'pipe.closed'), {
    callback: (err, msg) => {
      if (err) return;
      const ward = msg.subject.split('.')[1] ?? '';
      const event = decodeJson(msg.data, PipeClosedEventSchema);
      if (!WARD_ID.test(ward) || !event) return;
      for (const p of pipesByRouter.values()) if (p.dropPipe(ward, event.pipeId)) log.info({ ward, pipeId: event.pipeId, why: event.why }, 'city: the ward closed a pipe');
    },
  });
  const alertListeners: ((a: CityAlertInfo) => void)[] = [];
  const urgentListeners: ((u: CityUrgentInfo) => void)[] = [];
  const events = installCentreEvents({
    nc,
    directory,
    log: log.child({ part: 'city-events' }),
    onAlert: (a) => alertListeners.forEach((fn) => fn(a)),
    onUrgent: (u) => urgentListeners.forEach((fn) => fn(u)),
  });
  deps.router.add({
    method: 'GET',
    path: '/api/city/alerts',
    access: 'session',
    doc: { summary: "City centre: the wards' open and acknowledged camera health alerts the caller may see (`live` on `<ward>/<camera>`), oldest first." },
    handle: ({ principal }) => ({ alerts: events.alerts().filter((a) => canSeeCamera(deps.access ?? OPEN_ACCESS, (principal as Principal | undefined) ?? null, a.remoteId)) }),
  });
  // A ward's SFU restarted (a new instance in its record): its pipes are gone, drop our halves so the
  // viewers' tiles consume again. A ward offline as long as a ward waits before dropping the centre's
  // pipes (CENTRE_GONE_MS): the ward has dropped them, so drop ours too.
  const offlineTimers = new Map<string, NodeJS.Timeout>();
  const dropWard = (ward: string, why: string) => {
    let n = 0;
    for (const p of pipesByRouter.values()) n += p.dropWard(ward, why);
    if (n > 0) log.info({ ward, pipes: n, why }, 'city: pipes of the ward dropped');
  };
  directory.on('change', (c) => {
    if (c.kind === 'ward-restarted') dropWard(c.ward, 'the ward restarted');
    if (c.kind === 'ward-offline' && !offlineTimers.has(c.ward)) {
      const t = setTimeout(() => {
        offlineTimers.delete(c.ward);
        if (directory.view().find((w) => w.ward === c.ward)?.online === false) dropWard(c.ward, 'the ward offline too long');
      }, wardGoneMs);
      t.unref();
      offlineTimers.set(c.ward, t);
    }
    if (c.kind === 'ward-online' || c.kind === 'ward-removed') {
      clearTimeout(offlineTimers.get(c.ward));
      offlineTimers.delete(c.ward);
      if (c.kind === 'ward-removed') dropWard(c.ward, 'the ward left');
    }
  });
  const heartbeat = () => {
    const hb: CentreHeartbeat = { instance, node, at: Date.now(), heartbeatMs: CENTRE_HEARTBEAT_MS };
    nc.publish(CENTRE_HEARTBEAT_SUBJECT, encodeJson(hb));
  };
  heartbeat();
  const heartbeatTimer = setInterval(heartbeat, CENTRE_HEARTBEAT_MS);
  heartbeatTimer.unref();
  deps.router.add({
    method: 'GET',
    path: '/api/city/cameras',
    access: 'session',
    doc: { summary: "City centre: the wards (online or not) and their cameras with live state; a camera's `remoteId` is what `consume` takes." },
    handle: ({ principal }) => ({ wards: wards((principal as Principal | undefined) ?? null) }),
  });
  deps.router.add(
    ...centreRecordingRoutes({
      config,
      policy: access,
      signer,
      publishedUrl: (ward) => directory.wardHttpUrl(ward),
      online: (ward) => directory.view().some((w) => w.ward === ward && w.online),
      camerasOf,
      audit: deps.audit ?? null,
      log: log.child({ part: 'city-recordings' }),
    }),
  );
  const ANONYMOUS: Principal = { userId: 'local', name: 'local', username: 'local', role: 'admin', sessionId: null };
  log.info({ nats: city.nats.url }, 'city: centre link started');
  log.info({ nats: city.nats.url, instance }, 'city: centre link started');
  return {
    directory,
    instance,
    nc,
    wards,
    has: (remoteId) => find(remoteId)?.found != null,
    signer,
    publicKey: key.publicText,
    async acquire(remoteId, stream, router, principal) {
      const f = find(remoteId);
      if (!f?.found) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera ${remoteId.slice(0, 100)}`, 404);
      if (!f.online) throw new AppError(ErrorCode.CAMERA_OFFLINE, `ward ${f.ward} is offline`);
      const viewer = principal ?? ANONYMOUS;
      const slot = `${f.ward}/${f.camera}/${stream}`;
      if (!opening.has(slot)) opening.set(slot, viewer);
      // Each central viewer is checked and audited by the ward (`watch`), also on a pipe that is open already.
      const watching = requestWard(nc, f.ward, 'watch', { cameraId: f.camera, stream, assertion: signer.sign(viewer, f.ward, watchUse(f.camera, stream)) }, PIPE_REQUEST_TIMEOUT_MS);
      const leasing = pipesOf(router).acquire(f.ward, f.camera, stream);
      const [w, l] = await Promise.allSettled([watching, leasing]);
      if (opening.get(slot) === viewer) opening.delete(slot);
      const refusedBy = w.status === 'fulfilled' && 'refused' in w.value ? w.value.refused : null;
      if (w.status === 'rejected' || refusedBy) {
        if (l.status === 'fulfilled') l.value.release();
        if (refusedBy) throw new AppError(ErrorCode.FORBIDDEN, `ward ${f.ward} refused: ${refusedBy.message.slice(0, 150)}`, 403);
        throw new AppError(ErrorCode.CAMERA_OFFLINE, `camera ${remoteId} is not available: ${((w as PromiseRejectedResult).reason as Error).message.slice(0, 150)}`);
      }
      if (l.status === 'fulfilled') {
        // The viewer's end of watching reaches the ward's trail too (`unwatch` → `live_stop`).
        const lease = l.value;
        let released = false;
        return {
          producer: lease.producer,
          pipeId: lease.pipeId,
          release() {
            if (released) return;
            released = true;
            lease.release();
            const body = { cameraId: f.camera, stream, assertion: signer.sign(viewer, f.ward, unwatchUse(f.camera, stream)) };
            requestWard(nc, f.ward, 'unwatch', body, PIPE_REQUEST_TIMEOUT_MS).catch((e: Error) => log.warn({ ward: f.ward, camera: f.camera, err: e.message }, 'city: the end of a central viewer not told to the ward'));
          },
        };
      }
      const e = l.reason as Error;
      if (e instanceof PipeLinkError && e.code === 'PIPE_UNKNOWN_CAMERA') throw new AppError(ErrorCode.UNKNOWN_STREAM, `camera ${remoteId} has no ${stream} stream`, 404);
      if (e instanceof PipeLinkError && e.code === 'PIPE_FORBIDDEN') throw new AppError(ErrorCode.FORBIDDEN, `ward ${f.ward} refused: ${e.message.slice(0, 150)}`, 403);
      throw new AppError(ErrorCode.CAMERA_OFFLINE, `camera ${remoteId} is not available: ${e.message.slice(0, 150)}`);
    },
    pipeCount: () => [...pipesByRouter.values()].reduce((n, p) => n + p.size, 0),
    onChanged: (fn) => void listeners.push(fn),
    events,
    onAlert: (fn) => void alertListeners.push(fn),
    onUrgent: (fn) => void urgentListeners.push(fn),
    async close() {
      if (burst) clearTimeout(burst);
      events.close();
      clearInterval(heartbeatTimer);
      for (const t of offlineTimers.values()) clearTimeout(t);
      closedSub.unsubscribe();
      listeners.length = 0;
      await Promise.all([...pipesByRouter.values()].map((p) => p.closeAll()));
      await directory.stop();
      await nc.close().catch(() => undefined);
    },
  };
}
