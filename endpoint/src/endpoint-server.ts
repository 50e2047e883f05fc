/**
 * node-rtsp-rtmp-server inside the endpoint process (endpoint-main.ts). The library keeps its
 * settings in one module object and cannot close its sockets, so it runs in a process of its own:
 * one server per process, ended by ending the process.
 *
 * Walled in (docs/security-endpoint.md): every socket of this process binds to `host` only
 * (socket-guard.ts: the library hard-codes 0.0.0.0); its custom receiver sockets and RTMP-over-HTTP
 * are off; every client byte passes a gate before the library sees it (rtsp-gate.ts, rtmp-gate.ts);
 * plays need the internal read secret, publishes the path's key.
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { freeUdpPort } from '@wardwall/server-kit';
import type { PublishGate } from './publish-gate.js';
import { RtspConnectionGate } from './rtsp-gate.js';
import { installRtmpGate, rtmpSocketGate } from './rtmp-gate.js';
import { bindOnly, tapSocket } from './socket-guard.js';

const require = createRequire(import.meta.url);

export interface EndpointOptions {
  rtspPort: number;
  rtmpPort: number;
  httpPort: number;
  /** The only address any socket of the endpoint binds to (endpoint.host). */
  host: string;
  log: Logger;
  /** Who may publish. */
  gate: PublishGate;
  /** Whether credentials are the internal read credentials (who may play). */
  mayRead(creds: { user: string; password: string } | null): boolean;
}

/** Connections per listening socket (the library keeps per-connection state). */
export const MAX_CONNECTIONS = 256;

interface LibRtspClient {
  stream?: unknown;
  announceSDPInfo?: unknown;
}
interface LibRtspServer {
  server?: Server;
  clients: Record<string, LibRtspClient | undefined>;
  stop(cb?: () => void): void;
}
interface LibStreamServer {
  start(cb?: () => void): void;
  stop(cb?: () => void): void;
  customReceiver: { start(): void };
  rtspServer: LibRtspServer;
  rtmpServer: { stop(cb?: () => void): void; server: Server };
}

let active: EndpointServer | null = null;

/** Fails with the config key when a port is taken: the library would otherwise crash the process. */
async function assertPortFree(port: number, host: string, key: string): Promise<void> {
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`config error: ${key}: port ${port} is not available (${e.code})`)));
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}

export class EndpointServer {
  private server: LibStreamServer | null = null;

  private constructor(private readonly opts: EndpointOptions) {}

  static async start(opts: EndpointOptions): Promise<EndpointServer> {
    if (active) throw new Error('an embedded endpoint already runs in this process');
    const ep = new EndpointServer(opts);
    active = ep;
    try {
      await ep.listen();
    } catch (e) {
      active = null;
      throw e;
    }
    return ep;
  }

  /** rtsp://host:port/live/<path> */
  url(path: string): string {
    return `rtsp://${this.opts.host}:${this.opts.rtspPort}/live/${path}`;
  }

