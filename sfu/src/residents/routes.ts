/**
 * REST routes of the resident camera registry. Administration routes need the 'admin' permission;
 * the owner's page is public and authorised by the unguessable token in its path. Responses never
 * carry a pull URL or a stored secret: push keys and owner links are returned once, when generated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AppError, ErrorCode, OWNER_TOKEN, pushUrls, retryLater, type ResidentStatus } from '@wardwall/common';
import { RateLimiter } from '../auth/rate-limit.js';
import type { Logger } from 'pino';
import { readJsonBody, sendJson, type Route } from '@wardwall/server-kit';
import type { Principal } from '@wardwall/accounts';
import { createResidentSchema, parseBody, statusChangeSchema, updateResidentSchema } from './schema.js';
import type { OneTimeSecrets, ResidentStore, ResidentView } from './store.js';
import { ownerLang, renderOwnerNotFound, renderOwnerPage } from './owner-page.js';

export interface ResidentRoutesDeps {
  store: ResidentStore;
  /** Called after every write, so the wall follows. */
  changed: () => Promise<void>;
  push: { host: string; rtmpPort: number; rtspPort: number };
  log: Logger;
  /** Audit hook: every registry change, by the admin who made it or by the owner's link. */
  onChanged?: (e: ResidentChange) => void;
}

/** One change of the registry (audited as `resident_<action>`). */
export interface ResidentChange {
  action: 'create' | 'update' | 'delete' | 'status' | 'rotate_key' | 'owner_link' | 'owner_pause' | 'owner_resume';
  cameraId: string;
  /** The admin's principal, or 'owner' for the owner's private link. */
  by: Principal | 'owner';
  detail?: Record<string, unknown>;
}

const ADMIN = { permission: 'admin' } as const;
const ID = /^\/api\/residents\/(?<id>[^/]+)$/;
const OWNER_PATH = /^\/owner\/(?<token>[^/]+)$/;

/** The one-time secrets as the admin page shows them: the push URLs and the owner link path. */
function reveal(camera: ResidentView, secrets: OneTimeSecrets, push: ResidentRoutesDeps['push']) {
  return {
    camera,
    ...(secrets.pushKey ? { pushKey: secrets.pushKey, pushUrls: pushUrls(push.host, push, secrets.pushKey) } : {}),
    ...(secrets.ownerToken ? { ownerLink: `/owner/${secrets.ownerToken}`, ...(camera.ownerLinkExpiresAt ? { ownerLinkExpiresAt: camera.ownerLinkExpiresAt } : {}) } : {}),
  };
}

/** Owner-link state changes per camera: 10 at once, then one every 5 minutes. */
export const OWNER_ACTION_RATE = { perMinute: 0.2, burst: 10 } as const;

