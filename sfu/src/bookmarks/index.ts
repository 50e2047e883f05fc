/**
 * The bookmarks feature of the SFU: SQLite storage, the signaling messages the client's outbox uses
 * (`bookmarksPush`, `bookmarksPull`), live pushes to the sessions allowed to see the cameras
 * (`bookmarkChanged`, `incidentChanged`), REST search and incident export, and the evidence holds.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import {
  AppError,
  ErrorCode,
  changeSchema,
  bookmarkRecordSchema,
  incidentRecordSchema,
  becameUrgent,
  incidentRanges,
  matchesFilter,
  CAMERA_ID,
  RECORD_ID,
  type Bookmark,
  type ChangeResult,
  type Config,
  type Incident,
  EXPORT_PACKAGE_FORMATS,
} from '@wardwall/common';
import { actorOf, type AccessPolicy, type Principal } from '@wardwall/accounts';
import type { ServiceActor } from '@wardwall/accounts';
import type { CameraRegistry } from '../media/camera-registry.js';
import type { Route } from '@wardwall/server-kit';
import { readJsonBody, sendJson } from '@wardwall/server-kit';
import type { SignalingServer } from '../signaling/ws-server.js';
import type { Session } from '../signaling/session.js';
import type { AppDb } from '@wardwall/server-kit';
import { BookmarkStore, badField } from './store.js';
import { HoldKeeper, wantedHolds, type HoldEvent } from './holds.js';
import { recorderJson, RecorderCallError } from './recorder-client.js';

export interface BookmarksDeps {
  config: Readonly<Config>;
  db: AppDb;
  cameras: CameraRegistry;
  signaling: SignalingServer;
  router: { add(...routes: Route[]): unknown };
  access: AccessPolicy;
  log: Logger;
  now?: () => number;
  /** Credentials for the SFU's own calls to the recorder (the service token when access control is on), for `actor` when given. */
  recorderHeaders?: (actor?: ServiceActor) => Record<string, string>;
  /** Audit hook for evidence holds (wire the audit trail here when it lands). */
  onHoldChanged?: (e: HoldEvent) => void;
  /** A bookmark became urgent (created urgent or marked so): display rules push its cameras. */
  onUrgent?: (bookmark: Bookmark, by: Principal) => void;
}

export interface BookmarksFeature {
  store: BookmarkStore;
  holds: HoldKeeper;
  close(): void;
}

/** Records per pull reply (the client pulls again while `more`). */
const PULL_PAGE = 500;

