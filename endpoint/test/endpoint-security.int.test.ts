/**
 * The embedded RTSP/RTMP endpoint walled in (docs/security-endpoint.md), against the real pieces:
 * the endpoint process (node-rtsp-rtmp-server behind its gates), ffmpeg demo cameras publishing
 * with their keys, the SFU's GStreamer ingest and the recorder pulling with the read secret.
 * - every socket of the endpoint process binds to endpoint.host (from /proc: nothing on 0.0.0.0,
 *   no unix listener);
 * - plays need the internal read secret (RTSP and RTMP); publishes need the path's key;
 * - a fuzz of > 10,000 malformed, out-of-order and oversized RTSP and RTMP requests (with the two
 *   reported killers) leaves the endpoint process running, every camera live and recording;
 * - SIGKILL: the endpoint is restarted and the cameras come back by themselves.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { basic, exchange, fuzzCases, rtspRequest, rtspStatuses, SDP } from './endpoint-fuzz.js';
import { endpointSecretPath, loadEndpointSecret, publishKey, readAuth } from '../src/endpoint-secret.js';

const execFileP = promisify(execFile);
const lines: string[] = [];
let sys: TestSystem;
const PATHS = ['live/demo-1', 'live/demo-1-sub', 'live/demo-2'];

before(async () => {
  sys = await startTestSystem({ demoCount: 2, withSub: 1, workers: 1, recorder: true, logLines: lines });
  await allLiveAndRecording('at start', 0);
});
after(async () => {
  await sys?.close();
});

const rtspPort = () => sys.config.endpoint.rtspPort;
const rtmpPort = () => sys.config.endpoint.rtmpPort;
const secret = () => loadEndpointSecret(endpointSecretPath(sys.config));
const endpointPid = () => sys.embedded.endpoint!.pid!;

function packets(camera: string, kind: 'main' | 'sub' = 'main'): number {
  return sys.sfu.cameras.stream(camera, kind)?.counters.packets ?? 0;
}
function footage(camera: string): number {
  return sys.recorder!.health().cameras.find((c) => c.camera === camera)?.lastFootageMs ?? 0;
}

/** Every camera stream live with RTP flowing into its producer, and every camera's recording growing past `sinceMs`. */
async function allLiveAndRecording(what: string, sinceMs: number): Promise<void> {
  const streams = sys.sfu.cameras.info().flatMap((c) => Object.keys(c.streams).map((k) => [c.id, k as 'main' | 'sub'] as const));
  assert.equal(streams.length, 3, 'demo-1 main+sub, demo-2 main');
  const before = new Map(streams.map(([c, k]) => [`${c}/${k}`, packets(c, k)]));
  await waitFor(`${what}: every stream live with packets flowing`, () => streams.every(([c, k]) => sys.sfu.cameras.stream(c, k)?.status.state === 'live' && packets(c, k) > before.get(`${c}/${k}`)!), 60000, 250);
  await waitFor(`${what}: every camera recording`, () => ['demo-1', 'demo-2'].every((c) => footage(c) > sinceMs + 1000), 60000, 250);
}

async function describe(path: string, auth?: string): Promise<number[]> {
  const { received } = await exchange(rtspPort(), [rtspRequest('DESCRIBE', `rtsp://127.0.0.1:${rtspPort()}/${path}`, 1, auth ? { Authorization: auth } : {})], { timeoutMs: 5000, until: (b) => /\r\n\r\n/.test(String(b)) && rtspStatuses(b).length > 0 && (rtspStatuses(b)[0] !== 200 || /m=video/.test(String(b))) });
  return rtspStatuses(received);
}

/** Sockets (by inode) of a process, and where each is bound, from /proc. */
function socketsOf(pid: number): { proto: string; local: string; listening: boolean }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const out: { proto: string; local: string; listening: boolean }[] = [];
  const hexIp = (h: string) => (h.length === 8 ? h.match(/../g)!.reverse().map((x) => parseInt(x, 16)).join('.') : `[${h}]`);
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    for (const row of readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!)) continue;
      const [ip, port] = f[1]!.split(':');
      out.push({ proto, local: `${hexIp(ip!)}:${parseInt(port!, 16)}`, listening: proto.startsWith('tcp') ? f[3] === '0A' : true });
    }
  }
  for (const row of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    if (f.length < 7 || !inodes.has(f[6]!)) continue;
    out.push({ proto: 'unix', local: f[7] ?? '(unnamed)', listening: (parseInt(f[3]!, 16) & 0x10000) !== 0 });
  }
  return out;
}

