/**
 * Persisted wall state: what the operator had on the wall comes back on reload.
 * Reads validate everything (the stored data is outside input); writes are immediate.
 */
import { LIVE_CAMERA_ID_PATTERN } from '../core/ids.js';
import { isLayoutName, MAX_TILES, type LayoutName } from '../core/layout.js';
import { DEFAULT_LANG, isLang, type Lang } from '../i18n/i18n.js';
import { wallDb, type PrefKey, type WallDatabase } from './db.js';

export interface WallState {
  lang: Lang;
  layout: LayoutName;
  showStats: boolean;
  selected: number | null;
  /** Camera per tile slot (MAX_TILES long), null when empty. */
  tiles: (string | null)[];
  /**
   * Whether this browser has a wall of its own (a layout or a tile was ever saved). Without one the
   * station's first wall is shown (GET /api/wall). Not persisted as such: derived on load.
   */
  saved?: boolean;
}

export const DEFAULT_WALL_STATE: WallState = {
  lang: DEFAULT_LANG,
  layout: '2x2',
  showStats: false,
  selected: null,
  tiles: Array.from({ length: MAX_TILES }, () => null),
};

export function emptyTiles(): (string | null)[] {
  return Array.from({ length: MAX_TILES }, () => null);
}

export class WallStore {
  constructor(private readonly open: () => Promise<WallDatabase> = wallDb) {}

  /** Loads the saved state; falls back to defaults (never throws). */
  async load(timeoutMs = 1500): Promise<WallState> {
    const state: WallState = { ...DEFAULT_WALL_STATE, tiles: emptyTiles() };
    try {
      const db = await withTimeout(this.open(), timeoutMs);
      const [prefs, tiles] = await Promise.all([db.getAll('prefs'), db.getAll('tiles')]);
      state.saved = tiles.length > 0 || prefs.some((p) => p.key === 'wallSaved' || p.key === 'layout');
      for (const p of prefs) {
        if (p.key === 'lang' && isLang(p.value)) state.lang = p.value;
        else if (p.key === 'layout' && isLayoutName(p.value)) state.layout = p.value;
        else if (p.key === 'showStats' && typeof p.value === 'boolean') state.showStats = p.value;
        else if (p.key === 'selected' && Number.isInteger(p.value) && (p.value as number) >= 0 && (p.value as number) < MAX_TILES) {
          state.selected = p.value as number;
        }
      }
      for (const t of tiles) {
        if (Number.isInteger(t.index) && t.index >= 0 && t.index < MAX_TILES && typeof t.cameraId === 'string' && LIVE_CAMERA_ID_PATTERN.test(t.cameraId)) {
          state.tiles[t.index] = t.cameraId;
        }
      }
    } catch (err) {
      console.warn('[storage] cannot read the saved wall; using defaults', err);
    }
    return state;
  }

  async savePref(key: PrefKey, value: unknown): Promise<void> {
    try {
      const db = await this.open();
      await db.put('prefs', { key, value, updatedAt: Date.now() });
    } catch (err) {
      console.warn(`[storage] cannot save ${key}`, err);
    }
  }

  /** Saves the whole tile assignment in one transaction. */
  async saveTiles(tiles: readonly (string | null)[]): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction('tiles', 'readwrite');
      const now = Date.now();
      const writes: Promise<unknown>[] = [];
      tiles.forEach((cameraId, index) => {
        if (index >= MAX_TILES) return;
        writes.push(cameraId ? tx.store.put({ index, cameraId, updatedAt: now }) : tx.store.delete(index));
      });
      await Promise.all([...writes, tx.done]);
      // An emptied wall is still this browser's wall (not the station's first wall again).
      await db.put('prefs', { key: 'wallSaved', value: true, updatedAt: now });
    } catch (err) {
      console.warn('[storage] cannot save the tiles', err);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`IndexedDB did not open in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
