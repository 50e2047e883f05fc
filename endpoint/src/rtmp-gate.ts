/**
 * The RTMP gate of the embedded endpoint, installed when the endpoint starts:
 * - on the socket (before the library's handshake and chunk parser): the handshake must be plain
 *   RTMP (C0 = 3; the library's RTMPE would need RC4), answered with the plain handshake (no
 *   per-connection Diffie-Hellman), and a connection must be admitted (an authorised publish or
 *   play) within ADMIT_WITHIN_MS and ADMIT_BYTES; at most MAX_UNADMITTED wait at once;
 * - on the library's AMF command dispatch (RTMPSession.prototype, reached through a throw-away
 *   session at start): each command is checked against the session's state — one `connect` to app
 *   `live`; `publish` only with the path's key (PublishGate; `?key=` on plain names, `rk_…` paths for
 *   residents), renamed and stripped of the key before the library logs or uses it; `play` only with
 *   the internal read secret (`?secret=`), stripped likewise; `pause`/`seek` only while playing;
 *   data messages only from an admitted publisher; any other command closes the connection.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ENDPOINT_APP, ENDPOINT_PULL_USER } from '@wardwall/common';
import type { PublishGate } from './publish-gate.js';

export const ADMIT_WITHIN_MS = 15000;
/** Bytes a connection may send before it is admitted (handshake 3073 + connect/createStream/publish). */
export const ADMIT_BYTES = 65536;
/** Connections not yet admitted, at most (each costs a handshake before it can prove anything). */
export const MAX_UNADMITTED = 32;
let unadmitted = 0;

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

interface AmfValue {
  value?: unknown;
}
interface AmfCommand {
  command?: unknown;
  objects: AmfValue[];
}
type Callback = (err: unknown, output?: unknown) => void;
interface LibRtmpSession {
  respondHandshake(c0c1: Buffer, cb: Callback): unknown;
  app?: string;
  socket: Socket;
  stream?: unknown;
  handleAMFCommandMessage(cmd: AmfCommand, cb: Callback): unknown;
  handleAMFDataMessage(msg: AmfCommand, cb: Callback): unknown;
}
interface SessionState {
  connected: boolean;
  published: boolean;
  playing: boolean;
}
const STATE = Symbol('wardwall-rtmp-state');

export interface RtmpGateDeps {
  publish: PublishGate;
  mayRead(creds: { user: string; password: string } | null): boolean;
  log: Logger;
}

