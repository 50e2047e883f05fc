/**
 * A small RTSP/1.0 client for pulling a camera over one TCP connection with interleaved RTP
 * (RFC 2326 §10.12): OPTIONS, DESCRIBE, SETUP (RTP/AVP/TCP) per selected track, PLAY; keep-alive
 * by GET_PARAMETER (or OPTIONS); TEARDOWN on close. RTP and RTCP packets are emitted as they
 * arrive, as views of the socket's chunks where they lie whole in one (see rtsp-framer.ts): the
 * listener owns them and may rewrite them in place.
 *
 *   const c = new RtspClient({ url: 'rtsp://user:pass@10.0.0.5/stream1' });
 *   c.on('rtp', (track, packet) => …);
 *   c.on('close', (err) => …);               // once; err null after close()
 *   const { selected } = await c.start();    // rejects with the same RtspError the close carries
 *   await c.close();
 *
 * Every failure ends the session with one `close(err)` event and an RtspError with a code; nothing
 * is thrown out of a socket handler. Credentials never reach the wire URL, a message or a log line.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describeUrl } from '@wardwall/common';
import { chooseAuthorizer, parseChallenges, splitRtspUrl, type Authorizer, type RtspCredentials } from './rtsp-auth.js';
import { errorCodeOfStatus, RtspError } from './rtsp-error.js';
import { InterleavedFramer } from './rtsp-framer.js';
import { header, parseInterleaved, parseSessionHeader, publicMethods, type RtspHead, type RtspResponse, type RtspSessionHeader } from './rtsp-message.js';
import { describeBase, parseSdp, type RtspTrack } from './sdp-tracks.js';

export const RTSP_MAX_HEADER_BYTES = 16 * 1024;
export const RTSP_DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'wardwall-rtsp';

/** The subset of a pino logger the client uses. */
export interface RtspLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RtspClientOptions {
  /** rtsp://[user:password@]host[:port]/path (credentials percent-encoded). */
  url: string;
  /** Picks the tracks to set up, in the order their indexes are emitted; default: the first video track. */
  select?: (tracks: readonly RtspTrack[]) => RtspTrack[];
  /** Longest wait for a TCP connection or for the answer to a request, ms (default 5000). */
  requestTimeoutMs?: number;
  /** Longest silence of the connection (no byte at all), ms, before it closes with `timeout` (default 5000). */
  idleTimeoutMs?: number;
  /** Largest message body (the SDP), bytes (default 64 KiB). */
  maxBodyBytes?: number;
  log?: RtspLog;
}

export interface RtspSessionInfo {
  /** Every RTP track of the SDP. */
  tracks: RtspTrack[];
  /** The tracks set up; `rtp`/`rtcp` events carry an index into this array. */
  selected: RtspTrack[];
  sdp: string;
}

export interface RtspClientEvents {
  rtp: [selectedIndex: number, packet: Buffer];
  rtcp: [selectedIndex: number, packet: Buffer];
  close: [err: RtspError | null];
}

/** The default track choice: the first video track. */
export function firstVideoTrack(tracks: readonly RtspTrack[]): RtspTrack[] {
  const v = tracks.find((t) => t.media === 'video');
  return v ? [v] : [];
}

type State = 'idle' | 'starting' | 'playing' | 'closing' | 'closed';

interface Pending {
  cseq: number;
  resolve(r: RtspResponse): void;
  reject(e: RtspError): void;
  timer: NodeJS.Timeout;
}

export class RtspClient extends EventEmitter<RtspClientEvents> {
  private readonly wireUrl: string;
  private readonly host: string;
  private readonly port: number;
  private readonly credentials: RtspCredentials | null;
  private readonly where: string;
  private readonly requestTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly select: (tracks: readonly RtspTrack[]) => RtspTrack[];
  private readonly log: RtspLog | undefined;
  private readonly framer: InterleavedFramer;

  private state: State = 'idle';
  private socket: Socket | null = null;
  private cseq = 0;
  private pending: Pending | null = null;
  private authorizer: Authorizer | null = null;
  private session: RtspSessionHeader | null = null;
  private aggregateUrl = '';
  private keepAliveMethod: 'GET_PARAMETER' | 'OPTIONS' = 'GET_PARAMETER';
  /** Interleaved channel → (selected index << 1 | 1 for RTCP), -1 when not set up. */
  private readonly channels = new Int16Array(256).fill(-1);
  private idleTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private rxSinceTick = false;
  private silentTicks = 0;
  private startPromise: Promise<RtspSessionInfo> | null = null;
  private closePromise: Promise<void> | null = null;
  private closeError: RtspError | null = null;
  private closedResolve: (() => void) | null = null;
  private readonly closed: Promise<void>;

