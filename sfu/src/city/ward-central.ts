/**
 * City mode, ward side: central users (docs/city.md, "Central users at a ward"). A ward accepts a
 * user of the command centre only through the centre's signed assertion (assertion.ts), checked
 * here against the centre's public key pinned in `city.centreKey`; it names the user (audited as
 * `centre:<user>`), their rights on this ward and the one request or watch it is for.
 *
 * - `WardCentralAccess.check(token, use)`: 401 CENTRE_ASSERTION (missing, forged, expired, replayed,
 *   another ward's or another request's) or the central user.
 * - `wardCentralRoutes`: the recorder reached by the centre, `/api/city-ward/recordings/...` and
 *   `/api/city-ward/exports...`, `/api/city-ward/station-key` (public routes: the assertion is their authentication), proxied to
 *   this ward's recorder with a service token naming `centre:<user>` (the recorder audits playback,
 *   exports and downloads under that name) and carrying the assertion's look-back `floor`: the
 *   recorder, which alone knows when a segment (by id) or an export was recorded, refuses footage
 *   before it with the same check as for its own users. Streams, never buffers; ranges pass.
 */
import { request } from 'node:http';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type CameraPermission } from '@wardwall/common';
import { readJsonBody, type Route, type RequestContext } from '@wardwall/server-kit';
import type { ServiceActor } from '@wardwall/accounts';
import { proxyToRecorder } from '../http/recorder-proxy.js';
import { ASSERTION_HEADER, assertionRights, centralUserName, parsePublicKeyText, SeenAssertions, verifyAssertion, type AssertionClaims } from './assertion.js';

/** The ward's prefix for the centre's HTTP calls: `/api/city-ward/<recorder path without /api/>`. */
export const WARD_CITY_PREFIX = '/api/city-ward/';

export interface CentralUser {
  /** Audit name: `centre:<login>`. */
  name: string;
  /** null when the ward has no centre key and access control is off (everything allowed, unverified). */
  claims: AssertionClaims | null;
}

export class WardCentralAccess {
  private readonly key;
  private readonly seen = new SeenAssertions();
  private readonly now: () => number;

  constructor(private readonly opts: { ward: string; centreKey: string | null; accessControl: boolean; now?: () => number }) {
    this.key = opts.centreKey ? parsePublicKeyText(opts.centreKey) : null;
    this.now = opts.now ?? Date.now;
  }

  /** Whether central users are checked (a key is pinned) or, with access control off and no key, let through. */
  get verifying(): boolean {
    return this.key !== null;
  }

  /** The central user of a valid assertion for exactly `use`; AppError 401 otherwise. */
  check(token: string | undefined | null, use: string): CentralUser {
    if (!this.key) {
      if (this.opts.accessControl) throw new AppError(ErrorCode.CENTRE_ASSERTION, 'this ward accepts no central users (city.centreKey is not set)', 401);
      return { name: 'centre', claims: null };
    }
    if (!token) throw new AppError(ErrorCode.CENTRE_ASSERTION, "the centre's assertion is missing", 401);
    const r = verifyAssertion(this.key, token, { audience: this.opts.ward, use, now: this.now(), seen: this.seen });
    if (!r.ok) {
      // Another ward's assertion, or one made for another request: valid, but not here (403).
      const status = r.reason === 'wrong_audience' || r.reason === 'wrong_use' ? 403 : 401;
      throw new AppError(status === 403 ? ErrorCode.FORBIDDEN : ErrorCode.CENTRE_ASSERTION, `the centre's assertion is refused: ${r.reason}`, status);
    }
    return { name: centralUserName(r.claims.sub), claims: r.claims };
  }

