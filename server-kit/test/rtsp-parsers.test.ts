// The RTSP client's pure parts: message heads, Session/Transport headers, SDP → tracks with the
// RFC 2326 base rules, WWW-Authenticate and the Digest response of RFC 2617's own example, URL
// credentials kept off the wire, and the interleaved framer across every chunk boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseAuthorizer, contentLength, describeBase, digestResponse, InterleavedFramer, makeAuthorizer, parseChallenges, parseFmtp, parseHead,
  parseInterleaved, parseSdp, parseSessionHeader, resolveControl, RtspError, splitRtspUrl, type RtspHead,
} from '@wardwall/server-kit';

test('parseHead: status line, repeated and folded headers, malformed heads', () => {
  const h = parseHead('RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nWWW-Authenticate: Digest realm="a", nonce="b"\r\nwww-authenticate: Basic realm="a"\r\nX-Long: one\r\n two');
  assert.ok(h && h.kind === 'response');
  assert.equal(h.status, 401);
  assert.equal(h.reason, 'Unauthorized');
  assert.deepEqual(h.headers.get('www-authenticate'), ['Digest realm="a", nonce="b"', 'Basic realm="a"']);
  assert.deepEqual(h.headers.get('x-long'), ['one two']);
  assert.equal(contentLength(h.headers), 0);
  const r = parseHead('SET_PARAMETER rtsp://h/x RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 12');
  assert.ok(r && r.kind === 'request' && r.method === 'SET_PARAMETER');
  assert.equal(contentLength(r.headers), 12);
  for (const bad of ['HTTP/1.1 200 OK', 'RTSP/1.0 20 OK', 'RTSP/1.0 200 OK\r\nno colon here', 'RTSP/1.0 200 OK\r\n two', 'RTSP/1.0 200 OK\r\nX: a\x01b', 'garbage']) {
    assert.equal(parseHead(bad), null, JSON.stringify(bad));
  }
  assert.equal(contentLength(parseHead('RTSP/1.0 200 OK\r\nContent-Length: -1')!.headers), null);
  assert.equal(parseHead('RTSP/1.0 200 OK' + '\r\nX: y'.repeat(65)), null);
});

test('Session and Transport headers', () => {
  assert.deepEqual(parseSessionHeader('12345678;timeout=30'), { id: '12345678', timeoutS: 30 });
  assert.deepEqual(parseSessionHeader('abc'), { id: 'abc', timeoutS: 60 });
  assert.deepEqual(parseSessionHeader('abc; Timeout = 5'), { id: 'abc', timeoutS: 5 });
  assert.equal(parseSessionHeader(';timeout=5'), null);
  assert.equal(parseSessionHeader('a b'), null);
  assert.deepEqual(parseInterleaved('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1234'), { rtp: 0, rtcp: 1, tcp: true });
  assert.deepEqual(parseInterleaved('RTP/AVP/TCP;unicast;interleaved=4'), { rtp: 4, rtcp: 5, tcp: true });
  assert.equal(parseInterleaved('RTP/AVP;unicast;client_port=5000-5001'), null);
  assert.deepEqual(parseInterleaved('RTP/AVP;unicast;interleaved=2-3'), { rtp: 2, rtcp: 3, tcp: false });
  assert.equal(parseInterleaved('RTP/AVP/TCP;interleaved=300-301'), null);
});

test('describeBase and resolveControl: RFC 2326 C.1.1 base, relative controls under the base', () => {
  const req = 'rtsp://10.0.0.5:554/live/cam';
  assert.equal(describeBase(req, 'rtsp://10.0.0.5:554/live/cam/', 'rtsp://x/other'), 'rtsp://10.0.0.5:554/live/cam/');
  assert.equal(describeBase(req, undefined, 'rtsp://10.0.0.5/loc/'), 'rtsp://10.0.0.5/loc/');
  assert.equal(describeBase(req), req);
  assert.equal(describeBase(req, 'rtsp://user:secret@10.0.0.5/base/'), 'rtsp://10.0.0.5/base/', 'user-info never kept');
  assert.equal(resolveControl('rtsp://h/live/cam/', 'trackID=1'), 'rtsp://h/live/cam/trackID=1');
  assert.equal(resolveControl('rtsp://h/live/cam', 'trackID=1'), 'rtsp://h/live/cam/trackID=1');
  assert.equal(resolveControl('rtsp://h/live/cam', '*'), 'rtsp://h/live/cam');
  assert.equal(resolveControl('rtsp://h/live/cam', undefined), 'rtsp://h/live/cam');
  assert.equal(resolveControl('rtsp://h/live/cam', 'rtsp://other:8554/x/stream=0'), 'rtsp://other:8554/x/stream=0');
  assert.equal(resolveControl('rtsp://h:8554/live/cam', '/abs/track1'), 'rtsp://h:8554/abs/track1');
});