  constructor(opts: RtspClientOptions) {
    super();
    const u = splitRtspUrl(opts.url);
    if (!u) throw new RtspError('unsupported', 'not an rtsp:// URL with a host');
    this.wireUrl = u.wireUrl;
    this.host = u.host;
    this.port = u.port;
    this.credentials = u.credentials;
    this.where = describeUrl(u.wireUrl);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 5000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 5000;
    this.select = opts.select ?? firstVideoTrack;
    this.log = opts.log;
    this.framer = new InterleavedFramer(
      {
        frame: (channel, data) => this.onFrame(channel, data),
        message: (head, body) => this.onMessage(head, body),
        error: (message) => this.fail(new RtspError('protocol', `${this.where}: ${message}`)),
      },
      { maxHeaderBytes: RTSP_MAX_HEADER_BYTES, maxBodyBytes: opts.maxBodyBytes ?? RTSP_DEFAULT_MAX_BODY_BYTES },
    );
    this.closed = new Promise((r) => (this.closedResolve = r));
  }

  /** Whether the session is playing (PLAY answered, not closed). */
  get playing(): boolean {
    return this.state === 'playing';
  }

  /** The error the session closed with (null while open or after a clean close()). */
  get error(): RtspError | null {
    return this.closeError;
  }

  /** Connects, describes, sets up the selected tracks and plays; resolves after PLAY's 200. */
  start(): Promise<RtspSessionInfo> {
    if (this.startPromise) return this.startPromise;
    if (this.state !== 'idle') return Promise.reject(new RtspError('closed', `${this.where}: the client was closed`));
    this.state = 'starting';
    this.startPromise = this.run().catch((e: unknown) => {
      const err = e instanceof RtspError ? e : new RtspError('protocol', `${this.where}: ${e instanceof Error ? e.message : String(e)}`);
      this.fail(err);
      throw this.closeError ?? err;
    });
    return this.startPromise;
  }