  /** AppError 403 unless the assertion gives `permission` on this ward's `camera`. */
  requireCamera(u: CentralUser, permission: CameraPermission, camera: string): void {
    if (!u.claims) return;
    if (!assertionRights(u.claims, camera).includes(permission)) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: ${permission} on camera ${camera} for ${u.name}`, 403);
  }

  /**
   * Who the recorder serves: the central user's audit name and look-back floor (the assertion's).
   * The recorder enforces the floor on every route (spans, playlists, segments by id, thumbnails,
   * exports), as for its own users: one owner of the look-back check.
   */
  actor(u: CentralUser): ServiceActor {
    // A safe integer or null: the assertion's schema says so (assertion.ts).
    return { name: u.name, floor: u.claims?.floor ?? null };
  }
}

/** `from` / `at` of a recordings query as ms (the recorder's own forms: ms or an ISO instant). Pure. */
export function queryInstant(url: URL, name: string): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return null;
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(n) ? n : null;
}

export interface WardCentralDeps {
  access: WardCentralAccess;
  recorder: { host: string; port: number } | null;
  serviceHeaders: (actor?: ServiceActor) => Record<string, string>;
  log: Logger;
}

/** What the centre signed for this request: the method and the path with query, as received. */
export const useOfRequest = (method: string, url: URL): string => `${method} ${url.pathname}${url.search}`;

export function wardCentralRoutes(d: WardCentralDeps): Route[] {
  const recorder = (): { host: string; port: number } => {
    if (!d.recorder) throw new AppError(ErrorCode.RECORDER_UNAVAILABLE, 'recording is disabled at this ward', 503);
    return d.recorder;
  };
  const who = (ctx: RequestContext): CentralUser => {
    const h = ctx.req.headers[ASSERTION_HEADER];
    return d.access.check(typeof h === 'string' ? h : null, useOfRequest(ctx.req.method ?? 'GET', ctx.url));
  };
  const forward = (ctx: RequestContext, u: CentralUser, body?: Buffer): Promise<void> =>
    new Promise<void>((resolve) => {
      ctx.res.once('close', resolve);
      const path = `/api/${ctx.url.pathname.slice(WARD_CITY_PREFIX.length)}${ctx.url.search}`;
      proxyToRecorder(recorder(), path, ctx.req, ctx.res, d.log, { headers: d.serviceHeaders(d.access.actor(u)), dropCookie: true, rawPath: true, ...(body ? { body } : {}) });
    });
  /** The recorder's view of an export, asked with the service token (small JSON). */
  const exportJob = (id: string, u: CentralUser): Promise<{ status: number; job: { cameras?: string[]; exportedBy?: string } | null }> =>
    new Promise((resolve, reject) => {
      const r = recorder();
      const req = request({ host: r.host === '0.0.0.0' ? '127.0.0.1' : r.host, port: r.port, path: `/api/exports/${encodeURIComponent(id)}`, headers: d.serviceHeaders(d.access.actor(u)), timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 502, job: res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cameras?: string[]; exportedBy?: string }) : null });
          } catch (e) {
            reject(e as Error);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => reject(new AppError(ErrorCode.RECORDER_UNAVAILABLE, 'the recorder does not answer', 502)));
      req.end();
    });
  return [
    {
      method: 'GET',
      path: /^\/api\/city-ward\/recordings\/(?<camera>[a-z0-9][a-z0-9_-]{0,63})\/(?:spans|playlist\.m3u8|thumbnail|media\/[^/]+\.mp4)$/,
      // The centre's assertion is the authentication (checked in the handler); no session here.
      access: 'public',
      doc: { summary: "City ward: the centre's review of this ward's recordings (spans, HLS, segments, thumbnails), with the centre's assertion in x-wardwall-centre-assertion." },
      handle: (ctx) => {
        const u = who(ctx);
        const camera = ctx.params.camera!;
        d.access.requireCamera(u, 'playback', camera);
        // The look-back (the assertion's floor) is checked by the recorder, which knows a segment's time.
        return forward(ctx, u);
      },
    },
    {
      method: 'POST',
      path: '/api/city-ward/exports',
      access: 'public',
      doc: { summary: "City ward: an export made at this ward for a central user (the centre's assertion)." },
      handle: async (ctx) => {
        const u = who(ctx);
        const raw = (await readJsonBody(ctx.req)) as { cameras?: unknown; ranges?: unknown; from?: unknown };
        const cams: string[] = [];
        if (Array.isArray(raw?.cameras)) for (const c of raw.cameras) if (typeof c === 'string') cams.push(c);
        if (Array.isArray(raw?.ranges)) for (const r of raw.ranges as { camera?: unknown; from?: unknown }[]) if (typeof r?.camera === 'string') cams.push(r.camera);
        if (!cams.length) throw new AppError(ErrorCode.BAD_REQUEST, 'body: cameras or ranges name no camera', 400);
        for (const c of cams) d.access.requireCamera(u, 'export', c);
        // The export is signed with the central user's name, whatever the body says.
        const body = Buffer.from(JSON.stringify({ ...raw, exportedBy: u.name }));
        return forward(ctx, u, body);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/city-ward\/exports\/(?<id>[A-Za-z0-9-]{1,64})(?:\/download|\/verify)?$/,
      access: 'public',
      doc: { summary: "City ward: a central user's export (progress, download, the recorder's check of the package), only the user's own." },
      handle: async (ctx) => {
        const u = who(ctx);
        const { status, job } = await exportJob(ctx.params.id!, u);
        if (status === 404 || !job) throw new AppError(ErrorCode.NOT_FOUND, 'no such export', 404);
        if (u.claims && job.exportedBy !== u.name) throw new AppError(ErrorCode.FORBIDDEN, `not allowed: the export of another user`, 403);
        for (const c of job.cameras ?? []) d.access.requireCamera(u, 'export', c);
        return forward(ctx, u);
      },
    },
    {
      method: 'GET',
      path: '/api/city-ward/station-key',
      access: 'public',
      doc: { summary: "City ward: this ward's station signing key (public), for checking a ward export's signature at the centre (the centre's assertion)." },
      handle: (ctx) => forward(ctx, who(ctx)),
    },
  ];
}
