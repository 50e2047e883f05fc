/**
 * The app's keyboard: which key means what is resolved only by core/shortcuts.ts (`resolveShortcut`,
 * one table for the keys, their modes and the help overlay); this controller listens on the window
 * and maps each resolved app action to what it does on the shell. Review and follow handle their own
 * keys (space, arrows, frame steps) from the same table.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { layoutForKey, neighbour, tileCount, type Direction } from '../core/layout.js';
import { resolveShortcut, type AppAction, type ShortcutMode } from '../core/shortcuts.js';
import type { WallState } from '../storage/wall-store.js';
import type { WallStateController } from './wall-state.js';

const ARROWS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

/** What the keys read and change on their host (the app shell). */
export interface KeysHost extends ReactiveControllerHost {
  readonly wall: WallState;
  readonly wallState: WallStateController;
  readonly shortcutMode: ShortcutMode;
  selected: number | null;
  expanded: number | null;
  helpOpen: boolean;
  bookmarksOpen: boolean;
  toggleFullscreen(): void;
  bookmarkSelectedTile(urgent?: boolean): void;
}

export class AppKeysController implements ReactiveController {
  private readonly onKeyDown = (e: KeyboardEvent): void => this.handleKey(e);

  constructor(private readonly host: KeysHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKeyDown);
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKeyDown);
  }

  /** What each of the app's shortcuts does (core/shortcuts.ts holds the keys); false: not handled, the key goes on. */
  private readonly keyActions: Record<AppAction, (e: KeyboardEvent) => boolean | void> = {
    layout: (e) => {
      const layout = layoutForKey(e.key);
      if (!layout) return false;
      this.host.wallState.setLayout(layout);
    },
    fullscreen: () => this.host.toggleFullscreen(),
    stats: () => this.host.wallState.toggleStats(),
    help: () => {
      this.host.helpOpen = !this.host.helpOpen;
    },
    bookmark: () => this.host.bookmarkSelectedTile(false),
    bookmarkUrgent: () => this.host.bookmarkSelectedTile(true),
    escape: () => {
      const h = this.host;
      if (h.helpOpen) h.helpOpen = false;
      else if (h.bookmarksOpen) h.bookmarksOpen = false;
      else if (h.expanded !== null) h.expanded = null;
      else h.selected = null;
    },
    expand: () => {
      if (this.host.selected === null) return false;
      this.host.wallState.toggleExpand(this.host.selected);
    },
    clear: () => {
      if (this.host.selected === null) return false;
      this.host.wallState.putCamera(this.host.selected, null);
    },
    select: (e) => this.arrow(e, false),
    move: (e) => this.arrow(e, true),
  };

  private arrow(e: KeyboardEvent, move: boolean): void {
    const h = this.host;
    const n = tileCount(h.wall.layout);
    const from = h.selected !== null && h.selected < n ? h.selected : null;
    if (from === null) {
      h.selected = h.expanded ?? 0;
      return;
    }
    const to = neighbour(h.wall.layout, from, ARROWS[e.key]!);
    if (move) h.wallState.swap(from, to);
    else {
      h.selected = to;
      if (h.expanded !== null) h.expanded = to;
    }
  }

  private handleKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(origin.tagName))) return;
    const mode = this.host.shortcutMode;
    const hit = resolveShortcut(mode, e, 'app');
    if (this.host.helpOpen && hit?.action !== 'help' && hit?.action !== 'escape') {
      // The overlay is modal: review's and follow's keys must not act behind it either.
      if (resolveShortcut(mode, e) && !(origin instanceof HTMLButtonElement)) e.preventDefault();
      return;
    }
    // Review and follow handle their own keys (space, arrows, frame steps) from the same table.
    if (!hit) return;
    if (this.keyActions[hit.action](e) === false) return;
    e.preventDefault();
  }
}