  /** TEARDOWN (best effort, bounded by the request timeout), then the socket is destroyed. Idempotent. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    if (this.state === 'closed') return (this.closePromise = Promise.resolve());
    const hadSession = this.session !== null && this.socket !== null;
    this.state = 'closing';
    this.stopKeepAlive();
    this.rejectPending(new RtspError('closed', `${this.where}: closed by the caller`));
    this.closePromise = (async () => {
      if (hadSession) {
        try {
          await this.send('TEARDOWN', this.aggregateUrl, [], Math.min(this.requestTimeoutMs, 2000));
        } catch {
          // best effort
        }
      }
      this.finish(null);
      await this.closed;
    })();
    return this.closePromise;
  }

  private async run(): Promise<RtspSessionInfo> {
    await this.connect();
    this.armIdle();
    const options = await this.request('OPTIONS', this.wireUrl, [], true);
    if (options.status >= 200 && options.status < 300) {
      const pub = publicMethods(header(options.headers, 'public'));
      if (pub.size > 0 && !pub.has('GET_PARAMETER')) this.keepAliveMethod = 'OPTIONS';
    }
    const desc = await this.request('DESCRIBE', this.wireUrl, ['Accept: application/sdp']);
    const type = header(desc.headers, 'content-type');
    if (type !== undefined && !/^application\/sdp\b/i.test(type)) throw new RtspError('unsupported', `${this.where}: DESCRIBE answered ${type}, not SDP`);
    const sdp = desc.body.toString('utf8');
    const base = describeBase(this.wireUrl, header(desc.headers, 'content-base'), header(desc.headers, 'content-location'));
    const parsed = parseSdp(sdp, base);
    if (!parsed) throw new RtspError('protocol', `${this.where}: DESCRIBE answered no usable SDP`);
    this.aggregateUrl = parsed.aggregateControl;
    let selected: RtspTrack[];
    try {
      selected = this.select(parsed.tracks);
    } catch (e) {
      throw new RtspError('unsupported', `${this.where}: the track selection failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (selected.length === 0) throw new RtspError('unsupported', `${this.where}: no track to play among ${parsed.tracks.map((t) => `${t.media}/${t.encodingName}`).join(', ') || 'none'}`);
    if (selected.length > 127) throw new RtspError('unsupported', `${this.where}: too many tracks selected`);
    for (let i = 0; i < selected.length; i++) {
      const t = selected[i]!;
      const r = await this.request('SETUP', t.control, [`Transport: RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`]);
      const sessionValue = header(r.headers, 'session');
      const s = sessionValue === undefined ? null : parseSessionHeader(sessionValue);
      if (!s) throw new RtspError('protocol', `${this.where}: SETUP answered without a valid Session header`);
      if (this.session && this.session.id !== s.id) throw new RtspError('unsupported', `${this.where}: SETUP of track ${t.index} opened a second session`);
      this.session = s;
      const transport = header(r.headers, 'transport');
      const ch = transport === undefined ? null : parseInterleaved(transport);
      if (!ch || !ch.tcp) throw new RtspError('unsupported', `${this.where}: SETUP of track ${t.index}: the server did not agree to interleaved RTP over TCP`);
      if (this.channels[ch.rtp] !== -1 || this.channels[ch.rtcp] !== -1 || ch.rtp === ch.rtcp) throw new RtspError('protocol', `${this.where}: SETUP of track ${t.index}: interleaved channels already in use`);
      this.channels[ch.rtp] = i << 1;
      this.channels[ch.rtcp] = (i << 1) | 1;
    }
    await this.request('PLAY', this.aggregateUrl, ['Range: npt=0.000-']);
    if (this.state !== 'starting') throw this.closeError ?? new RtspError('closed', `${this.where}: closed during PLAY`);
    this.state = 'playing';
    this.startKeepAlive();
    this.log?.debug({ camera: this.where, tracks: selected.map((t) => `${t.media}/${t.encodingName}/${t.payloadType}`) }, 'rtsp: playing');
    return { tracks: parsed.tracks, selected, sdp };
  }

  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      this.socket = socket;
      socket.setNoDelay(true);
      let connected = false;
      const timer = setTimeout(() => {
        reject(new RtspError('connect_failed', `${this.where}: no TCP connection within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      socket.once('connect', () => {
        connected = true;
        clearTimeout(timer);
        if (this.state === 'starting') resolve();
        else reject(new RtspError('closed', `${this.where}: closed while connecting`));
      });
      socket.on('data', (chunk: Buffer) => {
        this.rxSinceTick = true;
        try {
          this.framer.push(chunk);
        } catch (e) {
          // A listener threw: the session cannot go on in a known state.
          this.fail(new RtspError('closed', `${this.where}: a packet listener threw: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
      socket.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const err = new RtspError(connected ? 'closed' : 'connect_failed', `${this.where}: ${e.code ?? e.message}`);
        if (!connected) reject(err);
        this.fail(err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (!connected) reject(new RtspError('connect_failed', `${this.where}: the connection closed`));
        this.fail(new RtspError('closed', `${this.where}: the server closed the connection`));
      });
    });
  }

  /**
   * Sends a request and waits for its answer, answering one 401 with the URL's credentials. A 3xx
   * is refused. A non-2xx status throws with its code unless `anyStatus`.
   */
  private async request(method: string, uri: string, extra: string[], anyStatus = false): Promise<RtspResponse> {
    let r = await this.send(method, uri, extra);
    if (r.status === 401) {
      if (!this.credentials) throw new RtspError('auth_failed', `${method} ${this.where}: 401 and the URL carries no credentials`, 401);
      const challenges = parseChallenges(r.headers.get('www-authenticate') ?? []);
      const authorizer = chooseAuthorizer(challenges, this.credentials);
      if (!authorizer) {
        const offered = challenges.map((c) => c.scheme).join(', ') || 'none';
        throw new RtspError(challenges.length ? 'unsupported' : 'auth_failed', `${method} ${this.where}: 401 with no authentication scheme this client answers (offered: ${offered})`, 401);
      }
      this.authorizer = authorizer;
      r = await this.send(method, uri, extra);
      if (r.status === 401) throw new RtspError('auth_failed', `${method} ${this.where}: the credentials were refused (${authorizer.scheme})`, 401);
    }
    if (r.status >= 300 && r.status < 400) throw new RtspError('refused', `${method} ${this.where}: ${r.status} redirect refused (not followed)`, r.status);
    if (!anyStatus && (r.status < 200 || r.status >= 300)) {
      throw new RtspError(errorCodeOfStatus(r.status), `${method} ${this.where}: ${r.status} ${r.reason.slice(0, 80)}`, r.status);
    }
    return r;
  }

