/** A camera's recorded picture at an instant (the review timeline's hover), one per keyframe, audited. */
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import type { Route } from '@wardwall/server-kit';
import { fileParts } from '../hls.js';
import { instant } from '../time.js';
import { segmentFile } from '../fmp4-cache.js';
import { principal, query, type PlaybackContext } from './context.js';

const atQuery = z.object({ at: instant }).strict();

export function thumbnailRoutes(c: PlaybackContext): Route[] {
  const { deps, access } = c;
  const { store } = deps;
  return [
    {
      method: 'GET',
      path: /^\/api\/recordings\/(?<camera>[^/]+)\/thumbnail$/,
      access: { permission: 'playback', camera: 'camera' },
      doc: { summary: 'A JPEG of the recording at an instant.', query: atQuery, replyType: 'image/jpeg' },
      handle: async (ctx) => {
        const { res, url } = ctx;
        const who = principal(ctx);
        const cam = ctx.params.camera!;
        const { at } = query(atQuery, url);
        access.authorize(who, { permission: 'playback', camera: cam, from: at });
        const row = store.db.overlapping(cam, at, at + 1)[0];
        if (!row) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded at this instant', 404);
        const { seg, abs, info } = await segmentFile(store, deps.fmp4, row);
        const parts = fileParts({ segmentId: seg.id, startMs: seg.startMs, info });
        const endMs = parts.length ? parts[parts.length - 1]!.startMs + parts[parts.length - 1]!.durationMs : seg.startMs;
        if (at >= endMs) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded at this instant yet', 404);
        // Snapped to the keyframe that starts the part holding `at`: one picture (and cache entry) per GOP.
        const part = [...parts].reverse().find((p) => p.startMs <= at) ?? parts[0]!;
        const keyframeMs = Math.round(part.startMs);
        const whole = { from: parts[0]!.startMs, to: endMs };
        // The picture belongs to its part [keyframe, next keyframe): covered only by a range holding that part.
        await c.auditViewing(who, cam, { from: part.startMs, to: part.startMs + part.durationMs }, whole, { via: 'thumbnail', at: keyframeMs });
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        const jpeg = await deps.thumbs.get({ key: `${cam}@${keyframeMs}`, absPath: abs, offsetMs: Math.max(0, keyframeMs - seg.startMs), user: who.userId, signal: gone.signal });
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=86400', 'X-Keyframe-At': String(keyframeMs) });
        res.end(jpeg);
      },
    },
  ];
}
