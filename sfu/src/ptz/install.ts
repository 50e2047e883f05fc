/**
 * Pan/tilt/zoom of ONVIF cameras (docs/ptz.md). Config: a camera's `onvif: {url, user, password,
 * profile?}`; browsers only learn `ptz: true` in the camera list. REST (JSON bodies):
 *   GET  /api/cameras/:id/ptz          {available, presets: [{token, name}], control}
 *   POST /api/cameras/:id/ptz/move     {pan, tilt, zoom}  velocities in [-1, 1]
 *   POST /api/cameras/:id/ptz/stop     {}
 *   POST /api/cameras/:id/ptz/preset   {preset}           a preset token
 * Rights: `live` on the camera (declared on the route) and the system right `control` (checked in
 * the handler: 403 FORBIDDEN without it). A move is a ContinuousMove with an ONVIF timeout and a
 * dead-man's stop: the wall renews it while the operator holds the drag or the key, and the camera
 * stops by itself if the renewals stop (a closed tab, a lost network). Commands of one camera go
 * out in order. Audited: `ptz_move` (when a movement starts, with its direction), `ptz_stop`,
 * `ptz_preset`.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, ErrorCode, describeUrl, type CameraConfig } from '@wardwall/common';
import type { AccessPolicy, Principal } from '@wardwall/accounts';
import { issueField, parseInput, readJsonBody, type Issue, type Route, type Router } from '@wardwall/server-kit';
import { OnvifClient, OnvifError, type PtzPreset, type Velocity } from './onvif-client.js';

export interface PtzDeps {
  /**
   * The cameras that run now (read at each request: a camera added, edited, disabled or removed in
   * the admin page, or added by ONVIF discovery with its PTZ account, takes effect at once).
   */
  cameras: () => readonly CameraConfig[];
  router: Router;
  access: AccessPolicy;
  log: Logger;
  onAction?: (principal: Principal, action: 'ptz_move' | 'ptz_stop' | 'ptz_preset', cameraId: string, detail: Record<string, unknown>) => void;
  /** Milliseconds a move lasts without a renewal (default 1000). */
  deadmanMs?: number;
  timeoutMs?: number;
}

export interface Ptz {
  close(): void;
}

const axis = z.number().min(-1).max(1);
const moveBody = z.object({ pan: axis.default(0), tilt: axis.default(0), zoom: axis.default(0) }).strict();
const stopBody = z.object({}).strict();
// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
const presetBody = z.object({ preset: z.string().min(1).max(64).regex(/^[^\u0000-\u001f<>&]*$/, 'no control characters or markup') }).strict();

interface CameraPtz {
  id: string;
  /** The ONVIF settings the client was made with (a changed account or address makes a new client). */
  key: string;
  host: string;
  client: OnvifClient;
  queue: Promise<unknown>;
  moving: boolean;
  deadman: NodeJS.Timeout | null;
}

/** The direction of a velocity, for the audit trail. Pure. */
export function directionOf(v: Velocity): string {
  const parts: string[] = [];
  if (v.tilt > 0.05) parts.push('up');
  if (v.tilt < -0.05) parts.push('down');
  if (v.pan < -0.05) parts.push('left');
  if (v.pan > 0.05) parts.push('right');
  if (v.zoom > 0.05) parts.push('zoom-in');
  if (v.zoom < -0.05) parts.push('zoom-out');
  return parts.join('+') || 'none';
}

/** A PTZ body's first issue: the unknown keys or the field, then zod's message. */
function ptzIssue(issue: Issue): AppError {
  const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issueField(issue, '(body)');
  return new AppError(ErrorCode.BAD_REQUEST, `${field}: ${issue.message}`);
}
const parse = <T>(schema: z.ZodType<T>, raw: unknown): T => parseInput(schema, raw, { error: ptzIssue });

