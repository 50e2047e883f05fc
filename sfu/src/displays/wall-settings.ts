/**
 * The wall's station settings: the default wall an administrator sets (layout + cameras, kept in
 * the SFU's SQLite database, table `wall_default`) that users with no saved wall start with,
 * filtered to the cameras each may watch, and the watermark settings of live tiles (config
 * `wall.watermark`).
 *
 *   GET    /api/wall           session  {watermark, defaultWall: {layout, tiles, source} | null (wall.firstWall off)} for the caller
 *   GET    /api/wall/default   admin    {defaultWall: DefaultWall | null} (as set, unfiltered)
 *   PUT    /api/wall/default   admin    {layout, tiles} → {defaultWall}; audited wall_default_set
 *   DELETE /api/wall/default   admin    back to automatic (the first cameras); audited wall_default_clear
 */
import { AppError, ErrorCode, defaultWallInputSchema, wallForViewer, type DefaultWall, type WallConfig } from '@wardwall/common';
import type { AccessPolicy, Principal } from '@wardwall/accounts';
import { actorOf } from '@wardwall/accounts';
import type { AuditLog } from '../audit/index.js';
import { plainIssueError, readBody, type Route, type Router } from '@wardwall/server-kit';
import { migrate, type AppDb } from '@wardwall/server-kit';

export const WALL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE wall_default (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     layout TEXT NOT NULL,
     tiles_json TEXT NOT NULL,
     updated_by TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
];

export class DefaultWallStore {
  constructor(private readonly db: AppDb) {
    migrate(db, 'wall', WALL_MIGRATIONS);
  }

  get(): DefaultWall | null {
    const r = this.db.prepare('SELECT layout, tiles_json, updated_by, updated_at FROM wall_default WHERE id = 1').get() as
      | { layout: string; tiles_json: string; updated_by: string; updated_at: number }
      | undefined;
    if (!r) return null;
    // Rows are outside input too (an older build, a hand edit): parsed, a damaged one is ignored.
    let tiles: unknown;
    try {
      tiles = JSON.parse(r.tiles_json);
    } catch {
      return null;
    }
    const parsed = defaultWallInputSchema.safeParse({ layout: r.layout, tiles });
    return parsed.success ? { ...parsed.data, updatedBy: r.updated_by, updatedAt: r.updated_at } : null;
  }

  set(wall: { layout: DefaultWall['layout']; tiles: (string | null)[] }, by: string, now: number): DefaultWall {
    this.db
      .prepare(
        `INSERT INTO wall_default (id, layout, tiles_json, updated_by, updated_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET layout = excluded.layout, tiles_json = excluded.tiles_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(wall.layout, JSON.stringify(wall.tiles), by, now);
    return { ...wall, updatedBy: by, updatedAt: now };
  }

  clear(): boolean {
    return this.db.prepare('DELETE FROM wall_default WHERE id = 1').run().changes > 0;
  }
}

export interface WallSettingsDeps {
  db: AppDb;
  router: Router;
  access: AccessPolicy;
  /** Live camera ids in camera-list order. */
  cameraIds: () => string[];
  /** Any camera the station knows (live or recorded-only), for validating an administrator's wall. */
  cameraExists: (id: string) => boolean;
  config: WallConfig;
  audit: AuditLog;
  now?: () => number;
}

export function installWallSettings(deps: WallSettingsDeps): DefaultWallStore {
  const store = new DefaultWallStore(deps.db);
  const now = deps.now ?? Date.now;
  const admin = { permission: 'admin' } as const;
  const principalOf = (ctx: { principal?: unknown }): Principal | null => (ctx.principal as Principal | undefined) ?? null;
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/api/wall',
      access: 'session',
      handle: (ctx) => {
        const p = principalOf(ctx);
        return {
          watermark: deps.config.watermark,
          defaultWall: deps.config.firstWall ? wallForViewer(store.get(), deps.cameraIds(), (c) => deps.access.can(p, 'live', c)) : null,
        };
      },
    },
    { method: 'GET', path: '/api/wall/default', access: admin, handle: () => ({ defaultWall: store.get() }) },
    {
      method: 'PUT',
      path: '/api/wall/default',
      access: admin,
      doc: { summary: "Set the first wall new viewers open.", body: defaultWallInputSchema },
      handle: async (ctx) => {
        const input = await readBody(ctx.req, defaultWallInputSchema, { error: plainIssueError });
        input.tiles.forEach((c, i) => {
          if (c && !deps.cameraExists(c)) throw new AppError(ErrorCode.UNKNOWN_CAMERA, `tiles.${i}: unknown camera ${c}`, 400);
        });
        const p = deps.access.require(principalOf(ctx), 'admin');
        const wall = store.set(input, p.name, now());
        deps.audit.append(actorOf(p), 'wall_default_set', null, { layout: wall.layout, tiles: wall.tiles });
        return { defaultWall: wall };
      },
    },
    {
      method: 'DELETE',
      path: '/api/wall/default',
      access: admin,
      handle: (ctx) => {
        const p = deps.access.require(principalOf(ctx), 'admin');
        if (store.clear()) deps.audit.append(actorOf(p), 'wall_default_clear', null, {});
        return { defaultWall: null };
      },
    },
  ];
  deps.router.add(...routes);
  return store;
}
