/**
 * Camera health, wired into the SFU: the monitor's fault changes become alerts in SQLite, each
 * alert change is pushed to the sessions allowed to see the camera ('live' on it) and, when
 * configured, to the webhook. Signaling messages and REST routes list open alerts, acknowledge
 * one (kept with who and when) and fetch a camera's history. Each camera's learned reference still
 * is kept in SQLite across restarts; an operator may accept a camera's current view as its new
 * reference (`POST /api/cameras/:id/health/relearn`, audited).
 */
import type { Logger } from 'pino';
import { AppError, ErrorCode, absoluteLink, reviewLinkPath, type HealthAlert, type HealthConfig, type HealthKind, type ServerMessage } from '@wardwall/common';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { AppDb } from '@wardwall/server-kit';
import type { AccessPolicy, Principal } from '@wardwall/accounts';
import { z } from 'zod';
import { issueField, readBody, readJsonBody, type Route, type Router } from '@wardwall/server-kit';
import type { SignalingServer } from '../signaling/ws-server.js';
import type { Session } from '../signaling/session.js';
import { AlertStore } from './alert-store.js';
import { HealthMonitor, type FaultChange } from './health-monitor.js';
import { ReferenceStore } from './reference-store.js';
import { WebhookSender } from './webhook.js';

export interface HealthDeps {
  db: AppDb;
  cameras: CameraRegistry;
  router: Router;
  signaling: SignalingServer;
  access: AccessPolicy;
  config: HealthConfig;
  log: Logger;
  /** Called once per acknowledgement (the audit trail hooks in here: `audit.append(...)`). */
  onAcknowledged?: (alert: HealthAlert, by: Principal) => void;
  /** Called when an alert opens (display rules push the camera to a chosen display). */
  onOpened?: (alert: HealthAlert) => void;
  /** Called for every change of an alert (opened, acknowledged, closed) after it was pushed (the city ward link publishes it). */
  onChanged?: (alert: HealthAlert) => void;
  /** Called once per accepted view (re-learn) of a camera (the audit trail hooks in here). */
  onRelearn?: (cameraId: string, by: Principal) => void;
  /** `sfu.publicUrl`: alert links are absolute from it; null = a path (webhooks also get `linkPath`). */
  publicUrl?: string | null;
  now?: () => number;
}

export interface Health {
  monitor: HealthMonitor | null;
  store: AlertStore;
  /** The saved reference stills (one per camera). */
  references: ReferenceStore;
  webhook: WebhookSender | null;
  /** Acknowledges an open alert for `principal`; AppError NOT_FOUND / FORBIDDEN / CONFLICT. */
  acknowledge(alertId: number, principal: Principal | null): HealthAlert;
  /** Accepts the camera's current view as its reference; AppError UNKNOWN_CAMERA / FORBIDDEN / HEALTH_DISABLED. */
  relearn(cameraId: string, principal: Principal | null): RelearnResult;
  close(): void;
}

/** What `relearn` did: the alerts it closed (the faults judged against the old reference). */
export interface RelearnResult {
  cameraId: string;
  closed: HealthKind[];
}

const DAY_MS = 86400000;

