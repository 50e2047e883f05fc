// The RTSP client against scripted cameras on 127.0.0.1 (rtsp-fake-camera.ts): the whole exchange,
// Digest auth, keep-alive and its OPTIONS fall-back, and every fault (malformed status line, huge
// header, long body, bad interleaved data, redirect, silence mid-PLAY, seeded random bytes) ending
// in one clean `close` with the right code: no exception escapes, no timer is left running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { RtspClient, RTSP_ERROR_CODES, type RtspClientOptions, type RtspError, type RtspErrorCode } from '@wardwall/server-kit';
import { FakeCamera, interleaved, reply, rtpPacket, type Answer, type FakeRequest } from './rtsp-fake-camera.js';

const cams: FakeCamera[] = [];
after(async () => {
  await Promise.all(cams.map((c) => c.close()));
});

async function camera(answer?: Answer): Promise<FakeCamera> {
  const c = await FakeCamera.start(answer);
  cams.push(c);
  return c;
}

interface Outcome {
  err: RtspError | null;
  startErr: RtspError | null;
  rtp: { track: number; pt: number }[];
  rtcp: number;
  closes: number;
}

/** Runs a client until its close event (calling `whilePlaying` once PLAY is answered, then close()). */
async function run(opts: RtspClientOptions, whilePlaying?: (c: RtspClient, o: Outcome) => Promise<void>): Promise<Outcome> {
  const c = new RtspClient({ requestTimeoutMs: 1000, idleTimeoutMs: 1000, ...opts });
  const o: Outcome = { err: null, startErr: null, rtp: [], rtcp: 0, closes: 0 };
  c.on('rtp', (track, p) => o.rtp.push({ track, pt: p[1]! & 0x7f }));
  c.on('rtcp', () => o.rtcp++);
  const closed = new Promise<void>((resolve) => c.on('close', (e) => {
    o.closes++;
    o.err = e;
    resolve();
  }));
  try {
    await c.start();
    // A fault may end the session while the caller waits for something that will not come.
    if (whilePlaying) await Promise.race([whilePlaying(c, o), closed]);
    await c.close();
  } catch (e) {
    o.startErr = e as RtspError;
  }
  await closed;
  await c.close(); // idempotent
  assert.equal(o.closes, 1, 'exactly one close event');
  if (o.startErr) assert.equal(o.startErr, o.err, 'start() rejects with the error the close carries');
  return o;
}

async function until(what: string, fn: () => boolean, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a well-behaved camera: OPTIONS, DESCRIBE, SETUP per selected track, PLAY, packets, TEARDOWN', async () => {
  const cam = await camera();
  const o = await run({ url: cam.url('cam', 'user:pass@'), select: (t) => [...t] }, async (_c, out) => {
    await until('RTP and RTCP', () => out.rtp.length >= 20 && out.rtcp >= 1);
  });
  assert.equal(o.err, null);
  assert.deepEqual(cam.methods(), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY', 'TEARDOWN']);
  assert.ok(o.rtp.every((p) => p.track === 0 && p.pt === 96));
  const setups = cam.requests.filter((r) => r.method === 'SETUP');
  assert.equal(setups[0]!.uri, `${cam.url()}/video`);
  assert.equal(setups[1]!.uri, `${cam.url()}/audio`);
  assert.equal(setups[0]!.headers.get('transport'), 'RTP/AVP/TCP;unicast;interleaved=0-1');
  assert.equal(setups[1]!.headers.get('transport'), 'RTP/AVP/TCP;unicast;interleaved=2-3');
  assert.equal(setups[1]!.headers.get('session'), '4242');
  const describe = cam.requests.find((r) => r.method === 'DESCRIBE')!;
  assert.equal(describe.headers.get('accept'), 'application/sdp');
  assert.equal(describe.uri, cam.url(), 'the wire URL carries no user-info');
  assert.ok(cam.requests.every((r) => !r.raw.includes('pass') && !r.raw.includes('Authorization')), 'no credentials sent unasked');
  assert.equal(cam.requests.find((r) => r.method === 'PLAY')!.headers.get('range'), 'npt=0.000-');
});

