/**
 * A test camera behind a tiny RTSP server of its own (RTP over the RTSP TCP connection), for the
 * behaviours the demo cameras do not have:
 * - `restartEveryMs`: the camera "restarts its encoder" inside one RTSP session: at the next IDR
 *   after that time, a new SSRC, a new sequence-number base and a new (random) RTP timestamp base
 *   for every stream, as real cameras do when their encoder restarts or settings change;
 * - `audio`: G.711 A-law / µ-law or AAC with a beep at every flash of the picture (lip-sync);
 * - frame rate, GOP, size (portrait), all with the demo cameras' burned-in timestamp strip;
 * - RTCP sender reports (with one CNAME) for every stream twice a second, as real cameras send them:
 *   the capture time of the current RTP timestamp. This camera knows its capture clock the way a
 *   real one does: for each stream, the earliest arrival of its packets from the encoder against
 *   their RTP timestamps (video and G.711 leave the encoder at once), less the encoder's own delay
 *   (AAC: ffmpeg's encoder holds two 1024-sample frames: its priming frame, shifted into the RTP
 *   timestamps by the muxer, and one of look-ahead). `senderReports: false` is a camera that sends
 *   none (receivers can then only line streams up by arrival);
 * - `audioSendDelayMs`: audio packets leave the camera this much after the video of the same moment
 *   (cameras buffer audio): only its sender reports tell a receiver how the two line up.
 * ffmpeg renders and encodes (its RTP and RTCP go to UDP ports of this process); this server only
 * relays and rewrites headers. Loopback only, port 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { STRIP_CELLS, stripGeqLumaExpression, stripHeight } from '@wardwall/common';

export interface TestCameraOptions {
  width?: number;
  height?: number;
  fps?: number;
  gopFrames?: number;
  restartEveryMs?: number;
  audio?: 'pcma' | 'pcmu' | 'aac';
  /** The camera's clock runs this much fast (0.02 = 2 %): its RTP timestamps drift from real time. */
  clockSkew?: number;
  /** A white flash (and a beep, with audio) for 120 ms every this many ms. */
  flashEveryMs?: number;
  /** Send RTCP sender reports (default true). */
  senderReports?: boolean;
  /** Audio RTP leaves this many ms late (the sender reports stay true). */
  audioSendDelayMs?: number;
}

export interface TestCamera {
  url: string;
  /** Encoder restarts done so far. */
  restarts(): number;
  /** RTP packets received from the encoder, per stream (video, audio). */
  packets(): number[];
  close(): Promise<void>;
}

interface Client {
  sock: net.Socket;
  channels: Map<number, number>; // stream index -> interleaved RTP channel
  playing: boolean;
}

function filterGraph(o: Required<Pick<TestCameraOptions, 'width' | 'height' | 'fps'>> & TestCameraOptions): string {
  const { width: w, height: h, fps } = o;
  const sh = stripHeight(w);
  const flashS = (o.flashEveryMs ?? 0) / 1000;
  const flash = flashS > 0 ? `,drawbox=x=0:y=${sh}:w=iw:h=ih-${sh}:color=white:t=fill:enable='lt(mod(t,${flashS}),0.12)'` : '';
  const parts = [
    `testsrc2=size=${w}x${h}:rate=${fps},realtime${flash},settb=1/1000000,setpts=RTCTIME,split[pic][stamp]`,
    `[stamp]scale=${STRIP_CELLS}:2,format=yuv420p,geq=lum='${stripGeqLumaExpression()}':cb=128:cr=128,scale=${w}:${sh}:flags=neighbor[strip]`,
    `[pic][strip]overlay=0:0:format=yuv420,setpts=N/(${fps}*TB),format=yuv420p[v]`,
  ];
  if (o.audio) {
    const rate = o.audio === 'aac' ? 16000 : 8000;
    const beep = flashS > 0 ? `if(lt(mod(t,${flashS}),0.12),0.7*sin(2*PI*1000*t),0)` : '0.2*sin(2*PI*440*t)';
    parts.push(`aevalsrc='${beep}':s=${rate}:c=mono,arealtime[a]`);
  }
  return parts.join(';');
}

const NTP_UNIX_S = 2208988800;

function signed32(d: number): number {
  const u = d >>> 0;
  return u >= 2 ** 31 ? u - 2 ** 32 : u;
}

function isIdrStart(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const nal = payload[0]! & 0x1f;
  if (nal === 7 || nal === 5) return true;
  if (nal === 24) return payload.length > 3 && (payload[3]! & 0x1f) === 7;
  if (nal === 28) return (payload[1]! & 0x80) !== 0 && (payload[1]! & 0x1f) === 5;
  return false;
}