export function installHealth(deps: HealthDeps): Health {
  const { db, cameras, router, signaling, access, config, log } = deps;
  const now = deps.now ?? Date.now;
  const store = new AlertStore(db);
  const references = new ReferenceStore(db, log);
  const webhook = config.webhook.url ? new WebhookSender({ ...config.webhook, url: config.webhook.url, log }) : null;
  const cameraName = (id: string): string => cameras.info().find((c) => c.id === id)?.name ?? id;

  const publicUrl = deps.publicUrl ?? null;
  /** The alert with a link to its camera's review at the alert's time. */
  const withLink = (alert: HealthAlert): HealthAlert => {
    const path = reviewLinkPath(alert.cameraId, alert.openedAt);
    return { ...alert, link: absoluteLink(publicUrl, path) ?? path };
  };

  const publish = (stored: HealthAlert): void => {
    const alert = withLink(stored);
    const msg: ServerMessage = { type: 'alert', alert };
    signaling.broadcast(msg, (s: Session) => access.can(s.principal, 'live', alert.cameraId));
    const linkPath = reviewLinkPath(alert.cameraId, alert.openedAt);
    webhook?.send({ event: 'alert', alert, cameraName: cameraName(alert.cameraId), link: absoluteLink(publicUrl, linkPath), linkPath });
    try {
      deps.onChanged?.(stored);
    } catch (e) {
      log.error({ err: e }, 'onChanged hook failed');
    }
  };

  const onChange = (change: FaultChange): void => {
    const at = now();
    for (const { kind, detail } of change.opened) {
      const { alert, created } = store.open(change.cameraId, kind, detail, at);
      if (created) {
        log.warn({ camera: change.cameraId, kind, alert: alert.id, detail }, 'camera health alert opened');
        publish(alert);
        try {
          deps.onOpened?.(alert);
        } catch (e) {
          log.error({ err: e }, 'onOpened hook failed');
        }
      }
    }
    for (const kind of change.closed) {
      const alert = store.close(change.cameraId, kind, at);
      if (alert) {
        log.info({ camera: change.cameraId, kind, alert: alert.id }, 'camera health alert closed: camera recovered');
        publish(alert);
      }
    }
  };

  // Alerts left open by a previous run: those of cameras that are gone are closed now; the others
  // stay open until the monitor has had time to see the fault again (settleMs).
  const restored: { cameraId: string; kind: HealthKind }[] = [];
  for (const a of store.unclosed()) {
    if (config.enabled && cameras.has(a.cameraId)) restored.push({ cameraId: a.cameraId, kind: a.kind });
    else store.close(a.cameraId, a.kind, now()); // camera gone, or checks switched off: nobody would close it
  }
  const monitor = config.enabled ? new HealthMonitor({ cameras, config, log, restored, onChange, references }) : null;

  const visible = (principal: Principal | null) => (a: HealthAlert) => access.can(principal, 'live', a.cameraId);

  const acknowledge = (alertId: number, principal: Principal | null): HealthAlert => {
    const existing = store.get(alertId);
    if (!existing) throw new AppError(ErrorCode.NOT_FOUND, `alertId: no alert ${alertId}`, 404);
    const who = access.require(principal, 'live', existing.cameraId);
    const { alert, changed } = store.acknowledge(alertId, who, now());
    if (!changed || !alert) {
      const why = existing.state === 'closed' ? 'is already closed (the camera recovered)' : `was already acknowledged by ${existing.ackedBy ?? '?'}`;
      throw new AppError(ErrorCode.CONFLICT, `alertId: alert ${alertId} ${why}`, 409);
    }
    log.info({ alert: alert.id, camera: alert.cameraId, kind: alert.kind, by: who.userId }, 'camera health alert acknowledged');
    try {
      deps.onAcknowledged?.(alert, who);
    } catch (e) {
      log.error({ err: e }, 'onAcknowledged hook failed');
    }
    publish(alert);
    return alert;
  };

  const relearn = (cameraId: string, principal: Principal | null): RelearnResult => {
    if (!cameras.has(cameraId)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `cameraId: unknown camera ${cameraId.slice(0, 64)}`, 404);
    // Accepting a new view ends a vandalism alert for good, so it takes more than seeing the camera:
    // 'live' on it (the operator sees what is accepted) and the system right 'control' (operators,
    // commanders, admins; not viewers). The route table can declare one permission only: it declares
    // the camera-scoped one, and this checks both (also for callers that do not come through a route).
    access.require(principal, 'live', cameraId);
    const who = access.require(principal, 'control');
    if (!monitor) throw new AppError(ErrorCode.HEALTH_DISABLED, 'sfu.health.enabled: camera health checks are switched off', 409);
    const closed = monitor.relearn(cameraId) ?? [];
    log.info({ camera: cameraId, by: who.userId, closed }, 'camera health reference dropped: learning the current view');
    try {
      deps.onRelearn?.(cameraId, who);
    } catch (e) {
      log.error({ err: e }, 'onRelearn hook failed');
    }
    return { cameraId, closed };
  };

  const history = (principal: Principal | null, cameraId: string, from: number | undefined, to: number | undefined, limit: number | undefined): HealthAlert[] => {
    if (!cameras.has(cameraId)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `cameraId: unknown camera ${cameraId}`, 404);
    access.require(principal, 'live', cameraId);
    const end = to ?? now() + 1;
    const start = from ?? end - 7 * DAY_MS;
    if (start >= end) throw new AppError(ErrorCode.BAD_TIME_RANGE, 'from: must be before to');
    return store.history(cameraId, start, end, limit ?? 200).map(withLink);
  };

  signaling.handle('alertsList', (_ctx, session) => ({ alerts: store.unclosed().filter(visible(session.principal)).map(withLink) }));
  signaling.handle('alertAck', (_ctx, session, msg) => ({ alert: withLink(acknowledge(msg.alertId, session.principal)) }));
  signaling.handle('alertHistory', (_ctx, session, msg) => ({ alerts: history(session.principal, msg.cameraId, msg.from, msg.to, msg.limit) }), { permission: 'live', camera: 'cameraId' });
  router.add(...healthRoutes({ list: (p) => store.unclosed().filter(visible(p)).map(withLink), acknowledge: (id, p) => withLink(acknowledge(id, p)), history, relearn }));

  return {
    monitor,
    store,
    references,
    webhook,
    acknowledge,
    relearn,
    close() {
      monitor?.close();
      webhook?.close();
    },
  };
}

