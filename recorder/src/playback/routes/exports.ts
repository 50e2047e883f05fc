/**
 * Evidence exports: a signed package of one or more (camera, from, to) ranges, made in the
 * background; its state, its download (audited) and a check of the stored package against its
 * signed manifest. Creating one is audited before the job exists.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, EXPORT_PACKAGE_FORMATS, ErrorCode } from '@wardwall/common';
import { readJsonBody, sendJson, type Route } from '@wardwall/server-kit';
import { instant, checkWindow } from '../time.js';
import { rangesOf } from '../export.js';
import { verifyPackageFile } from '../export-verify.js';
import { sendFile } from '../send-file.js';
import type { Principal } from '@wardwall/accounts/recorder';
import { bad, LIMITS, MAX_BODY, parse, principal, uuid, who, type PlaybackContext } from './context.js';

/** The classic form: cameras + one window. */
const exportBody = z
  .object({ cameras: z.array(z.string()).min(1).max(64), from: instant, to: instant, exportedBy: who.optional(), format: z.enum(EXPORT_PACKAGE_FORMATS).optional() })
  .strict();
/** Several (camera, from, to) ranges in one package (an incident), chosen when the body has `ranges`. */
const exportRangesBody = z
  .object({
    ranges: z.array(z.object({ camera: z.string(), from: instant, to: instant }).strict()).min(1).max(256),
    exportedBy: who.optional(),
    // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
    title: z.string().trim().max(200).regex(/^[^\u0000-\u001f]*$/, 'no control characters').optional(),
    format: z.enum(EXPORT_PACKAGE_FORMATS).optional(),
  })
  .strict();

/** Export routes need 'export'; each also checks it on every camera of the job (see exportJob). */
const exporting = { permission: 'export' } as const;

export function exportRoutes(c: PlaybackContext): Route[] {
  const { deps, access } = c;
  const { store } = deps;
  const exportJob = (raw: string, who: Principal) => {
    if (!uuid.test(raw)) throw bad('export: not an export id');
    const job = deps.exports.get(raw);
    if (!job) throw new AppError(ErrorCode.NOT_FOUND, 'no such export', 404);
    for (const cam of job.cameras) access.authorize(who, { permission: 'export', camera: cam, from: job.fromMs });
    return job;
  };
  return [
    {
      method: 'POST',
      path: '/api/exports',
      access: exporting,
      doc: { summary: 'Start a signed export package (cameras + one window, or ranges).', body: z.union([exportBody, exportRangesBody]), status: 202 },
      handle: async (ctx) => {
        const who = principal(ctx);
        const raw = await readJsonBody(ctx.req, MAX_BODY, { anyType: true });
        const multi = typeof raw === 'object' && raw !== null && 'ranges' in raw;
        const b = multi ? parse(exportRangesBody, raw, 'body') : parse(exportBody, raw, 'body');
        const ranges = 'ranges' in b ? b.ranges.map((r) => ({ ...r, camera: c.camera(r.camera) })) : rangesOf([...new Set(b.cameras.map(c.camera))], b.from, b.to);
        let total = 0;
        ranges.forEach((r, i) => {
          access.authorize(who, { permission: 'export', camera: r.camera, from: r.from });
          const err = checkWindow(r.from, r.to, { maxSpanMs: LIMITS.export, now: deps.now() });
          if (err) throw bad('ranges' in b ? `body: ranges.${i}: ${err}` : err, ErrorCode.BAD_TIME_RANGE);
          total += r.to - r.from;
        });
        if (total > LIMITS.export * 4) throw bad('body: ranges: at most 96 h of footage in one package', ErrorCode.BAD_TIME_RANGE);
        const exportedBy = c.author(who, b.exportedBy, 'exportedBy');
        // Checked before the await below, and checked again with no await before the job is created,
        // so parallel requests cannot both pass the quota.
        deps.exportQuota?.check(exportedBy, ranges);
        const cams = [...new Set(ranges.map((r) => r.camera))];
        // Audited before the job exists: an export that cannot be audited is refused.
        const id = randomUUID();
        await access.audit(who, 'export_create', cams.length === 1 ? cams[0]! : null, { export: id, cameras: cams, ranges: ranges.map((r) => [r.camera, r.from, r.to]) });
        deps.exportQuota?.check(exportedBy, ranges);
        const job = deps.exports.create({ id, ranges, exportedBy, title: 'title' in b ? (b.title ?? null) : null, format: b.format ?? 'tar' });
        sendJson(ctx.res, 202, { id: job.id, state: job.state });
      },
    },
    {
      method: 'GET',
      path: /^\/api\/exports\/(?<id>[^/]+)$/,
      access: exporting,
      handle: (ctx) => {
        const job = exportJob(ctx.params.id!, principal(ctx));
        return { id: job.id, state: job.state, progress: job.progress, error: job.error, cameras: job.cameras, from: job.fromMs, to: job.toMs, exportedBy: job.exportedBy, createdMs: job.createdMs, bytes: job.bytes, holdIds: job.holdIds, ranges: job.ranges, title: job.title };
      },
    },
    {
      method: 'GET',
      path: /^\/api\/exports\/(?<id>[^/]+)\/download$/,
      access: exporting,
      handle: async (ctx) => {
        const who = principal(ctx);
        const job = exportJob(ctx.params.id!, who);
        if (job.state === 'expired') throw new AppError(ErrorCode.EXPORT_EXPIRED, 'the export has expired and its package was deleted; export again', 410);
        if (job.state !== 'done' || !job.file) throw new AppError(ErrorCode.EXPORT_NOT_READY, `export is ${job.state}`, 409);
        await access.audit(who, 'export_download', job.cameras.length === 1 ? job.cameras[0]! : null, { export: job.id, cameras: job.cameras, from: job.fromMs, to: job.toMs });
        const zip = job.file.endsWith('.zip');
        sendFile(ctx.req, ctx.res, store.abs(job.file), zip ? 'application/zip' : 'application/x-tar', { 'Content-Disposition': `attachment; filename="export-${job.id}.${zip ? 'zip' : 'tar'}"` });
      },
    },
    {
      method: 'GET',
      path: /^\/api\/exports\/(?<id>[^/]+)\/verify$/,
      // The stored package checked against its signed manifest, as a stream (for a wall that let
      // the browser download it and cannot hash the download itself).
      access: exporting,
      handle: async (ctx) => {
        const job = exportJob(ctx.params.id!, principal(ctx));
        if (job.state !== 'done' || !job.file) throw new AppError(ErrorCode.EXPORT_NOT_READY, `export is ${job.state}`, 409);
        const v = await verifyPackageFile(store.abs(job.file), deps.exports.signer.fingerprint);
        return { id: job.id, ok: v.ok, error: v.error, signature: v.signature, files: v.files, stationFingerprint: deps.exports.signer.fingerprint };
      },
    },
  ];
}
