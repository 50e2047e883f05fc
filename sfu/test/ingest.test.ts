import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartParser } from '../src/ingest/multipart.js';
import { classifyExit } from '../src/ingest/offline-reason.js';

test('multipart parser: split chunks, several parts, garbage and bad lengths', () => {
  const part = (body: string, b = 'wwstill') => Buffer.from(`--${b}\r\nContent-Type: image/jpeg\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`);
  const stream = Buffer.concat([Buffer.from('noise'), part('AAAA'), part('BBBBBB'), Buffer.from('--wwstill\r\nContent-Length: x\r\n\r\n'), part('CC')]);
  const p = new MultipartParser('wwstill');
  const got: string[] = [];
  for (let i = 0; i < stream.length; i += 3) for (const img of p.push(stream.subarray(i, i + 3))) got.push(img.toString());
  assert.deepEqual(got, ['AAAA', 'BBBBBB', 'CC']);
  const big = new MultipartParser('wwstill', 4);
  assert.deepEqual(big.push(Buffer.concat([part('TOOLONG'), part('ok')])).map(String), ['ok']);
  // ffmpeg's mpjpeg spells the header in lower case
  assert.deepEqual(new MultipartParser('wwstill').push(Buffer.from('--wwstill\r\nContent-type: image/jpeg\r\nContent-length: 2\r\n\r\nhi\r\n')).map(String), ['hi']);
});

test('exit classification never leaks the URL and maps common failures', () => {
  const cases: [string[], number | null, string][] = [
    [['ERROR: Could not open resource for reading and writing.', 'Failed to connect. (Generic error)'], 1, 'unreachable'],
    [['Unauthorized (401)'], 1, 'unauthorized'],
    [['Not Found (404)'], 1, 'not_found'],
    [['Got EOS from element "pipeline0".'], 0, 'stream_ended'],
    [[], null, 'pipeline_error'],
    [['something odd'], 0, 'stream_ended'],
  ];
  for (const [tail, code, want] of cases) assert.equal(classifyExit(tail, code), want, tail.join('|'));
});

test('live audio branch: audio RTP decoded and sent as Opus with a fixed SSRC and source port, behind its own leaky queue', async () => {
  const { audioBranchDescription, AUDIO_PAYLOAD_TYPE } = await import('../src/ingest/audio-branch.js');
  const d = audioBranchDescription({ rtpHost: '127.0.0.1', rtpPort: 40004, sourcePort: 40006, ssrc: 5678 });
  const parts = d.split(' ! ');
  assert.match(parts[0]!, /^queue name=audioin leaky=downstream/);
  for (const tok of ['decodebin', 'audioresample name=resample', 'opusenc', `pt=${AUDIO_PAYLOAD_TYPE}`, 'ssrc=5678', 'port=40004', 'bind-port=40006', 'sync=false']) assert.ok(d.includes(tok), tok);
  assert.match(parts.at(-1)!, /^udpsink /);
});

test('a restarted pipeline run continues RTP time and sequence: video and audio payloaders get the offsets', async () => {
  const { audioBranchDescription } = await import('../src/ingest/audio-branch.js');
  const { gstIngestSpec } = await import('../src/ingest/pipeline-args.js');
  const rtpStart = { timestampOffset: 4_000_000_000, seqnumOffset: 65000 };
  const audio = audioBranchDescription({ rtpHost: '127.0.0.1', rtpPort: 40004, sourcePort: 40006, ssrc: 5678, rtpStart });
  assert.match(audio, /rtpopuspay [^!]*timestamp-offset=4000000000 seqnum-offset=65000/);
  assert.doesNotMatch(audioBranchDescription({ rtpHost: '127.0.0.1', rtpPort: 1, sourcePort: 2, ssrc: 3 }), /timestamp-offset/);
  const target = { rtpHost: '127.0.0.1', rtpPort: 40000, sourcePort: 40002, ssrc: 1234, payloadType: 101 };
  const spec = gstIngestSpec('rtsp://cam/x', { ...target, rtpStart }, { transcode: false, codec: 'H264', fps: 25 });
  const cfg = JSON.parse(spec.stdin) as Record<string, unknown>;
  assert.equal(cfg.timestampOffset, 4_000_000_000);
  assert.equal(cfg.seqnumOffset, 65000);
  assert.equal('timestampOffset' in JSON.parse(gstIngestSpec('rtsp://cam/x', target, { transcode: false, codec: 'H264', fps: 25 }).stdin), false);
});

test('lip-sync pacing only for a camera with live audio: RTCP and paced sinks there, the unpaced path elsewhere', async () => {
  const { gstIngestSpec, pacedRun, PACED_JITTER_MS } = await import('../src/ingest/pipeline-args.js');
  const target = { rtpHost: '127.0.0.1', rtpPort: 40000, sourcePort: 40002, ssrc: 1234, payloadType: 101 };
  const audio = { rtpHost: '127.0.0.1', rtpPort: 40004, sourcePort: 40006, ssrc: 5678 };
  const cfg = (opts: { audio?: typeof audio | null; cameraHasAudio?: boolean }) =>
    JSON.parse(gstIngestSpec('rtsp://cam/x', target, { transcode: false, codec: 'H264', fps: 25, ...opts }).stdin) as { paced?: { jitterMs: number }; audioBranch?: string };
  // Live audio on a camera that has it: paced, the audio udpsink too.
  const paced = cfg({ audio, cameraHasAudio: true });
  assert.deepEqual(paced.paced, { jitterMs: PACED_JITTER_MS });
  assert.match(paced.audioBranch!, /udpsink [^!]*sync=true/);
  // No audio on the camera, `audio: false` (no target), or neither: today's unpaced path.
  for (const opts of [{ audio, cameraHasAudio: false }, { audio: null, cameraHasAudio: true }, {}]) {
    const c = cfg(opts);
    assert.equal('paced' in c, false, JSON.stringify(opts));
    if (c.audioBranch) assert.match(c.audioBranch, /udpsink [^!]*sync=false/);
    assert.equal(pacedRun(opts), false);
  }
  assert.equal(pacedRun({ audio, cameraHasAudio: true }), true);
});
