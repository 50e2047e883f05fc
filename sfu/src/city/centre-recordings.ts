/**
 * City mode, centre side: recordings stay at the ward (docs/city.md, "Recordings through the
 * centre"). The centre's review reaches a ward's recorder through the centre:
 * `/api/city/<ward>/recordings/<camera>/(spans|playlist.m3u8|thumbnail|media/<segment>.mp4)` and
 * `/api/city/<ward>/exports[/<id>[/download|/verify]]`, `/api/city/<ward>/station-key`. The centre checks the central user's rights on
 * `<ward>/<camera>` (and the look-back), signs an assertion for exactly the request it makes, and
 * proxies it to the ward SFU's `/api/city-ward/...` (the ward's address: `city.wardUrls` or the
 * `httpUrl` of the ward's presence record). Streams, never buffers media; ranges pass.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type CameraPermission, type Config } from '@wardwall/common';
import { actorOf, type AccessPolicy, type AuditLog, type Principal } from '@wardwall/accounts';
import { readJsonBody, type RequestContext, type Route } from '@wardwall/server-kit';
import { proxyToRecorder } from '../http/recorder-proxy.js';
import { ASSERTION_HEADER, signAssertion } from './assertion.js';
import { queryInstant, WARD_CITY_PREFIX } from './ward-central.js';

const PERMS: readonly CameraPermission[] = ['live', 'playback', 'export'];

/** The central user's rights on one ward, as the assertion carries them: `*` and each known camera that differs. Pure. */
export function wardRights(policy: AccessPolicy, p: Principal, ward: string, cameras: readonly string[]): Record<string, CameraPermission[]> {
  const of = (id: string) => PERMS.filter((perm) => policy.can(p, perm, id));
  const all = of(`${ward}/*`);
  const rights: Record<string, CameraPermission[]> = { '*': all };
  for (const c of cameras) {
    const r = of(`${ward}/${c}`);
    if (r.join() !== all.join()) rights[c] = r;
  }
  return rights;
}

export interface CentreSigner {
  /** An assertion for `p` on `ward`, for exactly `use`. */
  sign(p: Principal, ward: string, use: string): string;
}

export function centreSigner(key: KeyObject, policy: AccessPolicy, camerasOf: (ward: string) => readonly string[], now: () => number = Date.now): CentreSigner {
  return {
    sign(p, ward, use) {
      const floor = policy.playbackFloorMs(p, `${ward}/*`, now());
      return signAssertion(key, { sub: p.username ?? p.name, name: p.name.slice(0, 120), aud: ward, rights: wardRights(policy, p, ward, camerasOf(ward)), floor: Number.isFinite(floor) ? Math.floor(floor) : null, use }, now());
    },
  };
}

/** A ward SFU's address for the centre's HTTP calls; AppError 503 WARD_UNAVAILABLE when there is none. Pure. */
export function wardTarget(url: string | null, ward: string): { host: string; port: number; protocol: 'http:' | 'https:' } {
  if (!url) throw new AppError(ErrorCode.WARD_UNAVAILABLE, `ward ${ward} published no address (city.httpUrl) and none is pinned in city.wardUrls`, 503);
  const u = new URL(url);
  const protocol = u.protocol === 'https:' ? 'https:' : 'http:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (protocol === 'https:' ? 443 : 80)), protocol };
}

export interface CentreRecordingsDeps {
  config: Readonly<Config>;
  policy: AccessPolicy;
  signer: CentreSigner;
  /** The ward's published address (presence record). */
  publishedUrl: (ward: string) => string | null;
  online: (ward: string) => boolean;
  /** The camera ids the directory knows for a ward. */
  camerasOf: (ward: string) => readonly string[];
  /** The centre's own audit trail: what its users asked of a ward (the ward audits it too, by name). */
  audit: AuditLog | null;
  log: Logger;
}

const WARD = '(?<ward>[a-z0-9][a-z0-9_-]{0,31})';
const CAMERA = '(?<camera>[a-z0-9][a-z0-9_-]{0,63})';

