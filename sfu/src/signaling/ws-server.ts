/**
 * The signaling WebSocket endpoint: parses every frame with the shared zod schemas, dispatches to
 * one handler per message type, answers errors with codes, never lets a message crash the process.
 * Heartbeats (WebSocket ping/pong) drop dead peers.
 */
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError, ErrorCode, parseClientMessage, type ClientMessage, type ServerMessage } from '@wardwall/common';
import type { SignalingContext } from './context.js';
import { Session } from './session.js';
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

/** Frames above this are refused by ws itself (close 1009); below it, the config limit answers with an error. */
const WS_MAX_PAYLOAD = 4 * 1024 * 1024;

export class SignalingServer {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly handlers = new Map<string, AnyHandler>(Object.entries(CORE_HANDLERS) as [string, AnyHandler][]);

  constructor(
    server: Server,
    private readonly ctx: SignalingContext,
    private readonly path = '/ws',
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
    server.on('upgrade', (req, socket, head) => {
      const url = req.url ?? '';
      if (url.split('?')[0] !== this.path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
    });
    this.heartbeat = setInterval(() => this.beat(), ctx.config.sfu.heartbeatMs);
    ctx.cameras.on('status', (cameraId, stream, status) => this.broadcast({ type: 'cameraState', cameraId, stream, status }));
    ctx.cameras.on('changed', () => this.broadcast({ type: 'cameras', cameras: ctx.cameras.info() }));
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Registers the handler of a message type (a feature's messages are added to the protocol first). */
  handle<T extends ClientMessage['type']>(type: T, handler: Handler<T>): void {
    this.handlers.set(type, handler as AnyHandler);
  }

  /** Pushes a message to every greeted session, or to those `filter` accepts. */
  broadcast(message: ServerMessage, filter?: (s: Session) => boolean): void {
    for (const s of this.sessions) if (s.greeted && (!filter || filter(s))) s.send(message);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const session = new Session(ws, this.ctx.log);
    this.sessions.add(session);
    this.ctx.log.info({ session: session.id, remote: req.socket.remoteAddress }, 'signaling session opened');
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
    if (!parsed.ok) {
      session.fail(parsed.id, parsed.error);
      return;
    }
    void this.dispatch(session, parsed.message);
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
