/**
 * Cheap cameras for the capacity benches (started by bench/capacity-camera-server.ts in a process of
 * its own): N RTSP paths on loopback that all play ONE clip, packetized once (GStreamer's
 * rtph264pay, SPS/PPS before every keyframe, as cameras send them; the packets are cached beside
 * the clip). Per session: its own SSRC, sequence and timestamp base, RTP over the RTSP connection
 * (interleaved); a session joins at the next frame, mid-GOP, as with a real camera. One timer
 * paces every session at the clip's frame rate; the clip loops with its RTP time running on.
 *
 * Replaces a python3 + GStreamer RTSP server that, past ~10 paths, stalled the paths that joined
 * while others played (reproduced with RTSP clients alone, no project code: docs/benchmarks.md).
 *
 * Reads a JSON spec on stdin: {"host", "clip" (MPEG-TS), "paths", "user", "password", "fps"};
 * prints `READY {"port": N}`; every request needs the basic credentials. SIGTERM stops it.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

interface Spec {
  host: string;
  clip: string;
  paths: number;
  user: string;
  password: string;
  fps: number;
}

interface Frame {
  packets: Buffer[];
}

/** The clip's RTP packets (rtpstreampay framing: u16 length + packet), grouped into frames. */
function loadFrames(clip: string): { frames: Frame[]; sprop: string } {
  const rtp = `${clip}.rtp`;
  if (!existsSync(rtp)) {
    const tmp = `${rtp}.${process.pid}.tmp`;
    const r = spawnSync('gst-launch-1.0', ['-q', 'filesrc', `location=${clip}`, '!', 'tsdemux', '!', 'h264parse', '!', 'video/x-h264,stream-format=byte-stream,alignment=au', '!', 'rtph264pay', 'config-interval=-1', 'mtu=1400', 'pt=96', '!', 'rtpstreampay', '!', 'filesink', `location=${tmp}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`packetizing the clip failed: ${String(r.stderr).slice(-500)}`);
    renameSync(tmp, rtp);
  }
  const data = readFileSync(rtp);
  const frames: Frame[] = [];
  let sps: Buffer | null = null;
  let pps: Buffer | null = null;
  let lastTs: number | null = null;
  for (let p = 0; p + 2 <= data.length; ) {
    const len = data.readUInt16BE(p);
    const pkt = data.subarray(p + 2, p + 2 + len);
    p += 2 + len;
    if (pkt.length < 13) continue;
    const ts = pkt.readUInt32BE(4);
    if (ts !== lastTs) frames.push({ packets: [] });
    lastTs = ts;
    frames[frames.length - 1]!.packets.push(pkt);
    const nal = pkt[12]! & 0x1f;
    if (nal === 7) sps ??= pkt.subarray(12);
    if (nal === 8) pps ??= pkt.subarray(12);
    if (nal === 24) {
      // STAP-A: the payloader's SPS/PPS before a keyframe.
      for (let q = 13; q + 2 <= pkt.length; ) {
        const n = pkt.readUInt16BE(q);
        const unit = pkt.subarray(q + 2, q + 2 + n);
        if ((unit[0]! & 0x1f) === 7) sps ??= unit;
        if ((unit[0]! & 0x1f) === 8) pps ??= unit;
        q += 2 + n;
      }
    }
  }
  const sprop = sps && pps ? `${sps.toString('base64')},${pps.toString('base64')}` : '';
  return { frames, sprop };
}

interface Session {
  socket: Socket;
  channel: number;
  ssrc: number;
  seq: number;
  tsBase: number;
  playing: boolean;
}

function main(): void {
  const spec = JSON.parse(readFileSync(0, 'utf8')) as Spec;
  const { frames, sprop } = loadFrames(spec.clip);
  const auth = `Basic ${Buffer.from(`${spec.user}:${spec.password}`).toString('base64')}`;
  const tickPerFrame = Math.round(90000 / spec.fps);
  const sessions = new Set<Session>();
  let frameNo = 0;
  const started = performance.now();

  // One timer for every session; frames due since the last turn are sent (a late turn catches up).
  setInterval(() => {
    const due = Math.floor(((performance.now() - started) * spec.fps) / 1000);
    for (; frameNo <= due; frameNo++) {
      const frame = frames[frameNo % frames.length]!;
      for (const s of sessions) {
        if (!s.playing) continue;
        // A session whose reader falls far behind skips frames rather than queueing without bound.
        if (s.socket.writableLength > 4 * 1024 * 1024) continue;
        const size = frame.packets.reduce((n, pk) => n + 4 + pk.length, 0);
        const out = Buffer.allocUnsafe(size);
        let o = 0;
        for (const pk of frame.packets) {
          out[o] = 0x24;
          out[o + 1] = s.channel;
          out.writeUInt16BE(pk.length, o + 2);
          pk.copy(out, o + 4);
          out.writeUInt16BE(s.seq, o + 6);
          out.writeUInt32BE((s.tsBase + frameNo * tickPerFrame) >>> 0, o + 8);
          out.writeUInt32BE(s.ssrc, o + 12);
          s.seq = (s.seq + 1) & 0xffff;
          o += 4 + pk.length;
        }
        s.socket.write(out);
      }
    }
  }, 10);

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const session: Session = { socket, channel: 0, ssrc: randomInt(1, 2 ** 31), seq: randomInt(0, 65536), tsBase: randomInt(0, 2 ** 31), playing: false };
    let buf: Buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('close', () => sessions.delete(session));
    socket.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      for (;;) {
        if (buf.length && buf[0] === 0x24) {
          // The client's interleaved RTCP: skipped.
          if (buf.length < 4 || buf.length < 4 + buf.readUInt16BE(2)) return;
          buf = buf.subarray(4 + buf.readUInt16BE(2));
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > 16384) socket.destroy();
          return;
        }
        const head = buf.subarray(0, end).toString('latin1');
        const cl = Number(/\r\nContent-Length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + cl) return;
        buf = buf.subarray(end + 4 + cl);
        answer(head);
      }
    });
    const reply = (cseq: string, status: string, headers: Record<string, string> = {}, body = ''): void => {
      let text = `RTSP/1.0 ${status}\r\nCSeq: ${cseq}\r\n`;
      for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
      if (body) text += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
      socket.write(`${text}\r\n${body}`);
    };
    const answer = (head: string): void => {
      const [method, url] = head.split(' ', 2) as [string, string];
      const cseq = /\r\nCSeq:\s*(\S+)/i.exec(head)?.[1] ?? '0';
      if (method === 'OPTIONS') return reply(cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN' });
      if (!head.includes(`\r\nAuthorization: ${auth}`)) return reply(cseq, '401 Unauthorized', { 'WWW-Authenticate': 'Basic realm="bench"' });
      const m = /\/cam-(\d+)(?:\/|$)/.exec(url ?? '');
      const n = m ? Number(m[1]) : 0;
      if (n < 1 || n > spec.paths) return reply(cseq, '404 Not Found');
      const base = url.replace(/\/trackID=\d+$/, '');
      switch (method) {
        case 'DESCRIBE': {
          const sdp = `v=0\r\no=- 0 0 IN IP4 ${spec.host}\r\ns=bench camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01e${sprop ? `;sprop-parameter-sets=${sprop}` : ''}\r\na=control:trackID=0\r\n`;
          return reply(cseq, '200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': `${base}/` }, sdp);
        }
        case 'SETUP': {
          const ch = /interleaved=(\d+)/.exec(head);
          session.channel = ch ? Number(ch[1]) : 0;
          return reply(cseq, '200 OK', { Transport: `RTP/AVP/TCP;unicast;interleaved=${session.channel}-${session.channel + 1};ssrc=${session.ssrc.toString(16).padStart(8, '0')}`, Session: 'bench;timeout=60' });
        }
        case 'PLAY':
          session.playing = true;
          sessions.add(session);
          return reply(cseq, '200 OK', { Session: 'bench', Range: 'npt=0.000-' });
        case 'GET_PARAMETER':
          return reply(cseq, '200 OK', { Session: 'bench' });
        case 'TEARDOWN':
          reply(cseq, '200 OK', { Session: 'bench' });
          socket.end();
          return;
        default:
          return reply(cseq, '405 Method Not Allowed');
      }
    };
  });
  server.listen(0, spec.host, () => {
    const address = server.address();
    process.stdout.write(`READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
  const stop = (): void => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
