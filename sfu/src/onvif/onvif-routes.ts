/**
 * ONVIF discovery for the admin page (`admin` permission; docs/cameras.md, "ONVIF discovery"):
 *   POST /api/admin/onvif/discover  {waitMs?, multicast?, targets?: [{host, port?}]}
 *        -> {devices: DiscoveredDevice[], sendErrors, ignored}
 *   POST /api/admin/onvif/profiles  {xaddr, username, password}
 *        -> {host, profiles: [{token, name, encoding, width, height, fps, bitrateKbps, uri}],
 *            suggested: {main, sub}, grant, expiresInS}   (URIs with the password masked)
 *   POST /api/admin/onvif/add       {grant, name, main, sub?, id?, transcode?, audio?}
 *        -> 201 {camera}   main/sub are profile tokens of the grant's device
 * Add creates the camera through the CameraManager (validated, audited `camera_add`, started live).
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import { AppError, describeUrl, ErrorCode, redactPassword } from '@wardwall/common';
import { actorOf } from '@wardwall/accounts';
import { readBody, sendJson, type Issue, type Route } from '@wardwall/server-kit';
import { principalOf } from '../auth/http-guard.js';
import type { CameraManager } from '../cameras/index.js';
import { OnvifClient, OnvifError } from '../ptz/onvif-client.js';
import { suggestStreams, withCredentials, type MediaProfile } from '../ptz/onvif-media.js';
import { discover, type DiscoverOptions, type DiscoverResult } from './ws-discovery.js';
import { OnvifGrants } from './onvif-grants.js';

// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
const name = z.string().trim().min(1).max(120).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, 'an IPv4 address');
const discoverBody = z
  .object({
    waitMs: z.number().int().min(500).max(10_000).optional(),
    multicast: z.boolean().optional(),
    targets: z.array(z.object({ host: ipv4, port: z.number().int().min(1).max(65535).optional() }).strict()).max(16).optional(),
  })
  .strict();
const profilesBody = z
  .object({
    xaddr: z.string().trim().max(512).regex(/^https?:\/\/[^\s]+$/i, 'an http:// or https:// device service address'),
    username: z.string().max(128),
    password: z.string().max(256),
  })
  .strict();
const profileToken = z.string().min(1).max(64);
const addBody = z
  .object({
    grant: z.string().min(1).max(64),
    name,
    main: profileToken,
    sub: profileToken.nullable().optional(),
    id: z.string().min(1).max(64).optional(),
    transcode: z.union([z.boolean(), z.literal('auto')]).optional(),
    audio: z.boolean().nullable().optional(),
  })
  .strict();

const fieldError = (issue: Issue, where: string) => {
  const field = issue.path.map(String).join('.') || where;
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return new AppError(ErrorCode.INVALID_FIELD, `${field}: ${detail}`.slice(0, 300), 400);
};

/** A stream URI as the admin page shows it: user-info password and password-like query values masked. Pure. */
export function shownUri(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return '<invalid url>';
  }
  for (const k of [...u.searchParams.keys()]) if (/^(pass(word|wd)?|pwd|psw)$/i.test(k)) u.searchParams.set(k, '***');
  return redactPassword(u.toString()).replace(/%2A%2A%2A/g, '***');
}

export interface OnvifRoutesDeps {
  manager: CameraManager;
  log: Logger;
  grants?: OnvifGrants;
  /** ms per ONVIF request (default 5000). */
  timeoutMs?: number;
  discover?: (o: DiscoverOptions) => Promise<DiscoverResult>;
}