export async function startTestCamera(o: TestCameraOptions = {}): Promise<TestCamera> {
  const opts = { width: o.width ?? 640, height: o.height ?? 360, fps: o.fps ?? 25, ...o };
  const gop = o.gopFrames ?? opts.fps;
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-testcam-'));
  const sdpPath = join(dir, 'cam.sdp');
  const sockets: dgram.Socket[] = [];
  const bindUdp = async (): Promise<dgram.Socket> => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    sockets.push(s);
    return s;
  };
  const streams = [await bindUdp(), ...(o.audio ? [await bindUdp()] : [])];
  const rtcp = [await bindUdp(), ...(o.audio ? [await bindUdp()] : [])];
  const rates = [90000, o.audio === 'aac' ? 16000 : 8000];
  // Encoder delay of each stream, in its RTP clock (see the header).
  const encoderDelay = [0, o.audio === 'aac' ? 2048 : 0];
  // Per stream: the first RTP timestamp from the encoder, and the least of (arrival − media time
  // since it), i.e. the wall time of that first timestamp; when that first arrived.
  const capture = streams.map(() => ({ firstTs: null as number | null, wall0: Infinity, since: 0 }));
  // ffmpeg sends its own RTCP to these (ignored: its reports are on its start time, not capture).
  rtcp.forEach((s) => s.on('message', () => {}));
  const portOf = (s: dgram.Socket): number => (s.address() as net.AddressInfo).port;
  const rtpUrl = (i: number): string => `rtp://127.0.0.1:${portOf(streams[i]!)}?pkt_size=1200&rtcpport=${portOf(rtcp[i]!)}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-filter_complex', filterGraph(opts)];
  args.push('-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-threads', '1',
    '-x264-params', 'sliced-threads=0:scenecut=0', '-bf', '0', '-g', String(gop), '-keyint_min', String(gop), '-b:v', '800k', '-pix_fmt', 'yuv420p',
    '-f', 'rtp', '-payload_type', '96', rtpUrl(0));
  if (o.audio) {
    const codec = o.audio === 'pcma' ? ['-c:a', 'pcm_alaw', '-ar', '8000'] : o.audio === 'pcmu' ? ['-c:a', 'pcm_mulaw', '-ar', '8000'] : ['-c:a', 'aac', '-b:a', '48k', '-ar', '16000'];
    // One audio frame per RTP packet, as cameras send it: ffmpeg's default (-max_delay 0.7 s) packs
    // 3–4 AAC frames (200+ ms) into one, and a receiver without sender reports can only time them by
    // arrival (docs/recording-time-and-audio.md).
    args.push('-map', '[a]', ...codec, '-ac', '1', '-max_delay', '0', '-f', 'rtp', '-payload_type', o.audio === 'aac' ? '97' : o.audio === 'pcma' ? '8' : '0', rtpUrl(1));
  }
  args.push('-sdp_file', sdpPath);
  const ffmpeg: ChildProcess = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const until = Date.now() + 10000;
  while (!existsSync(sdpPath) || !readFileSync(sdpPath, 'utf8').includes('m=video')) {
    if (Date.now() > until || ffmpeg.exitCode !== null) throw new Error(`test camera ffmpeg did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 100));
  // The SDP as a camera would describe itself: one control URL per stream.
  let track = 0;
  const sdp =
    readFileSync(sdpPath, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l && !l.startsWith('c=') && !l.startsWith('a=tool'))
      .flatMap((l) => {
        if (l.startsWith('m=')) return [l.replace(/^(m=\w+) \d+/, '$1 0'), 'c=IN IP4 0.0.0.0', `a=control:track${track++}`];
        if (l.startsWith('s=')) return [l, 'c=IN IP4 0.0.0.0', 'a=control:*'];
        return [l];
      })
      .join('\r\n') + '\r\n';

  const clients = new Set<Client>();
  let epoch = { ssrc: [randomInt(1, 2 ** 32 - 1), randomInt(1, 2 ** 32 - 1)], seq: [randomInt(0, 65535), randomInt(0, 65535)], ts: [randomInt(0, 2 ** 32 - 1), randomInt(0, 2 ** 32 - 1)] };
  let epochAt = Date.now();
  let restarts = 0;
  const counts = streams.map(() => 0);
  const firstTs: (number | null)[] = streams.map(() => null);
  streams.forEach((s, i) => {
    s.on('message', (msg) => {
      if (msg.length < 12) return;
      counts[i]!++;
      if (i === 0 && o.restartEveryMs && Date.now() - epochAt >= o.restartEveryMs && isIdrStart(msg.subarray(12 + (msg[0]! & 0x0f) * 4))) {
        epoch = { ssrc: [randomInt(1, 2 ** 32 - 1), randomInt(1, 2 ** 32 - 1)], seq: [randomInt(0, 65535), randomInt(0, 65535)], ts: [randomInt(0, 2 ** 32 - 1), randomInt(0, 2 ** 32 - 1)] };
        epochAt = Date.now();
        restarts++;
      }
      const now = Date.now();
      const c = capture[i]!;
      const rawTs = msg.readUInt32BE(4);
      if (c.firstTs === null) {
        c.firstTs = rawTs;
        c.since = now;
      }
      c.wall0 = Math.min(c.wall0, now - (signed32(rawTs - c.firstTs) * 1000) / rates[i]!);
      const out = Buffer.from(msg);
      out.writeUInt16BE((msg.readUInt16BE(2) + epoch.seq[i]!) & 0xffff, 2);
      out.writeUInt32BE(cameraTs(i, msg.readUInt32BE(4)), 4);
      out.writeUInt32BE(epoch.ssrc[i]!, 8);
      if (i === 1 && o.audioSendDelayMs) setTimeout(() => relay(i, 0, out), o.audioSendDelayMs).unref();
      else relay(i, 0, out);
    });
  });
  // The camera's own reports: now, and the RTP timestamp of a frame captured now.
  const cname = Buffer.from(`testcam-${randomInt(1, 2 ** 31)}@127.0.0.1`);
  function sendReports(): void {
    const now = Date.now();
    if (o.senderReports === false) return;
    streams.forEach((_, i) => {
      const c = capture[i]!;
      // The first packets come out of a cold encoder late: the estimate settles over a second.
      if (c.firstTs === null || now - c.since < 1000) return;
      const ts = cameraTs(i, Math.round(c.firstTs + ((now - c.wall0) * rates[i]!) / 1000 + encoderDelay[i]!) >>> 0);
      const pkt = Buffer.alloc(28);
      pkt.writeUInt16BE(0x80c8, 0);
      pkt.writeUInt16BE(6, 2);
      pkt.writeUInt32BE(epoch.ssrc[i]!, 4);
      pkt.writeUInt32BE(Math.floor(now / 1000) + NTP_UNIX_S, 8);
      pkt.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32), 12);
      pkt.writeUInt32BE(ts, 16);
      pkt.writeUInt32BE(counts[i]!, 20);
      const sdesLen = Math.ceil((4 + 2 + cname.length + 1) / 4) * 4;
      const sdes = Buffer.alloc(4 + sdesLen);
      sdes.writeUInt16BE(0x81ca, 0);
      sdes.writeUInt16BE(sdesLen / 4, 2);
      sdes.writeUInt32BE(epoch.ssrc[i]!, 4);
      sdes[8] = 1;
      sdes[9] = cname.length;
      cname.copy(sdes, 10);
      relay(i, 1, Buffer.concat([pkt, sdes]));
    });
  }
  const reportTimer = setInterval(sendReports, 500);
  reportTimer.unref();
  function cameraTs(i: number, ts: number): number {
    if (o.clockSkew) {
      const first = (firstTs[i] ??= ts);
      ts = (first + Math.round(((ts - first + 2 ** 32) % 2 ** 32) * (1 + o.clockSkew))) % 2 ** 32;
    }
    return (ts + epoch.ts[i]!) % 2 ** 32;
  }
  function relay(i: number, rtcpChannel: 0 | 1, out: Buffer): void {
    for (const c of clients) {
      const ch = c.channels.get(i);
      if (!c.playing || ch === undefined || c.sock.destroyed) continue;
      const head = Buffer.from([0x24, ch + rtcpChannel, out.length >> 8, out.length & 0xff]);
      c.sock.write(Buffer.concat([head, out]));
    }
  }

  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    const client: Client = { sock, channels: new Map(), playing: false };
    clients.add(client);
    let buf = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.on('close', () => clients.delete(client));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length > 0 && buf[0] === 0x24) {
          if (buf.length < 4) return;
          const len = buf.readUInt16BE(2);
          if (buf.length < 4 + len) return;
          buf = buf.subarray(4 + len); // RTCP from the client
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        const [method, url] = lines[0]!.split(' ');
        const cseq = /cseq:\s*(\d+)/i.exec(head)?.[1] ?? '0';
        const reply = (extra: string[], body = '') =>
          sock.write(['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...extra, ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []), '', ''].join('\r\n') + body);
        if (method === 'OPTIONS') reply(['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER']);
        else if (method === 'DESCRIBE') reply([`Content-Base: ${url!.replace(/\/?$/, '/')}`, 'Content-Type: application/sdp'], sdp);
        else if (method === 'SETUP') {
          const t = Number(/track(\d+)/.exec(url!)?.[1] ?? 0);
          const inter = /interleaved=(\d+)-(\d+)/.exec(head);
          const ch = inter ? Number(inter[1]) : t * 2;
          client.channels.set(t, ch);
          reply([`Transport: RTP/AVP/TCP;unicast;interleaved=${ch}-${ch + 1}`, 'Session: 4711;timeout=60']);
        } else if (method === 'PLAY') {
          client.playing = true;
          reply(['Session: 4711', 'Range: npt=0.000-']);
        } else if (method === 'TEARDOWN') {
          reply(['Session: 4711']);
          sock.end();
        } else reply(['Session: 4711']);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  let closed = false;
  return {
    url: `rtsp://127.0.0.1:${port}/cam`,
    restarts: () => restarts,
    packets: () => [...counts],
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reportTimer);
      for (const c of clients) c.sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (ffmpeg.exitCode === null) {
        const exited = new Promise((r) => ffmpeg.once('exit', r));
        ffmpeg.kill('SIGTERM');
        await exited;
      }
      for (const s of sockets) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
