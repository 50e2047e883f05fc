/**
 * Entry point. Asks the server who is signed in (GET /api/auth/me): without a session it shows
 * <ww-login>; with one it restores the saved wall, wires the services (signaling, cameras, live
 * media, recorder, accounts) and mounts <ww-app> for that viewer. When the session ends (sign-out,
 * any API 401, the socket closed with 4401 or refused at upgrade) the whole wall is torn down (media,
 * sockets, DOM) before the login page comes back, so nothing of it outlives the session.
 */
import './components/ww-app/ww-app.js';
import './components/ww-login/ww-login.js';
import type { WwApp } from './components/ww-app/ww-app.js';
import { ANONYMOUS_ID, type Me } from './core/access.js';
import { getLang, isLang, setLang, t, type Lang } from './i18n/i18n.js';
import { AuthApi } from './services/auth-api.js';
import { CameraStore } from './services/camera-store.js';
import { CityWardsService } from './services/city-wards.js';
import { LiveMediaService } from './services/live-media.js';
import { RecorderApi } from './services/recorder-api.js';
import { SignalingClient, signalingUrl } from './services/signaling.js';
import { setViewer, setWatermarkSettings } from './services/viewer.js';
import { WallApi } from './services/wall-api.js';
import { parseUrlState } from './core/url-state.js';
import type { WallSettings } from './core/wall-settings.js';
import { WallStore } from './storage/wall-store.js';
import { BookmarkService } from './services/bookmarks.js';
import { IncidentTrailStore } from './services/trail-store.js';
import { openWallDb } from './storage/db.js';
import { HealthAlertService } from './services/health-alerts.js';
import { DisplaysClient } from './services/displays.js';
import { LinkMonitor } from './services/link-monitor.js';
import { DisplayWarmer } from './services/display-warmer.js';
import { warmTargets } from './core/warm.js';
import { OfflineIdentity } from './storage/offline-identity.js';

/** A display keeps the cameras it showed recently flowing this long, so a push back to them is instant. */
const DISPLAY_WARM_MS = 60_000;

/** An open wall renews its session this often (the server extends it by auth.sessionHours). */
const SESSION_RENEW_MS = 30 * 60_000;

/** The WebSocket close code of a revoked session. */
export const WS_CLOSE_UNAUTHORIZED = 4401;

declare global {
  interface Window {
    __wardwall?: { app: WwApp; signaling: SignalingClient; live: LiveMediaService; cameras: CameraStore; recorder: RecorderApi; auth: AuthApi; bookmarks: BookmarkService; openWallDb: typeof openWallDb; trails: IncidentTrailStore; alerts: HealthAlertService; displays: DisplaysClient; link: LinkMonitor };
  }
}

interface RunningWall {
  stop(): void;
}

const store = new WallStore();
const auth = new AuthApi();
const identity = new OfflineIdentity();
let wall: RunningWall | null = null;

function stopWall(): void {
  wall?.stop();
  wall = null;
  setViewer(null);
  delete window.__wardwall;
}

function showLogin(notice: string | null): void {
  stopWall();
  const login = document.createElement('ww-login');
  login.api = auth;
  login.notice = notice;
  login.addEventListener('ww-login', (e) => {
    const me = (e as CustomEvent<{ me: Me }>).detail.me;
    void identity.save(me);
    void startWall(me);
  });
  login.addEventListener('ww-lang', (e) => {
    const lang = (e as CustomEvent<{ lang: Lang }>).detail.lang;
    if (!isLang(lang)) return;
    setLang(lang);
    document.title = t('app.title');
    void store.savePref('lang', lang);
  });
  document.body.replaceChildren(login);
}

