/**
 * RTSP client benchmark (`npm run bench:rtsp-client [-- --cameras N]`): the relay ingest's pull side
 * alone. N cameras (default 20) from the capacity bench's camera server (capacity-camera-server.ts:
 * one pre-encoded 640×360 25 fps 800 kb/s clip served to N paths by Debian GStreamer's RTSP server,
 * basic credentials), each pulled by one RtspClient (RTSP/TCP, interleaved) in THIS process; each
 * RTP packet is handled as the relay does before its UDP send: its SSRC read and rewritten in place.
 *
 * Measured over BENCH_SECONDS (default 30) once every session plays and has settled: this process's
 * CPU (process.cpuUsage: the client's parsing, the socket reads, the event loop; NOT the camera
 * server) as % of one core in all and per camera, packets and bytes per second, and the RSS; and
 * the framer alone on synthetic 64 KiB chunks (ns per packet: the parsing without the socket).
 * Prints one JSON object last. `--smoke`: 2 cameras, 3 s.
 */
import { availableParallelism } from 'node:os';
import { InterleavedFramer, RtspClient, type RtspError } from '@wardwall/server-kit';
import { benchOption, bySmoke, round1, runBench, SMOKE_FIELD } from './common.js';
import { cameraClip, CLIP, startCameraServer } from './capacity-camera-server.js';

function camerasOption(): number {
  const i = process.argv.indexOf('--cameras');
  const n = i >= 0 ? Number(process.argv[i + 1]) : bySmoke(20, 2);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--cameras: a whole number of cameras >= 1, got ${process.argv[i + 1]}`);
  return n;
}

const CAMERAS = camerasOption();
const SECONDS = benchOption('BENCH_SECONDS', 30, 3);
const BATCH = benchOption('BENCH_BATCH', 10, 2);
const log = (s: string) => process.stderr.write(`[rtsp-client] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuPct(from: NodeJS.CpuUsage, ms: number): number {
  const d = process.cpuUsage(from);
  return ((d.user + d.system) / 1000 / ms) * 100;
}

/**
 * The framer alone, no socket: ns per packet for 1400-byte RTP frames arriving in 64 KiB chunks
 * (frames cut by chunk boundaries included), the SSRC rewritten in place as above.
 */
function framerNsPerPacket(): number {
  const frame = Buffer.alloc(1404, 0x55);
  frame.set([0x24, 0, 1400 >> 8, 1400 & 0xff, 0x80, 96]);
  const stream = Buffer.concat(Array.from({ length: 2000 }, () => frame));
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 65536) chunks.push(stream.subarray(at, at + 65536));
  let n = 0;
  const f = new InterleavedFramer({
    frame: (_c, p) => {
      p.writeUInt32BE((p.readUInt32BE(8) ^ 1) >>> 0, 8);
      n++;
    },
    message: () => {},
    error: (m) => {
      throw new Error(m);
    },
  }, { maxHeaderBytes: 16384, maxBodyBytes: 65536 });
  const rounds = bySmoke(200, 5);
  for (let i = 0; i < 5; i++) for (const c of chunks) f.push(c); // warm-up
  n = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const c of chunks) f.push(c);
  return Number(process.hrtime.bigint() - t0) / n;
}

async function main(): Promise<void> {
  const clip = await cameraClip();
  const cams = await startCameraServer(clip, CAMERAS);
  const clients: RtspClient[] = [];
  let packets = 0;
  let bytes = 0;
  const errors: string[] = [];
  try {
    // The process's own idle cost first (timers, the camera server's pipes), to read the rest against.
    const idleFrom = process.cpuUsage();
    const idleT0 = performance.now();
    await sleep(bySmoke(3000, 500));
    const idlePct = cpuPct(idleFrom, performance.now() - idleT0);
    const auth = `${encodeURIComponent(cams.user)}:${encodeURIComponent(cams.password)}@`;
    for (let i = 1; i <= CAMERAS; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(i + BATCH, CAMERAS + 1); j++) {
        const c = new RtspClient({ url: `rtsp://${auth}127.0.0.1:${cams.port}/cam-${j}`, requestTimeoutMs: 10000, idleTimeoutMs: 10000 });
        c.on('rtp', (_track, p) => {
          // What the relay does before its send: the SSRC rewritten in place.
          const ssrc = p.readUInt32BE(8);
          p.writeUInt32BE((ssrc ^ 0x5a5a5a5a) >>> 0, 8);
          packets++;
          bytes += p.length;
        });
        c.on('close', (e: RtspError | null) => {
          if (e) errors.push(`${e.code}: ${e.message}`);
        });
        clients.push(c);
        batch.push(c.start());
      }
      await Promise.all(batch);
      log(`${clients.length}/${CAMERAS} playing`);
    }
    await sleep(bySmoke(3000, 500)); // settle
    const p0 = packets;
    const b0 = bytes;
    const from = process.cpuUsage();
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const ms = performance.now() - t0;
    const pct = cpuPct(from, ms);
    const pps = ((packets - p0) * 1000) / ms;
    const framerNs = framerNsPerPacket(); // after the window: its garbage is not counted above
    const result = {
      bench: 'rtsp-client',
      ...SMOKE_FIELD,
      cameras: CAMERAS,
      seconds: SECONDS,
      cores: availableParallelism(),
      clip: `${CLIP.width}x${CLIP.height} ${CLIP.fps} fps ${CLIP.bitrateKbps} kb/s`,
      packets_per_s: Math.round(pps),
      packets_per_s_per_camera: round1(pps / CAMERAS),
      mbit_per_s: round1(((bytes - b0) * 8) / 1000 / ms),
      cpu_pct_core: round1(pct),
      cpu_pct_core_per_camera: Math.round((pct / CAMERAS) * 1000) / 1000,
      idle_cpu_pct_core: round1(idlePct),
      us_cpu_per_packet: round1(((pct / 100) * ms * 1000) / Math.max(1, packets - p0)),
      framer_ns_per_packet: Math.round(framerNs),
      rss_mb: Math.round(process.memoryUsage().rss / 1048576),
      sessions_closed_with_error: errors.length,
      errors: errors.slice(0, 5),
    };
    console.log(JSON.stringify(result));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await cams.close();
  }
}

runBench(main);
