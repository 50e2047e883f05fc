/**
 * The wall's station settings as the SFU sends them (GET /api/wall): the watermark of live tiles and
 * this viewer's first wall. Pure: the reply is outside input and is checked field by field; anything
 * malformed falls back to the documented defaults.
 */
import { CAMERA_ID_PATTERN } from './ids.js';
import { isLayoutName, MAX_TILES, tileCount, type LayoutName } from './layout.js';

export type WatermarkStyle = 'sparse' | 'corner' | 'dense';
export interface WatermarkSettings {
  style: WatermarkStyle;
  /** Opacity of the text on live tiles (0.05..1). */
  opacity: number;
  /** Sparse style: copies per tile side (1..6; 2 = one per quarter). */
  density: number;
}

/** The defaults of config `wall.watermark` (common/src/config.ts). */
export const DEFAULT_WATERMARK: WatermarkSettings = Object.freeze({ style: 'sparse', opacity: 0.18, density: 2 });

export interface FirstWall {
  layout: LayoutName;
  /** Camera per tile slot (MAX_TILES long), null when empty. */
  tiles: (string | null)[];
  /** 'station': the administrator's default wall; 'automatic': the first cameras this viewer may see. */
  source: 'station' | 'automatic';
}

export interface WallSettings {
  watermark: WatermarkSettings;
  defaultWall: FirstWall | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clamp = (v: unknown, min: number, max: number, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt);

export function parseWatermark(v: unknown): WatermarkSettings {
  if (!isObj(v)) return DEFAULT_WATERMARK;
  const style = v.style === 'sparse' || v.style === 'corner' || v.style === 'dense' ? v.style : DEFAULT_WATERMARK.style;
  return { style, opacity: clamp(v.opacity, 0.05, 1, DEFAULT_WATERMARK.opacity), density: Math.round(clamp(v.density, 1, 6, DEFAULT_WATERMARK.density)) };
}

/** A wall (layout + tile slots) from outside input; null when unusable. Slots are padded to MAX_TILES. */
export function parseFirstWall(v: unknown): FirstWall | null {
  if (!isObj(v) || !isLayoutName(v.layout) || !Array.isArray(v.tiles)) return null;
  const n = tileCount(v.layout);
  const tiles = Array.from({ length: MAX_TILES }, (_, i) => {
    const c: unknown = i < n ? (v.tiles as unknown[])[i] : null;
    return typeof c === 'string' && CAMERA_ID_PATTERN.test(c) ? c : null;
  });
  return { layout: v.layout, tiles, source: v.source === 'station' ? 'station' : 'automatic' };
}

export function parseWallSettings(v: unknown): WallSettings {
  return { watermark: parseWatermark(isObj(v) ? v.watermark : null), defaultWall: isObj(v) ? parseFirstWall(v.defaultWall) : null };
}
