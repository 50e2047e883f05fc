/**
 * Who is signed in on this page, for the parts that must always know it wherever they sit (the
 * watermark of every tile, saved frames): set once at login, cleared at logout. No DOM.
 */
import type { Me } from '../core/access.js';
import { DEFAULT_WATERMARK, type WatermarkSettings } from '../core/wall-settings.js';

type Listener = (me: Me | null) => void;
let current: Me | null = null;
const listeners = new Set<Listener>();

export function currentViewer(): Me | null {
  return current;
}

export function setViewer(me: Me | null): void {
  if (me === current) return;
  current = me;
  for (const l of [...listeners]) {
    try {
      l(me);
    } catch (err) {
      console.warn('[viewer] listener failed', err);
    }
  }
}

export function onViewerChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The station's watermark settings for live tiles (config `wall.watermark`, from GET /api/wall). */
let watermark: WatermarkSettings = DEFAULT_WATERMARK;
const watermarkListeners = new Set<() => void>();

export function watermarkSettings(): WatermarkSettings {
  return watermark;
}

export function setWatermarkSettings(w: WatermarkSettings): void {
  watermark = w;
  for (const l of [...watermarkListeners]) l();
}

export function onWatermarkSettings(listener: () => void): () => void {
  watermarkListeners.add(listener);
  return () => watermarkListeners.delete(listener);
}