const SDP = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=cam', 't=0 0', 'a=control:*',
  'm=audio 0 RTP/AVP 8', 'a=control:trackID=0',
  'm=video 0 RTP/AVP 96', 'a=rtpmap:96 h264/90000', 'a=fmtp:96 packetization-mode=1; Profile-Level-Id=42C01E; sprop-parameter-sets=Z0LAHtkA,aMuDyyA=', 'a=control:trackID=1',
  'm=audio 0 RTP/AVP 97', 'a=rtpmap:97 MPEG4-GENERIC/16000/1', 'a=fmtp:97 streamtype=5;mode=AAC-hbr;config=1408', 'a=control:rtsp://10.0.0.5/abs/trackID=2',
  'm=application 0 RTP/AVP 107', 'a=rtpmap:107 vnd.onvif.metadata/90000',
  '',
].join('\r\n');

test('parseSdp: tracks, rtpmap, static types, fmtp, controls', () => {
  const s = parseSdp(SDP, 'rtsp://10.0.0.5/live/cam/');
  assert.ok(s);
  assert.equal(s.aggregateControl, 'rtsp://10.0.0.5/live/cam/');
  assert.deepEqual(s.tracks[0], { index: 0, media: 'audio', control: 'rtsp://10.0.0.5/live/cam/trackID=0', payloadType: 8, encodingName: 'PCMA', clockRate: 8000, channels: 1, fmtp: {} });
  assert.deepEqual(s.tracks[1], {
    index: 1, media: 'video', control: 'rtsp://10.0.0.5/live/cam/trackID=1', payloadType: 96, encodingName: 'H264', clockRate: 90000,
    fmtp: { 'packetization-mode': '1', 'profile-level-id': '42C01E', 'sprop-parameter-sets': 'Z0LAHtkA,aMuDyyA=' },
  });
  assert.equal(s.tracks[2]!.control, 'rtsp://10.0.0.5/abs/trackID=2');
  assert.equal(s.tracks[2]!.channels, 1);
  assert.equal(s.tracks[2]!.fmtp.config, '1408');
  assert.equal(s.tracks[3]!.encodingName, 'VND.ONVIF.METADATA');
  assert.equal(s.tracks[3]!.control, 'rtsp://10.0.0.5/live/cam/', 'a media section without a=control is the base');
  // A session-level absolute control is the aggregate URL and the base of relative media controls.
  const t = parseSdp('v=0\r\na=control:rtsp://h/agg/\r\nm=video 0 RTP/AVP 96\r\na=control:v\r\n', 'rtsp://h/req');
  assert.equal(t!.aggregateControl, 'rtsp://h/agg/');
  assert.equal(t!.tracks[0]!.control, 'rtsp://h/agg/v');
  assert.equal(t!.tracks[0]!.encodingName, '');
  assert.equal(parseSdp('v=0\r\ns=nothing\r\n', 'rtsp://h/'), null);
  assert.deepEqual(parseFmtp('a=1;;b; c = x=y '), { a: '1', b: '', c: 'x=y' });
});

test('splitRtspUrl: credentials percent-decoded, never on the wire URL', () => {
  const u = splitRtspUrl('rtsp://ad%40min:p%3Ass%20w@10.0.0.5:8554/Streaming/101?transport=tcp');
  assert.deepEqual(u, { wireUrl: 'rtsp://10.0.0.5:8554/Streaming/101?transport=tcp', host: '10.0.0.5', port: 8554, credentials: { user: 'ad@min', password: 'p:ss w' } });
  assert.equal(splitRtspUrl('rtsp://[::1]/x')!.host, '::1');
  assert.equal(splitRtspUrl('rtsp://h/x')!.port, 554);
  assert.equal(splitRtspUrl('rtsp://h/x')!.credentials, null);
  assert.equal(splitRtspUrl('http://h/x'), null);
  assert.equal(splitRtspUrl('not a url'), null);
});

