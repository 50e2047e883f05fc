/**
 * One signaling session per WebSocket: the browser's transports and consumers live here and are
 * closed with it. Replies and pushes go through send(), which never throws.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type ErrorBody, type ServerMessage, type StreamKind } from '@wardwall/common';
import type { Principal } from '@wardwall/accounts';

export interface ConsumerEntry {
  consumer: types.Consumer;
  cameraId: string;
  stream: StreamKind;
}

export const SESSION_LIMITS = { transports: 4, consumers: 64 } as const;

export class Session {
  readonly id = randomUUID();
  readonly transports = new Map<string, types.WebRtcTransport>();
  private readonly routers = new Map<string, types.Router>();
  readonly consumers = new Map<string, ConsumerEntry>();
  /** Set by `hello`; pushes are sent only to sessions that said hello. */
  greeted = false;
  /** Who is behind this socket (set at upgrade from the session cookie; null = not signed in). */
  principal: Principal | null = null;
  alive = true;
  /** Messages of this socket being handled now (the server bounds it). */
  inFlight = 0;
  private closed = false;
  // Token bucket against floods: refills `rate` per second up to `burst`.
  private tokens: number;
  private lastRefill = Date.now();

  constructor(
    readonly ws: WebSocket,
    readonly log: Logger,
    private readonly rate = 200,
    private readonly burst = 400,
  ) {
    this.tokens = burst;
  }

  /** Creations in flight, counted against SESSION_LIMITS with what exists (concurrent messages cannot overshoot). */
  private readonly creating = { transports: 0, consumers: 0 };

  /**
   * Reserves room for one more transport or consumer before the (asynchronous) creation starts;
   * throws when the limit is reached counting creations in flight. Call the returned release once
   * the creation finished (added or failed).
   */
  reserve(kind: keyof typeof SESSION_LIMITS): () => void {
    const have = kind === 'transports' ? this.transports.size : this.consumers.size;
    if (have + this.creating[kind] >= SESSION_LIMITS[kind]) throw new AppError(ErrorCode.BAD_REQUEST, `too many ${kind} in this session`);
    this.creating[kind]++;
    let done = false;
    return () => {
      if (!done) this.creating[kind]--;
      done = true;
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether one more message may be processed now. */
  admit(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  send(message: ServerMessage): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    try {
      this.ws.send(JSON.stringify(message));
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'send failed');
    }
  }

  reply(id: number, data: unknown): void {
    this.send({ type: 'response', id, ok: true, data });
  }

  fail(id: number | null, error: ErrorBody): void {
    this.send({ type: 'response', id, ok: false, error });
  }

  addTransport(transport: types.WebRtcTransport, router: types.Router): void {
    this.transports.set(transport.id, transport);
    this.routers.set(transport.id, router);
    transport.observer.once('close', () => {
      this.transports.delete(transport.id);
      this.routers.delete(transport.id);
    });
    // Its worker died: the browser must rebuild everything; closing the socket makes it reconnect.
    transport.on('routerclose', () => this.terminate(4001, 'media worker restarted'));
  }

  addConsumer(entry: ConsumerEntry): void {
    const { consumer } = entry;
    this.consumers.set(consumer.id, entry);
    consumer.observer.once('close', () => this.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      this.consumers.delete(consumer.id);
      this.send({ type: 'consumerClosed', consumerId: consumer.id, reason: 'producer closed' });
    });
  }

  transport(id: string): types.WebRtcTransport | undefined {
    return this.transports.get(id);
  }

  routerOf(transportId: string): types.Router {
    const router = this.routers.get(transportId);
    if (!router || router.closed) throw new AppError(ErrorCode.UNKNOWN_TRANSPORT, 'the transport\'s media worker is gone');
    return router;
  }

  terminate(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    this.close();
  }

  /** Idempotent: closes every transport (and so every consumer) of this session. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.consumers.clear();
  }
}