test('every socket of the endpoint process binds to endpoint.host only', async () => {
  const socks = socketsOf(endpointPid());
  const listening = socks.filter((s) => s.listening);
  assert.ok(listening.some((s) => s.proto === 'tcp' && s.local === `127.0.0.1:${rtspPort()}`), JSON.stringify(socks));
  assert.ok(listening.some((s) => s.proto === 'tcp' && s.local === `127.0.0.1:${rtmpPort()}`), JSON.stringify(socks));
  for (const s of listening) {
    assert.notEqual(s.proto, 'unix', `no unix listener: ${JSON.stringify(s)}`);
    assert.match(s.local, /^127\.0\.0\.1:\d+$/, `bound to endpoint.host: ${JSON.stringify(s)}`);
  }
  // ss agrees (the check the brief names): nothing of the endpoint's on 0.0.0.0 or [::].
  const { stdout } = await execFileP('ss', ['-ltnupH']);
  const mine = stdout.split('\n').filter((l) => l.includes(`pid=${endpointPid()},`));
  assert.ok(mine.length >= 2, stdout);
  for (const l of mine) assert.doesNotMatch(l, /\s(0\.0\.0\.0|\*|\[::\]):\d+\s/, l);
});

test('playing needs the internal read secret: RTSP DESCRIBE and RTMP play are refused without it', async () => {
  const read = readAuth(secret());
  for (const path of PATHS) {
    assert.deepEqual(await describe(path), [401], `${path} without credentials`);
    assert.deepEqual(await describe(path, basic(read.user, 'not-the-secret')), [401], `${path} with a wrong password`);
    assert.deepEqual(await describe(path, basic('admin', read.password)), [401], `${path} with another user name`);
    assert.deepEqual(await describe(path, basic(read.user, read.password)), [200], `${path} with the secret`);
  }
  // A publish key is not a read secret.
  assert.deepEqual(await describe('live/demo-1', basic('publish', publishKey(secret(), 'live/demo-1'))), [401]);
  // RTMP play, a real client: without the secret refused, with it served.
  const play = (name: string) => execFileP('ffprobe', ['-v', 'error', '-rw_timeout', '8000000', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', `rtmp://127.0.0.1:${rtmpPort()}/live/${name}`], { timeout: 20000 });
  await assert.rejects(play('demo-1'), 'RTMP play without the secret');
  await assert.rejects(play(`demo-1?secret=${encodeURIComponent('wrong')}`), 'RTMP play with a wrong secret');
  const ok = await play(`demo-1?secret=${encodeURIComponent(read.password)}`);
  assert.match(ok.stdout, /h264/);
});

test('publishing needs the path key: none, a wrong one and another path\'s key are refused; the camera stays live', async () => {
  const announce = async (path: string, auth?: string) => {
    const { received, closedByServer } = await exchange(rtspPort(), [rtspRequest('ANNOUNCE', `rtsp://127.0.0.1:${rtspPort()}/${path}`, 1, { 'Content-Type': 'application/sdp', ...(auth ? { Authorization: auth } : {}) }, SDP)], { timeoutMs: 4000, until: (b) => rtspStatuses(b).length > 0 });
    return { statuses: rtspStatuses(received), closedByServer };
  };
  const k = (p: string) => publishKey(secret(), p);
  assert.deepEqual((await announce('live/demo-1')).statuses, [401], 'no key: challenged');
  assert.deepEqual((await announce('live/demo-1', basic('publish', 'pk_wrongwrongwrongwrongwrongwrongwrongwrongwro'))).statuses, [403], 'wrong key');
  assert.deepEqual((await announce('live/demo-1', basic('publish', k('live/demo-2')))).statuses, [403], "another path's key");
  assert.deepEqual((await announce('live/nobody', basic('publish', k('live/nobody')))).statuses, [404], 'a path no camera pulls');
  assert.deepEqual((await announce(`live/rs_${'a'.repeat(32)}`)).statuses, [403], 'an internal stream name');
  // A real publisher over RTMP without a key, and over RTSP with another path's key: refused.
  const ffmpegPublish = (url: string, format: 'flv' | 'rtsp') =>
    execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=10', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-f', format, ...(format === 'rtsp' ? ['-rtsp_transport', 'tcp'] : []), url], { timeout: 30000 });
  await assert.rejects(ffmpegPublish(`rtmp://127.0.0.1:${rtmpPort()}/live/demo-1`, 'flv'), 'RTMP publish without a key');
  await assert.rejects(ffmpegPublish(`rtmp://127.0.0.1:${rtmpPort()}/live/demo-1?key=${k('live/demo-2')}`, 'flv'), "RTMP publish with another path's key");
  await assert.rejects(ffmpegPublish(`rtsp://publish:${k('live/demo-2')}@127.0.0.1:${rtspPort()}/live/demo-1`, 'rtsp'), "RTSP publish with another path's key");
  const log = lines.join('\n');
  assert.match(log, /"reason":"wrong_key"/);
  assert.match(log, /"reason":"key_required"/);
  for (const s of [k('live/demo-1'), k('live/demo-2'), readAuth(secret()).password]) assert.ok(!log.includes(s), 'no key or secret in the logs');
  // Nobody took a camera over: the demo cameras still publish and are live.
  await allLiveAndRecording('after the refused publishes', Date.now());
});