test('default selection: the first video track only', async () => {
  const cam = await camera();
  let selected = -1;
  const o = await run({ url: cam.url() }, async (c) => {
    selected = cam.methods().filter((m) => m === 'SETUP').length;
    void c;
  });
  assert.equal(o.err, null);
  assert.equal(selected, 1);
});

test('keep-alive: GET_PARAMETER every timeout/2; 405 switches to OPTIONS', async () => {
  const cam = await camera();
  cam.sessionTimeoutS = 2;
  cam.getParameterStatus = '405 Method Not Allowed';
  const o = await run({ url: cam.url() }, async () => {
    await until('a GET_PARAMETER then an OPTIONS keep-alive', () => {
      const m = cam.methods();
      const g = m.indexOf('GET_PARAMETER');
      return g > 0 && m.indexOf('OPTIONS', g) > g;
    });
  });
  assert.equal(o.err, null);
  const ka = cam.requests.find((r) => r.method === 'GET_PARAMETER')!;
  assert.equal(ka.headers.get('session'), '4242');
});

function digestCamera(user: string, password: string, realm = 'cam realm', nonce = 'abc123'): Answer {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  return (req, socket, cam) => {
    const auth = req.headers.get('authorization');
    const m = auth && /^Digest (.*)$/.exec(auth);
    const p = Object.fromEntries([...(m?.[1] ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((x) => [x[1], x[2] ?? x[3]]));
    const expected = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:${p.nc}:${p.cnonce}:auth:${md5(`${req.method}:${p.uri}`)}`);
    if (!m || p.response !== expected || p.uri !== req.uri || p.username !== user) {
      return reply(socket, req, '401 Unauthorized', [`WWW-Authenticate: Basic realm="${realm}"`, `WWW-Authenticate: Digest realm="${realm}", nonce="${nonce}", qop="auth"`]);
    }
    cam.goodCamera(req, socket);
  };
}

test('Digest (qop=auth) preferred over Basic; every request after the challenge answers it', async () => {
  const cam = await camera(digestCamera('ad@min', 'p:ss w0rd'));
  const o = await run({ url: cam.url('cam', 'ad%40min:p%3Ass%20w0rd@') }, async (_c, out) => {
    await until('RTP', () => out.rtp.length > 0);
  });
  assert.equal(o.err, null);
  assert.ok(cam.requests.slice(1).every((r) => r.headers.get('authorization')?.startsWith('Digest ')));
});

test('wrong password: auth_failed, the message without the password', async () => {
  const cam = await camera(digestCamera('admin', 'right'));
  const o = await run({ url: cam.url('cam', 'admin:Wr0ngSecret@') });
  assert.equal(o.err?.code, 'auth_failed');
  assert.doesNotMatch(o.err!.message, /Wr0ngSecret/);
  assert.doesNotMatch(JSON.stringify(o.err), /Wr0ngSecret/);
  const noCred = await run({ url: cam.url() });
  assert.equal(noCred.err?.code, 'auth_failed');
});

function failing(fn: (req: FakeRequest, socket: Socket, cam: FakeCamera) => boolean): Answer {
  return (req, socket, cam) => {
    if (!fn(req, socket, cam)) cam.goodCamera(req, socket);
  };
}

const FAULTS: { name: string; code: RtspErrorCode; answer: Answer; opts?: Partial<RtspClientOptions> }[] = [
  { name: 'malformed status line', code: 'protocol', answer: failing((r, s) => r.method === 'DESCRIBE' && (s.write('RTSP/1.0 2OO OK\r\nCSeq: 2\r\n\r\n'), true)) },
  { name: 'HTTP status line', code: 'protocol', answer: failing((r, s) => r.method === 'OPTIONS' && (s.write('HTTP/1.1 200 OK\r\n\r\n'), true)) },
  { name: 'huge header block', code: 'protocol', answer: failing((r, s) => r.method === 'DESCRIBE' && (s.write(`RTSP/1.0 200 OK\r\nCSeq: 2\r\nX-Pad: ${'x'.repeat(20000)}`), true)) },
  { name: 'body longer than allowed', code: 'protocol', opts: { maxBodyBytes: 1000 }, answer: failing((r, s) => r.method === 'DESCRIBE' && (reply(s, r, '200 OK', ['Content-Type: application/sdp'], 'v=0\r\n' + 'a=x\r\n'.repeat(400)), true)) },
  { name: 'RTP frame shorter than an RTP header', code: 'protocol', answer: failing((r, s) => r.method === 'PLAY' && (reply(s, r, '200 OK'), s.write(interleaved(0, Buffer.from([0x80, 96, 0]))), true)) },
  { name: 'interleaved length running into garbage', code: 'protocol', answer: failing((r, s) => r.method === 'PLAY' && (reply(s, r, '200 OK'), s.write(Buffer.concat([Buffer.from([0x24, 0, 0, 20]), rtpPacket(96, 1, 1, 12), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0x03])])), true)) },
  { name: 'RTP of the wrong version', code: 'protocol', answer: failing((r, s) => r.method === 'PLAY' && (reply(s, r, '200 OK'), s.write(interleaved(0, Buffer.alloc(40, 0x40))), true)) },
  { name: 'redirect', code: 'refused', answer: failing((r, s) => r.method === 'DESCRIBE' && (reply(s, r, '301 Moved Permanently', ['Location: rtsp://10.9.9.9/elsewhere']), true)) },
  { name: 'not found', code: 'not_found', answer: failing((r, s) => r.method === 'DESCRIBE' && (reply(s, r, '404 Not Found'), true)) },
  { name: 'unsupported transport', code: 'unsupported', answer: failing((r, s) => r.method === 'SETUP' && (reply(s, r, '461 Unsupported Transport'), true)) },
  { name: 'UDP transport answered', code: 'unsupported', answer: failing((r, s) => r.method === 'SETUP' && (reply(s, r, '200 OK', ['Session: 1', 'Transport: RTP/AVP;unicast;client_port=5000-5001']), true)) },
  { name: 'no Session header', code: 'protocol', answer: failing((r, s) => r.method === 'SETUP' && (reply(s, r, '200 OK', [`Transport: ${r.headers.get('transport')}`]), true)) },
  { name: 'SDP without media', code: 'protocol', answer: failing((r, s) => r.method === 'DESCRIBE' && (reply(s, r, '200 OK', ['Content-Type: application/sdp'], 'v=0\r\ns=x\r\n'), true)) },
  { name: 'no video track', code: 'unsupported', answer: failing((r, s) => r.method === 'DESCRIBE' && (reply(s, r, '200 OK', ['Content-Type: application/sdp'], 'v=0\r\nm=audio 0 RTP/AVP 8\r\n'), true)) },
  { name: 'silence mid-PLAY', code: 'timeout', answer: failing((r) => r.method === 'PLAY') },
  { name: 'silence after PLAY (idle)', code: 'timeout', answer: failing((r, s) => r.method === 'PLAY' && (reply(s, r, '200 OK'), true)) },
  { name: 'connection closed mid-DESCRIBE', code: 'closed', answer: failing((r, s) => r.method === 'DESCRIBE' && (s.destroy(), true)) },
  { name: 'connection closed while playing', code: 'closed', answer: failing((r, s) => r.method === 'PLAY' && (reply(s, r, '200 OK'), s.write(interleaved(0, rtpPacket(96, 1))), s.end(), true)) },
];

test('faults end in one close with the right code', { timeout: 120_000 }, async () => {
  const before = timeouts();
  for (const f of FAULTS) {
    const cam = await camera(f.answer);
    const o = await run({ url: cam.url('cam', 'u:SeCrEt@'), requestTimeoutMs: 400, idleTimeoutMs: 400, ...f.opts }, async () => {
      await new Promise<void>(() => {}); // never: the fault closes the session
    });
    assert.equal(o.err?.code, f.code, `${f.name}: ${o.err?.message}`);
    assert.ok(o.startErr || o.err, f.name);
    assert.doesNotMatch(o.err!.message, /SeCrEt/, f.name);
    await cam.close();
  }
  assert.ok(timeouts() <= before, `no timer left running (${timeouts()} > ${before})`);
});

test('a frame on a channel that was not set up is dropped; the session goes on', async () => {
  const cam = await camera(failing((r, s, c) => {
    if (r.method !== 'PLAY') return false;
    reply(s, r, '200 OK');
    s.write(Buffer.concat([interleaved(6, Buffer.alloc(3)), interleaved(0, rtpPacket(96, 1)), interleaved(7, rtpPacket(0, 2))]));
    c.stream(s);
    return true;
  }));
  const o = await run({ url: cam.url() }, async (_c, out) => until('RTP', () => out.rtp.length >= 3));
  assert.equal(o.err, null);
  assert.ok(o.rtp.every((p) => p.pt === 96));
});

test('connect refused: connect_failed; close() before start and during start', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const o = await run({ url: `rtsp://u:p@127.0.0.1:${port}/x` });
  assert.equal(o.err?.code, 'connect_failed');
  const idle = new RtspClient({ url: `rtsp://127.0.0.1:${port}/x` });
  let closeErr: RtspError | null | undefined;
  idle.on('close', (e) => (closeErr = e));
  await idle.close();
  assert.equal(closeErr, null);
  await assert.rejects(idle.start(), (e: RtspError) => e.code === 'closed');
  const cam = await camera(failing((r) => r.method === 'DESCRIBE')); // never answers DESCRIBE
  const c = new RtspClient({ url: cam.url() });
  const started = assert.rejects(c.start(), (e: RtspError) => e.code === 'closed');
  await until('DESCRIBE', () => cam.methods().includes('DESCRIBE'));
  await c.close();
  await started;
  assert.throws(() => new RtspClient({ url: 'http://x/' }), (e: RtspError) => e.code === 'unsupported');
});

/** A seeded PRNG (mulberry32). */
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

test('random bytes (seeded) at every stage: a clean close with a known code, nothing escapes', { timeout: 120_000 }, async () => {
  const before = timeouts();
  const stages = ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'stream'] as const;
  const codes = new Map<string, number>();
  for (let seed = 1; seed <= 60; seed++) {
    const rand = rng(seed);
    const stage = stages[seed % stages.length]!;
    const junk = (): Buffer => {
      const n = 1 + Math.floor(rand() * 3000);
      const b = Buffer.alloc(n);
      // Mostly random bytes; sometimes plausible prefixes, to get past the first checks.
      for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
      const prefix = ['', 'RTSP/1.0 200 OK\r\n', '$\x00', 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 99999\r\n\r\n', '$\x00\xff\xff'][Math.floor(rand() * 5)]!;
      return Buffer.concat([Buffer.from(prefix, 'latin1'), b]);
    };
    const cam = await camera((req, socket, c) => {
      if (req.method === stage || (stage === 'stream' && req.method === 'PLAY')) {
        if (stage === 'stream') reply(socket, req, '200 OK');
        socket.write(junk());
        return;
      }
      c.goodCamera(req, socket);
    });
    cam.streamEveryMs = 0;
    const o = await run({ url: cam.url('cam', 'u:SeCrEt@'), requestTimeoutMs: 300, idleTimeoutMs: 300 }, async () => {
      await new Promise<void>(() => {});
    });
    assert.ok(o.err && (RTSP_ERROR_CODES as readonly string[]).includes(o.err.code), `seed ${seed}: ${o.err?.code}`);
    assert.doesNotMatch(o.err.message, /SeCrEt/);
    codes.set(o.err.code, (codes.get(o.err.code) ?? 0) + 1);
    await cam.close();
  }
  assert.ok((codes.get('protocol') ?? 0) > 0, `codes seen: ${JSON.stringify([...codes])}`);
  assert.ok(timeouts() <= before, `no timer left running (${timeouts()} > ${before})`);
});
