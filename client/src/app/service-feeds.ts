/**
 * What the shell shows from the services, kept current while it is on the page: the signaling link's
 * state, the camera list, this window's display (kiosk), the link quality, the urgent bookmarks other
 * operators mark and the cameras' health. Each feed is subscribed when the shell connects and
 * dropped when it leaves, so a shell that is removed (sign-out) holds no listener.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CameraInfo, CityMapPlacement, CityWardInfo, DisplayState } from '@wardwall/common';
import type { CityWardsService } from '../services/city-wards.js';
import type { TileHealth } from '../core/health-alerts.js';
import type { LinkLevel } from '../core/link-quality.js';
import { withUrgentNotice } from '../core/live-bookmark.js';
import type { BookmarkService } from '../services/bookmarks.js';
import type { CameraStore } from '../services/camera-store.js';
import type { DisplaysClient } from '../services/displays.js';
import type { HealthAlertService } from '../services/health-alerts.js';
import type { LinkMonitor } from '../services/link-monitor.js';
import type { ConnectionState, SignalingClient } from '../services/signaling.js';
import { urgentNoticeOf, type UrgentNotice } from '../core/city-alerts.js';

/** The services the feeds come from. */
export interface FeedServices {
  signaling: SignalingClient;
  cameras: CameraStore;
  displays: DisplaysClient;
  link: LinkMonitor;
  bookmarks: BookmarkService;
  alerts?: HealthAlertService;
  city?: CityWardsService;
}

/** The city as the shell shows it (docs/city.md): role, wards, where their maps lie. */
export interface CityView {
  role: 'off' | 'ward' | 'centre';
  wards: readonly CityWardInfo[];
  loaded: boolean;
  placements: ReadonlyMap<string, CityMapPlacement>;
}

export const NO_CITY: CityView = { role: 'off', wards: [], loaded: false, placements: new Map() };

/** What the feeds write on their host (the app shell). */
export interface FeedsHost extends ReactiveControllerHost {
  readonly services: FeedServices | null;
  readonly displayName: string | null;
  connection: ConnectionState;
  cameraMap: ReadonlyMap<string, CameraInfo>;
  camerasLoaded: boolean;
  display: DisplayState | null;
  linkLevel: LinkLevel;
  urgentNotices: readonly UrgentNotice[];
  health: ReadonlyMap<string, TileHealth>;
  city: CityView;
}

export class ServiceFeedsController implements ReactiveController {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly host: FeedsHost) {
    host.addController(this);
  }

  hostConnected(): void {
    const h = this.host;
    const s = h.services;
    if (!s) return;
    h.connection = s.signaling.state;
    this.syncCameras();
    this.unsubscribe.push(
      s.signaling.on('state', (state) => (h.connection = state)),
      s.cameras.on('change', () => this.syncCameras()),
      s.displays.on('mine', (d) => (h.display = d)),
      s.link.on('level', (level) => (h.linkLevel = level)),
      s.bookmarks.on('urgent', (b) => (h.urgentNotices = withUrgentNotice(h.urgentNotices, b))),
      // City centre: a bookmark became urgent at a ward (its cameras `<ward>/<camera>`; review plays them through the centre).
      s.signaling.on('cityUrgent', (u) => (h.urgentNotices = withUrgentNotice(h.urgentNotices, urgentNoticeOf(u)))),
    );
    const alerts = s.alerts;
    if (alerts) {
      h.health = alerts.byCamera;
      this.unsubscribe.push(alerts.on('change', () => (h.health = alerts.byCamera)));
    }
    const city = s.city;
    if (city) {
      const sync = (): void => {
        h.city = { role: city.role, wards: city.wards, loaded: city.loaded, placements: city.placements };
      };
      sync();
      this.unsubscribe.push(city.on('change', sync));
    }
    if (h.displayName) h.display = s.displays.get(h.displayName) ?? null;
  }

  hostDisconnected(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private syncCameras(): void {
    const store = this.host.services?.cameras;
    if (!store) return;
    this.host.cameraMap = store.snapshot();
    this.host.camerasLoaded = store.loaded;
  }
}