/** `name?k=v&…` → the name and its query parameters. Pure. */
export function splitStreamName(raw: unknown): { name: string; params: URLSearchParams } | null {
  if (typeof raw !== 'string' || raw.length > 1024) return null;
  const q = raw.indexOf('?');
  const name = q < 0 ? raw : raw.slice(0, q);
  return { name, params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Socket-level gate of one RTMP connection: returns the function that sees its bytes. */
export function rtmpSocketGate(socket: Socket, log: Logger): (chunk: Buffer, deliver: (b: Buffer) => void) => void {
  let seen = 0;
  let admitted = false;
  let counted = true;
  unadmitted++;
  const uncount = () => {
    if (counted) unadmitted--;
    counted = false;
  };
  const timer = setTimeout(() => {
    if (!admitted) socket.destroy();
  }, ADMIT_WITHIN_MS);
  timer.unref();
  socket.once('close', () => {
    clearTimeout(timer);
    uncount();
  });
  (socket as Socket & { [ADMIT]?: () => void })[ADMIT] = () => {
    admitted = true;
    clearTimeout(timer);
    uncount();
  };
  if (unadmitted > MAX_UNADMITTED) {
    log.warn({ remote: socket.remoteAddress, unadmitted }, 'rtmp: too many connections waiting for admission');
    socket.destroy();
  }
  return (chunk, deliver) => {
    if (seen === 0 && chunk.length > 0 && chunk[0] !== 3) {
      log.debug({ remote: socket.remoteAddress }, 'rtmp: not a plain RTMP handshake');
      socket.destroy();
      return;
    }
    seen += chunk.length;
    if (!admitted && seen > ADMIT_BYTES) {
      log.debug({ remote: socket.remoteAddress }, 'rtmp: too much data before publish or play');
      socket.destroy();
      return;
    }
    deliver(chunk);
  };
}
const ADMIT = Symbol('wardwall-rtmp-admit');

function admitSocket(socket: Socket): void {
  (socket as Socket & { [ADMIT]?: () => void })[ADMIT]?.();
}

/**
 * Patches the library's RTMPSession prototype. `connectionListener` is the library's own listener
 * (it creates the session); it is run once on a throw-away socket to reach the prototype.
 */
export function installRtmpGate(connectionListener: (socket: Socket) => void, deps: RtmpGateDeps): void {
  const dummy = Object.assign(new EventEmitter(), { write: () => true, end: () => undefined, destroy: () => undefined, setNoDelay: () => undefined, remoteAddress: '127.0.0.1' }) as unknown as Socket & { rtmpSession?: LibRtmpSession };
  connectionListener(dummy);
  const session = dummy.rtmpSession;
  dummy.emit('close');
  if (!session) throw new Error('node-rtsp-rtmp-server: no RTMP session class found (library changed?)');
  const proto = Object.getPrototypeOf(session) as LibRtmpSession;
  // The plain RTMP handshake (S1 with a zero version, S2 = the client's C1): the library's own
  // generates a Diffie-Hellman key pair and RC4 ciphers (for RTMPE, refused anyway) for every
  // connection — milliseconds of CPU an unauthenticated client could make it spend at will.
  proto.respondHandshake = function (this: LibRtmpSession, c0c1: Buffer, cb: Callback) {
    const s1 = Buffer.concat([Buffer.alloc(8), randomBytes(1528)]);
    return cb(null, Buffer.concat([Buffer.from([3]), s1, c0c1.subarray(1, 1537)]));
  };
  const command = proto.handleAMFCommandMessage;
  const data = proto.handleAMFDataMessage;
  const { log } = deps;

  const stateOf = (s: LibRtmpSession): SessionState => {
    const holder = s as LibRtmpSession & { [STATE]?: SessionState };
    return (holder[STATE] ??= { connected: false, published: false, playing: false });
  };
  const refuse = (s: LibRtmpSession, cb: Callback, why: string, level: 'debug' | 'warn' = 'debug'): unknown => {
    log[level]({ remote: s.socket.remoteAddress, why }, 'rtmp command refused');
    s.socket.destroy();
    return cb(null);
  };

  proto.handleAMFCommandMessage = function (this: LibRtmpSession, cmd: AmfCommand, cb: Callback) {
    const st = stateOf(this);
    const name = typeof cmd?.command === 'string' ? cmd.command : '';
    if (!Array.isArray(cmd?.objects)) return refuse(this, cb, 'malformed command');
    switch (name) {
      case 'connect': {
        const o = cmd.objects[0]?.value as { app?: unknown } | undefined;
        if (st.connected || !o || typeof o !== 'object' || typeof o.app !== 'string') return refuse(this, cb, 'bad connect');
        if (o.app.replace(/\/$/, '') !== ENDPOINT_APP) return refuse(this, cb, 'unknown app');
        st.connected = true;
        return command.call(this, cmd, cb);
      }
      case 'createStream':
      case 'deleteStream':
      case 'closeStream':
        if (!st.connected) return refuse(this, cb, `${name} before connect`);
        return command.call(this, cmd, cb);
      case '_checkbw':
        if (!st.connected) return refuse(this, cb, `${name} before connect`);
        return cb(null);
      case 'releaseStream':
      case 'FCPublish':
      case 'FCUnpublish':
      case 'FCSubscribe':
      case 'getStreamLength': {
        if (!st.connected) return refuse(this, cb, `${name} before connect`);
        // These carry the stream name (and its key or secret): strip them before the library logs it.
        const n = splitStreamName(cmd.objects[1]?.value);
        if (!n || !NAME.test(n.name)) return refuse(this, cb, `${name}: bad stream name`);
        cmd.objects[1]!.value = n.name;
        // The library implements neither (it would log the whole command): nothing to answer.
        if (name === 'FCSubscribe' || name === 'getStreamLength') return cb(null);
        return command.call(this, cmd, cb);
      }
      case 'publish': {
        const n = splitStreamName(cmd.objects[1]?.value);
        if (!st.connected || st.published || st.playing) return refuse(this, cb, 'publish out of order');
        if (!n || !NAME.test(n.name)) return refuse(this, cb, 'publish: bad stream name');
        const d = deps.publish.admit({ path: `${ENDPOINT_APP}/${n.name}`, socket: this.socket, protocol: 'rtmp', key: n.params.get('key') });
        if (!d.allow) return cb(null); // the gate logged it and closed the socket
        cmd.objects[1]!.value = d.rename ?? n.name;
        st.published = true;
        admitSocket(this.socket);
        return command.call(this, cmd, cb);
      }
      case 'play': {
        const n = splitStreamName(cmd.objects[1]?.value);
        if (!st.connected || st.published || st.playing) return refuse(this, cb, 'play out of order');
        if (!n || !NAME.test(n.name) || n.name.startsWith('rk_')) return refuse(this, cb, 'play: bad stream name');
        const secret = n.params.get('secret');
        if (!deps.mayRead(secret ? { user: ENDPOINT_PULL_USER, password: secret } : null)) return refuse(this, cb, 'play without the read secret', 'warn');
        cmd.objects[1]!.value = n.name;
        st.playing = true;
        admitSocket(this.socket);
        return command.call(this, cmd, cb);
      }
      case 'pause':
        if (!st.playing || this.stream == null || cmd.objects.length < 3) return refuse(this, cb, 'pause out of order');
        return command.call(this, cmd, cb);
      case 'seek':
        if (!st.playing || this.stream == null || cmd.objects.length < 2 || typeof cmd.objects[1]?.value !== 'number') return refuse(this, cb, 'seek out of order');
        return command.call(this, cmd, cb);
      case 'pauseRaw':
        if (!st.playing) return refuse(this, cb, 'pauseRaw out of order');
        return cb(null);
      default:
        return refuse(this, cb, 'unknown command');
    }
  };
  proto.handleAMFDataMessage = function (this: LibRtmpSession, msg: AmfCommand, cb: Callback) {
    const st = stateOf(this);
    if (!st.published || !Array.isArray(msg?.objects) || msg.objects.length === 0) return refuse(this, cb, 'data message out of order');
    return data.call(this, msg, cb);
  };
}
