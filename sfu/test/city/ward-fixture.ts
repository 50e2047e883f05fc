/**
 * A ward's media, alone in its process (run inside the ward's network namespace by
 * city-pipe.int.test.ts): a mediasoup worker + router, one camera producer on a PlainTransport fed
 * by GStreamer (videotestsrc → openh264 → RTP, as the ingest feeds it), and WardPipes answering the
 * centre. Control: one JSON request a line on stdin `{id, op: 'open'|'close'|'stats', body}`, one
 * reply a line on stdout `{id, result}` or `{id, error: {code, message}}`; first line `{ready}`.
 * Ends (worker and GStreamer with it) when stdin closes.
 * Usage: ward-fixture.ts <listenIp> <cameraId>
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomInt } from 'node:crypto';
import { createWorker } from 'mediasoup';
import { createLogger } from '@wardwall/server-kit';
import { ROUTER_MEDIA_CODECS, ingestRtpParameters, INGEST_PAYLOAD_TYPE } from '../../src/media/codecs.js';
import { WardPipes, PipeLinkError } from '../../src/city/pipe-link.js';

const [listenIp = '127.0.0.1', cameraId = 'ward-cam-1'] = process.argv.slice(2);
const log = createLogger('ward-fixture', 'warn', { write: (s: string) => void process.stderr.write(s) });
const send = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

const worker = await createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 40999, disableLiburing: true });
const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
const ssrc = randomInt(1, 2 ** 31);
const producer = await ingest.produce({ kind: 'video', rtpParameters: ingestRtpParameters(ssrc, '42e01f'), appData: { cameraId } });

// Moving colour bars, ~1.2-1.6 Mbit/s, one keyframe a second (SPS/PPS with each), 1200-byte RTP like the real ingest.
const pipeline = [
  'videotestsrc', 'is-live=true', 'pattern=smpte', 'horizontal-speed=8', '!', 'video/x-raw,width=640,height=360,framerate=25/1', '!',
  'openh264enc', 'bitrate=1200000', 'gop-size=25', 'complexity=low', '!', 'h264parse', '!', 'video/x-h264,stream-format=byte-stream,alignment=au', '!',
  'rtph264pay', `pt=${INGEST_PAYLOAD_TYPE}`, `ssrc=${ssrc}`, 'config-interval=-1', 'mtu=1200', '!',
  'udpsink', 'host=127.0.0.1', `port=${ingest.tuple.localPort}`, 'sync=false', 'async=false',
];
const gst = spawn('gst-launch-1.0', ['-q', ...pipeline], { stdio: ['ignore', 'ignore', 'inherit'] });

const pipes = new WardPipes({ listen: { ip: listenIp }, source: (id, stream) => (id === cameraId && stream === 'main' ? { router, producer } : null), log });

function end(): void {
  pipes.closeAll();
  gst.kill('SIGKILL');
  worker.close();
  process.exit(0);
}
gst.once('exit', (code) => {
  log.error({ code }, 'gstreamer exited');
  end();
});

// Ready once the camera's RTP arrives.
for (let i = 0; ; i++) {
  const stats = await producer.getStats();
  if (stats.some((s) => (s.packetCount ?? 0) > 0)) break;
  if (i > 150) {
    log.error('no RTP from GStreamer within 15 s');
    end();
  }
  await new Promise((r) => setTimeout(r, 100));
}
send({ ready: true, producerId: producer.id, gstPid: gst.pid });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let msg: { id?: unknown; op?: unknown; body?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    send({ error: { code: 'PIPE_BAD_REQUEST', message: 'not JSON' } });
    return;
  }
  const { id, op, body } = msg;
  const work =
    op === 'open' ? pipes.open(body)
    : op === 'close' ? pipes.close(body)
    : op === 'stats' ? pipes.consumerStats(String((body as { pipeId?: unknown } | undefined)?.pipeId ?? '')).then((s) => ({ ...s, pipes: pipes.size }))
    : Promise.reject(new PipeLinkError('PIPE_BAD_REQUEST', `unknown op ${String(op)}`));
  work.then(
    (result) => send({ id, result }),
    (e: unknown) => send({ id, error: e instanceof PipeLinkError ? e.toBody() : { code: 'PIPE_MEDIA_FAILED', message: (e as Error).message } }),
  );
});
rl.on('close', end);
process.on('SIGTERM', end);
