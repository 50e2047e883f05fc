/**
 * Test clients for the embedded endpoint, loopback only: a raw RTSP exchange, a minimal RTMP client
 * (plain handshake, AMF0 commands) and a seeded generator of malformed, out-of-order and oversized
 * RTSP and RTMP traffic. Every connection is bounded in time.
 */
import * as net from 'node:net';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Opens a connection to 127.0.0.1:port, writes each chunk in turn (waiting `gapMs` between them),
 * and resolves with everything received once the server closes or `timeoutMs` passes.
 */
export function exchange(
  port: number,
  chunks: (Buffer | string)[],
  opts: {
    timeoutMs?: number;
    gapMs?: number;
    until?: (received: Buffer) => boolean;
    /** Bytes to receive before sending chunk i. */
    waitBytes?: readonly number[];
    /** Half-close after the last chunk (the server answers what it got, then sees the end). */
    endAfterSend?: boolean;
  } = {},
): Promise<{ received: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const parts: Buffer[] = [];
    let closedByServer = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      wake?.();
      sock.destroy();
      resolve({ received: Buffer.concat(parts), closedByServer });
    };
    const timer = setTimeout(finish, opts.timeoutMs ?? 2000);
    let receivedBytes = 0;
    let wake: (() => void) | null = null;
    sock.on('data', (d) => {
      parts.push(d);
      receivedBytes += d.length;
      wake?.();
      if (opts.until?.(Buffer.concat(parts))) finish();
    });
    sock.on('end', () => {
      closedByServer = true;
      finish();
    });
    sock.on('close', () => {
      finish();
      wake?.();
    });
    sock.on('error', () => {
      closedByServer = true;
      finish();
    });
    sock.on('connect', async () => {
      for (const [i, c] of chunks.entries()) {
        const need = opts.waitBytes?.[i] ?? 0;
        while (!done && receivedBytes < need) await new Promise<void>((r) => (wake = r));
        if (done || sock.destroyed) return;
        sock.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.endAfterSend && !done) sock.end();
    });
  });
}

/** The status codes of every RTSP response in `text`. */
export function rtspStatuses(text: Buffer | string): number[] {
  return [...String(text).matchAll(/RTSP\/1\.0 (\d{3})/g)].map((m) => Number(m[1]));
}

export function rtspRequest(method: string, url: string, cseq: number, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const SDP = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=control:streamid=0', ''].join('\r\n');

// --- RTMP -----------------------------------------------------------------------------------------

export function amfString(s: string): Buffer {
  const b = Buffer.from(s);
  const h = Buffer.alloc(3);
  h[0] = 0x02;
  h.writeUInt16BE(b.length, 1);
  return Buffer.concat([h, b]);
}
export function amfNumber(n: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
}
export const AMF_NULL = Buffer.from([0x05]);
export function amfObject(o: Record<string, string | number>): Buffer {
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [k, v] of Object.entries(o)) {
    const kb = Buffer.from(k);
    const kl = Buffer.alloc(2);
    kl.writeUInt16BE(kb.length);
    parts.push(kl, kb, typeof v === 'number' ? amfNumber(v) : amfString(v));
  }
  parts.push(Buffer.from([0, 0, 9]));
  return Buffer.concat(parts);
}
export function amfCommand(name: string, tx: number, ...args: Buffer[]): Buffer {
  return Buffer.concat([amfString(name), amfNumber(tx), ...args]);
}

/** One RTMP message as chunks of 128 bytes (fmt 0, then fmt 3 continuations). */
export function rtmpMessage(typeId: number, body: Buffer, opts: { csid?: number; streamId?: number; declaredLength?: number } = {}): Buffer {
  const csid = opts.csid ?? 3;
  const header = Buffer.alloc(12);
  header[0] = csid & 0x3f;
  header.writeUIntBE(0, 1, 3);
  header.writeUIntBE(opts.declaredLength ?? body.length, 4, 3);
  header[7] = typeId;
  header.writeUInt32LE(opts.streamId ?? 0, 8);
  const parts: Buffer[] = [header];
  for (let off = 0; off < body.length; off += 128) {
    if (off > 0) parts.push(Buffer.from([0xc0 | (csid & 0x3f)]));
    parts.push(body.subarray(off, off + 128));
  }
  return Buffer.concat(parts);
}

export const C0C1 = Buffer.concat([Buffer.from([3]), Buffer.alloc(1536, 7)]);
/** C2 is sent once S0+S1+S2 (3073 bytes) arrived; `exchange` with gapMs gives the server time. */
export const C2 = Buffer.alloc(1536, 7);

export function rtmpConnect(app = 'live'): Buffer {
  return rtmpMessage(20, amfCommand('connect', 1, amfObject({ app, tcUrl: `rtmp://127.0.0.1/${app}`, flashVer: 'FMLE/3.0' })));
}
export function rtmpCommand(name: string, tx: number, ...args: Buffer[]): Buffer {
  return rtmpMessage(20, amfCommand(name, tx, AMF_NULL, ...args), { streamId: name === 'play' || name === 'publish' || name === 'pause' || name === 'seek' ? 1 : 0 });
}