  /** Writes one request; resolves with the response of the same CSeq. */
  private send(method: string, uri: string, extra: string[], timeoutMs = this.requestTimeoutMs): Promise<RtspResponse> {
    return new Promise<RtspResponse>((resolve, reject) => {
      const socket = this.socket;
      if (!socket || socket.destroyed || this.state === 'closed' || this.pending) {
        reject(this.closeError ?? new RtspError('closed', `${method} ${this.where}: the connection is closed`));
        return;
      }
      const cseq = ++this.cseq;
      let text = `${method} ${uri} RTSP/1.0\r\nCSeq: ${cseq}\r\nUser-Agent: ${USER_AGENT}\r\n`;
      if (this.authorizer) text += `Authorization: ${this.authorizer.authorization(method, uri)}\r\n`;
      if (this.session && method !== 'OPTIONS' && method !== 'DESCRIBE') text += `Session: ${this.session.id}\r\n`;
      for (const h of extra) text += `${h}\r\n`;
      text += '\r\n';
      const timer = setTimeout(() => {
        if (this.pending?.cseq !== cseq) return;
        this.pending = null;
        const err = new RtspError('timeout', `${method} ${this.where}: no answer within ${timeoutMs} ms`);
        reject(err);
        if (this.state !== 'closing') this.fail(err);
      }, timeoutMs);
      this.pending = { cseq, resolve, reject, timer };
      socket.write(text);
    });
  }

  private onMessage(head: RtspHead, body: Buffer): void {
    if (head.kind === 'request') {
      // The server asks something (SET_PARAMETER, ANNOUNCE, …): not implemented, said politely.
      const cseq = header(head.headers, 'cseq');
      if (cseq !== undefined && /^\d{1,10}$/.test(cseq)) this.socket?.write(`RTSP/1.0 501 Not Implemented\r\nCSeq: ${cseq}\r\n\r\n`);
      return;
    }
    const p = this.pending;
    if (!p) return; // a late answer to a request that timed out: dropped
    const cseq = header(head.headers, 'cseq');
    if (cseq !== undefined && Number(cseq) !== p.cseq) return;
    clearTimeout(p.timer);
    this.pending = null;
    p.resolve({ status: head.status, reason: head.reason, headers: head.headers, body });
  }

  private onFrame(channel: number, data: Buffer): void {
    const m = this.channels[channel]!;
    if (m < 0 || (this.state !== 'playing' && this.state !== 'starting')) return; // not set up (or closing): dropped
    if ((data.length < 4 || (data[0]! & 0xc0) !== 0x80) || ((m & 1) === 0 && data.length < 12)) {
      this.fail(new RtspError('protocol', `${this.where}: malformed ${(m & 1) === 0 ? 'RTP' : 'RTCP'} packet of ${data.length} bytes on channel ${channel}`));
      return;
    }
    if ((m & 1) === 0) this.emit('rtp', m >> 1, data);
    else this.emit('rtcp', m >> 1, data);
  }

  private armIdle(): void {
    const tick = Math.max(1, Math.floor(this.idleTimeoutMs / 2));
    this.idleTimer = setInterval(() => {
      if (this.rxSinceTick) {
        this.rxSinceTick = false;
        this.silentTicks = 0;
        return;
      }
      if (++this.silentTicks >= 2 && this.state !== 'closing') this.fail(new RtspError('timeout', `${this.where}: no data for ${this.idleTimeoutMs} ms`));
    }, tick);
  }

  private startKeepAlive(): void {
    const everyMs = Math.max(1000, (this.session?.timeoutS ?? 60) * 500);
    this.keepAliveTimer = setInterval(() => this.keepAlive(), everyMs);
  }

  private keepAlive(): void {
    if (this.state !== 'playing' || this.pending) return;
    const method = this.keepAliveMethod;
    this.request(method, this.aggregateUrl, [], true).then(
      (r) => {
        if (method === 'GET_PARAMETER' && (r.status === 405 || r.status === 501)) {
          this.keepAliveMethod = 'OPTIONS';
          if (this.state === 'playing' && !this.pending) this.keepAlive();
        } else if (r.status === 454) {
          this.fail(new RtspError('closed', `${method} ${this.where}: the server no longer knows the session (454)`, 454));
        }
      },
      (e: unknown) => {
        if (this.state === 'playing') this.fail(e instanceof RtspError ? e : new RtspError('protocol', String(e)));
      },
    );
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }

  /** Ends the session with an error (nothing when already ending: close() reports null). */
  private fail(err: RtspError): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing') {
      this.rejectPending(err);
      return;
    }
    this.closeError = err;
    this.log?.warn({ camera: this.where, code: err.code }, `rtsp: ${err.message}`);
    this.finish(err);
  }

  private rejectPending(err: RtspError): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private finish(err: RtspError | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    this.stopKeepAlive();
    this.rejectPending(err ?? new RtspError('closed', `${this.where}: closed`));
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      socket.once('close', () => this.closedResolve?.());
      socket.destroy();
    } else {
      this.closedResolve?.();
    }
    try {
      this.emit('close', err);
    } catch (e) {
      this.log?.warn({ camera: this.where, err: e instanceof Error ? e.message : String(e) }, 'rtsp: a close listener threw');
    }
  }

  /** For error messages of callers: the camera's scheme, host and port. */
  get camera(): string {
    return this.where;
  }
}

