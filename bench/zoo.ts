/**
 * Camera zoo benchmark (`npm run bench:zoo`, `-- --smoke` for a run of seconds). For each zoo kind
 * (testing/zoo), one at a time on the real SFU (probe, gst-ingest.py, mediasoup): the ingest
 * decision, the time from adding the camera to its first keyframe at a consumer (time to first
 * frame: probe + connect + waiting for the camera's next keyframe), the frame rate a consumer
 * receives, and the ingest process's CPU per camera (% of one core). Prints one JSON object last.
 * Env: BENCH_ZOO_KINDS=a,b limits the kinds; BENCH_CPU_SECONDS (default 10, smoke 2).
 */
import { createSocket } from 'node:dgram';
import { cameraConfigSchema } from '@wardwall/common';
import { startTestSystem, waitFor } from '@wardwall/testing/system';
import { CameraZoo, ZOO_KINDS, ZOO_SPECS, type ZooKind } from '@wardwall/testing/zoo';
import { TreeSampler } from '@wardwall/testing/proc-stats';
import { benchOption, bySmoke, round1, SMOKE } from './common.js';

const kinds = (process.env.BENCH_ZOO_KINDS?.split(',') as ZooKind[] | undefined) ?? bySmoke<ZooKind[]>([...ZOO_KINDS], ['restart', 'fps6']);
const CPU_SECONDS = benchOption('BENCH_CPU_SECONDS', 10, 2);

function isKeyframe(m: Buffer): boolean {
  let off = 12 + 4 * (m[0]! & 0x0f);
  if (m[0]! & 0x10) off += 4 + 4 * m.readUInt16BE(off + 2);
  const nal = m[off]! & 0x1f;
  return nal === 5 || nal === 7 || (nal === 24 && (m[off + 3]! & 0x1f) === 7) || (nal === 28 && (m[off + 1]! & 0x1f) === 5 && (m[off + 1]! & 0x80) !== 0);
}

const sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1 });
const results: Record<string, unknown> = {};
try {
  for (const kind of kinds) {
    const zoo = await CameraZoo.start({ kinds: [kind] });
    const id = `zoo-${kind}`;
    try {
      const t0 = Date.now();
      await sys.sfu.cameras.upsert(cameraConfigSchema.parse({ id, name: `Zoo ${kind}`, main: zoo.url(kind) }));
      const stream = sys.sfu.cameras.stream(id, 'main')!;
      const producer = (await waitFor(`${id} producer`, () => stream.producer, 60000, 20))!;
      const decidedMs = Date.now() - t0;
      // A consumer from the moment the producer exists: its first keyframe is the first frame a viewer could show.
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      let firstKeyframeAt = 0;
      let frames = 0;
      let counting = false;
      sock.on('message', (m) => {
        if (m.length < 13 || (m[0]! & 0xc0) !== 0x80) return;
        if (!firstKeyframeAt && isKeyframe(m)) firstKeyframeAt = Date.now();
        if (counting && m[1]! & 0x80) frames++;
      });
      const router = stream.slot.router;
      const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: sock.address().port });
      await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      await waitFor(`${id} first keyframe`, () => firstKeyframeAt > 0, 60000, 20);
      const sampler = new TreeSampler(() => (stream.ingestPid ? [stream.ingestPid] : []));
      counting = true;
      sampler.start(250);
      await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
      counting = false;
      const cpu = sampler.stop();
      transport.close();
      sock.close();
      const plan = stream.plan!;
      results[kind] = {
        decision: plan.mode,
        reason: plan.reason,
        codec: plan.info.codec,
        profile: plan.info.profile,
        size: plan.info.width && plan.info.height ? `${plan.info.width}x${plan.info.height}` : null,
        camera_fps: ZOO_SPECS[kind].fps,
        consumer_fps: round1(frames / CPU_SECONDS),
        probe_and_decide_ms: decidedMs,
        time_to_first_frame_ms: firstKeyframeAt - t0,
        engine: stream.engine,
        // A relayed stream runs inside the SFU's process (docs/relay-ingest.md): not separable, null.
        cpu_per_camera_pct: stream.ingestPid ? round1((cpu.cpuSeconds / CPU_SECONDS) * 100) : null,
      };
      console.log(JSON.stringify({ kind, ...(results[kind] as object) }));
    } finally {
      await sys.sfu.cameras.remove(id);
      await zoo.close();
    }
  }
} finally {
  await sys.close();
}
console.log(JSON.stringify({ bench: 'zoo', smoke: SMOKE, cpu_seconds: CPU_SECONDS, kinds: results }));
process.exit(0);
