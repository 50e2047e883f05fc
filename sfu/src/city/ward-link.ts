/**
 * City mode, ward side (docs/city.md): the SFU of a ward box connects to its own NATS leaf node,
 * publishes the station's cameras and their live state through `WardRegistry` (the centre's
 * directory), and answers the centre's `pipe.open` / `pipe.close` with `WardPipes` on the camera
 * producers of the `CameraRegistry`. Installed by app.ts only when `city.role` is 'ward'.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { CameraInfo, Config, HealthAlert } from '@wardwall/common';
import { AppError } from '@wardwall/common';
import type { AuditLog } from '@wardwall/accounts';
import { CENTRE_GONE_MS, CENTRE_HEARTBEAT_SUBJECT, centreHeartbeatSchema, CentrePresence, connectNats, decodeJson, encodeJson, newInstanceId, wardAlertOf, wardEventSubject, WardRegistry, type PipeClosedEvent, type PipeOpenRequest, type WardCamera, type WatchReply, type WatchRequest } from '@wardwall/city';
import type { WardCentralAccess } from './ward-central.js';
import type { CameraRegistry } from '../media/camera-registry.js';
import { PipeLinkError, registrySource, WardPipes } from './pipe-link.js';
import { readCityPassword } from './password-file.js';
import { wardEventsOut, type WardEventsOut } from './ward-events-out.js';

export interface WardLink {
  registry: WardRegistry;
  /** Central users: the centre's assertions checked with the pinned key. */
  central: WardCentralAccess;
  /** This SFU start's instance id (in the ward's heartbeat record). */
  instance: string;
  /** The centre SFUs as the ward hears them (their live instances). */
  centre: CentrePresence;
  pipes: WardPipes;
  nc: NatsConnection;
  /** The ward's alerts and urgent bookmarks, published for the centre. */
  events: WardEventsOut;
  /** The ward's open and acknowledged alerts, for the centre's `alerts.list` (set once health is installed). */
  openAlerts: (() => HealthAlert[]) | null;
  close(): Promise<void>;
}

/** What the ward publishes of a station camera: id, name, the main stream's state, map position. */
export function wardCameraOf(c: CameraInfo): WardCamera {
  const s = c.streams.main;
  return { id: c.id, name: c.name, state: s.state, reason: s.reason, since: s.since, position: c.position };
}

/** A pipe refusal travels as a normal reply so that its PIPE_* code reaches the centre. */
async function pipeReply<T>(fn: () => Promise<T>): Promise<T | { error: { code: PipeLinkError['code']; message: string } }> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PipeLinkError) return { error: e.toBody() };
    throw e;
  }
}

/** What a `watch` or `pipe.open` is signed for: the camera and stream watched. */
export const watchUse = (cameraId: string, stream: string): string => `watch ${cameraId} ${stream}`;
/** What an `unwatch` is signed for. */
export const unwatchUse = (cameraId: string, stream: string): string => `unwatch ${cameraId} ${stream}`;

/**
 * A central viewer starts watching (`watch`, one per viewer even on a shared pipe): the assertion
 * checked (user, this ward, this camera and stream, `live`), then `live_start` audited under
 * `centre:<user>`; `unwatch` (`stop`): `live_stop`. A refusal is a reply with the HTTP-like
 * status, not a thrown error.
 */
export function answerWatch(central: WardCentralAccess, audit: AuditLog | null, body: WatchRequest, stop = false): WatchReply {
  try {
    const u = central.check(body.assertion, (stop ? unwatchUse : watchUse)(body.cameraId, body.stream));
    // Stopping needs no right (the right may have been taken away meanwhile): only a valid assertion.
    if (!stop) central.requireCamera(u, 'live', body.cameraId);
    audit?.record(u.name, stop ? 'live_stop' : 'live_start', body.cameraId, { stream: body.stream, via: 'centre', ...(u.claims ? { displayName: u.claims.name } : {}) });
    return { watching: true };
  } catch (e) {
    if (e instanceof AppError && (e.status === 401 || e.status === 403)) return { refused: { status: e.status, code: e.code, message: e.message.slice(0, 300) } };
    throw e;
  }
}

