/**
 * The Node pull through the real recorder: a demo camera (embedded endpoint, baseline H.264 without
 * audio) records through it (no pull.py process) and `recorder.pullEngine: 'gstreamer'` keeps
 * pull.py; a camera with B-frames is handed to pull.py once its timestamps go back, and stays
 * there; a server sending malformed RTP/RTCP never crashes the recorder (this test process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { readFileSync } from 'node:fs';
import { resolveConfig } from '@wardwall/common';
import { buildRtp, createLogger, freeTcpPort } from '@wardwall/server-kit';
import { CameraZoo } from '@wardwall/testing/zoo';
import { startRecorder, type Recorder } from '../src/app.js';
import { buildSenderReport } from '../src/writer/node-pull/rtcp-sender-report.js';
import { getJson, log, spans, startCameras, tempDir, testConfig, waitFor } from '@wardwall/testing/recorder';

const statusOf = (rec: Recorder, camera: string) => rec.health().cameras.find((c) => c.camera === camera)!;

test('a demo camera records through the Node pull (no pull.py process); pullEngine "gstreamer" keeps pull.py', { timeout: 150_000 }, async (t) => {
  const dir = tempDir();
  const config = await testConfig({ cameras: 1, dataDir: dir.path, segmentSeconds: 3 });
  const cams = await startCameras(config);
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    await cams.close();
    dir.remove();
  });
  for (const engine of ['auto', 'gstreamer'] as const) {
    const cfg = resolveConfig({ ...structuredClone(config), recorder: { ...config.recorder, pullEngine: engine } });
    rec = await startRecorder(cfg, { log, backoffMs: [300], stallMs: 4000, ioTimeoutMs: 3000 });
    const base = `http://127.0.0.1:${rec.port}`;
    const t0 = Date.now();
    await waitFor(`${engine}: 5 s recorded`, async () => (await spans(base, 'demo-1', t0 - 5000, Date.now())).recordedMs >= 5000, 40000);
    const st = statusOf(rec, 'demo-1');
    assert.equal(st.pullEngine, engine === 'auto' ? 'node' : 'gstreamer');
    assert.equal(st.state, 'recording');
    assert.equal(st.video, 'h264');
    // The writer's processes: segment ffmpegs only with the Node pull, a python3 pull with GStreamer.
    const names = rec.writerPids().map((p) => readComm(p));
    if (engine === 'auto') assert.ok(!names.includes('python3') && names.every((n) => n === 'ffmpeg' || n === 'setpriv'), names.join(','));
    else assert.ok(names.includes('python3'), names.join(','));
    const health = (await getJson(`${base}/api/health`)).body;
    assert.equal(JSON.stringify(health).includes('rtsp://'), false, 'no camera URL in the health report');
    await rec.close();
    rec = null;
  }
});

function readComm(pid: number): string {
  try {
    // setpriv execs the program: the PID is the program's.
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

test('B-frames: the Node pull hands the camera to pull.py, which records it; the choice stays', { timeout: 200_000 }, async (t) => {
  const dir = tempDir();
  const zoo = await CameraZoo.start({ kinds: ['bframes'] });
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    await zoo.close();
    dir.remove();
  });
  const config = resolveConfig({
    cameras: [{ id: 'bframes', name: 'bframes', main: zoo.url('bframes') }],
    demo: { enabled: false },
    recorder: { host: '127.0.0.1', port: await freeTcpPort(), dataDir: dir.path, segmentSeconds: 4, retention: { minFreeBytes: 0 } },
    log: { level: 'warn' },
    auth: { enabled: false },
  });
  rec = await startRecorder(config, { log, backoffMs: [300], stallMs: 15000 });
  const base = `http://127.0.0.1:${rec.port}`;
  const t0 = Date.now();
  await waitFor('handed to pull.py', () => statusOf(rec!, 'bframes').pullEngine === 'gstreamer', 60000, 200);
  await waitFor('bframes records', async () => (await spans(base, 'bframes', t0 - 5000, Date.now())).recordedMs >= 4000, 120000, 500);
  assert.ok(rec.writerPids().some((p) => readComm(p) === 'python3'));
  // A new writer of the same camera (the recorder restarted in-process) goes to pull.py at once.
  await rec.close();
  rec = await startRecorder(config, { log, backoffMs: [300], stallMs: 15000 });
  assert.equal(statusOf(rec, 'bframes').pullEngine, 'gstreamer');
});

/**
 * An RTSP server that plays one H.264 track and then sends, per connection, one kind of bad input:
 * fuzzed RTP payloads and RTCP, RTP shorter than a header, RTCP of lying lengths, an interleaved
 * frame longer than anything, bytes that are neither RTSP nor interleaved.
 */