export function installPtz(deps: PtzDeps): Ptz {
  const { access, log } = deps;
  const deadmanMs = deps.deadmanMs ?? 1000;
  const all = new Map<string, CameraPtz>();
  let closed = false;

  const unknown = (id: string) => new AppError(ErrorCode.UNKNOWN_CAMERA, `camera: unknown camera ${id.slice(0, 64)}`, 404);

  /** The PTZ of a running camera with ONVIF, null for one without; 404 for a camera that does not run. */
  const lookup = (id: string): CameraPtz | null => {
    const config = deps.cameras().find((c) => c.id === id);
    if (!config) throw unknown(id);
    const onvif = config.onvif;
    if (!onvif) return null;
    const key = JSON.stringify([onvif.url, onvif.user ?? null, onvif.password ?? null, onvif.profile ?? null]);
    const had = all.get(id);
    if (had?.key === key) return had;
    if (had?.deadman) clearTimeout(had.deadman);
    const cam: CameraPtz = {
      id,
      key,
      host: describeUrl(onvif.url),
      client: new OnvifClient({ url: onvif.url, user: onvif.user, password: onvif.password, profile: onvif.profile }, { timeoutMs: deps.timeoutMs ?? 4000 }),
      queue: Promise.resolve(),
      moving: false,
      deadman: null,
    };
    all.set(id, cam);
    return cam;
  };

  const camera = (id: string): CameraPtz => {
    const cam = lookup(id);
    if (cam) return cam;
    throw new AppError(ErrorCode.PTZ_UNAVAILABLE, 'this camera has no pan/tilt/zoom (no ONVIF configured)', 409);
  };

  /** Runs a camera command after the ones before it; camera errors become coded AppErrors. */
  const send = <T>(cam: CameraPtz, what: string, fn: () => Promise<T>): Promise<T> => {
    const run = cam.queue.then(fn, fn);
    cam.queue = run.catch(() => undefined);
    return run.catch((e: unknown) => {
      if (e instanceof OnvifError) {
        log.warn({ camera: cam.id, host: cam.host, op: what, kind: e.kind, err: e.message }, 'PTZ command failed');
        if (e.kind === 'no_ptz') throw new AppError(ErrorCode.PTZ_UNAVAILABLE, e.message, 409);
        throw new AppError(ErrorCode.PTZ_FAILED, e.kind === 'auth' ? 'the camera refused the ONVIF account' : e.message, 502);
      }
      throw e;
    });
  };

  const control = (principal: Principal | null, id: string): Principal => {
    access.require(principal, 'live', id);
    return access.require(principal, 'control');
  };

  // A move or a preset that cannot be audited is refused (the hook throws AUDIT_UNAVAILABLE); a stop
  // always goes through, since stopping a moving camera is the safe side.
  const audit = (p: Principal, action: 'ptz_move' | 'ptz_stop' | 'ptz_preset', id: string, detail: Record<string, unknown>) => {
    if (action !== 'ptz_stop') {
      deps.onAction?.(p, action, id, detail);
      return;
    }
    try {
      deps.onAction?.(p, action, id, detail);
    } catch (e) {
      log.error({ err: e }, 'PTZ stop not audited');
    }
  };

  const stopNow = (cam: CameraPtz): Promise<void> => {
    if (cam.deadman) clearTimeout(cam.deadman);
    cam.deadman = null;
    cam.moving = false;
    return send(cam, 'Stop', () => cam.client.stop());
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/ptz$/,
      access: { permission: 'live', camera: 'id' },
      doc: { summary: "The camera's PTZ presets and whether the caller may steer it." },
      handle: async (ctx) => {
        const p = (ctx.principal as Principal | undefined) ?? null;
        const id = ctx.params.id!;
        const cam = lookup(id);
        access.require(p, 'live', id);
        const mayControl = access.can(p, 'control');
        if (!cam) return { available: false, presets: [], control: mayControl };
        const presets: PtzPreset[] = await send(cam, 'GetPresets', () => cam.client.presets());
        return { available: true, presets, control: mayControl };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/ptz\/move$/,
      access: { permission: 'live', camera: 'id' },
      doc: { summary: 'Start or renew a continuous move (needs `control` too).', body: moveBody },
      handle: async (ctx) => {
        const p = control((ctx.principal as Principal | undefined) ?? null, ctx.params.id!);
        const cam = camera(ctx.params.id!);
        const v = parse(moveBody, await readJsonBody(ctx.req, 1024));
        const dir = directionOf(v);
        if (dir === 'none') {
          if (cam.moving) audit(p, 'ptz_stop', cam.id, {});
          await stopNow(cam);
          return { moving: false };
        }
        if (!cam.moving) audit(p, 'ptz_move', cam.id, { direction: dir, pan: v.pan, tilt: v.tilt, zoom: v.zoom });
        cam.moving = true;
        if (cam.deadman) clearTimeout(cam.deadman);
        cam.deadman = setTimeout(() => {
          cam.deadman = null;
          if (!cam.moving || closed) return;
          log.info({ camera: cam.id }, 'PTZ move not renewed: stopping');
          void stopNow(cam).catch(() => undefined);
        }, deadmanMs);
        await send(cam, 'ContinuousMove', () => cam.client.continuousMove(v, (deadmanMs * 2) / 1000));
        return { moving: true, direction: dir };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/ptz\/stop$/,
      access: { permission: 'live', camera: 'id' },
      doc: { summary: 'Stop moving (needs `control` too).', body: stopBody },
      handle: async (ctx) => {
        const p = control((ctx.principal as Principal | undefined) ?? null, ctx.params.id!);
        const cam = camera(ctx.params.id!);
        parse(stopBody, await readJsonBody(ctx.req, 1024));
        if (cam.moving) audit(p, 'ptz_stop', cam.id, {});
        await stopNow(cam);
        return { moving: false };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/cameras\/(?<id>[^/]+)\/ptz\/preset$/,
      access: { permission: 'live', camera: 'id' },
      doc: { summary: 'Go to a preset (needs `control` too).', body: presetBody },
      handle: async (ctx) => {
        const p = control((ctx.principal as Principal | undefined) ?? null, ctx.params.id!);
        const cam = camera(ctx.params.id!);
        const { preset } = parse(presetBody, await readJsonBody(ctx.req, 1024));
        const presets = await send(cam, 'GetPresets', () => cam.client.presets());
        const found = presets.find((x) => x.token === preset);
        if (!found) throw new AppError(ErrorCode.NOT_FOUND, `preset: the camera has no preset "${preset}"`, 404);
        if (cam.deadman) clearTimeout(cam.deadman);
        cam.moving = false;
        audit(p, 'ptz_preset', cam.id, { preset: found.token, name: found.name });
        await send(cam, 'GotoPreset', () => cam.client.gotoPreset(found.token));
        return { preset: found.token, name: found.name };
      },
    },
  ];
  deps.router.add(...routes);

  return {
    close() {
      if (closed) return;
      closed = true;
      for (const cam of all.values()) {
        if (cam.deadman) clearTimeout(cam.deadman);
        if (cam.moving) void cam.client.stop().catch(() => undefined);
        cam.moving = false;
      }
    },
  };
}