export async function installWardLink(deps: { config: Readonly<Config>; cameras: CameraRegistry; log: Logger; central: WardCentralAccess; audit?: AuditLog | null; centreGoneMs?: number }): Promise<WardLink> {
  const { config, cameras, log, central } = deps;
  const instance = newInstanceId();
  const city = config.city;
  if (city.role !== 'ward' || !city.ward) throw new Error('installWardLink: city.role is not "ward"');
  const ward = city.ward;
  const password = readCityPassword(city.nats.passwordFile);
  const nc = await connectNats({ server: city.nats.url.replace(/^nats:\/\//, ''), user: city.nats.user, password, name: `wardwall-sfu ward ${ward.id}` });
  const pipes = new WardPipes({
    listen: { ip: city.pipeIp, ...(city.pipeAnnouncedAddress ? { announcedAddress: city.pipeAnnouncedAddress } : {}) },
    source: registrySource(cameras),
    log: log.child({ part: 'city-pipes' }),
    // The centre closes its half at once (its viewers see the consumer close and may consume again).
    onDropped: (pipeId, why) => {
      const event: PipeClosedEvent = { pipeId, why: why.slice(0, 200) };
      nc.publish(wardEventSubject(ward.id, 'pipe.closed'), encodeJson(event));
    },
  });
  // A pipe is opened only for a central user with `live` on the camera (the assertion of the viewer who asked first).
  const checkedOpen = (body: PipeOpenRequest): PipeOpenRequest => {
    try {
      const u = central.check(body.assertion, watchUse(body.cameraId, body.stream));
      central.requireCamera(u, 'live', body.cameraId);
    } catch (e) {
      if (e instanceof AppError) throw new PipeLinkError('PIPE_FORBIDDEN', e.message);
      throw e;
    }
    const { assertion: _a, ...open } = body;
    return open;
  };
  const registry = new WardRegistry({
    nc,
    ward: ward.id,
    name: ward.name,
    heartbeatMs: city.heartbeatMs,
    httpUrl: city.httpUrl,
    instance,
    log: log.child({ part: 'city-registry' }),
    handlers: {
      'pipe.open': (body) => pipeReply(() => pipes.open(checkedOpen(body))),
      watch: (body) => answerWatch(central, deps.audit ?? null, body),
      unwatch: (body) => answerWatch(central, deps.audit ?? null, body, true),
      'pipe.close': (body) => pipeReply(() => pipes.close(body)),
      'alerts.list': () => ({ alerts: (link.openAlerts?.() ?? []).map(wardAlertOf) }),
    },
  });
  const publishAll = () => {
    try {
      registry.setCameras(cameras.info().map(wardCameraOf));
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'city: camera list not published');
    }
  };
  const statusListener = (cameraId: string, kind: string, status: { state: WardCamera['state']; reason: WardCamera['reason']; since: number }) => {
    if (kind !== 'main') return;
    try {
      registry.setCameraState(cameraId, status.state, status.reason, status.since);
    } catch (e) {
      log.warn({ camera: cameraId, err: (e as Error).message }, 'city: camera state not published');
    }
  };
  cameras.on('changed', publishAll);
  cameras.on('status', statusListener);
  publishAll();
  // The centre's heartbeat: a new centre instance or a long silence leaves the ward's pipes orphaned.
  const centre = new CentrePresence(deps.centreGoneMs ?? CENTRE_GONE_MS);
  const dropOrphans = (dead: string[], why: string) => {
    if (dead.length === 0) return;
    void pipes.dropCentreInstances(dead, why).then((n) => n > 0 && log.info({ pipes: n, why }, 'city: pipes of a centre instance dropped'));
  };
  const centreSub = nc.subscribe(CENTRE_HEARTBEAT_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      const hb = decodeJson(msg.data, centreHeartbeatSchema);
      if (hb) dropOrphans(centre.heartbeat(hb, Date.now()), `centre ${hb.node} restarted`);
    },
  });
  const centreTimer = setInterval(() => dropOrphans(centre.tick(Date.now()), 'no heartbeat from the centre'), 1000);
  centreTimer.unref();
  registry.start();
  log.info({ ward: ward.id, nats: city.nats.url, instance }, 'city: ward link started');
  const link: WardLink = {
    registry,
    central,
    instance,
    centre,
    pipes,
    nc,
    events: wardEventsOut(nc, ward.id, log.child({ part: 'city-events' })),
    openAlerts: null,
    async close() {
      clearInterval(centreTimer);
      centreSub.unsubscribe();
      cameras.off('changed', publishAll);
      cameras.off('status', statusListener);
      await registry.stop();
      pipes.closeAll();
      await nc.close().catch(() => undefined);
    },
  };
  return link;
}
