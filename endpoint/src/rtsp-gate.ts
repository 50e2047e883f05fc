/**
 * The RTSP front gate of the embedded endpoint: every byte a client sends passes through one
 * RtspConnectionGate before node-rtsp-rtmp-server sees it. The gate frames the stream itself
 * (requests up to a header and body limit, `$`-interleaved frames), parses each request strictly,
 * checks it against the connection's state and its credentials, and hands the library only a
 * re-serialised request it can handle (method, canonical URI, a few known headers, no credentials),
 * or answers itself (OPTIONS, GET_PARAMETER, errors). What the library never sees cannot crash it:
 * SETUP in record mode without an admitted ANNOUNCE, PAUSE or PLAY without a stream, HTTP tunnelling,
 * unknown methods, malformed or oversized input.
 *
 * Who may do what:
 * - play (DESCRIBE → SETUP → PLAY/PAUSE): only with the internal read credentials (Basic);
 * - publish (ANNOUNCE → SETUP mode=record → RECORD): only with the path's key (PublishGate).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ENDPOINT_APP } from '@wardwall/common';
import type { PublishDecision, PublishGate } from './publish-gate.js';

export const MAX_HEADER_BYTES = 8192;
export const MAX_BODY_BYTES = 16384;
const MAX_HEADERS = 32;
const MAX_AUTH_CHALLENGES = 3;
/** A connection must be admitted (authorised DESCRIBE or ANNOUNCE) within this time. */
export const ADMIT_WITHIN_MS = 15000;

const CRLF2 = Buffer.from('\r\n\r\n');
const NAME = /^[A-Za-z0-9_-]{1,128}$/;
const CONTROL = /^(?:trackID|streamid)=\d{1,2}$/;

export interface RtspRequest {
  method: string;
  /** `live/<name>` (null for `*`). */
  path: string | null;
  /** Track control suffix (`trackID=1`, `streamid=0`) or null. */
  control: string | null;
  /** host[:port] of the request URI, for the library's Content-Base. */
  host: string;
  cseq: string;
  headers: Map<string, string>;
  body: Buffer;
}

export type ParseResult = { ok: true; request: RtspRequest } | { ok: false; status: number; reason: string; http?: boolean; cseq?: string };

/** Parses one complete request (header block without the blank line, and its body). Pure. */
export function parseRtspRequest(head: string, body: Buffer): ParseResult {
  const lines = head.split('\r\n');
  const m = /^([A-Z_]{1,20}) (\S{1,1024}) (RTSP\/1\.0|HTTP\/1\.[01])$/.exec(lines[0] ?? '');
  if (!m) return { ok: false, status: 400, reason: 'Bad Request' };
  const [, method, uri, protocol] = m as unknown as [string, string, string, string];
  if (protocol.startsWith('HTTP')) return { ok: false, status: 403, reason: 'Forbidden', http: true };
  const headers = new Map<string, string>();
  if (lines.length - 1 > MAX_HEADERS) return { ok: false, status: 400, reason: 'Bad Request' };
  for (const line of lines.slice(1)) {
    // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
    const h = /^([A-Za-z0-9-]{1,64}):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]{0,1024})$/.exec(line);
    if (!h) return { ok: false, status: 400, reason: 'Bad Request' };
    const name = h[1]!.toLowerCase();
    if (headers.has(name)) return { ok: false, status: 400, reason: 'Bad Request' };
    headers.set(name, h[2]!.trim());
  }
  const cseq = headers.get('cseq');
  if (!cseq || !/^\d{1,9}$/.test(cseq)) return { ok: false, status: 400, reason: 'Bad Request' };
  let path: string | null = null;
  let control: string | null = null;
  let host = 'localhost';
  if (uri !== '*') {
    let pathname: string;
    if (uri.startsWith('/')) pathname = uri;
    else {
      if (!/^rtsp:\/\//i.test(uri) || !URL.canParse(uri)) return { ok: false, status: 400, reason: 'Bad Request', cseq };
      const u = new URL(uri);
      if (u.search || u.hash || u.username || u.password) return { ok: false, status: 400, reason: 'Bad Request', cseq };
      pathname = u.pathname;
      if (/^[A-Za-z0-9.:[\]-]{1,255}$/.test(u.host)) host = u.host;
    }
    const parts = pathname.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
    if (parts[0] !== ENDPOINT_APP || !parts[1] || !NAME.test(parts[1]) || parts.length > 3) return { ok: false, status: 404, reason: 'Not Found', cseq };
    if (parts.length === 3) {
      if (!CONTROL.test(parts[2]!)) return { ok: false, status: 404, reason: 'Not Found', cseq };
      control = parts[2]!;
    }
    path = `${ENDPOINT_APP}/${parts[1]}`;
  }
  return { ok: true, request: { method, path, control, host, cseq, headers, body } };
}

