/**
 * The GOP bridge (docs/gop-bridge.md) with a real camera of 10 s GOP (zoo `gop10`), the real ingest
 * and mediasoup, on both engines (docs/relay-ingest.md): the relay (RTSP pulled by the SFU, the GOP
 * kept there, the bridge encoded by the shared media host) and GStreamer (gst-ingest.py +
 * gop_bridge.py, the engine of cameras with live audio): a viewer joining mid-GOP gets a keyframe from the
 * bridge producer before the camera's next keyframe reaches its consumer of the real producer; a
 * second viewer joining during that bridge gets a keyframe of its own; the bridge ends at the
 * camera's keyframe (the switch), a viewer already watching is not disturbed, the stills go on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerMessage } from '@wardwall/common';
import { connectSignaling, startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';
import { CameraZoo } from '@wardwall/testing/zoo';
import { watchProducer, type RtpWatch } from '@wardwall/testing/rtp-watch';

const ID = 'zoo-gop10';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const engine of ['relay', 'gstreamer'] as const) describe(`engine ${engine}`, () => {
  let zoo: CameraZoo;
  let sys: TestSystem;

  before(async () => {
    zoo = await CameraZoo.start({ kinds: ['gop10'], prerendered: true });
    sys = await startTestSystem({ demoCount: 1, withSub: 0, workers: 1, ingest: { engine: engine === 'relay' ? 'auto' : 'gstreamer' }, cameras: [{ id: ID, name: 'Zoo gop10', main: zoo.url('gop10') }, { id: 'zoo-transcoded', name: 'Transcoded', main: '{rtsp}/demo-1', transcode: true }] });
  });
  after(async () => {
    await sys?.close();
    await zoo?.close();
  });

  test('a viewer joining mid-GOP gets a keyframe from the bridge before the camera sends one, then switches', async () => {
    const stream = sys.sfu.cameras.stream(ID, 'main')!;
    await waitFor('gop10 live with a still', () => stream.status.state === 'live' && stream.still !== null, 60000);
    assert.equal(stream.plan?.mode, 'passthrough');
    assert.equal(stream.engine, engine);
    assert.ok(stream.bridge?.producer, 'a passthrough H.264 stream has a bridge producer');
    const router = stream.slot.router;
    const real = (await stream.ensureOn(router))!;
    // A viewer already watching: its frames must flow on through the bridges.
    const existing = await watchProducer(router, real);
    const watches: RtpWatch[] = [existing];
    try {
      // Join half a GOP after a keyframe (the still marks it): the camera's next one is ~5 s away.
      const thumbs: number[] = [];
      stream.on('thumbnail', (_img, at) => thumbs.push(at));
      await waitFor('a keyframe (still)', () => thumbs.length > 0, 15000, 20);
      await sleep(5000);
      assert.equal(stream.bridgeDecision().bridge, true, `bridge decision: ${JSON.stringify(stream.bridgeDecision())}`);
      const bridgeProducer = await stream.bridge!.ensureOn(router);
      const viewer = await watchProducer(router, real);
      const bridge1 = await watchProducer(router, bridgeProducer);
      watches.push(viewer, bridge1);
      const askedAt = performance.now();
      assert.equal(stream.requestBridge(), true, 'SIGUSR1 sent to the ingest');
      const existingFramesAtJoin = existing.frames;
      await bridge1.keyframe;
      // A second viewer during the same bridge: a keyframe of its own on the bridge producer.
      const viewer2 = await watchProducer(router, real);
      const bridge2 = await watchProducer(router, bridgeProducer);
      watches.push(viewer2, bridge2);
      assert.equal(stream.requestBridge(), true);
      await bridge2.keyframe;
      const realKeyframeAt = await viewer.keyframe;
      await viewer2.keyframe;
      console.log(`# bridge keyframe ${(bridge1.firstKeyframeAt! - askedAt).toFixed(0)} ms after the request, second viewer's ${(bridge2.firstKeyframeAt! - askedAt).toFixed(0)} ms, camera keyframe ${(realKeyframeAt - askedAt).toFixed(0)} ms`);
      assert.ok(bridge1.firstKeyframeAt! < realKeyframeAt, 'the bridge keyframe came before the camera keyframe');
      assert.ok(bridge2.firstKeyframeAt! < realKeyframeAt, 'the shared bridge wrote a keyframe for the second viewer');
      assert.ok(bridge1.keyframes >= 2, `the first bridge viewer saw the second viewer's keyframe too (${bridge1.keyframes})`);
      assert.ok(bridge1.frames > 10, `the bridge carried live frames until the switch (${bridge1.frames})`);
      // The switch: the bridge ends at the camera's keyframe; nothing more on the bridge producer.
      const count = bridge1.packets;
      await sleep(1500);
      const after = bridge1.packets;
      await sleep(1500);
      assert.equal(bridge1.packets, after, 'the bridge producer is silent after the switch');
      assert.ok(after - count < 40, `a few in-flight frames at most after the camera keyframe (${after - count} packets)`);
      // The viewers go on with the camera's own stream; the earlier viewer was never starved.
      assert.ok(viewer.frames > 25, `viewer frames after the switch: ${viewer.frames}`);
      assert.ok(existing.frames - existingFramesAtJoin > 100, `the existing viewer kept receiving frames (${existing.frames - existingFramesAtJoin})`);
      assert.equal(existing.keyframes >= 1, true);
      // The stills go on (one per camera keyframe, the one after the bridge included).
      assert.ok(thumbs.some((t) => t >= Date.now() - 4000), 'a still from the camera keyframe that ended the bridge');
      assert.equal(stream.bridge!.requests, 2);
    } finally {
      for (const w of watches) w.close();
    }
  });

  test('a request nobody watches harms nothing: the ingest goes on', async () => {
    const stream = sys.sfu.cameras.stream(ID, 'main')!;
    const pid = stream.ingestPid;
    assert.equal(stream.requestBridge(), true);
    await sleep(2000);
    assert.equal(stream.ingestPid, pid, 'the ingest survived a request nobody watches');
    assert.equal(stream.status.state, 'live');
  });

  test('signaling: a bridge consumer only next to the video, NO_BRIDGE for a transcoded stream, resume asks the ingest', async () => {
    const stream = sys.sfu.cameras.stream(ID, 'main')!;
    await waitFor('transcoded camera live', () => sys.sfu.cameras.stream('zoo-transcoded', 'main')?.status.state === 'live', 60000, 200).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(sys.sfu.cameras.stream('zoo-transcoded', 'main')?.status)}`);
    });
    const c = await connectSignaling(sys.sfu.url);
    try {
      const hello = (await c.request({ type: 'hello' })) as Extract<ServerMessage, { ok: true }>;
      const rtpCapabilities = (hello.data as { routerRtpCapabilities: Record<string, unknown> }).routerRtpCapabilities;
      const t = (await c.request({ type: 'createTransport' })) as Extract<ServerMessage, { ok: true }>;
      const transportId = (t.data as { transportId: string }).transportId;
      const consume = (cameraId: string, media?: string) => c.request({ type: 'consume', transportId, cameraId, stream: 'main', rtpCapabilities, ...(media ? { media } : {}) }) as Promise<ServerMessage & { ok: boolean; data?: { consumerId: string; kind: string }; error?: { code: string } }>;
      const lone = await consume(ID, 'bridge');
      assert.equal(lone.ok, false);
      assert.equal(lone.error?.code, 'BAD_REQUEST', 'no bridge without the video');
      assert.equal((await consume('zoo-transcoded')).ok, true);
      const transcoded = await consume('zoo-transcoded', 'bridge');
      assert.equal(transcoded.error?.code, 'NO_BRIDGE', 'a transcoded stream has no bridge');
      await waitFor('gop10 live', () => stream.status.state === 'live', 60000, 200);
      const video = await consume(ID);
      assert.equal(video.ok, true, JSON.stringify(video));
      await waitFor('a join that needs a bridge', () => stream.bridgeDecision().bridge, 15000, 50);
      const bridged = await consume(ID, 'bridge');
      assert.equal(bridged.ok, true, JSON.stringify(bridged));
      assert.equal(bridged.data!.kind, 'video');
      const before = stream.bridge!.requests;
      assert.equal(((await c.request({ type: 'resumeConsumer', consumerId: bridged.data!.consumerId })) as { ok: boolean }).ok, true);
      assert.equal(stream.bridge!.requests, before + 1, 'resuming the bridge consumer asked the ingest for a bridge');
    } finally {
      c.ws.close();
    }
  });
});
