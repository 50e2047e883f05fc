/**
 * Digital zoom and pan of a picture in a box of w×h CSS px: transform = translate(x, y) scale(s)
 * with the origin at the top-left. The picture always covers the box (no panning into black). Pure.
 */
export interface Zoom {
  scale: number;
  x: number;
  y: number;
}

export const NO_ZOOM: Zoom = { scale: 1, x: 0, y: 0 };
export const MAX_ZOOM = 8;

function clampPan(z: Zoom, w: number, h: number): Zoom {
  const minX = w * (1 - z.scale);
  const minY = h * (1 - z.scale);
  return { scale: z.scale, x: Math.min(0, Math.max(minX, z.x)), y: Math.min(0, Math.max(minY, z.y)) };
}

/** Zooms by `factor` keeping the point (px, py) of the box under the same picture point. */
export function zoomAt(z: Zoom, factor: number, px: number, py: number, w: number, h: number): Zoom {
  const scale = Math.min(MAX_ZOOM, Math.max(1, z.scale * factor));
  if (scale === 1) return NO_ZOOM;
  const k = scale / z.scale;
  return clampPan({ scale, x: px - (px - z.x) * k, y: py - (py - z.y) * k }, w, h);
}

export function panBy(z: Zoom, dx: number, dy: number, w: number, h: number): Zoom {
  if (z.scale === 1) return NO_ZOOM;
  return clampPan({ scale: z.scale, x: z.x + dx, y: z.y + dy }, w, h);
}

/** Wheel delta (pixels) → zoom factor: one notch (100 px) ≈ ×1.25. */
export function wheelFactor(deltaY: number): number {
  return Math.pow(1.25, -Math.max(-5, Math.min(5, deltaY / 100)));
}

export function zoomTransform(z: Zoom): string {
  return z.scale === 1 ? '' : `translate(${z.x.toFixed(2)}px, ${z.y.toFixed(2)}px) scale(${z.scale.toFixed(4)})`;
}