interface RouteOps {
  list(principal: Principal | null): HealthAlert[];
  acknowledge(alertId: number, principal: Principal | null): HealthAlert;
  history(principal: Principal | null, cameraId: string, from: number | undefined, to: number | undefined, limit: number | undefined): HealthAlert[];
  relearn(cameraId: string, principal: Principal | null): RelearnResult;
}

/** The relearn body: `{}` (JSON, so a cross-site form cannot send it); nothing else is accepted. */
const relearnBodySchema = z.object({}).strict();

function principalOf(ctx: { principal?: unknown }): Principal | null {
  return (ctx.principal as Principal | undefined) ?? null;
}

/** Parses an optional integer query parameter, naming it when it is bad. */
function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new AppError(ErrorCode.BAD_REQUEST, `${name}: must be an integer in [${min}, ${max}]`);
  return v;
}

function healthRoutes(ops: RouteOps): Route[] {
  return [
    { method: 'GET', path: '/api/alerts', access: 'session', handle: (ctx) => ({ alerts: ops.list(principalOf(ctx)) }) },
    {
      method: 'POST',
      path: /^\/api\/alerts\/(?<id>\d{1,15})\/ack$/,
      access: 'session',
      doc: { summary: 'Acknowledge an alert (body: any JSON, {}).' },
      handle: async (ctx) => {
        // A JSON body ({}) is required: a cross-site form cannot send application/json.
        await readJsonBody(ctx.req, 1024);
        return { alert: ops.acknowledge(Number(ctx.params.id), principalOf(ctx)) };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/alerts$/,
      access: { permission: 'live', camera: 'id' },
      handle: (ctx) =>
        ({
          alerts: ops.history(principalOf(ctx), ctx.params.id!, intParam(ctx.url, 'from', 0, 8.64e15), intParam(ctx.url, 'to', 0, 8.64e15), intParam(ctx.url, 'limit', 1, 1000)),
        }),
    },
    {
      method: 'POST',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/health\/relearn$/,
      // Camera-scoped part of the rule; the handler also requires 'control' (see relearn).
      access: { permission: 'live', camera: 'id' },
      doc: { summary: "Forget the camera's learned reference picture and rates (needs `control` too).", body: relearnBodySchema },
      handle: async (ctx) => {
        await readBody(ctx.req, relearnBodySchema, {
          limit: 1024,
          error: (issue) => new AppError(ErrorCode.BAD_REQUEST, `${issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issueField(issue, '(body)')}: not accepted (the body is {})`),
        });
        return ops.relearn(ctx.params.id!, principalOf(ctx));
      },
    },
  ];
}
