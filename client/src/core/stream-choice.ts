/**
 * Which of a camera's streams a tile consumes: pure decisions, no DOM.
 *
 * Small tiles take the sub stream, large tiles the main stream, decided by the tile's rendered width
 * in device pixels with hysteresis so a tile near the threshold does not flap between streams.
 */
import type { CameraInfo, StreamKind } from '@wardwall/common';

export interface StreamThresholds {
  /** Switch up to main at or above this width in device pixels. */
  upPx: number;
  /** Switch down to sub below this width in device pixels. */
  downPx: number;
}

export const DEFAULT_THRESHOLDS: StreamThresholds = { upPx: 640, downPx: 480 };

/**
 * The preferred stream for a tile of `widthDevicePx`, given what it shows now (`current`, null when
 * nothing yet) and whether the camera has a sub stream at all.
 */
export function preferredStream(
  widthDevicePx: number,
  current: StreamKind | null,
  hasSub: boolean,
  thresholds: StreamThresholds = DEFAULT_THRESHOLDS,
): StreamKind {
  if (!hasSub) return 'main';
  if (!(widthDevicePx > 0)) return current ?? 'sub';
  if (current === 'main') return widthDevicePx < thresholds.downPx ? 'sub' : 'main';
  if (current === 'sub') return widthDevicePx >= thresholds.upPx ? 'main' : 'sub';
  return widthDevicePx >= thresholds.upPx ? 'main' : 'sub';
}

/**
 * The stream to consume: the preferred one when it is live; otherwise the other one if that is live
 * (a small tile rather shows main than nothing); otherwise the preferred one (to wait on).
 */
export function effectiveStream(preferred: StreamKind, camera: Pick<CameraInfo, 'streams'> | undefined): StreamKind {
  if (!camera) return preferred;
  const status = camera.streams[preferred];
  if (status?.state === 'live') return preferred;
  const other: StreamKind = preferred === 'main' ? 'sub' : 'main';
  if (camera.streams[other]?.state === 'live') return other;
  return camera.streams[preferred] ? preferred : 'main';
}