export function residentRoutes(deps: ResidentRoutesDeps): Route[] {
  const { store, changed, log } = deps;
  const ownerActions = new RateLimiter(OWNER_ACTION_RATE, 10_000);
  const after = async <T>(action: ResidentChange['action'], id: string, by: unknown, result: T, detail?: Record<string, unknown>): Promise<T> => {
    log.info({ camera: id, action }, 'resident camera registry changed');
    deps.onChanged?.({ action, cameraId: id, by: by === 'owner' ? 'owner' : (by as Principal), ...(detail ? { detail } : {}) });
    await changed();
    return result;
  };
  return [
    { method: 'GET', path: '/api/residents', access: ADMIN, handle: () => ({ cameras: store.list() }) },
    {
      method: 'POST',
      path: '/api/residents',
      access: ADMIN,
      doc: { summary: "Register a resident's camera (replies with its secrets, once).", body: createResidentSchema, status: 201 },
      handle: async ({ req, res, principal }) => {
        const input = parseBody(createResidentSchema, await readJsonBody(req));
        const { camera, secrets } = store.create(input);
        sendJson(res, 201, await after('create', camera.id, principal, reveal(camera, secrets, deps.push), { status: camera.status, sharing: camera.sharing }));
      },
    },
    { method: 'GET', path: ID, access: ADMIN, handle: ({ params }) => ({ camera: requireView(store, params.id!) }) },
    {
      method: 'PATCH',
      path: ID,
      access: ADMIN,
      doc: { summary: "Change a resident's camera.", body: updateResidentSchema },
      handle: async ({ req, params, principal }) => {
        const patch = parseBody(updateResidentSchema, await readJsonBody(req));
        return after('update', params.id!, principal, { camera: store.update(params.id!, patch) }, { fields: Object.keys(patch) });
      },
    },
    { method: 'DELETE', path: ID, access: ADMIN, handle: async ({ params, principal }) => after('delete', params.id!, principal, (store.remove(params.id!), { ok: true })) },
    {
      method: 'POST',
      path: /^\/api\/residents\/(?<id>[^/]+)\/status$/,
      access: ADMIN,
      doc: { summary: 'Approve, pause or reject.', body: statusChangeSchema },
      handle: async ({ req, params, principal }) => {
        const { status } = parseBody(statusChangeSchema, await readJsonBody(req));
        return after('status', params.id!, principal, { camera: store.setStatus(params.id!, status, 'admin') }, { status });
      },
    },
    {
      method: 'POST',
      path: /^\/api\/residents\/(?<id>[^/]+)\/rotate-key$/,
      access: ADMIN,
      handle: async ({ params, principal }) => {
        const { camera, secrets } = store.rotateKey(params.id!);
        return after('rotate_key', camera.id, principal, reveal(camera, secrets, deps.push));
      },
    },
    {
      method: 'POST',
      path: /^\/api\/residents\/(?<id>[^/]+)\/owner-link$/,
      access: ADMIN,
      handle: async ({ params, principal }) => {
        const { camera, secrets } = store.rotateOwnerToken(params.id!);
        return after('owner_link', camera.id, principal, reveal(camera, secrets, deps.push));
      },
    },
    // The owner's page: public, the token is the authorisation.
    {
      method: 'GET',
      path: OWNER_PATH,
      access: 'public',
      doc: { summary: "The owner's page (HTML; the token in the path is the authorisation).", replyType: 'text/html' },
      handle: ({ req, res, url, params }) => {
        const lang = ownerLang(url.searchParams.get('lang'), req.headers['accept-language']);
        const cam = ownerCamera(store, params.token!);
        sendHtml(res, cam ? 200 : 404, cam ? renderOwnerPage(cam, lang, url.pathname) : renderOwnerNotFound(lang), req.method === 'HEAD');
      },
    },
    {
      method: 'POST',
      path: OWNER_PATH,
      access: 'public',
      doc: { summary: "The owner's pause/resume form (answers 303 to the page).", body: ownerActionSchema, bodyType: 'application/x-www-form-urlencoded', status: 303 },
      handle: async ({ req, res, url, params }) => {
        const cam = ownerCamera(store, params.token!);
        if (!cam) throw new AppError(ErrorCode.NOT_FOUND, 'no such owner link', 404);
        const { action } = parseBody(ownerActionSchema, await readFormBody(req));
        // A link holder cannot flood the registry and the audit trail: a few changes per camera and hour.
        const wait = ownerActions.take(cam.id, Date.now());
        if (wait > 0) throw retryLater(ErrorCode.RATE_LIMITED, 'too many changes from this link; try again later', wait);
        const to: ResidentStatus = action === 'pause' ? 'paused' : 'approved';
        store.setStatus(cam.id, to, 'owner');
        await after(action === 'pause' ? 'owner_pause' : 'owner_resume', cam.id, 'owner', null);
        const lang = ownerLang(url.searchParams.get('lang'), req.headers['accept-language']);
        // Post/redirect/get: a reload does not post again.
        res.writeHead(303, { location: `${url.pathname}?lang=${lang}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end();
      },
    },
  ];
}

const ownerActionSchema = z.object({ action: z.enum(['pause', 'resume']) }).strict();

function requireView(store: ResidentStore, id: string): ResidentView {
  const v = store.get(id);
  if (!v) throw new AppError(ErrorCode.NOT_FOUND, `no resident camera "${id.slice(0, 64)}"`, 404);
  return v;
}

function ownerCamera(store: ResidentStore, token: string): ResidentView | null {
  return OWNER_TOKEN.test(token) ? store.byOwnerToken(token) : null;
}

/** A small application/x-www-form-urlencoded body as an object (to be parsed by a schema). */
async function readFormBody(req: IncomingMessage, limit = 1024): Promise<unknown> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(String(req.headers['content-type'] ?? ''))) {
    throw new AppError(ErrorCode.BAD_REQUEST, 'expected a form (application/x-www-form-urlencoded)', 415);
  }
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > limit) throw new AppError(ErrorCode.MESSAGE_TOO_LARGE, `body larger than ${limit} bytes`, 413);
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function sendHtml(res: ServerResponse, status: number, html: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(head ? undefined : html);
}
