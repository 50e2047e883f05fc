/**
 * Pure PTZ gesture maths for a tile (docs/ptz.md): a drag is a joystick (the offset from where the
 * pointer went down, relative to half the tile, sets the speed: farther = faster), the wheel zooms,
 * arrow keys and +/- move at a fixed speed. Velocities are ONVIF's generic [-1, 1].
 */
export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

export const STILL: PtzVelocity = Object.freeze({ pan: 0, tilt: 0, zoom: 0 });
/** A dead zone around the press point, as a fraction of half the tile. */
export const DRAG_DEAD_ZONE = 0.08;
export const KEY_SPEED = 0.5;
export const WHEEL_SPEED = 0.6;

const clamp = (x: number) => Math.max(-1, Math.min(1, x));
const round = (x: number) => Math.round(x * 100) / 100;

/** The velocity of a drag from (x0, y0) to (x, y) on a tile of w × h (screen y grows downwards). */
export function dragVelocity(x0: number, y0: number, x: number, y: number, w: number, h: number): PtzVelocity {
  const dx = (x - x0) / Math.max(1, w / 2);
  const dy = (y - y0) / Math.max(1, h / 2);
  const pan = Math.abs(dx) < DRAG_DEAD_ZONE ? 0 : clamp(dx);
  const tilt = Math.abs(dy) < DRAG_DEAD_ZONE ? 0 : clamp(-dy);
  return { pan: round(pan), tilt: round(tilt), zoom: 0 };
}

/** The wheel: up (negative deltaY) zooms in. */
export function wheelVelocity(deltaY: number): PtzVelocity {
  return { pan: 0, tilt: 0, zoom: deltaY < 0 ? WHEEL_SPEED : deltaY > 0 ? -WHEEL_SPEED : 0 };
}

/** The keys held down → a velocity (several arrows combine). Unknown keys are ignored. */
export function keysVelocity(held: ReadonlySet<string>): PtzVelocity {
  let pan = 0;
  let tilt = 0;
  let zoom = 0;
  if (held.has('ArrowLeft')) pan -= KEY_SPEED;
  if (held.has('ArrowRight')) pan += KEY_SPEED;
  if (held.has('ArrowUp')) tilt += KEY_SPEED;
  if (held.has('ArrowDown')) tilt -= KEY_SPEED;
  if (held.has('+') || held.has('=')) zoom += KEY_SPEED;
  if (held.has('-')) zoom -= KEY_SPEED;
  return { pan, tilt, zoom };
}

export const PTZ_KEYS: ReadonlySet<string> = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', '+', '=', '-']);

export function isStill(v: PtzVelocity): boolean {
  return v.pan === 0 && v.tilt === 0 && v.zoom === 0;
}

export function sameVelocity(a: PtzVelocity, b: PtzVelocity): boolean {
  return Math.abs(a.pan - b.pan) < 0.05 && Math.abs(a.tilt - b.tilt) < 0.05 && Math.abs(a.zoom - b.zoom) < 0.05;
}
