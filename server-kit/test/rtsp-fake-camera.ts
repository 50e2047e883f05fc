/**
 * A scripted RTSP camera on 127.0.0.1 for the client's fault tests: it frames requests, answers
 * them through `answer` (default: a well-behaved camera with one H.264 track and one PCMA track),
 * records every request, and streams RTP frames on the set-up channels after PLAY when asked to.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeRequest {
  method: string;
  uri: string;
  headers: Map<string, string>;
  raw: string;
}

export type Answer = (req: FakeRequest, socket: Socket, cam: FakeCamera) => void;

export const FAKE_SDP = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake', 't=0 0', 'a=control:*',
  'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=control:video',
  'm=audio 0 RTP/AVP 8', 'a=control:audio', '',
].join('\r\n');

/** An RTP packet (version 2) of `size` bytes with this payload type, sequence number and SSRC. */
export function rtpPacket(pt: number, seq: number, ssrc = 0x11223344, size = 100): Buffer {
  const b = Buffer.alloc(Math.max(12, size), 0x55);
  b[0] = 0x80;
  b[1] = pt & 0x7f;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

export function interleaved(channel: number, data: Buffer): Buffer {
  const h = Buffer.from([0x24, channel, data.length >> 8, data.length & 0xff]);
  return Buffer.concat([h, data]);
}

export function reply(socket: Socket, req: FakeRequest, status: string, headers: string[] = [], body = ''): void {
  const b = Buffer.from(body);
  const lines = [`RTSP/1.0 ${status}`, `CSeq: ${req.headers.get('cseq') ?? '0'}`, ...headers];
  if (b.length) lines.push(`Content-Length: ${b.length}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  if (b.length) socket.write(b);
}

export class FakeCamera {
  readonly requests: FakeRequest[] = [];
  readonly sockets = new Set<Socket>();
  port = 0;
  /** Session timeout announced in SETUP's Session header. */
  sessionTimeoutS = 60;
  /** Answer of GET_PARAMETER (status text). */
  getParameterStatus = '200 OK';
  /** Stream RTP after PLAY every this many ms (0: not at all). */
  streamEveryMs = 20;
  private timers = new Set<NodeJS.Timeout>();
  private readonly server: Server;

  constructor(private readonly answer: Answer = (req, socket, cam) => cam.goodCamera(req, socket)) {
    this.server = createServer((socket) => this.onConnection(socket));
  }

  static async start(answer?: Answer): Promise<FakeCamera> {
    const cam = new FakeCamera(answer);
    await new Promise<void>((r) => cam.server.listen(0, '127.0.0.1', () => r()));
    cam.port = (cam.server.address() as { port: number }).port;
    return cam;
  }

  url(path = 'cam', userinfo = ''): string {
    return `rtsp://${userinfo}127.0.0.1:${this.port}/${path}`;
  }

  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const raw = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [first, ...rest] = raw.split('\r\n');
        const [method, uri] = first!.split(' ');
        const headers = new Map(rest.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
        const req = { method: method!, uri: uri!, headers, raw };
        this.requests.push(req);
        if (!socket.destroyed) this.answer(req, socket, this);
      }
    });
  }

  /** A well-behaved camera: OPTIONS, DESCRIBE (FAKE_SDP), SETUP, PLAY (then RTP), GET_PARAMETER, TEARDOWN. */
  goodCamera(req: FakeRequest, socket: Socket, sdp = FAKE_SDP): void {
    switch (req.method) {
      case 'OPTIONS':
        return reply(socket, req, '200 OK', ['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER']);
      case 'DESCRIBE':
        return reply(socket, req, '200 OK', ['Content-Type: application/sdp', `Content-Base: ${this.url()}/`], sdp);
      case 'SETUP':
        return reply(socket, req, '200 OK', [`Session: 4242;timeout=${this.sessionTimeoutS}`, `Transport: ${req.headers.get('transport')};ssrc=11223344`]);
      case 'PLAY':
        reply(socket, req, '200 OK', ['Session: 4242', 'RTP-Info: url=video;seq=1;rtptime=0']);
        if (this.streamEveryMs > 0) this.stream(socket);
        return;
      case 'GET_PARAMETER':
        return reply(socket, req, this.getParameterStatus, ['Session: 4242']);
      case 'TEARDOWN':
        return reply(socket, req, '200 OK');
      default:
        return reply(socket, req, '501 Not Implemented');
    }
  }

  /** Sends an RTP packet on channel 0 (and an RTCP one on 1 every 10th) every streamEveryMs. */
  stream(socket: Socket): void {
    let seq = 1;
    const t = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(t);
        this.timers.delete(t);
        return;
      }
      socket.write(interleaved(0, rtpPacket(96, seq)));
      if (seq % 10 === 0) socket.write(interleaved(1, Buffer.from([0x80, 200, 0, 6, ...Buffer.alloc(24)])));
      seq++;
    }, this.streamEveryMs);
    this.timers.add(t);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
