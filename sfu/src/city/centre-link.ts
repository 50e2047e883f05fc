/**
 * City mode, command-centre side (docs/city.md): the centre's SFU connects to the hub, keeps the
 * city directory (`CentreDirectory`: wards online/offline, their cameras with live state) and lends
 * central viewers a ward camera's stream through `CentrePipes` (one pipe per camera stream and
 * centre router, leased per viewer, closed after a linger). A ward camera is named `<ward>/<camera>`
 * at the centre (REMOTE_CAMERA_ID in common): never a station camera id, which has no '/'.
 * Installed by app.ts only when `city.role` is 'centre'.
 */
import type { NatsConnection } from 'nats';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError, ErrorCode, parseRemoteCameraId, type CityAlertInfo, type CityUrgentInfo, type CityCameraInfo, type CityWardInfo, type Config, type StreamKind } from '@wardwall/common';
import { CentreDirectory, connectNats, decodeJson, PipeClosedEventSchema, requestWard, wardEventSubject, WARD_ID, type DirectoryCamera } from '@wardwall/city';
import { canSeeCamera, OPEN_ACCESS, type AccessPolicy, type Principal } from '@wardwall/accounts';
import type { Router } from '@wardwall/server-kit';
import { CentrePipes, PipeLinkError, type PipeLease, type WardRequester } from './pipe-link.js';
import { readCityPassword } from './password-file.js';
import { installCentreEvents, type CentreEventsIn } from './centre-events-in.js';

/** How long the centre waits for a ward's answer to `pipe.open` / `pipe.close`, ms. */
const PIPE_REQUEST_TIMEOUT_MS = 5000;

export type RemoteCamera = CityCameraInfo;
export type RemoteWard = CityWardInfo;

/** Directory changes come in bursts (a ward's cameras at once): listeners are called once per burst. */
const CHANGE_COALESCE_MS = 100;

export interface CentreLink {
  directory: CentreDirectory;
  nc: NatsConnection;
  /** The wards and their cameras, the ones `principal` may see (the `live` right on `<ward>/<camera>`). */
  wards(principal: Principal | null): RemoteWard[];
  /** Whether `remoteId` names a camera the directory knows. */
  has(remoteId: string): boolean;
  /** A lease on the ward camera's pipe producer on `router` (opening the pipe on first use). Throws AppError. */
  acquire(remoteId: string, stream: StreamKind, router: types.Router): Promise<PipeLease>;
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

export async function installCentreLink(deps: { config: Readonly<Config>; router: Router; access: AccessPolicy; log: Logger }): Promise<CentreLink> {
  const { config, log } = deps;
  const city = config.city;
  if (city.role !== 'centre') throw new Error('installCentreLink: city.role is not "centre"');
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
    if (c.kind === 'ward-online' || c.kind === 'ward-offline' || c.kind === 'ward-removed') log.info({ ward: c.ward, change: c.kind }, 'city: ward presence changed');
    burst ??= setTimeout(() => {
      burst = null;
      for (const fn of listeners) fn();
    }, CHANGE_COALESCE_MS);
  });
  const requester: WardRequester = {
    open: (ward, req) => requestWard(nc, ward, 'pipe.open', req, PIPE_REQUEST_TIMEOUT_MS),
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
      cameras: w.cameras.map((c) => remoteCamera(w.ward, c)).filter((c) => canSeeCamera(deps.access ?? OPEN_ACCESS, principal, c.remoteId)),
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
  deps.router.add({
    method: 'GET',
    path: '/api/city/cameras',
    access: 'session',
    doc: { summary: "City centre: the wards (online or not) and their cameras with live state; a camera's `remoteId` is what `consume` takes." },
    handle: ({ principal }) => ({ wards: wards((principal as Principal | undefined) ?? null) }),
  });
  log.info({ nats: city.nats.url }, 'city: centre link started');
  return {
    directory,
    nc,
    wards,
    has: (remoteId) => find(remoteId)?.found != null,
    async acquire(remoteId, stream, router) {
      const f = find(remoteId);
      if (!f?.found) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `unknown camera ${remoteId.slice(0, 100)}`, 404);
      if (!f.online) throw new AppError(ErrorCode.CAMERA_OFFLINE, `ward ${f.ward} is offline`);
      try {
        return await pipesOf(router).acquire(f.ward, f.camera, stream);
      } catch (e) {
        if (e instanceof PipeLinkError && e.code === 'PIPE_UNKNOWN_CAMERA') throw new AppError(ErrorCode.UNKNOWN_STREAM, `camera ${remoteId} has no ${stream} stream`, 404);
        throw new AppError(ErrorCode.CAMERA_OFFLINE, `camera ${remoteId} is not available: ${(e as Error).message.slice(0, 150)}`);
      }
    },
    pipeCount: () => [...pipesByRouter.values()].reduce((n, p) => n + p.size, 0),
    onChanged: (fn) => void listeners.push(fn),
    events,
    onAlert: (fn) => void alertListeners.push(fn),
    onUrgent: (fn) => void urgentListeners.push(fn),
    async close() {
      if (burst) clearTimeout(burst);
      events.close();
      closedSub.unsubscribe();
      listeners.length = 0;
      await Promise.all([...pipesByRouter.values()].map((p) => p.closeAll()));
      await directory.stop();
      await nc.close().catch(() => undefined);
    },
  };
}
