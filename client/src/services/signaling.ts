/**
 * The signaling client: one WebSocket to the SFU, JSON requests matched to responses by id, typed
 * push events, an app-level ping, and reconnection with stepped back-off. No DOM beyond WebSocket.
 *
 * A connection becomes a *session* once `hello` is answered; `session` fires on each new session
 * (with the hello data) and `lost` when it ends. Requests made while there is no session fail at
 * once with DISCONNECTED instead of queueing: the callers (live media, tiles) re-issue what they
 * need on the next `session`.
 */
import type { CameraInfo, CityAlertInfo, CityUrgentInfo, ClientMessage, ClientMessageType, DisplayState, HealthAlert, ResponseData, StreamKind, StreamStatus } from '@wardwall/common';
import { parseCityAlert, parseCityUrgent } from '../core/city-alerts.js';
import { isHealthAlert } from '../core/health-alerts.js';
import { backoffDelay, RECONNECT_STEPS_MS } from '../core/backoff.js';
import { Emitter } from './emitter.js';
import { SignalingError } from './errors.js';

export type ConnectionState =
  | { phase: 'connecting'; attempt: number }
  | { phase: 'open'; sessionId: string }
  | { phase: 'waiting'; attempt: number; retryAt: number }
  | { phase: 'closed' };

export type HelloData = ResponseData['hello'];

export interface SignalingEvents {
  state: [ConnectionState];
  session: [HelloData];
  lost: [];
  cameras: [CameraInfo[]];
  cameraState: [{ cameraId: string; stream: StreamKind; status: StreamStatus }];
  consumerClosed: [{ consumerId: string; reason: string }];
  /** The server closed the socket (code 4401: the session was revoked); `opened`: whether it had opened. */
  socketClosed: [{ code: number; opened: boolean }];
  /** A bookmark or incident changed on the server (unchecked: the bookmarks service parses it). */
  bookmarkChanged: [unknown];
  incidentChanged: [unknown];
  /** A camera health alert was opened, acknowledged or closed. */
  alert: [HealthAlert];
  consumerScore: [{ consumerId: string; score: number; producerScore: number }];
  displayState: [DisplayState];
  /** City centre: the wards and their cameras (unchecked: the city service parses it). */
  cityWards: [unknown];
  /** City centre: a ward's alert changed (checked). */
  cityAlert: [CityAlertInfo];
  /** City centre: a bookmark became urgent at a ward (checked). */
  cityUrgent: [CityUrgentInfo];
}

/** The part of WebSocket this client uses (so tests can hand in a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SignalingOptions {
  url: string;
  /** The language announced in `hello`. */
  lang?: () => 'vi' | 'en';
  createSocket?: (url: string) => SocketLike;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoffMs?: readonly number[];
}

/** A request without its id (the client numbers requests itself). */
export type ClientRequest = ClientMessage extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;
/** A request without its id, for one message type. */
export type RequestOf<T extends ClientMessageType> = Extract<ClientRequest, { type: T }>;

interface Pending {
  type: ClientMessageType;
  resolve: (data: unknown) => void;
  reject: (err: SignalingError) => void;
  timer: unknown;
}

const OPEN = 1;