/** `Authorization: Basic …` → {user, password}, or null. Pure. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic ([A-Za-z0-9+/=]{1,512})$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export interface TransportSpec {
  tcp: boolean;
  interleaved: [number, number] | null;
  clientPort: [number, number] | null;
  record: boolean;
}

/** A Transport header reduced to what the endpoint supports, or null. Pure. */
export function parseTransport(value: string | undefined): TransportSpec | null {
  if (!value || value.length > 512) return null;
  // A client may offer several transports: take the first one the endpoint supports.
  for (const offer of value.split(',').slice(0, 4)) {
    const t = parseOneTransport(offer);
    if (t) return t;
  }
  return null;
}

function parseOneTransport(value: string): TransportSpec | null {
  const [profile, ...params] = value.split(';').map((p) => p.trim());
  if (!profile || !/^RTP\/AVP(?:\/(?:TCP|UDP))?$/i.test(profile)) return null;
  const spec: TransportSpec = { tcp: /\/TCP$/i.test(profile), interleaved: null, clientPort: null, record: false };
  const pair = (v: string, max: number): [number, number] | null => {
    const p = /^(\d{1,5})-(\d{1,5})$/.exec(v);
    if (!p) return null;
    const a = Number(p[1]);
    const b = Number(p[2]);
    return a <= max && b <= max ? [a, b] : null;
  };
  for (const param of params) {
    if (param === '') continue;
    const [k, v = ''] = param.split('=', 2).map((x) => x.trim().replace(/^"|"$/g, '')) as [string, string?];
    const key = k.toLowerCase();
    if (key === 'unicast' || key === 'ssrc' || key === 'ttl') continue;
    if (key === 'interleaved') {
      // The library reads single-digit channel pairs for publishing, any pair for playing.
      spec.interleaved = pair(v, 255);
      if (!spec.interleaved) return null;
    } else if (key === 'client_port') {
      spec.clientPort = pair(v, 65535);
      if (!spec.clientPort || spec.clientPort[0] === 0) return null;
    } else if (key === 'mode') {
      const mode = v.toLowerCase();
      if (mode === 'record' || mode === 'receive') spec.record = true;
      else if (mode !== 'play') return null;
    } else return null;
  }
  if (spec.tcp && !spec.interleaved && spec.record) return null;
  if (!spec.tcp && !spec.clientPort) return null;
  if (spec.tcp && spec.clientPort) spec.clientPort = null;
  return spec;
}

/** The Transport header the library gets (canonical; record mode as the library spells it). */
export function renderTransport(t: TransportSpec): string {
  const parts = [t.tcp ? 'RTP/AVP/TCP' : 'RTP/AVP', 'unicast'];
  if (t.interleaved) parts.push(`interleaved=${t.interleaved[0]}-${t.interleaved[1]}`);
  if (t.clientPort) parts.push(`client_port=${t.clientPort[0]}-${t.clientPort[1]}`);
  if (t.record) parts.push('mode=record');
  return parts.join(';');
}

