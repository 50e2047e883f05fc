/**
 * Duty-room displays, layout presets and tours: the shapes shared by the SFU and the wall.
 * A display is a browser window registered under a name ("Wall 1 left"); operators push a camera,
 * a preset, a tour or an incident to it and it follows, showing who changed it and when.
 */
import { z } from 'zod';
import { CAMERA_ID } from './config.js';

/** Wall layouts (the client's grid geometry lives in client/src/core/layout.ts). */
export const WALL_LAYOUTS = ['1', '2x2', '3x3', '4x4', '1+5'] as const;
export type WallLayout = (typeof WALL_LAYOUTS)[number];
export const LAYOUT_TILE_COUNT: Readonly<Record<WallLayout, number>> = { '1': 1, '2x2': 4, '3x3': 9, '4x4': 16, '1+5': 6 };

/** The smallest layout that holds `n` cameras. */
export function layoutFor(n: number): WallLayout {
  if (n <= 1) return '1';
  if (n <= 4) return '2x2';
  if (n <= 9) return '3x3';
  return '4x4';
}

export const displayNameSchema = z.string().trim().min(1, 'must not be empty').max(60, 'at most 60 characters');
const cameraId = z.string().regex(CAMERA_ID, 'not a camera id');
const recordId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'not an id');
const label = z.string().trim().min(1, 'must not be empty').max(80, 'at most 80 characters');

export const presetInputSchema = z
  .object({
    name: label,
    layout: z.enum(WALL_LAYOUTS),
    tiles: z.array(cameraId.nullable()).max(16),
  })
  .strict();
export type PresetInput = z.infer<typeof presetInputSchema>;
export interface Preset extends PresetInput {
  id: string;
  createdBy: string;
  updatedAt: number;
}

export const tourStepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('camera'), cameraId }).strict(),
  z.object({ kind: z.literal('preset'), presetId: recordId }).strict(),
]);
export type TourStep = z.infer<typeof tourStepSchema>;
export const tourInputSchema = z
  .object({
    name: label,
    intervalSec: z.number().int().min(2, 'at least 2 s').max(3600, 'at most 3600 s'),
    steps: z.array(tourStepSchema).min(1, 'at least one step').max(100),
  })
  .strict();
export type TourInput = z.infer<typeof tourInputSchema>;
export interface Tour extends TourInput {
  id: string;
  createdBy: string;
  updatedAt: number;
}

export const DISPLAY_RULE_TRIGGERS = ['camera_alert', 'urgent_bookmark'] as const;
export type DisplayRuleTrigger = (typeof DISPLAY_RULE_TRIGGERS)[number];
export const displayRuleInputSchema = z
  .object({
    trigger: z.enum(DISPLAY_RULE_TRIGGERS),
    display: displayNameSchema,
    /** Only these cameras trigger the rule; empty = every camera. */
    cameraIds: z.array(cameraId).max(256).default([]),
    enabled: z.boolean().default(true),
  })
  .strict();
export type DisplayRuleInput = z.infer<typeof displayRuleInputSchema>;
export interface DisplayRule extends DisplayRuleInput {
  id: string;
  createdBy: string;
}

/** What an operator pushes to a display. */
export const displayContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('camera'), cameraId }).strict(),
  z.object({ kind: z.literal('preset'), presetId: recordId }).strict(),
  z.object({ kind: z.literal('tour'), tourId: recordId }).strict(),
  z.object({ kind: z.literal('incident'), title: label, cameraIds: z.array(cameraId).min(1).max(16) }).strict(),
]);
export type DisplayContent = z.infer<typeof displayContentSchema>;

export const TOUR_ACTIONS = ['pause', 'resume', 'next', 'stop'] as const;
export type TourAction = (typeof TOUR_ACTIONS)[number];

export type DisplaySourceKind = 'none' | 'camera' | 'preset' | 'tour' | 'incident' | 'rule';

/** A display's state as every browser sees it (the display itself, and the control panels). */
export interface DisplayState {
  name: string;
  layout: WallLayout;
  tiles: (string | null)[];
  /** What put this on screen: its kind, its record id, and a label to show (preset/tour/incident name). */
  source: { kind: DisplaySourceKind; id: string | null; label: string };
  /** Who changed it last (a user's name, or "rule: …"), and when (ms since epoch). */
  changedBy: string;
  changedAt: number;
  tour: {
    tourId: string;
    name: string;
    index: number;
    steps: number;
    paused: boolean;
    intervalSec: number;
    nextAt: number | null;
    /** The next step's screen, so the display can start receiving it before the switch. */
    upcoming: { layout: WallLayout; tiles: (string | null)[] } | null;
  } | null;
  /** Whether a browser window shows this display now. */
  online: boolean;
}

/** The station's default wall (set by an administrator): what a user with no saved wall starts with. */
export const defaultWallInputSchema = z
  .object({
    layout: z.enum(WALL_LAYOUTS),
    tiles: z.array(cameraId.nullable()).max(16),
  })
  .strict();
export type DefaultWallInput = z.infer<typeof defaultWallInputSchema>;
export interface DefaultWall extends DefaultWallInput {
  updatedBy: string;
  updatedAt: number;
}

/**
 * The first wall of one viewer: the station's default wall with the cameras the viewer may not
 * watch left out, or — without a station default, or when none of its cameras is the viewer's —
 * the first cameras the viewer may watch (in the station's camera order) on the default layout.
 * Pure: `cameraIds` in camera-list order, `canLive` the viewer's right.
 */
export function wallForViewer(
  station: DefaultWallInput | null,
  cameraIds: readonly string[],
  canLive: (cameraId: string) => boolean,
  fallbackLayout: WallLayout = '2x2',
): { layout: WallLayout; tiles: (string | null)[]; source: 'station' | 'automatic' } {
  const known = new Set(cameraIds);
  if (station) {
    const n = LAYOUT_TILE_COUNT[station.layout];
    const tiles = station.tiles.slice(0, n).map((c) => (c && known.has(c) && canLive(c) ? c : null));
    if (tiles.some((c) => c !== null)) return { layout: station.layout, tiles, source: 'station' };
  }
  const layout = station?.layout ?? fallbackLayout;
  const tiles = cameraIds.filter((c) => canLive(c)).slice(0, LAYOUT_TILE_COUNT[layout]);
  return { layout, tiles, source: 'automatic' };
}