/** `offline`: started from the saved sign-in because the server could not be reached. */
async function startWall(me: Me, offline = false): Promise<void> {
  stopWall();
  const saved = await store.load();
  // The station's settings: the watermark of live tiles and this viewer's first wall.
  let settings: WallSettings | null = null;
  if (!offline) {
    try {
      settings = await new WallApi(auth.fetch).settings();
    } catch (err) {
      console.warn('[wall] cannot read the station settings; defaults are used', err);
    }
  }
  if (wall !== null) return; // a newer start (or a sign-out) came meanwhile
  if (settings) setWatermarkSettings(settings.watermark);
  setViewer(me);
  const app = document.createElement('ww-app');
  app.me = me;
  app.startedOffline = offline;
  app.restore(saved);

  const signaling = new SignalingClient({ url: signalingUrl(location), lang: getLang });
  const cameras = new CameraStore(signaling);
  // At a city centre: the wards' cameras join the wall's (docs/city.md).
  const city = new CityWardsService(signaling, auth.fetch);
  city.on('change', () => cameras.setCity(city.wards, city.placements, city.neighbourDistance));
  // `?display=<name>` runs this window as a duty-room display (kiosk); the control panel's
  // "use this window as a display" button reloads into it.
  const displayName = new URLSearchParams(location.search).get('display')?.trim().slice(0, 60) || null;
  const live = new LiveMediaService(signaling, displayName ? { lingerMs: DISPLAY_WARM_MS } : {});
  const recorder = new RecorderApi('', auth.fetch);
  const bookmarks = new BookmarkService(signaling);
  const trails = new IncidentTrailStore(bookmarks);
  const alerts = new HealthAlertService(signaling, auth.fetch);
  const displays = new DisplaysClient(signaling);
  const link = new LinkMonitor(live, signaling);
  link.start();
  // Anonymous (access control off) has no session to renew.
  const renewTimer = me.id === ANONYMOUS_ID ? null : setInterval(() => void auth.renew(), SESSION_RENEW_MS);
  if (renewTimer && !offline) void auth.renew();
  app.services = { signaling, cameras, live, store, recorder, auth, bookmarks, trails, alerts, displays, link, city };
  if (!displayName) {
    // A browser with no wall of its own starts with the station's first wall (saved: its wall from
    // now on); a link (or a reload) then shows the view it names over it, without saving it.
    if (!saved.saved && settings?.defaultWall) app.applyFirstWall(settings.defaultWall);
    app.pendingLink = parseUrlState(location.search);
  }

  const listeners = new AbortController();
  const opts = { signal: listeners.signal };
  let warmer: DisplayWarmer | null = null;
  if (displayName) {
    app.displayName = displayName;
    void displays.register(displayName);
    // Receive the tour's next step ahead of the switch.
    const w = new DisplayWarmer(live);
    warmer = w;
    const rewarm = (): void => w.warm(warmTargets(displays.get(displayName) ?? null, cameras.snapshot(), window.innerWidth * devicePixelRatio));
    displays.on('mine', rewarm);
    live.on('state', rewarm);
  }
  app.addEventListener(
    'ww-register-display',
    (e) => {
      const name = (e as CustomEvent<{ name: string }>).detail.name;
      location.search = `?display=${encodeURIComponent(name)}`;
    },
    opts,
  );
  // A revoked session's socket is closed with 4401. Any other close may mean the rights changed
  // (4001) or, before the socket opened, a refused upgrade (HTTP 401 looks like any failed
  // connection): ask the server who is signed in, and follow its answer.
  const refreshMe = (): void => {
    auth.me().then(
      (now) => {
        if (wall !== running) return;
        app.startedOffline = false;
        if (!now) auth.sessionEnded();
        else if (JSON.stringify(now) !== JSON.stringify(app.me)) {
          app.me = now;
          setViewer(now);
          void identity.save(now);
        }
      },
      () => undefined,
    );
  };
  signaling.on('socketClosed', ({ code }) => {
    if (wall !== running) return;
    if (code === WS_CLOSE_UNAUTHORIZED) {
      auth.sessionEnded();
      return;
    }
    refreshMe();
  });
  // The server lists only cameras the viewer has a right on; a camera added since (a resident
  // camera approved) brings its rights with a fresh `me`.
  signaling.on('cameras', (list) => {
    if (wall === running && list.some((c) => !(c.id in (app.me?.cameras ?? {})))) refreshMe();
  });
  // At a city centre, a ward camera listed since (a ward joined, a camera added) likewise.
  city.on('change', () => {
    if (wall === running && city.wards.some((w) => w.cameras.some((c) => !(c.remoteId in (app.me?.cameras ?? {}))))) refreshMe();
  });
  app.addEventListener('ww-logout', () => void identity.forget().then(() => auth.logout()).then(() => boot()), opts);
  // Skip the back-off wait when the network or the page comes back. A network change (Wi-Fi to
  // mobile) keeps the session but needs new ICE paths: restart ICE at once rather than waiting for
  // the transport to notice (it also does, on disconnected/failed).
  const onNetworkChange = (): void => {
    if (live.ready) void live.forceIceRestart();
  };
  window.addEventListener('online', () => (signaling.retryNow(), onNetworkChange()), opts);
  (navigator as Navigator & { connection?: EventTarget }).connection?.addEventListener('change', onNetworkChange, opts);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && signaling.retryNow(), opts);
  const closeServices = (): void => {
    if (renewTimer) clearInterval(renewTimer);
    warmer?.close();
    live.close();
    bookmarks.close();
    displays.close();
    link.close();
    city.close();
    signaling.close();
  };
  window.addEventListener('pagehide', closeServices, opts);

  const running: RunningWall = {
    stop() {
      listeners.abort();
      closeServices();
      cameras.close();
      app.remove();
    },
  };
  wall = running;
  document.body.replaceChildren(app);
  signaling.start();
  window.__wardwall = { app, signaling, live, cameras, recorder, auth, bookmarks, openWallDb, trails, alerts, displays, link };
}

/**
 * Shows the wall of whoever is signed in, else the login page (at start and after signing out).
 * When the server cannot be reached, the wall of the last sign-in on this browser starts from what
 * it saved (its bookmarks stay usable and sync when the server is back); without one, the login
 * page says the server is unreachable.
 */
async function boot(): Promise<void> {
  let me: Me | null;
  try {
    me = await auth.me();
  } catch (err) {
    console.warn('[auth] cannot ask who is signed in', err);
    const saved = await identity.load();
    if (saved) {
      auth.resumeOffline();
      await startWall(saved, true);
    } else showLogin(t('login.unreachable'));
    return;
  }
  if (me) {
    void identity.save(me);
    await startWall(me);
  } else {
    void identity.forget();
    showLogin(null);
  }
}

/**
 * The app-shell service worker (reload without the server). Only in a secure context (HTTPS,
 * localhost), and only for a built client (the dev server has no /sw.js).
 */
function registerShellWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  void fetch('/sw.js', { method: 'HEAD', cache: 'no-store' })
    .then((r) => (r.ok && (r.headers.get('content-type') ?? '').includes('javascript') ? navigator.serviceWorker.register('/sw.js') : null))
    .catch((err: unknown) => console.warn('[offline] the app shell cannot be kept for offline start', err));
}

async function main(): Promise<void> {
  const saved = await store.load();
  setLang(saved.lang);
  document.title = t('app.title');
  auth.on('unauthorized', () => {
    void identity.forget();
    showLogin(t('login.sessionEnded'));
  });
  registerShellWorker();
  await boot();
}

void main();
