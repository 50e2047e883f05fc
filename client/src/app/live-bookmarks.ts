/**
 * Bookmarks made on the live wall and the urgent ones other operators mark: a tile's bookmark button
 * (or key B / Shift+B on the selected tile) opens the bookmark form on the frame on screen, on the
 * server's clock (core/live-bookmark.ts); an urgent bookmark from someone else shows as a bar under
 * the header until it is opened (review at its moment) or dismissed.
 */
import type { ReactiveControllerHost } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { liveBookmarkDraft, withoutNotice } from '../core/live-bookmark.js';
import type { BookmarkService } from '../services/bookmarks.js';
import type { BookmarkDraft } from '../components/ww-bookmark-form/ww-bookmark-form.js';
import type { BookmarkOpenDetail } from '../components/ww-bookmarks/ww-bookmarks.js';
import type { WwTile } from '../components/ww-tile/ww-tile.js';
import type { WwWall } from '../components/ww-wall/ww-wall.js';
import { renderUrgentNotice } from './notices.js';
import type { UrgentNotice } from '../core/city-alerts.js';

/** What a tile's bookmark event carries (ww-tile requestBookmark). */
export interface TileBookmarkDetail {
  cameraId: string;
  /** The frame on screen (browser clock), null before the first frame. */
  at: number | null;
  urgent?: boolean;
}

/** What live bookmarks read and change on their host (the app shell). */
export interface LiveBookmarksHost extends ReactiveControllerHost {
  readonly services: { bookmarks: BookmarkService } | null;
  readonly selected: number | null;
  readonly expanded: number | null;
  readonly cameraMap: ReadonlyMap<string, CameraInfo>;
  readonly renderRoot: HTMLElement | DocumentFragment;
  bookmarkDraft: BookmarkDraft | null;
  urgentNotices: readonly UrgentNotice[];
  openBookmark(detail: BookmarkOpenDetail): Promise<void>;
}

export class LiveBookmarks {
  constructor(private readonly host: LiveBookmarksHost) {}

  /** A live tile's bookmark: the form opens on the instant of the frame on screen, in server time. */
  readonly onTileBookmark = (e: CustomEvent<TileBookmarkDetail>): void => {
    const svc = this.host.services?.bookmarks;
    if (!svc) return;
    const now = Date.now();
    this.host.bookmarkDraft = liveBookmarkDraft(e.detail.cameraId, e.detail.at, !!e.detail.urgent, { now, serverNow: svc.serverNow() });
  };

  /** Bookmarks the frame on the selected (or expanded) tile: key B (Shift+B: urgent). */
  bookmarkSelectedTile(urgent = false): void {
    const index = this.host.selected ?? this.host.expanded;
    if (index === null) return;
    const wall = this.host.renderRoot.querySelector<WwWall>('ww-wall');
    const tile = wall?.renderRoot.querySelector<WwTile>(`ww-tile[data-index="${index}"]`);
    tile?.requestBookmark(urgent);
  }

  /** The bar of one urgent bookmark: open (review at its moment) or dismiss. */
  renderUrgent(b: UrgentNotice): unknown {
    return renderUrgentNotice(
      b,
      this.host.cameraMap,
      () => (this.dismiss(b.id), void this.host.openBookmark({ cameras: b.cameras, at: b.startMs })),
      () => this.dismiss(b.id),
    );
  }

  private dismiss(id: string): void {
    this.host.urgentNotices = withoutNotice(this.host.urgentNotices, id);
  }
}
