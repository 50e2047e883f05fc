/**
 * Process-wide guards of the endpoint process (it runs node-rtsp-rtmp-server and nothing else):
 * - bindOnly(host): every TCP listen and UDP bind in this process goes to `host`, whatever address
 *   the library asks for (it hard-codes 0.0.0.0); unix sockets and named pipes are refused;
 * - tapSocket(): the client's bytes reach the library's 'data' listener only through a gate, and a
 *   synchronous exception the library throws while handling them closes that one connection.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Logger } from 'pino';

let boundHost: string | null = null;

export function bindOnly(host: string): void {
  if (boundHost !== null) {
    if (boundHost !== host) throw new Error(`the endpoint's sockets are bound to ${boundHost} already`);
    return;
  }
  boundHost = host;
  const realListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const cb = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    const first = args[0];
    let port: number;
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) port = Number(first);
    else if (first && typeof first === 'object' && !('path' in first) && 'port' in first) port = Number((first as { port: unknown }).port);
    else throw new Error('the endpoint listens on TCP ports of endpoint.host only (no unix sockets, no handles)');
    return realListen.call(this, { port, host, backlog: 511 }, cb);
  } as typeof net.Server.prototype.listen;
  const realBind = dgram.Socket.prototype.bind;
  dgram.Socket.prototype.bind = function (this: dgram.Socket, ...args: unknown[]) {
    const cb = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    const first = args[0];
    const port = first && typeof first === 'object' ? Number((first as { port?: unknown }).port ?? 0) : Number(first ?? 0);
    return realBind.call(this, { port, address: host }, cb);
  } as typeof dgram.Socket.prototype.bind;
}

/**
 * Routes `socket`'s incoming bytes through `gate`, which calls `deliver` with what the library may
 * see. Returns `deliver` (also used by gates that answer asynchronously).
 */
export function tapSocket(socket: net.Socket, gate: (chunk: Buffer, deliver: (bytes: Buffer) => void) => void, log: Logger): (bytes: Buffer) => void {
  const realEmit = socket.emit as (this: net.Socket, event: string | symbol, ...args: unknown[]) => boolean;
  const fail = (e: unknown, where: string) => {
    log.warn({ remote: socket.remoteAddress, err: (e as Error)?.message?.slice(0, 200) }, `${where}: connection closed`);
    socket.destroy();
  };
  const deliver = (bytes: Buffer) => {
    if (socket.destroyed) return;
    try {
      realEmit.call(socket, 'data', bytes);
    } catch (e) {
      fail(e, 'the media library failed on a request');
    }
  };
  socket.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'data') return realEmit.call(this, event, ...args);
    try {
      gate(args[0] as Buffer, deliver);
    } catch (e) {
      fail(e, 'the endpoint gate failed on a request');
    }
    return true;
  } as typeof socket.emit;
  return deliver;
}