test('Digest: RFC 2617 §3.5 example response, qop=auth and no qop', () => {
  // RFC 2617's example (method GET, as printed there).
  const d = { user: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html' };
  assert.equal(digestResponse({ ...d, qop: 'auth', nc: 1, cnonce: '0a4f113b' }), '6629fae49393a05397450978507c4ef1');
  // Without qop (RFC 2069): MD5(HA1:nonce:HA2), HA1 = 939e7578ed9e3c518a452acee763bce9, HA2 = 39aff3a2bab6126f332b942af96d3366.
  assert.equal(digestResponse(d), '670fd8c2df070c60b045671b8b24ff02');
});

test('WWW-Authenticate: several challenges, Digest preferred, unanswerable ones skipped', () => {
  const ch = parseChallenges(['Digest realm="cam, 1", nonce="n\\"1", qop="auth,auth-int", opaque="o", Basic realm="cam"', 'Basic realm="other"']);
  assert.deepEqual(ch.map((c) => c.scheme), ['digest', 'basic', 'basic']);
  assert.equal(ch[0]!.params.realm, 'cam, 1');
  assert.equal(ch[0]!.params.nonce, 'n"1');
  const cred = { user: 'u', password: 'p' };
  const a = chooseAuthorizer(ch, cred)!;
  assert.equal(a.scheme, 'digest');
  const h1 = a.authorization('DESCRIBE', 'rtsp://h/x');
  assert.match(h1, /^Digest username="u", realm="cam, 1", nonce="n\\"1", uri="rtsp:\/\/h\/x", response="[0-9a-f]{32}", opaque="o", qop=auth, nc=00000001, cnonce="[0-9a-f]+"$/);
  assert.match(a.authorization('SETUP', 'rtsp://h/x/t'), /nc=00000002/);
  const fixed = makeAuthorizer({ scheme: 'digest', params: { realm: 'r', nonce: 'n', qop: 'auth' } }, cred, () => 'c0ffee')!;
  const response = digestResponse({ ...cred, realm: 'r', nonce: 'n', method: 'PLAY', uri: 'rtsp://h/x', qop: 'auth', nc: 1, cnonce: 'c0ffee' });
  assert.ok(fixed.authorization('PLAY', 'rtsp://h/x').includes(`response="${response}"`));
  // No qop: no nc/cnonce.
  assert.doesNotMatch(makeAuthorizer({ scheme: 'digest', params: { realm: 'r', nonce: 'n' } }, cred)!.authorization('PLAY', 'u'), /nc=|cnonce/);
  // SHA-256 / MD5-sess / only auth-int: not answerable; Basic then.
  assert.equal(makeAuthorizer({ scheme: 'digest', params: { nonce: 'n', algorithm: 'SHA-256' } }, cred), null);
  assert.equal(makeAuthorizer({ scheme: 'digest', params: { nonce: 'n', qop: 'auth-int' } }, cred), null);
  assert.equal(chooseAuthorizer(parseChallenges(['Digest nonce="n", algorithm=MD5-sess', 'Basic realm="x"']), cred)!.authorization('X', 'y'), `Basic ${Buffer.from('u:p').toString('base64')}`);
  assert.equal(chooseAuthorizer(parseChallenges(['Negotiate abc']), cred), null);
});

test('RtspError: messages never carry URL credentials', () => {
  const e = new RtspError('auth_failed', 'failed rtsp://admin:hunter2@10.0.0.5/x');
  assert.equal(e.code, 'auth_failed');
  assert.doesNotMatch(e.message, /hunter2/);
});

// ---- the framer ----------------------------------------------------------------------------------

interface Seen { frames: [number, string][]; messages: RtspHead[]; bodies: string[]; errors: string[] }

function framer(limits = { maxHeaderBytes: 16384, maxBodyBytes: 1000 }): { f: InterleavedFramer; seen: Seen } {
  const seen: Seen = { frames: [], messages: [], bodies: [], errors: [] };
  const f = new InterleavedFramer({
    frame: (ch, d) => seen.frames.push([ch, d.toString('hex')]),
    message: (h, b) => {
      seen.messages.push(h);
      seen.bodies.push(b.toString());
    },
    error: (m) => seen.errors.push(m),
  }, limits);
  return { f, seen };
}

const frame = (ch: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([0x24, ch, payload.length >> 8, payload.length & 0xff]), payload]);

/** A seeded PRNG (mulberry32): the same cuts every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('framer: frames and messages come out the same whatever the chunk boundaries', () => {
  const rand = rng(7);
  const parts: Buffer[] = [Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 5\r\nContent-Length: 5\r\n\r\nhello')];
  const expected: [number, string][] = [];
  for (let i = 0; i < 40; i++) {
    const p = Buffer.alloc(1 + Math.floor(rand() * 1500), i);
    const ch = i % 4;
    parts.push(frame(ch, p));
    expected.push([ch, p.toString('hex')]);
    if (i === 20) parts.push(Buffer.from('\r\nRTSP/1.0 200 OK\r\nCSeq: 6\r\n\r\n'));
  }
  parts.push(frame(0, Buffer.alloc(0)));
  expected.push([0, '']);
  const stream = Buffer.concat(parts);
  const check = (cuts: number[]): void => {
    const { f, seen } = framer();
    let at = 0;
    for (const c of [...cuts, stream.length]) {
      f.push(Buffer.from(stream.subarray(at, c)));
      at = c;
    }
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.frames, expected);
    assert.deepEqual(seen.messages.map((m) => (m.kind === 'response' ? m.headers.get('cseq')![0] : '')), ['5', '6']);
    assert.deepEqual(seen.bodies, ['hello', '']);
    assert.equal(f.carriedBytes, 0);
  };
  // Every single cut position, then byte-by-byte, then random multi-cuts.
  for (let c = 1; c < Math.min(stream.length, 400); c++) check([c]);
  check(Array.from({ length: Math.min(stream.length - 1, 3000) }, (_, i) => i + 1));
  for (let n = 0; n < 200; n++) {
    const cuts = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => 1 + Math.floor(rand() * (stream.length - 1))).sort((a, b) => a - b);
    check([...new Set(cuts)]);
  }
});

test('framer: a whole frame is a view of its chunk; a cut one is its own buffer; carry-over is one partial unit', () => {
  const got: Buffer[] = [];
  const f = new InterleavedFramer({ frame: (_c, d) => got.push(d), message: () => {}, error: assert.fail }, { maxHeaderBytes: 100, maxBodyBytes: 100 });
  const chunk = Buffer.concat([frame(0, Buffer.alloc(20, 1)), frame(1, Buffer.alloc(30, 2)).subarray(0, 10)]);
  f.push(chunk);
  assert.equal(got.length, 1);
  got[0]![0] = 0xab;
  assert.equal(chunk[4], 0xab, 'a view of the chunk, not a copy');
  assert.equal(f.carriedBytes, 6);
  const rest = frame(1, Buffer.alloc(30, 2)).subarray(10);
  f.push(rest);
  assert.equal(got.length, 2);
  got[1]!.fill(9);
  assert.equal(rest.indexOf(9), -1, 'its own memory');
  assert.equal(got[1]!.length, 30);
  assert.equal(f.carriedBytes, 0);
});

test('framer: malformed input ends in one error and nothing after', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['garbage byte', Buffer.from([0x00, 0x01]), /unexpected byte 0x00/],
    ['bad status line', Buffer.from('RTSP/2.0 200 OK\r\n\r\n'), /malformed message head/],
    ['huge header', Buffer.from('RTSP/1.0 200 OK\r\nX: ' + 'a'.repeat(200)), /header block longer than 100/],
    ['huge header, terminated', Buffer.from('RTSP/1.0 200 OK\r\nX: ' + 'a'.repeat(200) + '\r\n\r\n'), /header block longer than 100/],
    ['body too long', Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 101\r\n\r\n'), /exceeds the limit of 100/],
    ['bad length', Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 1e3\r\n\r\n'), /malformed Content-Length/],
  ];
  for (const [name, bytes, re] of cases) {
    const { f, seen } = framer({ maxHeaderBytes: 100, maxBodyBytes: 100 });
    f.push(bytes);
    f.push(frame(0, Buffer.alloc(10)));
    assert.equal(seen.errors.length, 1, name);
    assert.match(seen.errors[0]!, re, name);
    assert.equal(seen.frames.length, 0, name);
  }
});