export function onvifRoutes(deps: OnvifRoutesDeps): Route[] {
  const ADMIN = { permission: 'admin' } as const;
  const { manager, log } = deps;
  const grants = deps.grants ?? new OnvifGrants();
  const run = deps.discover ?? discover;
  let discovering = false;
  let reading = 0;
  return [
    {
      method: 'POST',
      path: '/api/admin/onvif/discover',
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, discoverBody, { error: fieldError });
        if (discovering) throw new AppError(ErrorCode.RATE_LIMITED, 'a discovery is running: try again in a few seconds', 429);
        discovering = true;
        try {
          const r = await run({ waitMs: b.waitMs ?? 3000, multicast: b.multicast ?? true, targets: (b.targets ?? []).map((t) => ({ host: t.host, port: t.port ?? 3702 })) });
          log.info({ devices: r.devices.length, ignored: r.ignored, sendErrors: r.sendErrors }, 'ONVIF discovery done');
          return r;
        } finally {
          discovering = false;
        }
      },
    },
    {
      method: 'POST',
      path: '/api/admin/onvif/profiles',
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, profilesBody, { error: fieldError });
        if (!URL.canParse(b.xaddr)) throw new AppError(ErrorCode.INVALID_FIELD, 'xaddr: not a URL', 400);
        if (reading >= 4) throw new AppError(ErrorCode.RATE_LIMITED, 'profiles of 4 devices are being read: try again in a few seconds', 429);
        const host = describeUrl(b.xaddr);
        reading++;
        let profiles: MediaProfile[];
        try {
          profiles = await new OnvifClient({ url: b.xaddr, user: b.username || undefined, password: b.password }, { timeoutMs: deps.timeoutMs ?? 5000 }).mediaProfiles();
        } catch (e) {
          if (!(e instanceof OnvifError)) throw e;
          log.warn({ host, kind: e.kind, err: e.message }, 'ONVIF profiles not read');
          if (e.kind === 'auth') throw new AppError(ErrorCode.ONVIF_AUTH, 'the device refused this user name or password', 502);
          if (e.kind === 'unreachable') throw new AppError(ErrorCode.ONVIF_UNREACHABLE, e.message, 502);
          throw new AppError(ErrorCode.ONVIF_FAILED, e.message, 502);
        } finally {
          reading--;
        }
        const streams = new Map<string, string>();
        for (const p of profiles) if (p.uri) streams.set(p.token, withCredentials(p.uri, b.username, b.password));
        const grant = grants.issue(principalOf(ctx).userId, streams, {
          device: { url: b.xaddr, user: b.username || undefined, password: b.password || undefined },
          ptzProfiles: new Set(profiles.filter((p) => p.ptz).map((p) => p.token)),
        });
        log.info({ host, profiles: profiles.length, uris: streams.size }, 'ONVIF profiles read');
        return {
          host,
          profiles: profiles.map((p) => ({ ...p, uri: streams.has(p.token) ? shownUri(streams.get(p.token)!) : null })),
          suggested: suggestStreams(profiles),
          grant: grant.token,
          expiresInS: grant.expiresInS,
        };
      },
    },
    {
      method: 'POST',
      path: '/api/admin/onvif/add',
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, addBody, { error: fieldError });
        const p = principalOf(ctx);
        const g = grants.get(b.grant, p.userId);
        const uri = (token: string, field: string) => {
          const u = g.streams.get(token);
          if (!u) throw new AppError(ErrorCode.INVALID_FIELD, `${field}: the device gave no stream URI for profile ${token.slice(0, 64)}`, 400);
          return u;
        };
        const main = uri(b.main, 'main');
        const sub = b.sub ? uri(b.sub, 'sub') : null;
        // Pan/tilt/zoom with the account that read the profiles: the main profile when it can be
        // steered, else the device's first profile that can.
        const ptzProfile = g.ptzProfiles?.has(b.main) ? b.main : [...(g.ptzProfiles ?? [])][0];
        const onvif = g.device && ptzProfile ? { ...g.device, profile: ptzProfile } : undefined;
        const camera = await manager.create(actorOf(p), { id: b.id, name: b.name, main, sub: sub === main ? null : sub, transcode: b.transcode, audio: b.audio, onvif });
        grants.drop(b.grant);
        sendJson(ctx.res, 201, { camera });
      },
    },
  ];
}
