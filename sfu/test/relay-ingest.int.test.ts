/**
 * The relay engine (docs/relay-ingest.md) with real cameras (the zoo's GStreamer RTSP server, with
 * credentials), the real media host and mediasoup: an H.264 passthrough camera without audio is
 * relayed inside the SFU's process (no ingest process of its own), its producer delivers frames,
 * keyframes make stills and thumbnails through the media host, the encoder-restart camera keeps
 * one continuous stream; a wrong password and a wrong path give their reason codes, without the
 * password in any log line; `engine: "gstreamer"` keeps the per-stream process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { CameraZoo } from '@wardwall/testing/zoo';
import { watchProducer } from '@wardwall/testing/rtp-watch';

const USER = 'relay-user';
const PASSWORD = 'relay-secret-pw';
let zoo: CameraZoo;
let sys: TestSystem;
const logLines: string[] = [];

function childCommands(): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] !== String(process.pid)) return [];
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')];
      } catch {
        return [];
      }
    });
}

before(async () => {
  zoo = await CameraZoo.start({ kinds: ['gop10', 'restart'], restartEveryS: 6, user: USER, password: PASSWORD, prerendered: true });
  const bad = zoo.url('gop10').replace(encodeURIComponent(PASSWORD), 'wrong-password');
  sys = await startTestSystem({
    demoCount: 1,
    withSub: 0,
    workers: 1,
    logLines,
    cameras: [
      { id: 'relayed', name: 'Relayed', main: zoo.url('gop10') },
      { id: 'restarts', name: 'Restarts', main: zoo.url('restart'), audio: false },
      { id: 'bad-password', name: 'Bad password', main: bad, transcode: false },
      { id: 'bad-path', name: 'Bad path', main: zoo.url('gop10').replace('/gop10', '/nothing-here'), transcode: false },
    ],
  });
});
after(async () => {
  await sys?.close();
  await zoo?.close();
});

test('an H.264 camera without audio is relayed in process: frames reach a consumer, stills and thumbnails come from the media host', async () => {
  const stream = sys.sfu.cameras.stream('relayed', 'main')!;
  await waitFor('relayed camera live with a still', () => stream.status.state === 'live' && stream.still !== null && stream.thumbnail !== null, 60000, 100);
  assert.equal(stream.engine, 'relay');
  assert.equal(stream.status.ingest?.engine, 'relay', 'the engine is in the camera status');
  assert.equal(stream.ingestPid, undefined, 'no ingest process of its own');
  assert.ok(!childCommands().some((c) => c.includes('gst-ingest.py')), 'no gst-ingest.py process runs');
  assert.ok(childCommands().some((c) => c.includes('media-host.py')), 'the shared media host runs');
  assert.equal(stream.still!.jpeg.subarray(0, 2).toString('hex'), 'ffd8', 'the still is a JPEG');
  assert.equal(stream.thumbnail!.image.width, 64);
  const router = stream.slot.router;
  const watch = await watchProducer(router, await stream.ensureOn(router));
  try {
    await watch.keyframe;
    const frames = watch.frames;
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(watch.frames - frames >= 30, `frames flow (${watch.frames - frames} in 2 s)`);
  } finally {
    watch.close();
  }
});

test('the encoder-restart camera stays one live stream through the relay (no offline, frames after each restart)', async () => {
  const stream = sys.sfu.cameras.stream('restarts', 'main')!;
  await waitFor('restart camera live', () => stream.status.state === 'live', 60000, 100);
  assert.equal(stream.engine, 'relay');
  const states: string[] = [];
  stream.on('status', (s) => states.push(s.state));
  const router = stream.slot.router;
  const watch = await watchProducer(router, await stream.ensureOn(router));
  try {
    const before = zoo.restartEvents.filter((e) => e.kind === 'restart').length;
    await waitFor('two encoder restarts', () => zoo.restartEvents.filter((e) => e.kind === 'restart').length >= before + 2, 40000, 200);
    const frames = watch.frames;
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(watch.frames - frames > 10, `frames after the restarts (${watch.frames - frames} in 2 s)`);
    assert.deepEqual(states.filter((s) => s !== 'live'), [], 'never left live');
    assert.ok(watch.keyframes >= 2, `a keyframe after each restart reached the consumer (${watch.keyframes})`);
  } finally {
    watch.close();
  }
});

test('a wrong password is unauthorized and a wrong path not_found, and the password is in no log line', async () => {
  await waitFor('bad password offline: unauthorized', () => sys.sfu.cameras.stream('bad-password', 'main')?.status.reason === 'unauthorized', 30000, 100);
  await waitFor('bad path offline: not_found', () => sys.sfu.cameras.stream('bad-path', 'main')?.status.reason === 'not_found', 30000, 100);
  assert.equal(sys.sfu.cameras.stream('bad-password', 'main')!.engine, 'relay');
  assert.ok(logLines.length > 0);
  for (const line of logLines) {
    assert.ok(!line.includes(PASSWORD) && !line.includes('wrong-password'), `a log line carries a password: ${line.slice(0, 200)}`);
  }
});