  private async listen(): Promise<void> {
    const { host, log, gate } = this.opts;
    bindOnly(host);
    await assertPortFree(this.opts.rtspPort, host, 'endpoint.rtspPort');
    await assertPortFree(this.opts.rtmpPort, host, 'endpoint.rtmpPort');
    const config = require('node-rtsp-rtmp-server/config');
    const udp = await Promise.all(Array.from({ length: 8 }, () => freeUdpPort()));
    Object.assign(config, {
      serverPort: this.opts.rtspPort,
      rtmpServerPort: this.opts.rtmpPort,
      // The library's HTTP/RTSP share serverPort (the gate refuses HTTP there); its custom
      // receiver sockets are never started (below); keep its UDP sockets off fixed, shared ports.
      receiverType: 'tcp',
      receiverListenHost: host,
      enableRTMPT: false,
      videoControlReceiverPort: 0,
      audioControlReceiverPort: 0,
      videoDataReceiverPort: 0,
      audioDataReceiverPort: 0,
      rtspVideoDataUDPListenPort: udp[0],
      rtspVideoControlUDPListenPort: udp[1],
      rtspAudioDataUDPListenPort: udp[2],
      rtspAudioControlUDPListenPort: udp[3],
      videoRTPServerPort: udp[4],
      videoRTCPServerPort: udp[5],
      audioRTPServerPort: udp[6],
      audioRTCPServerPort: udp[7],
      rtmpWaitForKeyFrame: false,
    });
    // Route the library's console output into our logger (its client dumps become debug lines).
    const libLog = require('node-rtsp-rtmp-server/logger') as Record<string, unknown>;
    const toDebug = (s: unknown) => log.debug(String(s));
    Object.assign(libLog, {
      raw: toDebug,
      debug: toDebug,
      info: toDebug,
      warn: (s: unknown) => log.warn(String(s)),
      // A peer that hangs up mid-stream is routine for a media server, not an error.
      error: (s: unknown) => (/ECONNRESET|EPIPE|ECONNABORTED/.test(String(s)) ? log.debug(String(s)) : log.error(String(s))),
      fatal: (s: unknown) => log.error(String(s)),
    });
    const StreamServer = require('node-rtsp-rtmp-server/stream_server');
    const server = new StreamServer() as LibStreamServer;
    this.server = server;
    // Its unix/TCP "custom receiver" sockets take raw media from anyone who connects: never started.
    server.customReceiver.start = () => undefined;
    const rtmp = server.rtmpServer.server;
    const rtmpListener = rtmp.listeners('connection')[0] as ((s: Socket) => void) | undefined;
    if (!rtmpListener) throw new Error('node-rtsp-rtmp-server: no RTMP connection listener (library changed?)');
    installRtmpGate(rtmpListener, { publish: gate, mayRead: this.opts.mayRead, log: log.child({ part: 'rtmp-gate' }) });
    const rtspGateLog = log.child({ part: 'rtsp-gate' });
    const rtspLib = server.rtspServer;
    const libReady = (sock: Socket, what: 'play' | 'record'): boolean => {
      const client = rtspLib.clients[(sock as Socket & { clientID?: string }).clientID ?? ''];
      return what === 'play' ? client?.stream != null : client?.announceSDPInfo != null;
    };
    const started = new Promise<void>((resolve) => server.start(() => resolve()));
    // start() created and bound every socket synchronously; no connection is accepted before the
    // event loop turns, so these listeners run first for every connection.
    const rtspSrv = rtspLib.server;
    if (!rtspSrv) throw new Error('node-rtsp-rtmp-server: no RTSP server (library changed?)');
    for (const srv of [rtspSrv, rtmp]) srv.maxConnections = MAX_CONNECTIONS;
    rtspSrv.prependListener('connection', (sock: Socket) => {
      // The library leaves Nagle's algorithm on: small RTP writes then wait for the peer's delayed
      // ACK (up to 40 ms on Linux). Live video must leave at once.
      sock.setNoDelay(true);
      let g: RtspConnectionGate | null = null;
      const deliver = tapSocket(sock, (chunk) => g?.feed(chunk), rtspGateLog);
      g = new RtspConnectionGate(sock, { publish: gate, mayRead: this.opts.mayRead, libReady, log: rtspGateLog }, deliver);
    });
    rtmp.prependListener('connection', (sock: Socket) => {
      sock.setNoDelay(true);
      tapSocket(sock, rtmpSocketGate(sock, log), log);
    });
    await started;
    this.opts.log.info({ rtspPort: this.opts.rtspPort, rtmpPort: this.opts.rtmpPort }, 'embedded RTSP/RTMP endpoint listening');
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      try {
        server.stop();
        server.rtmpServer?.stop();
        server.rtspServer?.stop(() => resolve());
      } catch {
        resolve();
      }
      setTimeout(resolve, 1000).unref();
    });
    if (active === this) active = null;
  }
}

