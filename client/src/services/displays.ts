/**
 * Duty-room displays as the wall sees them: the list of displays kept current from signaling
 * (`displayList` on each session, `displayState` pushes), this window's own display when it runs as
 * one (re-registered on every new session, so a display survives reloads and reconnects), pushes
 * and tour control, and the shared presets and tours over REST. No DOM beyond fetch.
 */
import type { DisplayContent, DisplayRule, DisplayRuleInput, DisplayState, Preset, PresetInput, Tour, TourAction, TourInput } from '@wardwall/common';
import { Emitter } from './emitter.js';
import type { SignalingClient } from './signaling.js';
import { readJson, replyError } from './json-reply.js';

export interface DisplaysEvents {
  /** The list, a display, the presets or the tours changed. */
  change: [];
  /** This window's display changed (only when registered). */
  mine: [DisplayState];
}

export class DisplaysApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DisplaysApiError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function listOf<T>(raw: unknown, field: string): T[] {
  if (!isObj(raw) || !Array.isArray(raw[field])) throw new DisplaysApiError('BAD_REPLY', `reply: ${field}: a list is required`);
  return raw[field] as T[];
}

export class DisplaysClient extends Emitter<DisplaysEvents> {
  private readonly map = new Map<string, DisplayState>();
  private _presets: Preset[] = [];
  private _tours: Tour[] = [];
  private _mine: string | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly signaling: SignalingClient,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    super();
    this.unsubscribe.push(
      signaling.on('session', () => void this.onSession()),
      signaling.on('displayState', (d) => this.apply(d)),
    );
  }

  /** The name this window registered as, or null. */
  get mine(): string | null {
    return this._mine;
  }

  list(): DisplayState[] {
    return [...this.map.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): DisplayState | undefined {
    return this.map.get(name);
  }

  get presets(): readonly Preset[] {
    return this._presets;
  }

  get tours(): readonly Tour[] {
    return this._tours;
  }

  /** Runs this window as the display `name` (now and after every reconnect). */
  async register(name: string): Promise<DisplayState | null> {
    this._mine = name;
    if (!this.signaling.connected) return null;
    const { display } = await this.signaling.request({ type: 'displayRegister', name });
    this.apply(display);
    return display;
  }

  async push(name: string, content: DisplayContent): Promise<DisplayState> {
    const { display } = await this.signaling.request({ type: 'displayPush', name, content });
    this.apply(display);
    return display;
  }

  async tour(name: string, action: TourAction): Promise<DisplayState> {
    const { display } = await this.signaling.request({ type: 'displayTour', name, action });
    this.apply(display);
    return display;
  }

  async refresh(): Promise<void> {
    if (this.signaling.connected) {
      const { displays } = await this.signaling.request({ type: 'displayList' });
      for (const d of displays) this.map.set(d.name, d);
    }
    const [presets, tours] = await Promise.all([this.api('GET', '/api/presets'), this.api('GET', '/api/tours')]);
    this._presets = listOf<Preset>(presets, 'presets');
    this._tours = listOf<Tour>(tours, 'tours');
    this.emit('change');
  }

  async savePreset(input: PresetInput, id?: string): Promise<void> {
    await this.api(id ? 'PUT' : 'POST', id ? `/api/presets/${encodeURIComponent(id)}` : '/api/presets', input);
    await this.refresh();
  }

  async deletePreset(id: string): Promise<void> {
    await this.api('DELETE', `/api/presets/${encodeURIComponent(id)}`);
    await this.refresh();
  }

  async saveTour(input: TourInput, id?: string): Promise<void> {
    await this.api(id ? 'PUT' : 'POST', id ? `/api/tours/${encodeURIComponent(id)}` : '/api/tours', input);
    await this.refresh();
  }

  async deleteTour(id: string): Promise<void> {
    await this.api('DELETE', `/api/tours/${encodeURIComponent(id)}`);
    await this.refresh();
  }

  async rules(): Promise<DisplayRule[]> {
    return listOf<DisplayRule>(await this.api('GET', '/api/display-rules'), 'rules');
  }

  async addRule(input: DisplayRuleInput): Promise<void> {
    await this.api('POST', '/api/display-rules', input);
  }

  async deleteRule(id: string): Promise<void> {
    await this.api('DELETE', `/api/display-rules/${encodeURIComponent(id)}`);
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.removeAllListeners();
  }

  private async onSession(): Promise<void> {
    try {
      if (this._mine) await this.register(this._mine);
      await this.refresh();
    } catch (err) {
      console.warn('[displays] cannot load displays', err);
    }
  }

  private apply(d: DisplayState): void {
    this.map.set(d.name, d);
    if (d.name === this._mine) this.emit('mine', d);
    this.emit('change');
  }

  private async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.fetchFn(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await readJson(res);
    if (!res.ok) {
      const e = replyError(res, json);
      throw new DisplaysApiError(e.code, e.message);
    }
    return json;
  }
}
