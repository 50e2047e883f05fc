/**
 * The signaling WebSocket endpoint: parses every frame with the shared zod schemas, dispatches to
 * one handler per message type, answers errors with codes, never lets a message crash the process.
 * Heartbeats (WebSocket ping/pong) drop dead peers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError, ErrorCode, parseClientMessage, type ClientMessage, type ServerMessage, type StreamKind } from '@wardwall/common';
import type { SignalingContext } from './context.js';
import { canSeeCamera, type Permission, type Principal } from '@wardwall/accounts';
import { Session } from './session.js';
import { sameOrigin } from '@wardwall/server-kit';
import { hello, ping } from './handlers/session.js';
import { connectTransport, createTransport, restartIce } from './handlers/transport.js';
import { closeConsumer, consume, pauseConsumer, resumeConsumer } from './handlers/consume.js';

/** A message handler: its return value is the response's `data`; an AppError becomes `{code, message}`. */
export type Handler<T extends ClientMessage['type'] = ClientMessage['type']> = (
  ctx: SignalingContext,
  session: Session,
  msg: Extract<ClientMessage, { type: T }>,
) => unknown;
type AnyHandler = (ctx: SignalingContext, session: Session, msg: ClientMessage) => unknown;

/** The core handlers; features register theirs with `SignalingServer.handle`. */
const CORE_HANDLERS: Partial<Record<ClientMessage['type'], Handler<never>>> = {
  hello,
  ping,
  createTransport,
  connectTransport,
  restartIce,
  consume,
  resumeConsumer,
  pauseConsumer,
  closeConsumer,
};

/**
 * What a message needs, checked before the message is even validated (so an unauthorised caller
 * learns nothing about the schema): 'session' = any signed-in user; a permission, on the camera
 * named by the message field `camera` when given. Handlers still check specifics themselves.
 */
export type MessageAccess = 'session' | { permission: Permission; camera?: string };

const CORE_ACCESS: Partial<Record<ClientMessage['type'], MessageAccess>> = {
  consume: { permission: 'live', camera: 'cameraId' },
};

export interface SignalingOptions {
  path?: string;
  /**
   * Resolves the caller at the WebSocket upgrade (from the session cookie); null refuses the upgrade
   * with HTTP 401. Absent: access control is off, every socket is the anonymous operator.
   */
  authenticate?: (req: IncomingMessage) => Principal | null;
}

const UNAUTHENTICATED_BODY = JSON.stringify({ code: ErrorCode.UNAUTHENTICATED, message: 'sign in first' });

/** Messages of one socket being handled at once (the rest are answered RATE_LIMITED). */
export const MAX_IN_FLIGHT = 32;

/** Frames above this are refused by ws itself (close 1009); below it, the config limit answers with an error. */
const WS_MAX_PAYLOAD = 4 * 1024 * 1024;

export class SignalingServer {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly handlers = new Map<string, AnyHandler>(Object.entries(CORE_HANDLERS) as [string, AnyHandler][]);
  private readonly access = new Map<string, MessageAccess>(Object.entries(CORE_ACCESS) as [string, MessageAccess][]);
  private readonly path: string;
  /** Open (or opening) sockets per user. */
  private readonly perOwner = new Map<string, number>();

