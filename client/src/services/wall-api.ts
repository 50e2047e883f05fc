/**
 * The wall's station settings over REST (same origin): GET /api/wall for every viewer (watermark,
 * first wall), and the administrator's default wall (GET/PUT/DELETE /api/wall/default). Replies are
 * checked before use; refusals become `WallApiError` with the server's code. No DOM.
 */
import { parseFirstWall, parseWallSettings, type WallSettings } from '../core/wall-settings.js';
import type { LayoutName } from '../core/layout.js';
import { callJson } from './json-reply.js';

export class WallApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WallApiError';
  }
}

export interface StationWall {
  layout: LayoutName;
  tiles: (string | null)[];
  updatedBy: string;
  updatedAt: number;
}

export class WallApi {
  constructor(private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    return callJson(this.fetchFn, method, path, body, (e) => new WallApiError(e.code, e.message));
  }

  async settings(): Promise<WallSettings> {
    return parseWallSettings(await this.call('GET', '/api/wall'));
  }

  /** The station's default wall as set (administrators), or null (automatic). */
  async stationWall(): Promise<StationWall | null> {
    const json = await this.call('GET', '/api/wall/default');
    return this.station(json);
  }

  async setStationWall(layout: LayoutName, tiles: readonly (string | null)[]): Promise<StationWall | null> {
    return this.station(await this.call('PUT', '/api/wall/default', { layout, tiles: [...tiles] }));
  }

  async clearStationWall(): Promise<void> {
    await this.call('DELETE', '/api/wall/default');
  }

  private station(json: unknown): StationWall | null {
    const d = (json as { defaultWall?: unknown } | null)?.defaultWall;
    const wall = parseFirstWall(d);
    if (!wall || typeof d !== 'object' || d === null) return null;
    const r = d as { updatedBy?: unknown; updatedAt?: unknown };
    return { layout: wall.layout, tiles: wall.tiles, updatedBy: typeof r.updatedBy === 'string' ? r.updatedBy : '', updatedAt: typeof r.updatedAt === 'number' ? r.updatedAt : 0 };
  }
}
