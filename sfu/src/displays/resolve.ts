/**
 * Pure: what a display shows for a pushed content or a tour step. No I/O; lookups are passed in.
 */
import { LAYOUT_TILE_COUNT, layoutFor, type DisplayState, type Preset, type TourStep, type WallLayout } from '@wardwall/common';

export interface Screen {
  layout: WallLayout;
  tiles: (string | null)[];
}

/** A preset's layout with exactly as many tiles as the layout has. */
export function presetScreen(preset: Pick<Preset, 'layout' | 'tiles'>): Screen {
  const n = LAYOUT_TILE_COUNT[preset.layout];
  return { layout: preset.layout, tiles: Array.from({ length: n }, (_, i) => preset.tiles[i] ?? null) };
}

/** Cameras side by side in the smallest layout that holds them (an incident, a rule's camera). */
export function camerasScreen(cameraIds: readonly string[]): Screen {
  const layout = layoutFor(cameraIds.length);
  const n = LAYOUT_TILE_COUNT[layout];
  return { layout, tiles: Array.from({ length: n }, (_, i) => cameraIds[i] ?? null) };
}

/** One tour step's screen, or null when its preset no longer exists (the tour skips it). */
export function stepScreen(step: TourStep, presetById: (id: string) => Preset | undefined): { screen: Screen; label: string } | null {
  if (step.kind === 'camera') return { screen: camerasScreen([step.cameraId]), label: step.cameraId };
  const preset = presetById(step.presetId);
  return preset ? { screen: presetScreen(preset), label: preset.name } : null;
}

/** The state of a display nobody has pushed anything to yet. */
export function blankDisplay(name: string, now: number): DisplayState {
  return { name, layout: '2x2', tiles: [null, null, null, null], source: { kind: 'none', id: null, label: '' }, changedBy: '', changedAt: now, tour: null, online: false };
}

/** Index of the next step of a tour of `count` steps. */
export function nextStepIndex(index: number, count: number): number {
  return count > 0 ? (index + 1) % count : 0;
}
