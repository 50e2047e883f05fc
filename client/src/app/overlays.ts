/**
 * What opens over the page: the password change dialog, the bookmarks drawer, the bookmark form (from
 * a live tile, review or the drawer) and the keyboard help. Each is rendered only while it is open and
 * closes itself through its event.
 */
import { html, nothing } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import type { ShortcutMode } from '../core/shortcuts.js';
import type { AuthApi } from '../services/auth-api.js';
import type { BookmarkService } from '../services/bookmarks.js';
import type { RecorderApi } from '../services/recorder-api.js';
import type { BookmarkDraft } from '../components/ww-bookmark-form/ww-bookmark-form.js';
import type { BookmarkOpenDetail } from '../components/ww-bookmarks/ww-bookmarks.js';
import '../components/ww-password/ww-password.js';
import '../components/ww-bookmarks/ww-bookmarks.js';
import '../components/ww-bookmark-form/ww-bookmark-form.js';
import '../components/ww-help/ww-help.js';

/** What the overlays read and change on their host (the app shell). */
export interface OverlaysHost {
  readonly services: { auth: AuthApi; bookmarks: BookmarkService; recorder: RecorderApi } | null;
  readonly cameraMap: ReadonlyMap<string, CameraInfo>;
  readonly shortcutMode: ShortcutMode;
  passwordOpen: boolean;
  bookmarksOpen: boolean;
  bookmarkDraft: BookmarkDraft | null;
  helpOpen: boolean;
  openBookmark(detail: BookmarkOpenDetail): Promise<void>;
}

export function renderOverlays(h: OverlaysHost): unknown {
  const s = h.services;
  const cameraNames = (): Map<string, string> => new Map([...h.cameraMap.values()].map((c) => [c.id, c.name]));
  return html`${h.passwordOpen ? html`<ww-password .api=${s?.auth ?? null} @ww-password-close=${() => (h.passwordOpen = false)}></ww-password>` : nothing}
    ${h.bookmarksOpen && s
      ? html`<ww-bookmarks class="drawer" .service=${s.bookmarks} .api=${s.recorder} .cameraNames=${cameraNames()}
          @ww-bookmarks-close=${() => (h.bookmarksOpen = false)}
          @ww-bookmark-open=${(e: CustomEvent<BookmarkOpenDetail>) => void h.openBookmark(e.detail)}></ww-bookmarks>`
      : nothing}
    ${h.bookmarkDraft && s
      ? html`<ww-bookmark-form .service=${s.bookmarks} .draft=${h.bookmarkDraft} .cameraNames=${cameraNames()}
          @ww-bookmark-close=${() => (h.bookmarkDraft = null)}></ww-bookmark-form>`
      : nothing}
    ${h.helpOpen ? html`<ww-help .mode=${h.shortcutMode} @ww-help-close=${() => (h.helpOpen = false)}></ww-help>` : nothing}`;
}
