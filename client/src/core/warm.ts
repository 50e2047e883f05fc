/**
 * Which streams a duty-room display receives ahead of time: the cameras of its tour's next step,
 * in the stream each tile will pick at that size, so the switch shows live video at once instead of
 * waiting for the camera's next keyframe. Pure, no DOM.
 */
import type { CameraInfo, DisplayState, StreamKind } from '@wardwall/common';
import { layoutGeometry } from './layout.js';
import { effectiveStream, preferredStream } from './stream-choice.js';

export interface WarmTarget {
  cameraId: string;
  stream: StreamKind;
}

export function warmTargets(state: DisplayState | null, cameras: ReadonlyMap<string, CameraInfo>, wallWidthDevicePx: number): WarmTarget[] {
  const next = state?.tour && !state.tour.paused ? state.tour.upcoming : null;
  if (!next) return [];
  const geo = layoutGeometry(next.layout);
  const out: WarmTarget[] = [];
  const seen = new Set<string>();
  geo.tiles.forEach((rect, i) => {
    const cameraId = next.tiles[i];
    const camera = cameraId ? cameras.get(cameraId) : undefined;
    if (!cameraId || !camera) return;
    const width = (wallWidthDevicePx * rect.colSpan) / geo.cols;
    const stream = effectiveStream(preferredStream(width, null, !!camera.streams.sub), camera);
    const key = `${cameraId}/${stream}`;
    if (camera.streams[stream]?.state !== 'live' || seen.has(key)) return;
    seen.add(key);
    out.push({ cameraId, stream });
  });
  return out;
}