// --- the fuzz ---------------------------------------------------------------------------------------

export interface FuzzCase {
  protocol: 'rtsp' | 'rtmp';
  /** What it tries (for the report). */
  kind: string;
  chunks: Buffer[];
  /** How many requests / messages the case sends. */
  requests: number;
  /** Bytes to have received before sending chunk i (RTMP: C2 after S0+S1+S2). */
  waitBytes?: number[];
}

const METHODS = ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'ANNOUNCE', 'RECORD', 'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'GET', 'POST', 'FOO'];

/** The fuzz cases (deterministic for a seed); `paths` are real camera paths (`live/demo-1`). */
export function fuzzCases(seed: number, count: number, paths: readonly string[]): FuzzCase[] {
  const r = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const url = () => `rtsp://127.0.0.1/${pick(paths)}`;
  const out: FuzzCase[] = [];
  const rtsp = (kind: string, reqs: string[] | Buffer[]) => out.push({ protocol: 'rtsp', kind, chunks: reqs.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)), requests: reqs.length });
  const rtmp = (kind: string, chunks: Buffer[], requests: number) => out.push({ protocol: 'rtmp', kind, chunks, requests, ...(chunks[1] === C2 ? { waitBytes: [0, 3073] } : {}) });
  const tcpRecord = 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record';
  const generators: (() => void)[] = [
    // The two reported killers, and their relatives.
    () => rtsp('describe-then-setup-record', [rtspRequest('DESCRIBE', url(), 1), rtspRequest('SETUP', `${url()}/streamid=0`, 2, { Transport: tcpRecord })]),
    () => rtsp('setup-record-alone', [rtspRequest('SETUP', `${url()}/streamid=${Math.floor(r() * 3)}`, 1, { Transport: tcpRecord })]),
    () => rtsp('pause-without-stream', [rtspRequest('PAUSE', url(), 1, { Session: '12345' })]),
    () => rtsp('play-without-stream', [rtspRequest('PLAY', url(), 1, { Session: '1', Range: 'npt=0.000-' })]),
    () => rtsp('record-without-announce', [rtspRequest('RECORD', url(), 1, { Session: '1' })]),
    () => rtsp('teardown-first', [rtspRequest('TEARDOWN', url(), 1)]),
    () => rtsp('announce-no-key', [rtspRequest('ANNOUNCE', url(), 1, { 'Content-Type': 'application/sdp' }, SDP), rtspRequest('SETUP', `${url()}/streamid=0`, 2, { Transport: tcpRecord }), rtspRequest('RECORD', url(), 3)]),
    () => rtsp('announce-wrong-key', [rtspRequest('ANNOUNCE', url(), 1, { 'Content-Type': 'application/sdp', Authorization: basic('publish', `pk_${bytes(8).toString('hex')}`) }, SDP)]),
    () => rtsp('announce-bad-sdp', [rtspRequest('ANNOUNCE', url(), 1, { 'Content-Type': 'application/sdp' }, `v=0\r\nm=video x\r\n${bytes(40).toString('latin1')}`)]),
    () => rtsp('describe-bad-auth', [rtspRequest('DESCRIBE', url(), 1, { Authorization: pick([basic('wardwall-pull', 'guess'), 'Basic !!!', `Digest username="x"`, basic('', '')]) }), rtspRequest('SETUP', `${url()}/trackID=2`, 2, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }), rtspRequest('PLAY', url(), 3)]),
    () => rtsp('out-of-order', Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => rtspRequest(pick(METHODS), pick([url(), `${url()}/trackID=${Math.floor(r() * 5)}`, '*', '/live/', '/etc/passwd']), i + 1, pick<Record<string, string>>([{}, { Transport: pick([tcpRecord, 'RTP/AVP;unicast;client_port=0-1;mode=record', 'garbage', 'RTP/AVP/TCP;interleaved=99999-1']) }, { Session: bytes(4).toString('hex') }])))),
    () => rtsp('interleaved-first', [Buffer.concat([Buffer.from([0x24, Math.floor(r() * 256)]), Buffer.from([0, 16]), bytes(16)])]),
    () => rtsp('interleaved-huge', [Buffer.concat([Buffer.from([0x24, 0, 0xff, 0xff]), bytes(2000)])]),
    () => rtsp('http-tunnel', [`GET /live/demo-1 HTTP/1.0\r\nx-sessioncookie: ${bytes(6).toString('hex')}\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n`, `POST /live/demo-1 HTTP/1.0\r\nx-sessioncookie: abc\r\nContent-Length: 32767\r\n\r\n${bytes(60).toString('base64')}`]),
    () => rtsp('oversized-header', [`DESCRIBE ${url()} RTSP/1.0\r\nCSeq: 1\r\nX-Pad: ${'a'.repeat(9000 + Math.floor(r() * 9000))}\r\n\r\n`]),
    () => rtsp('oversized-body', [`ANNOUNCE ${url()} RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: ${pick(['1000000', '99999999999', '-1', 'abc', '17000'])}\r\n\r\n${bytes(200).toString('latin1')}`]),
    () => rtsp('no-cseq', [`DESCRIBE ${url()} RTSP/1.0\r\n\r\n`, `OPTIONS * RTSP/1.0\r\nCSeq: x\r\n\r\n`]),
    () => rtsp('bad-lines', [`${pick(METHODS)} ${url()} RTSP/1.0\r\nCSeq 1\r\nno colon here\r\n\r\n`, `\r\n\r\n`, `${bytes(30).toString('latin1')}\r\n\r\n`]),
    () => rtsp('bad-uri', [rtspRequest('DESCRIBE', pick(['rtsp://127.0.0.1/live/%zz', 'rtsp://127.0.0.1/live/a?b=c', 'rtsp://u:p@127.0.0.1/live/demo-1', 'rtsp://127.0.0.1/file/x', 'rtsp://127.0.0.1/live/../../x', `rtsp://127.0.0.1/live/${'x'.repeat(300)}`]), 1)]),
    () => rtsp('garbage', [bytes(1 + Math.floor(r() * 3000))]),
    () => rtsp('slow-split', (rtspRequest('DESCRIBE', url(), 1) + rtspRequest('PAUSE', url(), 2)).match(/[\s\S]{1,7}/g)!.map((s) => Buffer.from(s))),
    // RTMP
    () => rtmp('rtmp-garbage', [bytes(1 + Math.floor(r() * 4000))], 1),
    () => rtmp('rtmp-encrypted-handshake', [Buffer.concat([Buffer.from([6]), bytes(1536)])], 1),
    () => rtmp('rtmp-short-handshake', [Buffer.concat([Buffer.from([3]), bytes(Math.floor(r() * 1536))])], 1),
    () => rtmp('rtmp-play-no-secret', [C0C1, C2, rtmpConnect(), rtmpCommand('createStream', 2), rtmpCommand('play', 3, amfString(pick(paths).split('/')[1]!))], 3),
    () => rtmp('rtmp-play-wrong-secret', [C0C1, C2, rtmpConnect(), rtmpCommand('play', 3, amfString(`${pick(paths).split('/')[1]}?secret=${bytes(8).toString('hex')}`))], 2),
    () => rtmp('rtmp-publish-no-key', [C0C1, C2, rtmpConnect(), rtmpCommand('releaseStream', 2, amfString('demo-1')), rtmpCommand('publish', 3, amfString(pick(paths).split('/')[1]!), amfString('live'))], 3),
    () => rtmp('rtmp-publish-wrong-key', [C0C1, C2, rtmpConnect(), rtmpCommand('publish', 3, amfString(`${pick(paths).split('/')[1]}?key=pk_${bytes(10).toString('hex')}`), amfString('live'))], 2),
    () => rtmp('rtmp-out-of-order', [C0C1, C2, ...Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => rtmpCommand(pick(['pause', 'seek', 'deleteStream', 'FCUnpublish', 'closeStream', 'getStreamLength', 'play', 'publish']), i + 2, pick([amfString('x'), amfNumber(1), AMF_NULL])))], 3),
    () => rtmp('rtmp-pause-before-play', [C0C1, C2, rtmpConnect(), rtmpCommand('pause', 2, Buffer.from([0x01, 0x01]), amfNumber(0))], 2),
    () => rtmp('rtmp-bad-connect', [C0C1, C2, rtmpMessage(20, amfCommand('connect', 1, pick([AMF_NULL, amfString('x'), amfObject({ app: 'file' }), amfObject({ tcUrl: 'x' })])))], 1),
    () => rtmp('rtmp-data-before-publish', [C0C1, C2, rtmpConnect(), rtmpMessage(18, Buffer.concat([amfString('@setDataFrame'), amfString('onMetaData')]))], 2),
    () => rtmp('rtmp-media-before-publish', [C0C1, C2, rtmpConnect(), rtmpMessage(pick([8, 9]), bytes(50 + Math.floor(r() * 300)), { streamId: 1 })], 2),
    () => rtmp('rtmp-bad-chunks', [C0C1, C2, Buffer.concat([Buffer.from([pick([0x00, 0x01, 0x3f, 0x43, 0x83, 0xc3])]), bytes(Math.floor(r() * 600))])], 1),
    () => rtmp('rtmp-huge-message', [C0C1, C2, rtmpMessage(pick([20, 9, 18]), bytes(300), { declaredLength: 0xffffff })], 1),
    () => rtmp('rtmp-set-chunk-size', [C0C1, C2, rtmpMessage(1, Buffer.from([0x7f, 0xff, 0xff, 0xff]), { csid: 2 }), rtmpConnect()], 2),
    () => rtmp('rtmp-amf-garbage', [C0C1, C2, rtmpMessage(20, Buffer.concat([amfString(pick(['connect', 'play', 'publish', 'createStream'])), bytes(Math.floor(r() * 200))]))], 1),
  ];
  while (out.length < count) generators[Math.floor(r() * generators.length)]!();
  return out;
}