export function signalingUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly opts: Required<Omit<SignalingOptions, 'lang'>> & Pick<SignalingOptions, 'lang'>;
  private ws: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private attempt = 0;
  private started = false;
  private closed = false;
  private inSession = false;
  private reconnectTimer: unknown = null;
  private connectTimer: unknown = null;
  private pingTimer: unknown = null;
  private _state: ConnectionState = { phase: 'connecting', attempt: 0 };
  private _sessionId: string | null = null;

  constructor(options: SignalingOptions) {
    super();
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      pingIntervalMs: 5000,
      pingTimeoutMs: 10000,
      requestTimeoutMs: 10000,
      connectTimeoutMs: 10000,
      backoffMs: RECONNECT_STEPS_MS,
      ...options,
    };
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Whether a session is up (hello answered, socket open). */
  get connected(): boolean {
    return this.inSession;
  }

  get sessionId(): string | null {
    return this._sessionId;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.connect();
  }

  /** Skips the remaining back-off wait (e.g. the browser came back online). */
  retryNow(): void {
    if (this.closed || this._state.phase !== 'waiting') return;
    this.clear('reconnectTimer');
    this.connect();
  }

  /** Drops the current connection and reconnects (after a failure the caller cannot repair). */
  reconnect(reason: string): void {
    if (this.closed || !this.ws) return;
    this.drop(this.ws, reason);
  }

  /** Sends a request; resolves with the response data or rejects with a SignalingError. */
  request<M extends ClientRequest>(message: M, timeoutMs?: number): Promise<ResponseData[M['type']]> {
    if (!this.inSession) return Promise.reject(new SignalingError('DISCONNECTED', 'no session with the server'));
    return this.send(message, timeoutMs) as Promise<ResponseData[M['type']]>;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const ws = this.ws;
    if (ws) this.drop(ws, 'closed by the client');
    this.clear('reconnectTimer');
    this.setState({ phase: 'closed' });
    this.removeAllListeners();
  }

  // --- internals -----------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    this._state = state;
    this.emit('state', state);
  }

  private clear(name: 'reconnectTimer' | 'connectTimer' | 'pingTimer'): void {
    if (this[name] !== null) {
      this.opts.clearTimer(this[name]);
      this[name] = null;
    }
  }

  private connect(): void {
    if (this.closed) return;
    this.setState({ phase: 'connecting', attempt: this.attempt });
    let ws: SocketLike;
    try {
      ws = this.opts.createSocket(this.opts.url);
    } catch (err) {
      console.warn('[signaling] cannot create the WebSocket', err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => this.onMessage(ws, ev.data);
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.onOpen(ws);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      const code = isObject(ev) && typeof ev.code === 'number' ? ev.code : 0;
      this.emit('socketClosed', { code, opened });
      this.drop(ws, `socket closed (${code})`);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
    this.connectTimer = this.opts.setTimer(() => {
      this.connectTimer = null;
      if (this.ws === ws && !this.inSession) this.drop(ws, 'connect timeout');
    }, this.opts.connectTimeoutMs);
  }

  private onOpen(ws: SocketLike): void {
    if (ws !== this.ws) return;
    const lang = this.opts.lang?.();
    this.send({ type: 'hello', ...(lang ? { lang } : {}) } as RequestOf<'hello'>).then(
      (data) => {
        if (ws !== this.ws) return;
        const hello = data as HelloData;
        this.clear('connectTimer');
        this.inSession = true;
        this.attempt = 0;
        this._sessionId = hello.sessionId;
        this.setState({ phase: 'open', sessionId: hello.sessionId });
        this.startPing(ws);
        this.emit('session', hello);
      },
      (err: unknown) => {
        if (ws !== this.ws) return;
        console.warn('[signaling] hello failed', err);
        this.drop(ws, 'hello failed');
      },
    );
  }

  private startPing(ws: SocketLike): void {
    const tick = (): void => {
      this.pingTimer = this.opts.setTimer(tick, this.opts.pingIntervalMs);
      this.send({ type: 'ping' }, this.opts.pingTimeoutMs).catch((err: unknown) => {
        if (ws === this.ws && err instanceof SignalingError && err.code === 'TIMEOUT') this.drop(ws, 'ping timeout');
      });
    };
    this.pingTimer = this.opts.setTimer(tick, this.opts.pingIntervalMs);
  }

  private send(message: ClientRequest, timeoutMs = this.opts.requestTimeoutMs): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return Promise.reject(new SignalingError('DISCONNECTED', 'socket not open'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.opts.setTimer(() => {
        if (this.pending.delete(id)) reject(new SignalingError('TIMEOUT', `no response to ${message.type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { type: message.type, resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ ...message, id }));
      } catch (err) {
        this.pending.delete(id);
        this.opts.clearTimer(timer);
        reject(new SignalingError('DISCONNECTED', err instanceof Error ? err.message : 'send failed'));
      }
    });
  }

  private onMessage(ws: SocketLike, raw: unknown): void {
    if (ws !== this.ws || typeof raw !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      console.warn('[signaling] dropped a frame that is not JSON');
      return;
    }
    if (!isObject(msg) || typeof msg.type !== 'string') return;
    switch (msg.type) {
      case 'response': {
        if (typeof msg.id !== 'number') {
          if (msg.ok === false) console.warn('[signaling] server error without request id', msg.error);
          return;
        }
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        this.opts.clearTimer(p.timer);
        if (msg.ok === true) p.resolve(msg.data);
        else {
          const e = isObject(msg.error) ? msg.error : {};
          const code = typeof e.code === 'string' ? e.code : 'INTERNAL';
          const text = typeof e.message === 'string' ? e.message : 'request failed';
          p.reject(new SignalingError(code as SignalingError['code'], text));
        }
        return;
      }
      case 'cameras':
        if (Array.isArray(msg.cameras)) this.emit('cameras', msg.cameras as CameraInfo[]);
        return;
      case 'cameraState':
        if (typeof msg.cameraId === 'string' && (msg.stream === 'main' || msg.stream === 'sub') && isObject(msg.status)) {
          this.emit('cameraState', { cameraId: msg.cameraId, stream: msg.stream, status: msg.status as unknown as StreamStatus });
        }
        return;
      case 'consumerClosed':
        if (typeof msg.consumerId === 'string') {
          this.emit('consumerClosed', { consumerId: msg.consumerId, reason: typeof msg.reason === 'string' ? msg.reason : '' });
        }
        return;
      case 'bookmarkChanged':
        this.emit('bookmarkChanged', msg.bookmark);
        return;
      case 'incidentChanged':
        this.emit('incidentChanged', msg.incident);
        return;
      case 'alert':
        if (isHealthAlert(msg.alert)) this.emit('alert', msg.alert);
        return;
      case 'consumerScore':
        if (typeof msg.consumerId === 'string' && typeof msg.score === 'number') {
          this.emit('consumerScore', { consumerId: msg.consumerId, score: msg.score, producerScore: typeof msg.producerScore === 'number' ? msg.producerScore : 10 });
        }
        return;
      case 'displayState':
        if (isObject(msg.display) && typeof msg.display.name === 'string' && Array.isArray(msg.display.tiles)) this.emit('displayState', msg.display as unknown as DisplayState);
        return;
      case 'cityWards':
        if (Array.isArray(msg.wards)) this.emit('cityWards', msg.wards);
        return;
      case 'cityAlert': {
        const alert = parseCityAlert(msg.alert);
        if (alert) this.emit('cityAlert', alert);
        return;
      }
      case 'cityUrgent': {
        const urgent = parseCityUrgent(msg.urgent);
        if (urgent) this.emit('cityUrgent', urgent);
        return;
      }
      default:
        return;
    }
  }

  /** Ends a connection (idempotent per socket), fails its requests, and schedules the next try. */
  private drop(ws: SocketLike, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(1000, reason.slice(0, 100));
    } catch {
      /* already closed */
    }
    this.clear('connectTimer');
    this.clear('pingTimer');
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      this.opts.clearTimer(p.timer);
      p.reject(new SignalingError('DISCONNECTED', `connection lost (${reason})`));
    }
    const hadSession = this.inSession;
    this.inSession = false;
    this._sessionId = null;
    if (hadSession) this.emit('lost');
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt, this.opts.backoffMs);
    this.attempt++;
    this.setState({ phase: 'waiting', attempt: this.attempt, retryAt: this.opts.now() + delay });
    this.reconnectTimer = this.opts.setTimer(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }
}