test('the reported killers are answered, not passed on, even with the read secret', async () => {
  const read = readAuth(secret());
  const auth = { Authorization: basic(read.user, read.password) };
  const u = `rtsp://127.0.0.1:${rtspPort()}/live/demo-1`;
  const run = async (reqs: string[]) => rtspStatuses((await exchange(rtspPort(), reqs, { timeoutMs: 8000, until: (b) => rtspStatuses(b).length >= reqs.length })).received);
  const record = 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record';
  assert.deepEqual(await run([rtspRequest('DESCRIBE', u, 1), rtspRequest('SETUP', `${u}/streamid=0`, 2, { Transport: record })]), [401, 455], 'unauthenticated DESCRIBE then SETUP record');
  assert.deepEqual(await run([rtspRequest('DESCRIBE', u, 1, auth), rtspRequest('SETUP', `${u}/streamid=0`, 2, { Transport: record })]), [200, 455], 'authenticated DESCRIBE then SETUP record');
  assert.deepEqual(await run([rtspRequest('PAUSE', u, 1, { Session: '1' })]), [455], 'PAUSE without a stream');
  assert.deepEqual(await run([rtspRequest('DESCRIBE', u, 1, auth), rtspRequest('SETUP', `${u}/trackID=2`, 2, { ...auth, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }), rtspRequest('PAUSE', u, 3, auth)]), [200, 200, 455], 'PAUSE before PLAY');
  const nobody = `rtsp://127.0.0.1:${rtspPort()}/live/nobody`;
  assert.deepEqual(await run([rtspRequest('DESCRIBE', nobody, 1, auth), rtspRequest('SETUP', `${nobody}/trackID=2`, 2, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }), rtspRequest('PLAY', nobody, 3)]), [404, 200, 404], 'PLAY of a stream nobody publishes');
  assert.equal(sys.embedded.endpoint!.starts, 1, 'the endpoint process is still the first one');
});

test('a fuzz of > 10,000 malformed, out-of-order and oversized RTSP and RTMP requests leaves every camera live and recording', async () => {
  const pid = endpointPid();
  const starts = sys.embedded.endpoint!.starts;
  const cases = fuzzCases(12, 5200, PATHS);
  const requests = cases.reduce((n, c) => n + c.requests, 0);
  assert.ok(requests >= 10000, `${requests} requests`);
  assert.ok(cases.filter((c) => c.kind === 'describe-then-setup-record').length > 50);
  assert.ok(cases.filter((c) => c.kind === 'pause-without-stream').length > 50);
  // Bounded in time: every case is one connection that half-closes after its last byte and ends
  // when the endpoint closes it, has answered everything, or after 2.5 s; 24 at a time.
  const deadline = Date.now() + 420000;
  let next = 0;
  let rtmpHandshakes = 0;
  const statuses = new Map<number, number>();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < cases.length && Date.now() < deadline) {
        const c = cases[next++]!;
        const { received } = await exchange(c.protocol === 'rtsp' ? rtspPort() : rtmpPort(), c.chunks, {
          timeoutMs: 2500,
          endAfterSend: true,
          ...(c.waitBytes ? { waitBytes: c.waitBytes } : {}),
          until: c.protocol === 'rtsp' ? (b) => rtspStatuses(b).length >= c.chunks.length : undefined,
        });
        if (c.protocol === 'rtmp' && received.length >= 3073) rtmpHandshakes++;
        for (const s of rtspStatuses(received)) statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
    }),
  );
  assert.equal(next, cases.length, 'every case was sent within the time bound');
  process.stderr.write(`fuzz: ${cases.length} connections, ${requests} requests in ${Date.now() - started} ms; RTSP answers ${JSON.stringify([...statuses].sort())}; RTMP handshakes ${rtmpHandshakes}\n`);
  // The gates answered (the library never saw these): errors, challenges, refusals.
  for (const s of [400, 401, 403, 404, 431, 455]) assert.ok((statuses.get(s) ?? 0) > 0, `some ${s} answers: ${JSON.stringify([...statuses])}`);
  assert.ok(rtmpHandshakes > 100, 'RTMP cases got past the handshake to their commands');
  // The endpoint process never died.
  assert.equal(endpointPid(), pid, 'same endpoint process');
  assert.equal(sys.embedded.endpoint!.starts, starts, 'never restarted');
  assert.ok(!lines.some((l) => /uncaught exception in the endpoint/.test(l)), 'no exception escaped the gates');
  const t = Date.now();
  await allLiveAndRecording('after the fuzz', t);
  for (const path of PATHS) assert.deepEqual(await describe(path), [401], `${path}: unauthenticated DESCRIBE still refused`);
});

test('SIGKILL of the endpoint: it is restarted and the cameras come back by themselves', async () => {
  const pid = endpointPid();
  const starts = sys.embedded.endpoint!.starts;
  process.kill(pid, 'SIGKILL');
  const t = Date.now();
  await waitFor('endpoint restarted', () => sys.embedded.endpoint!.starts > starts && sys.embedded.endpoint!.pid !== pid, 30000);
  await allLiveAndRecording('after the restart', t);
  assert.deepEqual(await describe('live/demo-1'), [401], 'still walled in after the restart');
  assert.equal(socketsOf(endpointPid()).filter((s) => s.listening && !/^127\.0\.0\.1:/.test(s.local)).length, 0);
});