  constructor(
    server: Server | HttpsServer,
    private readonly ctx: SignalingContext,
    private readonly opts: SignalingOptions = {},
  ) {
    this.path = opts.path ?? '/ws';
    this.wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
    server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      const url = req.url ?? '';
      if (url.split('?')[0] !== this.path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      // A page of another site must not open the wall's socket (with the user's cookie, or at all
      // when access control is off).
      if (!sameOrigin(req, this.ctx.config.sfu.allowedOrigins)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      let principal: Principal | null = null;
      if (this.opts.authenticate) {
        try {
          principal = this.opts.authenticate(req);
        } catch (e) {
          this.ctx.log.error({ err: e }, 'authenticating a websocket failed');
        }
        if (!principal) {
          socket.end(`HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${UNAUTHENTICATED_BODY.length}\r\n\r\n${UNAUTHENTICATED_BODY}`);
          return;
        }
      }
      // Sockets per user (per client address when access control is off), counting upgrades in progress.
      const owner = socketOwner(principal, req);
      const max = this.ctx.config.sfu.maxSocketsPerUser;
      if ((this.perOwner.get(owner) ?? 0) >= max) {
        const body = JSON.stringify({ code: ErrorCode.RATE_LIMITED, message: `at most ${max} open connections per user`, retryAfterS: 5 });
        socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        this.ctx.log.warn({ user: principal?.username, max }, 'signaling socket refused: too many open for this user');
        return;
      }
      this.countOwner(owner, +1);
      let counted = true;
      const uncount = () => {
        if (counted) this.countOwner(owner, -1);
        counted = false;
      };
      socket.once('close', uncount);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.once('close', uncount);
        this.onConnection(ws, req, principal);
      });
    });
    this.heartbeat = setInterval(() => this.beat(), ctx.config.sfu.heartbeatMs);
    ctx.cameras.on('status', (cameraId, stream, status) => this.broadcast({ type: 'cameraState', cameraId, stream, status }, (s) => canSeeCamera(ctx.access, s.principal, cameraId)));
    // Resident cameras come and go at run time: each session gets the list of what it may see.
    ctx.cameras.on('changed', () => {
      const all = ctx.cameras.info();
      for (const s of this.sessions) if (s.greeted) s.send({ type: 'cameras', cameras: all.filter((c) => canSeeCamera(ctx.access, s.principal, c.id)) });
    });
  }

  private countOwner(owner: string, d: number): void {
    const n = (this.perOwner.get(owner) ?? 0) + d;
    if (n > 0) this.perOwner.set(owner, n);
    else this.perOwner.delete(owner);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Open consumers per camera and stream, over every session (for /metrics). */
  consumerCounts(): { cameraId: string; stream: StreamKind; count: number }[] {
    const counts = new Map<string, { cameraId: string; stream: StreamKind; count: number }>();
    for (const s of this.sessions) {
      for (const c of s.consumers.values()) {
        const key = `${c.cameraId}\u0000${c.stream}`;
        const row = counts.get(key);
        if (row) row.count++;
        else counts.set(key, { cameraId: c.cameraId, stream: c.stream, count: 1 });
      }
    }
    return [...counts.values()];
  }

  /**
   * Registers the handler of a message type (a feature's messages are added to the protocol first)
   * and what the message needs (default: any signed-in user; the handler checks cameras itself).
   */
  handle<T extends ClientMessage['type']>(type: T, handler: Handler<T>, access: MessageAccess = 'session'): void {
    this.handlers.set(type, handler as AnyHandler);
    this.access.set(type, access);
  }

  /** What a message type needs (tests iterate every type). */
  accessOf(type: string): MessageAccess {
    return this.access.get(type) ?? 'session';
  }

  /** Closes the sockets `filter` picks with a WebSocket close code (4401: signed out, 4001: reconnect). */
  closeWhere(filter: (s: Session) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (!filter(s)) continue;
      n++;
      this.sessions.delete(s);
      s.terminate(code, reason);
    }
    return n;
  }

  /** The open sockets (for revocation sweeps and tests). */
  openSessions(): readonly Session[] {
    return [...this.sessions];
  }

  /** Pushes a message to every greeted session, or to those `filter` accepts. */
  /** Sends each greeted session its own message (e.g. a list filtered by its rights); null skips it. */
  pushEach(make: (s: Session) => ServerMessage | null): void {
    for (const s of this.sessions) {
      if (!s.greeted) continue;
      const m = make(s);
      if (m) s.send(m);
    }
  }

  broadcast(message: ServerMessage, filter?: (s: Session) => boolean): void {
    for (const s of this.sessions) if (s.greeted && (!filter || filter(s))) s.send(message);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, principal: Principal | null): void {
    const session = new Session(ws, this.ctx.log);
    session.principal = principal;
    this.sessions.add(session);
    this.ctx.log.info({ session: session.id, remote: req.socket.remoteAddress, user: principal?.username }, 'signaling session opened');
    ws.on('pong', () => {
      session.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(session, data, isBinary));
    ws.on('error', (e) => this.ctx.log.debug({ session: session.id, err: e.message }, 'websocket error'));
    ws.on('close', (code) => {
      this.sessions.delete(session);
      session.close();
      this.ctx.log.info({ session: session.id, code }, 'signaling session closed');
    });
  }

  private onMessage(session: Session, data: RawData, isBinary: boolean): void {
    if (!session.admit()) {
      session.fail(null, { code: ErrorCode.RATE_LIMITED, message: 'too many messages; slow down' });
      return;
    }
    if (isBinary) {
      session.fail(null, { code: ErrorCode.BAD_MESSAGE, message: 'binary frames are not accepted' });
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientMessage(text, this.ctx.config.sfu.maxMessageBytes);
    const refusal = parsed.ok ? this.refusal(session, parsed.message.type, parsed.message) : parsed.type ? this.refusal(session, parsed.type, parsed.fields ?? {}) : null;
    if (refusal) {
      session.fail(parsed.ok ? parsed.message.id : parsed.id, refusal.toBody());
      return;
    }
    if (!parsed.ok) {
      session.fail(parsed.id, parsed.error);
      return;
    }
    // Handlers are asynchronous: bound how many of one socket's messages are being worked on at once.
    if (session.inFlight >= MAX_IN_FLIGHT) {
      session.fail(parsed.message.id, { code: ErrorCode.RATE_LIMITED, message: 'too many requests in progress; wait for the answers' });
      return;
    }
    session.inFlight++;
    void this.dispatch(session, parsed.message).finally(() => session.inFlight--);
  }

  /** 401/403 for a message of `type` the socket's principal may not send; null when allowed. */
  private refusal(session: Session, type: string, fields: Record<string, unknown>): AppError | null {
    if (this.opts.authenticate && !session.principal) return new AppError(ErrorCode.UNAUTHENTICATED, 'sign in first', 401);
    const access = this.accessOf(type);
    if (access === 'session') return null;
    const camera = access.camera !== undefined && typeof fields[access.camera] === 'string' ? (fields[access.camera] as string) : undefined;
    if (this.ctx.access.can(session.principal, access.permission, camera)) return null;
    return new AppError(ErrorCode.FORBIDDEN, `not allowed: ${access.permission}${camera ? ` on camera ${camera.slice(0, 64)}` : ''}`, 403);
  }

  private async dispatch(session: Session, msg: ClientMessage): Promise<void> {
    try {
      const handler = this.handlers.get(msg.type);
      if (!handler) throw new AppError(ErrorCode.BAD_MESSAGE, `message type ${msg.type} is not served here`);
      const data = await handler(this.ctx, session, msg);
      session.reply(msg.id, data);
    } catch (e) {
      if (e instanceof AppError) {
        session.fail(msg.id, e.toBody());
      } else {
        this.ctx.log.error({ session: session.id, type: msg.type, err: e }, 'signaling handler failed');
        session.fail(msg.id, { code: ErrorCode.INTERNAL, message: 'internal error' });
      }
    }
  }

  private beat(): void {
    for (const s of this.sessions) {
      if (!s.alive) {
        this.ctx.log.info({ session: s.id }, 'peer missed its heartbeat; dropping it');
        s.ws.terminate();
        s.close();
        this.sessions.delete(s);
        continue;
      }
      s.alive = false;
      try {
        s.ws.ping();
      } catch {
        /* closed meanwhile */
      }
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const s of this.sessions) s.terminate(1001, 'server shutting down');
    this.sessions.clear();
    this.wss.close();
  }
}

/** Whose socket this is, for the per-user limit: the user, or the client address without access control. */
function socketOwner(p: Principal | null, req: IncomingMessage): string {
  return p && p.sessionId !== null ? `u:${p.userId}` : `a:${req.socket.remoteAddress ?? '?'}`;
}
