/**
 * Jumps from one page to another at a moment: a bookmark opens review on its cameras at its instant,
 * review's "follow from here" opens follow mode on the recording, a saved pursuit trail replays in
 * review. Each switches the page, waits for the page's element to render, then hands it the moment.
 */
import type { ReactiveControllerHost } from 'lit';
import type { AppPage } from '../core/access.js';
import type { Trail } from '../core/trail.js';
import type { BookmarkOpenDetail } from '../components/ww-bookmarks/ww-bookmarks.js';
import type { WwFollow } from '../components/ww-follow/ww-follow.js';
import type { WwReview } from '../components/ww-review/ww-review.js';

/** What the jumps read and change on their host (the app shell). */
export interface JumpsHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  bookmarksOpen: boolean;
  setMode(mode: AppPage): void;
}

export class PageJumps {
  constructor(private readonly host: JumpsHost) {}

  /** Opens review on a bookmark's cameras at its moment. */
  async openBookmark(detail: BookmarkOpenDetail): Promise<void> {
    const h = this.host;
    h.setMode('review');
    h.bookmarksOpen = false;
    await h.updateComplete;
    const review = h.renderRoot.querySelector<WwReview>('ww-review');
    if (!review) return;
    await review.updateComplete;
    review.selected = detail.cameras.slice();
    review.open(detail.cameras, detail.at);
  }

  /** Follow mode on the recording, from a camera and an instant of review mode. */
  followPast(cameraId: string, at: number): void {
    const h = this.host;
    h.setMode('follow');
    void h.updateComplete.then(() => h.renderRoot.querySelector<WwFollow>('ww-follow')?.followPast(cameraId, at));
  }

  /** Replays a pursuit trail in review mode: each camera at its time, in sequence. */
  replayTrail(trail: Trail): void {
    const h = this.host;
    h.setMode('review');
    void h.updateComplete.then(() => h.renderRoot.querySelector<WwReview>('ww-review')?.replayTrail(trail));
  }
}
