/**
 * The operator's wall (layout, camera per tile, language, stats overlay) and the selection on it:
 * every change is shown at once and persisted at once through the wall store. The state itself stays
 * in <ww-app>'s reactive properties (the shell renders from them); this module is what changes it.
 */
import type { ReactiveControllerHost } from 'lit';
import { isLayoutName, MAX_TILES, tileCount, type LayoutName } from '../core/layout.js';
import { assignCamera, swapTiles } from '../core/wall-ops.js';
import { canCamera, type Me } from '../core/access.js';
import type { FirstWall } from '../core/wall-settings.js';
import { getLang, isLang, setLang, t, type Lang } from '../i18n/i18n.js';
import type { WallState, WallStore } from '../storage/wall-store.js';

/** What the wall state reads and writes on its host (the app shell). */
export interface WallHost extends ReactiveControllerHost {
  wall: WallState;
  selected: number | null;
  expanded: number | null;
  me: Me | null;
  readonly services: { store: WallStore } | null;
}

export class WallStateController {
  constructor(private readonly host: WallHost) {}

  private get store(): WallStore | undefined {
    return this.host.services?.store;
  }

  /** Applies the state loaded from storage (before or after connecting). */
  restore(state: WallState): void {
    this.host.wall = { ...state, tiles: [...state.tiles] };
    setLang(state.lang);
    document.title = t('app.title');
  }

  /**
   * The first wall of a browser with no wall of its own (the station's default wall, or the first
   * cameras this viewer may see), saved at once so it is this browser's wall from now on.
   */
  applyFirstWall(first: FirstWall): void {
    const tiles = Array.from({ length: MAX_TILES }, (_, i) => first.tiles[i] ?? null);
    this.host.wall = { ...this.host.wall, layout: first.layout, tiles };
    void this.store?.savePref('layout', first.layout);
    void this.store?.saveTiles(tiles);
  }

  /** Shows a layout and cameras without saving them (a colleague's link does not overwrite this browser's wall). */
  show(layout: LayoutName, tiles: (string | null)[]): void {
    const h = this.host;
    h.wall = { ...h.wall, layout, tiles };
    if (h.selected !== null && h.selected >= tileCount(layout)) h.selected = null;
  }

  setLayout(layout: LayoutName): void {
    const h = this.host;
    if (!isLayoutName(layout)) return;
    h.expanded = null;
    if (h.selected !== null && h.selected >= tileCount(layout)) h.selected = null;
    if (layout === h.wall.layout) return;
    h.wall = { ...h.wall, layout };
    void this.store?.savePref('layout', layout);
  }

  setLanguage(lang: Lang): void {
    if (!isLang(lang) || lang === getLang()) return;
    setLang(lang);
    document.title = t('app.title');
    this.host.wall = { ...this.host.wall, lang };
    void this.store?.savePref('lang', lang);
  }

  toggleStats(): void {
    const showStats = !this.host.wall.showStats;
    this.host.wall = { ...this.host.wall, showStats };
    void this.store?.savePref('showStats', showStats);
  }

  setTiles(tiles: (string | null)[]): void {
    this.host.wall = { ...this.host.wall, tiles };
    void this.store?.saveTiles(tiles);
  }

  putCamera(index: number, cameraId: string | null): void {
    const { wall, me } = this.host;
    if (index < 0 || index >= tileCount(wall.layout)) return;
    if ((wall.tiles[index] ?? null) === cameraId) return;
    if (cameraId !== null && !canCamera(me, 'live', cameraId)) return;
    this.setTiles(assignCamera(wall.tiles, index, cameraId));
  }

  swap(from: number, to: number): void {
    const h = this.host;
    const n = tileCount(h.wall.layout);
    if (from === to || from < 0 || to < 0 || from >= n || to >= n) return;
    this.setTiles(swapTiles(h.wall.tiles, from, to));
    if (h.selected === from) h.selected = to;
    if (h.expanded === from) h.expanded = to;
  }

  toggleExpand(index: number): void {
    const h = this.host;
    if (index < 0 || index >= tileCount(h.wall.layout)) return;
    h.expanded = h.expanded === index ? null : index;
    h.selected = index;
  }
}
