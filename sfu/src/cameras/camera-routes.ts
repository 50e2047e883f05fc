/**
 * The admin API of the station's cameras (`admin` permission):
 *   GET    /api/admin/cameras          {cameras: CameraView[]} (URLs with the password masked)
 *   POST   /api/admin/cameras          {id?, name, main, sub?, transcode?, audio?, enabled?} -> 201 {camera}
 *   PATCH  /api/admin/cameras/:id      any of name, main, sub (null: none), transcode, audio (null: default), enabled
 *   DELETE /api/admin/cameras/:id
 *   POST   /api/admin/cameras/test     {url, transcode?, id?, stream?} -> CameraTestResult
 * A URL whose password is the mask `***` keeps the stored password (edit and Test of a stored camera).
 */
import { z } from 'zod';
import { AppError, ErrorCode, keepStoredPassword } from '@wardwall/common';
import { actorOf } from '@wardwall/accounts';
import { readBody, sendJson, type Issue, type Route } from '@wardwall/server-kit';
import { principalOf } from '../auth/http-guard.js';
import type { CameraManager } from './camera-manager.js';
import { testCameraUrl, type CameraTestResult } from './camera-test.js';

// eslint-disable-next-line no-control-regex -- control characters are what this check refuses
const name = z.string().trim().min(1).max(120).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const url = z.string().trim().min(1).max(2048);
const transcode = z.union([z.boolean(), z.literal('auto')]);
const createBody = z.object({ id: z.string().min(1).max(64).optional(), name, main: url, sub: url.nullable().optional(), transcode: transcode.optional(), audio: z.boolean().nullable().optional(), enabled: z.boolean().optional() }).strict();
const patchBody = z.object({ name: name.optional(), main: url.optional(), sub: url.nullable().optional(), transcode: transcode.optional(), audio: z.boolean().nullable().optional(), enabled: z.boolean().optional() }).strict();
const testBody = z.object({ url, transcode: transcode.optional(), id: z.string().min(1).max(64).optional(), stream: z.enum(['main', 'sub']).optional() }).strict();
const CAMERA_PATH = /^\/api\/admin\/cameras\/(?<id>[^/]+)$/;

const fieldError = (issue: Issue, where: string) => {
  const field = issue.path.map(String).join('.') || where;
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return new AppError(ErrorCode.INVALID_FIELD, `${field}: ${detail}`.slice(0, 300), 400);
};

export interface CameraRoutesDeps {
  manager: CameraManager;
  /** The URL the ingest opens for a configured URL (embedded endpoint's read credentials). */
  pullUrl: (url: string) => string;
  /** Tests running at once (each is one short GStreamer probe). */
  maxTests?: number;
  test?: (url: string, transcode: boolean | 'auto') => Promise<CameraTestResult>;
}

export function cameraRoutes(deps: CameraRoutesDeps): Route[] {
  const ADMIN = { permission: 'admin' } as const;
  const { manager } = deps;
  const maxTests = deps.maxTests ?? 2;
  const test = deps.test ?? testCameraUrl;
  let testing = 0;
  return [
    { method: 'GET', path: '/api/admin/cameras', access: ADMIN, handle: () => ({ cameras: manager.list() }) },
    {
      method: 'POST',
      path: '/api/admin/cameras',
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, createBody, { error: fieldError });
        const camera = await manager.create(actorOf(principalOf(ctx)), b);
        sendJson(ctx.res, 201, { camera });
      },
    },
    {
      method: 'POST',
      path: '/api/admin/cameras/test',
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, testBody, { error: fieldError });
        const stored = b.id ? manager.storedUrl(b.id, b.stream ?? 'main') : undefined;
        const target = keepStoredPassword(b.url, stored);
        if (!/^(rtsps?|rtmp):\/\/[^\s]+$/i.test(target) || !URL.canParse(target)) throw new AppError(ErrorCode.BAD_URL, 'url: must be an rtsp://, rtsps:// or rtmp:// URL', 400);
        if (testing >= maxTests) throw new AppError(ErrorCode.RATE_LIMITED, `${maxTests} tests are running: try again in a few seconds`, 429);
        testing++;
        try {
          return await test(deps.pullUrl(target), b.transcode ?? 'auto');
        } finally {
          testing--;
        }
      },
    },
    {
      method: 'PATCH',
      path: CAMERA_PATH,
      access: ADMIN,
      handle: async (ctx) => {
        const b = await readBody(ctx.req, patchBody, { error: fieldError });
        return { camera: await manager.update(actorOf(principalOf(ctx)), ctx.params.id!, b) };
      },
    },
    {
      method: 'DELETE',
      path: CAMERA_PATH,
      access: ADMIN,
      handle: async (ctx) => {
        await manager.remove(actorOf(principalOf(ctx)), ctx.params.id!);
        return { ok: true };
      },
    },
  ];
}
