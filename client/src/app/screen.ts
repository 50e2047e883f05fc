/**
 * The screen the wall is on: a phone (one or four tiles, a horizontal swipe shows the next or
 * previous cameras) and full screen (the operator's wall alone, or a duty-room display with its
 * overlay).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CameraInfo } from '@wardwall/common';
import { tileCount, type LayoutName } from '../core/layout.js';
import { phoneLayout, swipeDirection, swipeTiles } from '../core/swipe.js';
import type { WallState } from '../storage/wall-store.js';
import type { WallStateController } from './wall-state.js';

/** Phones get one or four tiles and swipe between cameras. */
const PHONE_QUERY = '(max-width: 700px)';

/** What the screen reads and changes on its host (the app shell). */
export interface ScreenHost extends ReactiveControllerHost, HTMLElement {
  phone: boolean;
  readonly wall: WallState;
  readonly wallState: WallStateController;
  readonly expanded: number | null;
  readonly cameraMap: ReadonlyMap<string, CameraInfo>;
  readonly displayName: string | null;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export class ScreenController implements ReactiveController {
  private readonly phoneMedia = typeof matchMedia === 'function' ? matchMedia(PHONE_QUERY) : null;
  private readonly onPhoneChange = (): void => {
    this.host.phone = !!this.phoneMedia?.matches;
  };
  private touchStart: { x: number; y: number } | null = null;

  constructor(private readonly host: ScreenHost) {
    host.addController(this);
  }

  /** Whether the page is on a phone-sized screen now. */
  get isPhone(): boolean {
    return !!this.phoneMedia?.matches;
  }

  hostConnected(): void {
    this.phoneMedia?.addEventListener('change', this.onPhoneChange);
  }

  hostDisconnected(): void {
    this.phoneMedia?.removeEventListener('change', this.onPhoneChange);
  }

  /** The layout shown: a phone gets one or four tiles. */
  get shownLayout(): LayoutName {
    return this.host.phone ? phoneLayout(this.host.wall.layout) : this.host.wall.layout;
  }

  readonly onTouchStart = (e: TouchEvent): void => {
    const t0 = e.touches[0];
    this.touchStart = e.touches.length === 1 && t0 ? { x: t0.clientX, y: t0.clientY } : null;
  };

  /** A horizontal swipe on a phone shows the next or previous camera(s). */
  readonly onTouchEnd = (e: TouchEvent): void => {
    const start = this.touchStart;
    this.touchStart = null;
    const t1 = e.changedTouches[0];
    const h = this.host;
    if (!start || !t1 || !h.phone || h.expanded !== null) return;
    const dir = swipeDirection(t1.clientX - start.x, t1.clientY - start.y);
    if (!dir) return;
    const ids = [...h.cameraMap.keys()];
    h.wallState.setTiles(swipeTiles(ids, h.wall.tiles, tileCount(this.shownLayout), dir));
  };

  toggleFullscreen(): void {
    // A display goes full screen with its overlay; the operator's wall goes full screen alone.
    const h = this.host;
    const wall: HTMLElement | null = h.displayName ? h : h.renderRoot.querySelector<HTMLElement>('ww-wall');
    if (!wall) return;
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    } else if (wall.requestFullscreen) {
      wall.requestFullscreen({ navigationUI: 'hide' }).catch((err: unknown) => console.warn('[app] full screen refused', err));
    }
  }
}
