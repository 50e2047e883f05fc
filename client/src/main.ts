/**
 * Entry point: restores the saved wall, wires the services (signaling, cameras, live media,
 * storage) and mounts <ww-app>.
 */
import './components/ww-app/ww-app.js';
import type { WwApp } from './components/ww-app/ww-app.js';
import { getLang } from './i18n/i18n.js';
import { CameraStore } from './services/camera-store.js';
import { LiveMediaService } from './services/live-media.js';
import { SignalingClient, signalingUrl } from './services/signaling.js';
import { WallStore } from './storage/wall-store.js';
import { RecorderApi } from './services/recorder-api.js';
import { DisplaysClient } from './services/displays.js';
import { LinkMonitor } from './services/link-monitor.js';
import { DisplayWarmer } from './services/display-warmer.js';
import { warmTargets } from './core/warm.js';

/** A display keeps the cameras it showed recently flowing this long, so a push back to them is instant. */
const DISPLAY_WARM_MS = 60_000;

declare global {
  interface Window {
    __wardwall?: { app: WwApp; signaling: SignalingClient; live: LiveMediaService; cameras: CameraStore; recorder: RecorderApi; displays: DisplaysClient; link: LinkMonitor };
  }
}

async function main(): Promise<void> {
  const store = new WallStore();
  const saved = await store.load();

  const app = document.createElement('ww-app');
  app.restore(saved);

  const signaling = new SignalingClient({ url: signalingUrl(location), lang: getLang });
  const cameras = new CameraStore(signaling);
  // `?display=<name>` runs this window as a duty-room display (kiosk); the control panel's
  // "use this window as a display" button reloads into it.
  const displayName = new URLSearchParams(location.search).get('display')?.trim().slice(0, 60) || null;
  const live = new LiveMediaService(signaling, displayName ? { lingerMs: DISPLAY_WARM_MS } : {});
  const recorder = new RecorderApi();
  const displays = new DisplaysClient(signaling);
  const link = new LinkMonitor(live, signaling);
  link.start();
  app.services = { signaling, cameras, live, store, recorder, displays, link };

  if (displayName) {
    app.displayName = displayName;
    void displays.register(displayName);
    // Receive the tour's next step ahead of the switch.
    const warmer = new DisplayWarmer(live);
    const rewarm = (): void => warmer.warm(warmTargets(displays.get(displayName) ?? null, cameras.snapshot(), window.innerWidth * devicePixelRatio));
    displays.on('mine', rewarm);
    live.on('state', rewarm);
    window.addEventListener('pagehide', () => warmer.close());
  }
  app.addEventListener('ww-register-display', (e) => {
    const name = (e as CustomEvent<{ name: string }>).detail.name;
    location.search = `?display=${encodeURIComponent(name)}`;
  });

  document.body.append(app);
  signaling.start();

  // Skip the back-off wait when the network or the page comes back.
  // A network change (Wi-Fi to mobile) keeps the session but needs new ICE paths: restart ICE at
  // once rather than waiting for the transport to notice (it also does, on disconnected/failed).
  const onNetworkChange = (): void => {
    if (live.ready) void live.forceIceRestart();
  };
  window.addEventListener('online', () => {
    signaling.retryNow();
    onNetworkChange();
  });
  (navigator as Navigator & { connection?: EventTarget }).connection?.addEventListener('change', onNetworkChange);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') signaling.retryNow();
  });
  window.addEventListener('pagehide', () => {
    live.close();
    displays.close();
    link.close();
    signaling.close();
  });

  window.__wardwall = { app, signaling, live, cameras, recorder, displays, link };
}

void main();