function craftedServer(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let conns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    const n = conns++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const req = buf.slice(0, i);
        buf = buf.slice(i + 4);
        const method = req.split(' ')[0]!;
        const cseq = /CSeq:\s*(\d+)/i.exec(req)?.[1] ?? '0';
        const port = (server.address() as net.AddressInfo).port;
        if (method === 'DESCRIBE') {
          const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:track1\r\n';
          sock.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Base: rtsp://127.0.0.1:${port}/x/\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
        } else if (method === 'SETUP') {
          sock.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 1234;timeout=60\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`);
        } else if (method === 'PLAY') {
          sock.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 1234\r\n\r\n`);
          void misbehave(sock, n % 5);
        } else {
          sock.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n\r\n`);
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `rtsp://user:secret@127.0.0.1:${port}/x`,
        connections: () => conns,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

const frame = (channel: number, data: Buffer): Buffer => {
  const h = Buffer.from([0x24, channel, 0, 0]);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
};

async function misbehave(sock: net.Socket, kind: number): Promise<void> {
  let seed = 11 + kind;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rnd() & 0xff));
  const out: Buffer[] = [];
  if (kind === 0) {
    // Valid RTP headers, random payloads (STAP-A, FU-A, reserved types…), random RTCP, a valid SR.
    for (let i = 0; i < 400; i++) {
      out.push(frame(0, buildRtp({ payloadType: 96, sequenceNumber: rnd(), timestamp: rnd() * 3000, ssrc: rnd() % 3, marker: (rnd() & 1) === 1 }, bytes(rnd() % 1400))));
      if (i % 20 === 0) out.push(frame(1, Buffer.concat([Buffer.from([0x80, 200]), bytes(rnd() % 60)])));
      if (i % 50 === 0) out.push(frame(1, buildSenderReport(rnd() % 3, Date.now(), rnd())));
    }
  } else if (kind === 1) {
    out.push(frame(0, bytes(6)));
  } else if (kind === 2) {
    const sr = buildSenderReport(1, Date.now(), 5);
    sr.writeUInt16BE(0xffff, 2);
    out.push(frame(1, sr), frame(1, Buffer.from([0x80, 200, 0, 0])), frame(0, buildRtp({ payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1, marker: true }, Buffer.from([0x7c]))));
    out.push(frame(0, bytes(0)));
  } else if (kind === 3) {
    out.push(Buffer.from([0x24, 0, 0xff, 0xff]), bytes(3000));
  } else {
    out.push(bytes(2000));
  }
  for (const b of out) {
    if (sock.destroyed) return;
    sock.write(b);
  }
  await new Promise((r) => setTimeout(r, 300));
  sock.end();
}

test('a server sending malformed RTP/RTCP: the Node pull ends each session with a fault, the recorder never crashes and never logs the password', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const srv = await craftedServer();
  let rec: Recorder | null = null;
  t.after(async () => {
    await rec?.close();
    await srv.close();
    dir.remove();
  });
  const lines: string[] = [];
  const spy = createLogger('crafted', 'info', { write: (l: string) => void lines.push(l) });
  const config = resolveConfig({
    cameras: [{ id: 'crafted', name: 'crafted', main: srv.url, audio: false }],
    demo: { enabled: false },
    recorder: { host: '127.0.0.1', port: await freeTcpPort(), dataDir: dir.path, segmentSeconds: 4, retention: { minFreeBytes: 0 } },
    log: { level: 'info' },
    auth: { enabled: false },
  });
  rec = await startRecorder(config, { log: spy, backoffMs: [100], stallMs: 3000, ioTimeoutMs: 1500 });
  await waitFor('10 sessions served', () => srv.connections() >= 10, 90000, 200);
  const st = statusOf(rec, 'crafted');
  assert.equal(st.pullEngine, 'node');
  assert.ok(st.restarts >= 5, `restarts ${st.restarts}`);
  assert.notEqual(st.state, 'recording');
  assert.ok(st.lastFault !== null);
  assert.ok(lines.length > 0 && !lines.some((l) => l.includes('secret')), 'no password in the log');
  // The recorder still serves.
  const health = await getJson(`http://127.0.0.1:${rec.port}/api/health`);
  assert.ok(health.status === 200 || health.status === 503, String(health.status));
  assert.equal(JSON.stringify(health.body).includes('secret'), false);
});