type State =
  | { s: 'init' }
  | { s: 'described'; path: string }
  | { s: 'ready'; path: string; playing: boolean }
  | { s: 'announced'; path: string; libPath: string }
  | { s: 'recordReady'; path: string; libPath: string }
  | { s: 'recording'; path: string; libPath: string };

export interface RtspGateDeps {
  /** Whether these credentials are the internal read credentials. */
  mayRead(creds: { user: string; password: string } | null): boolean;
  publish: PublishGate;
  /** Whether the library holds this connection's stream (play) or announced SDP (record). */
  libReady(socket: Socket, what: 'play' | 'record'): boolean;
  log: Logger;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  431: 'Request Header Fields Too Large',
  451: 'Parameter Not Understood',
  455: 'Method Not Valid in This State',
  461: 'Unsupported Transport',
};

/**
 * One client connection. `deliver` hands admitted bytes to the library (the socket's original
 * 'data' emission); replies of the gate are written to the socket directly.
 */
export class RtspConnectionGate {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = { s: 'init' };
  private challenges = 0;
  private closed = false;
  private admitTimer: NodeJS.Timeout | null;

  constructor(
    private readonly socket: Socket,
    private readonly deps: RtspGateDeps,
    private readonly deliver: (bytes: Buffer) => void,
  ) {
    this.admitTimer = setTimeout(() => this.close('not admitted in time'), ADMIT_WITHIN_MS);
    this.admitTimer.unref();
    socket.once('close', () => {
      this.closed = true;
      this.admitted();
    });
  }