const searchQuery = z
  .object({
    camera: z.string().regex(CAMERA_ID, 'not a camera id').optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    author: z.string().max(120).optional(),
    tag: z.string().max(40).optional(),
    text: z.string().max(200).optional(),
    incident: z.string().regex(RECORD_ID).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .strict();
/** Replies of the list routes, from the record schemas the wall parses pushed records with (API description). */
const bookmarksReply = z.object({ bookmarks: z.array(bookmarkRecordSchema), total: z.number().int().min(0), seq: z.number().int().min(0) });
const incidentsReply = z.object({ incidents: z.array(incidentRecordSchema.extend({ bookmarks: z.number().int().min(0) })) });
const exportBody = z.object({ title: z.string().max(200).optional(), format: z.enum(EXPORT_PACKAGE_FORMATS).optional() }).strict();

/** Turns the first zod issue into a coded error naming the field. */
function zodError(prefix: string, e: z.ZodError, code: ErrorCode = ErrorCode.BAD_BOOKMARK): AppError {
  const issue = e.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(input)';
  const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return new AppError(code, `${field}: ${detail}`);
}

export function installBookmarks(deps: BookmarksDeps): BookmarksFeature {
  const { config, access, log } = deps;
  const opts = config.sfu.bookmarks;
  const now = deps.now ?? Date.now;
  const store = new BookmarkStore(deps.db);
  const recorder = config.recorder.enabled ? { host: config.recorder.host, port: config.recorder.port, ...(deps.recorderHeaders ? { headers: deps.recorderHeaders } : {}) } : null;

  const incidentMap = (): Map<string, Incident> => new Map(store.incidents().map((i) => [i.id, i]));
  // Who last changed each bookmark (or its incident), so the hold calls that follow (a deletion
  // releasing its holds) are made, and audited, for that user. In memory: after a restart, 'system'.
  const changedBy = new Map<string, ServiceActor>();
  const noteChange = (id: string, p: Principal): void => {
    const a = actorOf(p);
    changedBy.delete(id);
    changedBy.set(id, { name: a.name, session: a.sessionId });
    if (changedBy.size > 20_000) changedBy.delete(changedBy.keys().next().value!);
  };
  const holds = new HoldKeeper({
    recorder,
    wanted: () => wantedHolds(store.bookmarks(), incidentMap(), opts.holdMarginMs),
    retryMs: opts.holdRetryMs,
    everyMs: opts.reconcileEveryMs,
    log: log.child({ part: 'holds' }),
    now,
    changedBy: (id) => changedBy.get(id) ?? null,
    ...(deps.onHoldChanged ? { onHoldChanged: deps.onHoldChanged } : {}),
  });

  const canSee = (p: Principal | null, b: Pick<Bookmark, 'cameras'>): boolean => b.cameras.every((c) => access.can(p, 'playback', c));
  const principalOf = (session: Session): Principal | null => session.principal;

  function checkCameras(p: Principal, cameras: readonly string[], field: string): void {
    cameras.forEach((c, i) => {
      if (!deps.cameras.has(c)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `${field}.${i}: unknown camera "${c}"`);
      access.require(p, 'playback', c);
    });
  }

  function applyOne(p: Principal, raw: unknown, at: number, index: number): ChangeResult {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id).slice(0, 64) : '';
    try {
      const parsed = changeSchema.safeParse(raw);
      if (!parsed.success) throw zodError(`changes.${index}`, parsed.error);
      const change = parsed.data;
      if (change.entity === 'bookmark') {
        const cur = store.bookmark(change.id);
        if (cur) checkCameras(p, cur.cameras, 'cameras');
        if (change.fields.cameras) checkCameras(p, change.fields.cameras, `changes.${index}.fields.cameras`);
        const { record, changed } = store.applyBookmark(change, p.name, at);
        if (changed) {
          noteChange(record.id, p);
          deps.signaling.broadcast({ type: 'bookmarkChanged', bookmark: record }, (s) => canSee(principalOf(s), record));
          holds.poke();
          if (becameUrgent(cur, record)) deps.onUrgent?.(record, p);
        }
        return { id: change.id, ok: true, record };
      }
      const { record, changed } = store.applyIncident(change, p.name, at);
      if (changed) {
        for (const b of store.bookmarksOf(record.id)) noteChange(b.id, p);
        deps.signaling.broadcast({ type: 'incidentChanged', incident: record }, (s) => access.can(principalOf(s), 'bookmark'));
        holds.poke();
      }
      return { id: change.id, ok: true, record };
    } catch (e) {
      if (e instanceof AppError) return { id, ok: false, error: e.toBody() };
      log.error({ err: e }, 'bookmark change failed');
      return { id, ok: false, error: { code: ErrorCode.INTERNAL, message: 'internal error' } };
    }
  }

  deps.signaling.handle('bookmarksPush', (_ctx, session, msg) => {
    const p = access.require(principalOf(session), 'bookmark');
    const at = now();
    // One transaction per push (each change is its own savepoint inside it).
    const results = deps.db.transaction(() => msg.changes.map((raw, i) => applyOne(p, raw, at, i)))();
    return { results, serverTime: at };
  }, { permission: 'bookmark' });

  deps.signaling.handle('bookmarksPull', (_ctx, session, msg) => {
    const p = access.require(principalOf(session), 'bookmark');
    const { bookmarks, incidents } = store.since(msg.since);
    type Item = { seq: number; b?: Bookmark; i?: Incident };
    const items: Item[] = [...bookmarks.map((b) => ({ seq: b.seq, b })), ...incidents.map((i) => ({ seq: i.seq, i }))].sort((x, y) => x.seq - y.seq);
    const page = items.slice(0, PULL_PAGE);
    const more = items.length > PULL_PAGE;
    return {
      bookmarks: page.flatMap((x) => (x.b && canSee(p, x.b) ? [x.b] : [])),
      incidents: page.flatMap((x) => (x.i ? [x.i] : [])),
      seq: more ? page[page.length - 1]!.seq : Math.max(msg.since, store.seq),
      more,
      serverTime: now(),
    };
  }, { permission: 'bookmark' });

  const routePrincipal = (principal: unknown): Principal => access.require((principal as Principal | undefined) ?? null, 'bookmark');

  deps.router.add(
    {
      method: 'GET',
      path: '/api/bookmarks',
      access: { permission: 'bookmark' },
      doc: { summary: 'Search bookmarks.', query: searchQuery, reply: bookmarksReply },
      handle: ({ url, principal }) => {
        const p = routePrincipal(principal);
        const r = searchQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!r.success) throw zodError('query', r.error, ErrorCode.BAD_REQUEST);
        const q = r.data;
        const filter = { ...(q.camera ? { camera: q.camera } : {}), ...(q.from !== undefined ? { from: q.from } : {}), ...(q.to !== undefined ? { to: q.to } : {}), ...(q.author ? { author: q.author } : {}), ...(q.tag ? { tag: q.tag } : {}), ...(q.text ? { text: q.text } : {}), ...(q.incident ? { incidentId: q.incident } : {}) };
        const list = store.bookmarks(q.from, q.to).filter((b) => canSee(p, b) && matchesFilter(b, filter));
        return { bookmarks: list.slice(0, q.limit), total: list.length, seq: store.seq };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents',
      access: { permission: 'bookmark' },
      doc: { summary: 'Incidents, with how many bookmarks each holds.', reply: incidentsReply },
      handle: ({ principal }) => {
        routePrincipal(principal);
        return { incidents: store.incidents().map((i) => ({ ...i, bookmarks: store.bookmarksOf(i.id).length })) };
      },
    },
    {
      method: 'GET',
      path: '/api/bookmarks/holds',
      access: { permission: 'bookmark' },
      handle: ({ principal }) => {
        routePrincipal(principal);
        return { ...holds.status, recorder: recorder !== null, marginMs: opts.holdMarginMs };
      },
    },
    {
      method: 'POST',
      path: /^\/api\/incidents\/(?<id>[^/]+)\/export$/,
      access: { permission: 'export' },
      doc: { summary: "Export an incident's bookmarked footage (made by the recorder).", body: exportBody },
      handle: async ({ req, res, params, principal }) => {
        const p = access.require((principal as Principal | undefined) ?? null, 'export');
        const body = exportBody.safeParse(await readJsonBody(req));
        if (!body.success) throw zodError('body', body.error, ErrorCode.BAD_REQUEST);
        if (!RECORD_ID.test(params.id!)) throw badField('incident', 'not an incident id');
        const incident = store.incident(params.id!);
        if (!incident || incident.deleted) throw new AppError(ErrorCode.NOT_FOUND, 'no such incident', 404);
        const members = store.bookmarksOf(incident.id);
        for (const b of members) for (const c of b.cameras) access.require(p, 'export', c);
        const ranges = incidentRanges(members, opts.exportPadMs);
        if (ranges.length === 0) throw new AppError(ErrorCode.NO_RECORDING, 'the incident has no bookmarks to export', 404);
        if (!recorder) throw new AppError(ErrorCode.RECORDER_UNAVAILABLE, 'recording is disabled', 503);
        try {
          // Made for the user: the recorder audits the export under their name, not the service's.
          const a = actorOf(p);
          const reply = await recorderJson(recorder, 'POST', '/api/exports', { ranges, exportedBy: p.name.slice(0, 120), title: (body.data.title ?? incident.title).slice(0, 200) || incident.id, ...(body.data.format ? { format: body.data.format } : {}) }, [], { name: a.name, session: a.sessionId });
          log.info({ incident: incident.id, ranges: ranges.length, by: p.name }, 'incident export requested');
          sendJson(res, 202, reply);
          return undefined;
        } catch (e) {
          if (e instanceof RecorderCallError && e.status >= 400 && e.status < 500) throw new AppError((e.code as ErrorCode) ?? ErrorCode.BAD_REQUEST, e.message, e.status);
          throw new AppError(ErrorCode.RECORDER_UNAVAILABLE, 'the recorder does not answer', 502);
        }
      },
    },
  );

  holds.start();
  return {
    store,
    holds,
    close: () => holds.close(),
  };
}
