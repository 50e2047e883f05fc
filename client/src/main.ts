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
import type { Me } from './core/access.js';
import { getLang, isLang, setLang, t, type Lang } from './i18n/i18n.js';
import { AuthApi } from './services/auth-api.js';
import { CameraStore } from './services/camera-store.js';
import { LiveMediaService } from './services/live-media.js';
import { RecorderApi } from './services/recorder-api.js';
import { SignalingClient, signalingUrl } from './services/signaling.js';
import { setViewer } from './services/viewer.js';
import { WallStore } from './storage/wall-store.js';
import { BookmarkService } from './services/bookmarks.js';
import { IncidentTrailStore } from './services/trail-store.js';
import { openWallDb } from './storage/db.js';
import { HealthAlertService } from './services/health-alerts.js';

/** The WebSocket close code of a revoked session. */
export const WS_CLOSE_UNAUTHORIZED = 4401;

declare global {
  interface Window {
    __wardwall?: { app: WwApp; signaling: SignalingClient; live: LiveMediaService; cameras: CameraStore; recorder: RecorderApi; auth: AuthApi; bookmarks: BookmarkService; openWallDb: typeof openWallDb; trails: IncidentTrailStore; alerts: HealthAlertService };
  }
}

interface RunningWall {
  stop(): void;
}

const store = new WallStore();
const auth = new AuthApi();
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
  login.addEventListener('ww-login', (e) => void startWall((e as CustomEvent<{ me: Me }>).detail.me));
  login.addEventListener('ww-lang', (e) => {
    const lang = (e as CustomEvent<{ lang: Lang }>).detail.lang;
    if (!isLang(lang)) return;
    setLang(lang);
    document.title = t('app.title');
    void store.savePref('lang', lang);
  });
  document.body.replaceChildren(login);
}

async function startWall(me: Me): Promise<void> {
  stopWall();
  const saved = await store.load();
  setViewer(me);
  const app = document.createElement('ww-app');
  app.me = me;
  app.restore(saved);

  const signaling = new SignalingClient({ url: signalingUrl(location), lang: getLang });
  const cameras = new CameraStore(signaling);
  const live = new LiveMediaService(signaling);
  const recorder = new RecorderApi('', auth.fetch);
  const bookmarks = new BookmarkService(signaling);
  const trails = new IncidentTrailStore(bookmarks);
  const alerts = new HealthAlertService(signaling);
  app.services = { signaling, cameras, live, store, recorder, auth, bookmarks, trails, alerts };

  const listeners = new AbortController();
  const opts = { signal: listeners.signal };
  // A revoked session's socket is closed with 4401. Any other close may mean the rights changed
  // (4001) or, before the socket opened, a refused upgrade (HTTP 401 looks like any failed
  // connection): ask the server who is signed in, and follow its answer.
  signaling.on('socketClosed', ({ code }) => {
    if (wall !== running) return;
    if (code === WS_CLOSE_UNAUTHORIZED) {
      auth.sessionEnded();
      return;
    }
    auth.me().then(
      (now) => {
        if (wall !== running) return;
        if (!now) auth.sessionEnded();
        else if (JSON.stringify(now) !== JSON.stringify(app.me)) {
          app.me = now;
          setViewer(now);
        }
      },
      () => undefined,
    );
  });
  app.addEventListener('ww-logout', () => void auth.logout().then(() => boot()), opts);
  // Skip the back-off wait when the network or the page comes back.
  window.addEventListener('online', () => signaling.retryNow(), opts);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && signaling.retryNow(), opts);
  window.addEventListener('pagehide', () => (live.close(), bookmarks.close(), signaling.close()), opts);

  const running: RunningWall = {
    stop() {
      listeners.abort();
      live.close();
      bookmarks.close();
      signaling.close();
      cameras.close();
      app.remove();
    },
  };
  wall = running;
  document.body.replaceChildren(app);
  signaling.start();
  window.__wardwall = { app, signaling, live, cameras, recorder, auth, bookmarks, openWallDb, trails, alerts };
}

/** Shows the wall of whoever is signed in, else the login page (at start and after signing out). */
async function boot(): Promise<void> {
  let me: Me | null = null;
  try {
    me = await auth.me();
  } catch (err) {
    console.warn('[auth] cannot ask who is signed in', err);
    showLogin(t('login.unreachable'));
    return;
  }
  if (me) await startWall(me);
  else showLogin(null);
}

async function main(): Promise<void> {
  const saved = await store.load();
  setLang(saved.lang);
  document.title = t('app.title');
  auth.on('unauthorized', () => showLogin(t('login.sessionEnded')));
  await boot();
}

void main();
