/**
 * Playback of a camera's recordings: its spans (what is on disk), an HLS playlist of a window and
 * the segment files it points to. Every viewing is audited once per range (see auditViewing).
 */
import { statSync } from 'node:fs';
import { z } from 'zod';
import { AppError, ErrorCode } from '@wardwall/common';
import type { Route } from '@wardwall/server-kit';
import { buildPlaylist, fileParts, type PlaylistFile } from '../hls.js';
import { instant } from '../time.js';
import { segmentFile } from '../fmp4-cache.js';
import { spanOfBytes } from '../audited-ranges.js';
import { requestedBytes, sendFile } from '../send-file.js';
import { bad, LIMITS, principal, windowQuery, type PlaybackContext } from './context.js';

/** A playlist may be asked for as live (`live=1`): an EVENT playlist from `from` that grows. */
const playlistQuery = z.object({ from: instant, to: instant, live: z.enum(['0', '1']).optional() }).strict();

/** Every route here is about one camera's footage: the guard checks the camera and 'playback' on it. */
const playback = { permission: 'playback', camera: 'camera' } as const;

export function recordingRoutes(c: PlaybackContext): Route[] {
  const { deps, access } = c;
  const { store } = deps;
  return [
    {
      method: 'GET',
      path: /^\/api\/recordings\/(?<camera>[^/]+)\/spans$/,
      access: playback,
      doc: { summary: 'Recorded spans (and gaps) of a camera in a window.', query: windowQuery },
      handle: (ctx) => {
        const cam = ctx.params.camera!;
        const { from, to } = c.window(ctx.url, LIMITS.spans);
        access.authorize(principal(ctx), { permission: 'playback', camera: cam, from });
        return { camera: cam, ...store.db.spans(cam, from, to) };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/recordings\/(?<camera>[^/]+)\/playlist\.m3u8$/,
      access: playback,
      doc: { summary: 'HLS playlist (fMP4) of a window; `live=1` keeps it open.', query: playlistQuery, replyType: 'application/vnd.apple.mpegurl' },
      handle: async (ctx) => {
        const { url, res } = ctx;
        const who = principal(ctx);
        const cam = ctx.params.camera!;
        const { from, to: asked } = c.window(url, LIMITS.playlist, playlistQuery);
        access.authorize(who, { permission: 'playback', camera: cam, from });
        // A live window (asked for by a player near the present) stays open: it lists what is written
        // after it too, on every reload (the URL is the same; the present is not).
        const live = url.searchParams.get('live') === '1';
        const to = live ? from + LIMITS.playlist : asked;
        const files: PlaylistFile[] = [];
        for (const row of store.db.overlapping(cam, from, to)) {
          const { seg, info } = await segmentFile(store, deps.fmp4, row);
          files.push({ segmentId: seg.id, startMs: seg.startMs, info, open: seg.open });
        }
        const pl = buildPlaylist(files, { from, to, uri: (id) => `media/${id}.mp4`, live });
        if (pl.parts === 0 || !pl.span) throw new AppError(ErrorCode.NO_RECORDING, 'nothing recorded in this window', 404);
        // One entry per viewing: the window the playlist can list (a live one, every reload of it),
        // and so every fragment it points to. hls.js reloads a live playlist every few seconds.
        const range = { from: Math.min(from, pl.span.from), to: Math.max(live ? to : asked, pl.span.to) };
        await c.auditViewing(who, cam, pl.span, range, { via: 'playlist', ...(live ? { live: true } : {}) });
        const text = pl.text;
        res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
        res.end(text);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/recordings\/(?<camera>[^/]+)\/media\/(?<segment>[^/]+)\.mp4$/,
      access: playback,
      doc: { summary: 'One recorded fMP4 segment (range requests).', replyType: 'video/mp4' },
      handle: async (ctx) => {
        const { req, res, url } = ctx;
        const who = principal(ctx);
        const cam = ctx.params.camera!;
        const segment = ctx.params.segment!;
        if (url.search) throw bad('query: no parameters expected');
        if (!/^[1-9]\d{0,15}$/.test(segment)) throw bad('segment: not a segment id');
        let seg = store.db.segment(Number(segment));
        if (!seg || seg.camera !== cam) throw new AppError(ErrorCode.NOT_FOUND, 'no such segment', 404);
        // A segment that ends inside the allowed window is served whole (HLS plays whole fragments).
        access.authorize(who, { permission: 'playback', camera: cam, from: seg.open ? Infinity : seg.endMs });
        // The footage these bytes hold must be inside a range audited for this viewer; a fetch
        // outside every audited range (a loop over segment ids) is audited itself, for the whole file.
        const file = await segmentFile(store, deps.fmp4, seg);
        seg = file.seg;
        const parts = fileParts({ segmentId: seg.id, startMs: seg.startMs, info: file.info });
        const size = statSync(file.abs).size;
        const asked = requestedBytes(req, size);
        const bytes = asked === null ? { start: 0, end: size - 1 } : asked === 'unsatisfiable' ? null : asked;
        const span = bytes ? spanOfBytes(parts, bytes.start, bytes.end) : null;
        if (span && parts.length) {
          const whole = { from: parts[0]!.startMs, to: parts[parts.length - 1]!.startMs + parts[parts.length - 1]!.durationMs + (seg.open ? 60_000 : 0) };
          await c.auditViewing(who, cam, span, { from: Math.min(whole.from, span.from), to: Math.max(whole.to, span.to) }, { via: 'segment', segment: seg.id });
        } else if (bytes && !parts.length && size > file.info.initLength) {
          // Bytes that no parsed fragment accounts for (a file still being written): audit it whole.
          await c.auditViewing(who, cam, { from: seg.startMs, to: seg.startMs + 1 }, { from: seg.startMs, to: seg.startMs + 60_000 }, { via: 'segment', segment: seg.id });
        }
        sendFile(req, res, file.abs, 'video/mp4', { 'Cache-Control': seg.open ? 'no-store' : 'private, max-age=3600' });
      },
    },
  ];
}
