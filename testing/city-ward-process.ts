/**
 * A whole ward station in one process, run inside the ward's network namespace by the namespace
 * tests and bench:city: the embedded endpoint with demo cameras, the SFU with `city.role: 'ward'`
 * (listening on the ward's address), the recorder. Config as JSON in argv[2]:
 * `{ward, name, ip, natsUrl, natsUser, passwordFile, cameras, auth?, adminPassword?, patch?}`.
 *
 * Prints `{"ready": true, "url": …}` once up, then answers JSON lines on stdin `{id, op, body}` with
 * `{id, result}` or `{id, error}`:
 * - `localConsume {camera}`: a ward-local viewer of the camera (a PlainTransport consumer of its
 *   producer on the ward's own router, RTP counted on a loopback UDP socket);
 * - `stats {camera}`: `{localRtp, producerBytes, lastFootageMs, pipes, instance}` (the local viewer's
 *   RTP packets, the camera producer's received bytes, the recorder's newest footage of it, the
 *   ward's open pipes);
 * Ends on stdin's close or SIGTERM.
 */
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { startTestSystem, type TestSystem } from '@wardwall/testing/system';

interface FixtureConfig {
  ward: string;
  name: string;
  ip: string;
  natsUrl: string;
  natsUser: string;
  passwordFile: string;
  cameras: number;
  auth?: boolean;
  /** Run the recorder too (default true). */
  recorder?: boolean;
  /** Extra raw config (deep keys set by the caller), e.g. a stamped camera. */
  raw?: Record<string, unknown>;
  testCameras?: { id: string; name: string; main: string }[];
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as FixtureConfig;
const out = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v)}\n`);

let sys: TestSystem | null = null;
const closers: (() => void)[] = [];
let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  for (const c of closers) c();
  await sys?.close().catch(() => undefined);
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.stdin.on('close', () => void shutdown(0));

let localRtp = 0;

async function handle(op: string, body: Record<string, unknown>): Promise<unknown> {
  const s = sys!;
  const camera = String(body.camera ?? 'demo-1');
  switch (op) {
    case 'localConsume': {
      const stream = s.sfu.cameras.stream(camera, 'main');
      if (!stream?.producer) throw new Error(`no producer for ${camera}`);
      const router = s.sfu.pool.edge().router;
      const producer = await stream.ensureOn(router);
      const sock = createSocket('udp4');
      sock.on('message', (m) => {
        if (m.length > 12 && (m[0]! & 0xc0) === 0x80 && (m[1]! & 0x7f) !== 127 && !(m[1]! >= 200 && m[1]! <= 207)) localRtp++;
      });
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
      await plain.connect({ ip: '127.0.0.1', port: sock.address().port });
      const consumer = await plain.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      await consumer.requestKeyFrame().catch(() => undefined);
      closers.push(() => {
        plain.close();
        sock.close();
      });
      return { consuming: camera };
    }
    case 'stats': {
      const producer = s.sfu.cameras.stream(camera, 'main')?.producer;
      const stats = producer ? await producer.getStats() : [];
      const producerBytes = stats.reduce((n, x) => n + ((x as { byteCount?: number }).byteCount ?? 0), 0);
      const rec = s.recorder?.health().cameras.find((c) => c.camera === camera);
      return { localRtp, producerBytes, lastFootageMs: rec?.lastFootageMs ?? null, pipes: s.sfu.city.ward?.pipes.size ?? 0 };
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

try {
  sys = await startTestSystem({
    demoCount: cfg.cameras,
    withSub: 0,
    workers: 1,
    recorder: cfg.recorder ?? true,
    auth: cfg.auth ?? false,
    ...(cfg.testCameras ? { cameras: cfg.testCameras } : {}),
    patch: (raw) => {
      raw.sfu.host = cfg.ip;
      raw.sfu.webrtc.listenIp = cfg.ip;
      raw.city = { role: 'ward', ward: { id: cfg.ward, name: cfg.name }, nats: { url: cfg.natsUrl, user: cfg.natsUser, passwordFile: cfg.passwordFile }, pipeIp: cfg.ip, heartbeatMs: 1000 };
      for (const [k, v] of Object.entries(cfg.raw ?? {})) raw[k] = { ...(raw[k] as object), ...(v as object) };
    },
  });
  out({ ready: true, url: sys.url });
} catch (e) {
  process.stderr.write(`ward fixture: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let msg: { id: number; op: string; body?: Record<string, unknown> };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    return;
  }
  handle(msg.op, msg.body ?? {}).then(
    (result) => out({ id: msg.id, result }),
    (e: unknown) => out({ id: msg.id, error: (e as Error).message }),
  );
});
