/**
 * The wall's view of camera health alerts, kept current from signaling: the open (and
 * acknowledged) alerts, acknowledging one, a camera's history, and the optional alert sound
 * (off by default; the choice is kept in this browser), and accepting a camera's current view as
 * its new reference (REST). No DOM beyond localStorage, WebAudio and fetch.
 */
import type { HealthAlert } from '@wardwall/common';
import { applyAlert, sortAlerts, tileHealth, type TileHealth } from '../core/health-alerts.js';
import { applyWardAlert, parseCityAlert, wardAlertKey, wardHealthAlert, type WardHealthAlert } from '../core/city-alerts.js';
import { Emitter } from './emitter.js';
import type { SignalingClient } from './signaling.js';
import { readJson, replyError } from './json-reply.js';

export interface HealthAlertEvents {
  change: [];
  /** A new alert was opened (sounded when the sound is on). */
  opened: [HealthAlert];
}

const SOUND_KEY = 'wardwall.alertSound';

/** A refused REST call of the alerts service: the server's code (FORBIDDEN, HEALTH_DISABLED, …) or DISCONNECTED. */
export class HealthApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HealthApiError';
  }
}

export class HealthAlertService extends Emitter<HealthAlertEvents> {
  private open = new Map<number, HealthAlert>();
  /** City centre: the wards' open alerts (camera `<ward>/<camera>`), keyed `<ward>#<id>`. */
  private wardAlerts = new Map<string, WardHealthAlert>();
  private tiles = new Map<string, TileHealth>();
  private soundOn: boolean;
  private audio: AudioContext | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly signaling: SignalingClient,
    /** fetch for the REST calls (the auth service's, so a 401 ends the sign-in). */
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    super();
    this.soundOn = readSoundPref();
    this.unsubscribe.push(
      signaling.on('session', (hello) => {
        void this.reload();
        const role = (hello as { city?: { role?: unknown } }).city?.role;
        if (role === 'centre') void this.reloadWards();
        else if (this.wardAlerts.size) this.setWards(new Map());
      }),
      signaling.on('cityAlert', (a) => {
        const isNew = a.state === 'open' && !this.wardAlerts.has(wardAlertKey(a));
        this.setWards(applyWardAlert(this.wardAlerts, a));
        if (isNew) {
          this.emit('opened', wardHealthAlert(a));
          if (this.soundOn) this.beep();
        }
      }),
      signaling.on('alert', (alert) => {
        const isNew = alert.state === 'open' && !this.open.has(alert.id);
        this.set(applyAlert(this.open, alert));
        if (isNew) {
          this.emit('opened', alert);
          if (this.soundOn) this.beep();
        }
      }),
    );
  }

  /** Open and acknowledged alerts (at a city centre the wards' too), unacknowledged and newest first. */
  list(): HealthAlert[] {
    return sortAlerts([...this.open.values(), ...this.wardAlerts.values()]);
  }

  /** What each camera's tile shows (new identity on each change). */
  get byCamera(): ReadonlyMap<string, TileHealth> {
    return this.tiles;
  }

  get sound(): boolean {
    return this.soundOn;
  }

  setSound(on: boolean): void {
    this.soundOn = on;
    try {
      localStorage.setItem(SOUND_KEY, on ? '1' : '0');
    } catch {
      /* private mode: the choice lasts for this page */
    }
    if (on) this.beep(); // also unlocks audio after the user's gesture
    this.emit('change');
  }

  async reload(): Promise<void> {
    try {
      const { alerts } = await this.signaling.request({ type: 'alertsList' });
      let next = new Map<number, HealthAlert>();
      for (const a of alerts) next = applyAlert(next, a);
      this.set(next);
    } catch (err) {
      console.warn('[alerts] cannot list alerts', err);
    }
  }

  /** Acknowledges an alert as the signed-in operator; throws SignalingError (e.g. CONFLICT). */
  async acknowledge(alertId: number): Promise<HealthAlert> {
    const { alert } = await this.signaling.request({ type: 'alertAck', alertId });
    this.set(applyAlert(this.open, alert));
    return alert;
  }

  /**
   * Accepts the camera's current view as its reference (after it was re-aimed or replaced on
   * purpose): its moved/defocused alerts close (the closures arrive as pushes) and it learns again.
   * Throws HealthApiError with the server's code when refused.
   */
  async relearn(cameraId: string): Promise<void> {
    let res: Response;
    try {
      res = await this.fetchFn(`/api/cameras/${encodeURIComponent(cameraId)}/health/relearn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    } catch (err) {
      throw new HealthApiError('DISCONNECTED', err instanceof Error ? err.message : String(err));
    }
    if (res.ok) return;
    const e = replyError(res, await readJson(res));
    throw new HealthApiError(e.code, e.message);
  }

  /** A camera's alerts (all states), newest first. */
  async history(cameraId: string, from?: number, to?: number): Promise<HealthAlert[]> {
    const { alerts } = await this.signaling.request({ type: 'alertHistory', cameraId, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), limit: 500 });
    return alerts;
  }

  /** City centre: the wards' alerts the viewer may see (GET /api/city/alerts), after a new session. */
  private async reloadWards(): Promise<void> {
    try {
      const res = await this.fetchFn('/api/city/alerts', { headers: { accept: 'application/json' } });
      const body = (await readJson(res)) as { alerts?: unknown } | null;
      if (!res.ok || !Array.isArray(body?.alerts)) throw new Error(`HTTP ${res.status}`);
      let next = new Map<string, WardHealthAlert>();
      for (const raw of body.alerts) {
        const a = parseCityAlert(raw);
        if (a) next = applyWardAlert(next, a);
      }
      this.setWards(next);
    } catch (err) {
      console.warn("[alerts] cannot list the wards' alerts", err);
    }
  }

  private set(next: Map<number, HealthAlert>): void {
    this.open = next;
    this.retile();
  }

  private setWards(next: Map<string, WardHealthAlert>): void {
    this.wardAlerts = next;
    this.retile();
  }

  private retile(): void {
    this.tiles = tileHealth([...this.open.values(), ...this.wardAlerts.values()]);
    this.emit('change');
  }

  private beep(): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch {
      /* no audio output */
    }
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    void this.audio?.close().catch(() => undefined);
    this.removeAllListeners();
  }
}

function readSoundPref(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === '1';
  } catch {
    return false;
  }
}