  /** Bytes from the client. */
  feed(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (!this.closed && this.buf.length > 0) {
      if (this.buf[0] === 0x24) {
        if (this.buf.length < 4) return;
        const total = 4 + this.buf.readUInt16BE(2);
        if (this.buf.length < total) return;
        const frame = this.buf.subarray(0, total);
        this.buf = this.buf.subarray(total);
        if (this.state.s === 'init' || this.state.s === 'described' || this.state.s === 'announced') return this.close('interleaved data before SETUP');
        this.deliver(frame);
        continue;
      }
      const end = this.buf.indexOf(CRLF2);
      if (end < 0) {
        if (this.buf.length > MAX_HEADER_BYTES) return this.refuse(431, null, true);
        return;
      }
      if (end > MAX_HEADER_BYTES) return this.refuse(431, null, true);
      const head = this.buf.subarray(0, end).toString('latin1');
      const lengthHeader = /\r\ncontent-length:[ \t]*([^\r]*)/i.exec(head);
      let bodyLength = 0;
      if (lengthHeader) {
        if (!/^\d{1,7}$/.test(lengthHeader[1]!.trim())) return this.refuse(400, null, true);
        bodyLength = Number(lengthHeader[1]!.trim());
        if (bodyLength > MAX_BODY_BYTES) return this.refuse(413, null, true);
      }
      if (this.buf.length < end + 4 + bodyLength) return;
      const body = Buffer.from(this.buf.subarray(end + 4, end + 4 + bodyLength));
      this.buf = this.buf.subarray(end + 4 + bodyLength);
      const parsed = parseRtspRequest(head, body);
      if (!parsed.ok) {
        if (parsed.http) {
          this.write('HTTP/1.0 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return this.close('HTTP on the RTSP port');
        }
        return this.refuse(parsed.status, parsed.cseq ?? null, true);
      }
      this.handle(parsed.request);
    }
  }

  private handle(req: RtspRequest): void {
    const st = this.state;
    const samePath = 'path' in st && st.path === req.path;
    switch (req.method) {
      case 'OPTIONS':
        return this.reply(req.cseq, 200, ['Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, ANNOUNCE, RECORD, GET_PARAMETER']);
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        if (st.s === 'init') return this.refuse(455, req.cseq, true);
        if (req.body.length > 0) return this.refuse(451, req.cseq, false);
        return this.reply(req.cseq, 200, []);
      case 'DESCRIBE': {
        if (!req.path || req.body.length) return this.refuse(400, req.cseq, true);
        if (st.s !== 'init' && st.s !== 'described' && st.s !== 'ready') return this.refuse(455, req.cseq, true);
        if (st.s === 'ready' && st.playing) return this.refuse(455, req.cseq, true);
        if (req.path.startsWith(`${ENDPOINT_APP}/rk_`)) return this.refuse(403, req.cseq, true);
        if (!this.deps.mayRead(basicCredentials(req.headers.get('authorization')))) return this.challenge(req, 'read');
        this.state = { s: 'described', path: req.path };
        this.admitted();
        return this.pass(req, req.path);
      }
      case 'SETUP': {
        if (!req.path || req.body.length) return this.refuse(400, req.cseq, true);
        const t = parseTransport(req.headers.get('transport'));
        if (!t) return this.reply(req.cseq, 461, [], true);
        if (t.record) {
          if ((st.s !== 'announced' && st.s !== 'recordReady') || !samePath || !req.control || !this.deps.libReady(this.socket, 'record')) return this.refuse(455, req.cseq, true);
          if (t.tcp && (t.interleaved![0] > 9 || t.interleaved![1] > 9)) return this.reply(req.cseq, 461, [], true);
          this.state = { s: 'recordReady', path: st.path, libPath: st.libPath };
          return this.pass(req, st.libPath, renderTransport(t));
        }
        if ((st.s !== 'described' && st.s !== 'ready') || !samePath) return this.refuse(455, req.cseq, true);
        if (st.s === 'ready' && st.playing) return this.refuse(455, req.cseq, true);
        this.state = { s: 'ready', path: st.path, playing: false };
        return this.pass(req, st.path, renderTransport(t));
      }
      case 'PLAY':
        if (st.s !== 'ready' || !samePath || req.body.length) return this.refuse(455, req.cseq, true);
        if (!this.deps.libReady(this.socket, 'play')) return this.refuse(404, req.cseq, true);
        this.state = { s: 'ready', path: st.path, playing: true };
        return this.pass(req, st.path);
      case 'PAUSE':
        if (st.s !== 'ready' || !st.playing || !samePath || req.body.length || !this.deps.libReady(this.socket, 'play')) return this.refuse(455, req.cseq, true);
        this.state = { s: 'ready', path: st.path, playing: false };
        return this.pass(req, st.path);
      case 'ANNOUNCE': {
        if (!req.path || req.control) return this.refuse(400, req.cseq, true);
        if (st.s !== 'init') return this.refuse(455, req.cseq, true);
        const type = req.headers.get('content-type') ?? '';
        if (!/^application\/sdp\b/i.test(type) || req.body.length === 0 || !isPlausibleSdp(req.body)) return this.refuse(400, req.cseq, true);
        const creds = basicCredentials(req.headers.get('authorization'));
        const d: PublishDecision = this.deps.publish.admit({ path: req.path, socket: this.socket, protocol: 'rtsp', key: creds?.password ?? null, keepSocket: true });
        if (!d.allow) {
          if (d.reason === 'key_required') return this.challenge(req, 'publish');
          return this.refuse(d.reason === 'not_open' || d.reason === 'unknown_key' ? 404 : 403, req.cseq, true);
        }
        const libPath = d.rename === null ? req.path : `${ENDPOINT_APP}/${d.rename}`;
        this.state = { s: 'announced', path: req.path, libPath };
        this.admitted();
        return this.pass(req, libPath);
      }
      case 'RECORD':
        if (st.s !== 'recordReady' || !samePath || req.body.length || !this.deps.libReady(this.socket, 'record')) return this.refuse(455, req.cseq, true);
        this.state = { s: 'recording', path: st.path, libPath: st.libPath };
        return this.pass(req, st.libPath);
      case 'TEARDOWN': {
        if (st.s === 'init' || st.s === 'described' || st.s === 'announced') {
          this.state = { s: 'init' };
          return this.reply(req.cseq, 200, []);
        }
        const lib = 'libPath' in st ? st.libPath : st.path;
        this.state = { s: 'init' };
        this.pass(req, lib);
        // A publisher's session ends with its TEARDOWN; a new one needs a new connection.
        if (lib !== st.path || st.s === 'recordReady' || st.s === 'recording') this.socket.end();
        return;
      }
      default:
        return this.reply(req.cseq, 405, ['Allow: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, ANNOUNCE, RECORD, GET_PARAMETER'], true);
    }
  }

  private admitted(): void {
    if (this.admitTimer) clearTimeout(this.admitTimer);
    this.admitTimer = null;
  }

  /** Hands the library the request re-serialised: canonical URI, known headers only, no credentials. */
  private pass(req: RtspRequest, libPath: string, transport?: string): void {
    const lines = [`${req.method} rtsp://${req.host}/${libPath}${req.control ? `/${req.control}` : ''} RTSP/1.0`, `CSeq: ${req.cseq}`];
    if (transport) lines.push(`Transport: ${transport}`);
    const session = req.headers.get('session');
    if (session && /^[A-Za-z0-9;=._-]{1,128}$/.test(session)) lines.push(`Session: ${session}`);
    const range = req.headers.get('range');
    if (range && /^[A-Za-z0-9=.:\- ]{1,64}$/.test(range)) lines.push(`Range: ${range}`);
    if (req.body.length) lines.push('Content-Type: application/sdp', `Content-Length: ${req.body.length}`);
    this.deliver(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), req.body]));
  }

  private challenge(req: RtspRequest, what: 'read' | 'publish'): void {
    if (req.headers.has('authorization') || ++this.challenges > MAX_AUTH_CHALLENGES) {
      this.deps.log.warn({ remote: this.socket.remoteAddress, method: req.method, what }, 'rtsp request refused: wrong credentials');
      return this.reply(req.cseq, what === 'read' ? 401 : 403, what === 'read' ? ['WWW-Authenticate: Basic realm="wardwall"'] : [], true);
    }
    this.reply(req.cseq, 401, ['WWW-Authenticate: Basic realm="wardwall"']);
  }

  private refuse(status: number, cseq: string | null, close: boolean): void {
    this.deps.log.debug({ remote: this.socket.remoteAddress, status, state: this.state.s }, 'rtsp request refused');
    this.reply(cseq, status, [], close);
  }

  private reply(cseq: string | null, status: number, headers: string[], close = false): void {
    const lines = [`RTSP/1.0 ${status} ${REASONS[status] ?? 'Error'}`, ...(cseq ? [`CSeq: ${cseq}`] : []), ...headers, 'Content-Length: 0'];
    this.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (close) this.close(`status ${status}`);
  }

  private write(text: string): void {
    if (!this.closed && this.socket.writable) this.socket.write(text);
  }

  private close(_why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.buf = Buffer.alloc(0);
    this.socket.end();
    // Do not wait for a peer that never reads.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

/** An SDP body the library's parser can take: text lines, version first, at least one H.264/AAC media. */
export function isPlausibleSdp(body: Buffer): boolean {
  const text = body.toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
  if (!/^v=0\r?\n/.test(text) || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) return false;
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (!lines.every((l) => /^[a-z]=/.test(l))) return false;
  const media = lines.filter((l) => l.startsWith('m='));
  if (media.length === 0 || media.length > 4) return false;
  if (!media.every((l) => /^m=(video|audio) \d{1,5} RTP\/AVP \d{1,3}$/.test(l))) return false;
  // Every media section needs its control attribute (SETUP names the track by it).
  const sections = text.split(/\r?\nm=/).slice(1);
  return sections.every((s) => /\r?\na=control:[A-Za-z0-9=_-]{1,32}\r?(\n|$)/.test(`\n${s}`) && /a=rtpmap:\d{1,3} (H264\/90000|MPEG4-GENERIC\/\d+(\/\d)?)/i.test(s));
}
