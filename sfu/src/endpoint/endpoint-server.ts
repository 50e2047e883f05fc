/**
 * node-rtsp-rtmp-server inside the endpoint process (endpoint-main.ts). The library keeps its
 * settings in one module object and cannot close its sockets, so it runs in a process of its own:
 * one server per process, ended by ending the process.
 */
import { createRequire } from 'node:module';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { freeUdpPort } from '@wardwall/common/node';
import { streamPathOf, type PublishGate } from './publish-gate.js';

const require = createRequire(import.meta.url);

export interface EndpointOptions {
  rtspPort: number;
  rtmpPort: number;
  httpPort: number;
  /** Host that clients on this machine use to reach it (the library itself listens on all addresses). */
  host: string;
  log: Logger;
  /** Who may publish (null: anyone, for tests of the library alone). */
  gate: PublishGate | null;
}

interface LibRtspRequest {
  method: string;
  uri: string;
  headers: Record<string, string | undefined>;
}
interface LibRtspServer {
  respond(socket: Socket, req: LibRtspRequest, callback: (err: unknown, output?: unknown) => void): unknown;
  server?: Server;
}
interface LibRtmpSession {
  app?: string;
  socket: Socket;
  respondPublish(cmd: { objects: { value?: unknown }[] }, callback: (err: unknown, output?: unknown) => void): unknown;
}

interface LibStreamServer {
  start(cb?: () => void): void;
  stop(cb?: () => void): void;
  rtspServer?: LibRtspServer & { stop(cb?: () => void): void };
  rtmpServer?: { stop(cb?: () => void): void; server?: Server };
}

let active: EndpointServer | null = null;

/** Fails with the config key when a port is taken: the library would otherwise crash the process. */
async function assertPortFree(port: number, key: string): Promise<void> {
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`config error: ${key}: port ${port} is not available (${e.code})`)));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve()));
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
    await assertPortFree(this.opts.rtspPort, 'endpoint.rtspPort');
    await assertPortFree(this.opts.rtmpPort, 'endpoint.rtmpPort');
    const config = require('node-rtsp-rtmp-server/config');
    const udp = await Promise.all(Array.from({ length: 8 }, () => freeUdpPort()));
    Object.assign(config, {
      serverPort: this.opts.rtspPort,
      rtmpServerPort: this.opts.rtmpPort,
      // The library's HTTP/RTSP share serverPort; keep its other sockets off fixed, shared ports.
      receiverType: 'tcp',
      receiverListenHost: '127.0.0.1',
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
    const log = this.opts.log;
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
    const server = new StreamServer();
    this.server = server;
    await new Promise<void>((resolve) => server.start(() => resolve()));
    // The library leaves Nagle's algorithm on: small RTP writes then wait for the peer's delayed
    // ACK (up to 40 ms on Linux). Live video must leave at once.
    for (const s of [server.rtspServer?.server, server.rtmpServer?.server]) s?.on('connection', (sock: Socket) => sock.setNoDelay(true));
    if (this.opts.gate) installPublishGate(server, this.opts.gate);
    // start() calls back once RTSP listens; give the RTMP listener the same tick.
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

const RTSP_PUBLISH = new Set(['ANNOUNCE', 'RECORD']);

/**
 * Puts the gate in front of the library's publish handling: RTSP requests (ANNOUNCE, RECORD,
 * SETUP in record mode) and the RTMP `publish` command. An admitted key path is renamed to the
 * camera's internal stream name before the library sees it; a refused one never reaches it.
 */
function installPublishGate(server: LibStreamServer, gate: PublishGate): void {
  const rtsp = server.rtspServer;
  if (rtsp) {
    const respond = rtsp.respond.bind(rtsp);
    rtsp.respond = (socket, req, callback) => {
      const uri = typeof req.uri === 'string' ? req.uri : '';
      const path = streamPathOf(URL.canParse(uri) ? new URL(uri).pathname : uri);
      const publishing = RTSP_PUBLISH.has(req.method) || (req.method === 'SETUP' && /mode\s*=\s*"?record/i.test(req.headers.transport ?? ''));
      const keyPath = /^live\/rk_/.test(path);
      if (publishing || keyPath) {
        // Reading by key is refused too: a key is for publishing only.
        if (!publishing && req.method !== 'TEARDOWN' && req.method !== 'OPTIONS') {
          socket.destroy();
          return undefined;
        }
        const d = gate.admit(path, socket, 'rtsp');
        if (!d.allow) return undefined;
        if (d.rename) req.uri = uri.replace(path, `live/${d.rename}`);
      }
      return respond(socket, req, callback);
    };
  }
  let patched = false;
  server.rtmpServer?.server?.on('connection', (sock: Socket & { rtmpSession?: LibRtmpSession }) => {
    // The library attaches its session to the socket in its own (first) connection listener.
    const session = sock.rtmpSession;
    if (patched || !session) return;
    patched = true;
    const proto = Object.getPrototypeOf(session) as LibRtmpSession;
    const respondPublish = proto.respondPublish;
    proto.respondPublish = function (this: LibRtmpSession, cmd, callback) {
      const name = String(cmd.objects[1]?.value ?? '').split('?')[0]!;
      const d = gate.admit(streamPathOf(`${this.app ?? ''}/${name}`), this.socket, 'rtmp');
      if (!d.allow) return undefined;
      if (d.rename) cmd.objects[1]!.value = d.rename;
      return respondPublish.call(this, cmd, callback);
    };
  });
}