export function centreRecordingRoutes(d: CentreRecordingsDeps): Route[] {
  const principalOf = (ctx: RequestContext): Principal => {
    const p = ctx.principal as Principal | undefined;
    if (!p) throw new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    return p;
  };
  const requireWardExport = (p: Principal, ward: string): void => {
    const rights = wardRights(d.policy, p, ward, d.camerasOf(ward));
    if (!Object.values(rights).some((r) => r.includes('export'))) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: export on ward ${ward}`, 403);
  };
  const forward = (ctx: RequestContext, p: Principal, ward: string, body?: Buffer): Promise<void> => {
    if (!d.online(ward)) throw new AppError(ErrorCode.WARD_UNAVAILABLE, `ward ${ward} is offline`, 503);
    const target = wardTarget(d.config.city.wardUrls[ward] ?? d.publishedUrl(ward), ward);
    const rest = ctx.url.pathname.slice(`/api/city/${ward}/`.length);
    const path = `${WARD_CITY_PREFIX}${rest}${ctx.url.search}`;
    const assertion = d.signer.sign(p, ward, `${ctx.req.method ?? 'GET'} ${path}`);
    return new Promise<void>((resolve) => {
      ctx.res.once('close', resolve);
      proxyToRecorder(target, path, ctx.req, ctx.res, d.log, {
        headers: { [ASSERTION_HEADER]: assertion },
        dropCookie: true,
        rawPath: true,
        protocol: target.protocol,
        // The ward refusing the centre's assertion is not the browser's session ending.
        mapStatus: (s) => (s === 401 ? 502 : s),
        ...(body ? { body } : {}),
      });
    });
  };
  return [
    {
      method: 'GET',
      path: new RegExp(`^/api/city/${WARD}/recordings/${CAMERA}/(?:spans|playlist\\.m3u8|thumbnail|media/[^/]+\\.mp4)$`),
      // The right is on `<ward>/<camera>` (two path parts): checked in the handler.
      access: 'session',
      doc: { summary: "City centre: a ward's recordings (spans, HLS playlist and segments, thumbnail) reached through the centre; needs playback on `<ward>/<camera>`." },
      handle: (ctx) => {
        const p = principalOf(ctx);
        const remote = `${ctx.params.ward!}/${ctx.params.camera!}`;
        d.policy.require(p, 'playback', remote);
        const from = queryInstant(ctx.url, 'from') ?? queryInstant(ctx.url, 'at');
        const floor = d.policy.playbackFloorMs(p, remote, Date.now());
        if (from !== null && from < floor) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: footage before ${new Date(floor).toISOString()} (look-back limit)`, 403);
        // One entry per playlist (not per segment or refresh of a growing one), as the recorder does.
        if (ctx.url.pathname.endsWith('/playlist.m3u8') && !ctx.url.searchParams.has('live')) {
          d.audit?.record(actorOf(p), 'playback', remote, { from, to: queryInstant(ctx.url, 'to'), via: 'ward' });
        }
        return forward(ctx, p, ctx.params.ward!);
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/city/${WARD}/exports$`),
      access: 'session',
      doc: { summary: "City centre: an export made at the ward (the body of the recorder's POST /api/exports, camera ids of that ward); needs export on each `<ward>/<camera>`." },
      handle: async (ctx) => {
        const p = principalOf(ctx);
        const ward = ctx.params.ward!;
        const raw = (await readJsonBody(ctx.req)) as { cameras?: unknown; ranges?: unknown };
        const cams: string[] = [];
        if (Array.isArray(raw?.cameras)) for (const c of raw.cameras) if (typeof c === 'string') cams.push(c);
        if (Array.isArray(raw?.ranges)) for (const r of raw.ranges as { camera?: unknown }[]) if (typeof r?.camera === 'string') cams.push(r.camera);
        for (const c of cams) d.policy.require(p, 'export', `${ward}/${c}`);
        d.audit?.record(actorOf(p), 'export_create', cams.length === 1 ? `${ward}/${cams[0]}` : null, { cameras: cams.map((c) => `${ward}/${c}`), via: 'ward' });
        return forward(ctx, p, ward, Buffer.from(JSON.stringify(raw)));
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/city/${WARD}/exports/[A-Za-z0-9-]{1,64}(?:/download|/verify)?$`),
      access: 'session',
      doc: { summary: "City centre: a central user's export made at the ward (progress, download through the centre, the ward recorder's check of the package)." },
      handle: (ctx) => {
        const p = principalOf(ctx);
        const ward = ctx.params.ward!;
        // The ward checks that the export is this user's own and covers only cameras it may export.
        requireWardExport(p, ward);
        if (ctx.url.pathname.endsWith('/download')) d.audit?.record(actorOf(p), 'export_download', null, { ward, export: ctx.url.pathname.split('/')[5], via: 'ward' });
        return forward(ctx, p, ward);
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/city/${WARD}/station-key$`),
      access: 'session',
      doc: { summary: "City centre: the ward's station signing key (public), to check the signature of a ward export; needs export on some camera of the ward." },
      handle: (ctx) => {
        const p = principalOf(ctx);
        requireWardExport(p, ctx.params.ward!);
        return forward(ctx, p, ctx.params.ward!);
      },
    },
  ];
}
