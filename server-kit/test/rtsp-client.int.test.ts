// The RTSP client against real servers: the embedded endpoint (node-rtsp-rtmp-server behind its
// gate, an ffmpeg demo camera publishing, pulled with the internal read credentials) and the camera
// zoo (Debian GStreamer's RTSP server: an encoder restart inside the session, B-frames, H.265,
// G.711 audio). Packets carry the SDP's payload type; a wrong password is auth_failed without the
// password in the message; a wrong path is not_found; the restart camera's packets keep flowing
// across its SSRC change. (Keep-alive needs a short session timeout, which neither server offers:
// rtsp-client-faults.test.ts checks it against a scripted camera.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointPullUrl, resolveConfig, type Config } from '@wardwall/common';
import { startEmbedded, type Embedded } from '@wardwall/endpoint';
import { endpointReadAuth } from '@wardwall/endpoint/secret';
import { createLogger, freeTcpPort, RtspClient, RtspError, type RtspClientOptions, type RtspSessionInfo, type RtspTrack } from '@wardwall/server-kit';
import { CameraZoo } from '@wardwall/testing/zoo';

const ZOO_PASSWORD = 'zoo-Secret-pw';
let embedded: Embedded | null = null;
let config: Config;
let zoo: CameraZoo | null = null;

before(async () => {
  const [rtspPort, rtmpPort, httpPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  config = resolveConfig({
    demo: { enabled: true, count: 1, withSubStream: 0 },
    endpoint: { rtspPort, rtmpPort, httpPort },
    sfu: { dataDir: mkdtempSync(join(tmpdir(), 'wardwall-rtsp-client-')) },
    log: { level: 'warn' },
  });
  [embedded, zoo] = await Promise.all([
    startEmbedded(config, createLogger('test', 'warn')),
    CameraZoo.start({ kinds: ['restart', 'bframes', 'h265', 'g711'], prerendered: true, restartEveryS: 4, user: 'zoo', password: ZOO_PASSWORD }),
  ]);
});
after(async () => {
  await Promise.all([embedded?.close(), zoo?.close()]);
});

interface Pull {
  info: RtspSessionInfo;
  packets: { track: number; pt: number; ssrc: number; seq: number }[];
  client: RtspClient;
}

/** Starts a pull and waits until `enough` says so (or the session closes); then closes it. */
async function pull(opts: RtspClientOptions, enough: (p: Pull) => boolean, timeoutMs = 30000): Promise<Pull> {
  const client = new RtspClient(opts);
  const packets: Pull['packets'] = [];
  client.on('rtp', (track, p) => packets.push({ track, pt: p[1]! & 0x7f, seq: p.readUInt16BE(2), ssrc: p.readUInt32BE(8) }));
  let closedWith: RtspError | null | undefined;
  client.on('close', (e) => (closedWith = e));
  try {
    const info = await client.start();
    const p = { info, packets, client };
    const t0 = Date.now();
    while (!enough(p) && closedWith === undefined && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 50));
    assert.equal(closedWith, undefined, `the session closed: ${closedWith?.message}`);
    assert.ok(enough(p), 'enough packets within the wait');
    return p;
  } finally {
    await client.close();
  }
}

/** Tries until the path is published (the demo camera needs a few seconds to start). */
async function startWhenPublished(url: string): Promise<Pull> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await pull({ url, log: createLogger('rtsp-client-test', 'warn') }, (p) => p.packets.length >= 100);
    } catch (e) {
      if (!(e instanceof RtspError && e.code === 'not_found') || Date.now() - t0 > 60000) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const endpointUrl = (path: string, password?: string): string => {
  const auth = endpointReadAuth(config, true)!;
  return endpointPullUrl(`rtsp://127.0.0.1:${config.endpoint.rtspPort}/${path}`, config.endpoint, password === undefined ? auth : { ...auth, password });
};

const errorOf = async (opts: RtspClientOptions): Promise<RtspError> => {
  const c = new RtspClient(opts);
  try {
    await c.start();
  } catch (e) {
    return e as RtspError;
  } finally {
    await c.close();
  }
  throw new Error('the session started');
};

test('embedded endpoint: the demo camera with the read credentials; packets of the SDP payload type', async () => {
  const p = await startWhenPublished(endpointUrl('live/demo-1'));
  const v = p.info.selected[0]!;
  assert.equal(v.media, 'video');
  assert.equal(v.encodingName, 'H264');
  assert.equal(v.clockRate, 90000);
  assert.ok(p.packets.every((x) => x.track === 0 && x.pt === v.payloadType));
  assert.match(v.control, /^rtsp:\/\/127\.0\.0\.1:\d+\//);
  assert.doesNotMatch(v.control, /@/);
});

test('embedded endpoint: wrong password is auth_failed without it; wrong path is not_found', async () => {
  const bad = await errorOf({ url: endpointUrl('live/demo-1', 'Not-The-Read-Secret') });
  assert.equal(bad.code, 'auth_failed', bad.message);
  assert.doesNotMatch(bad.message, /Not-The-Read-Secret/);
  const missing = await errorOf({ url: endpointUrl('live/no-such-camera') });
  assert.equal(missing.code, 'not_found', missing.message);
});

const video = (t: readonly RtspTrack[]): RtspTrack[] => t.filter((x) => x.media === 'video').slice(0, 1);

test('zoo: H.264 B-frames, H.265 and G.711 audio with video; payload types as the SDP says', async () => {
  const b = await pull({ url: zoo!.url('bframes'), select: video }, (p) => p.packets.length >= 100);
  assert.equal(b.info.selected[0]!.encodingName, 'H264');
  assert.ok(b.packets.every((x) => x.pt === b.info.selected[0]!.payloadType));
  const h = await pull({ url: zoo!.url('h265') }, (p) => p.packets.length >= 100);
  assert.equal(h.info.selected[0]!.encodingName, 'H265');
  assert.ok(h.packets.every((x) => x.pt === h.info.selected[0]!.payloadType));
  const g = await pull({ url: zoo!.url('g711'), select: (t) => [...t] }, (p) => p.packets.some((x) => x.track === 1) && p.packets.some((x) => x.track === 0));
  assert.deepEqual(g.info.selected.map((t) => t.media).sort(), ['audio', 'video']);
  const audio = g.info.selected.findIndex((t) => t.media === 'audio');
  assert.equal(g.info.selected[audio]!.encodingName, 'PCMA');
  assert.equal(g.info.selected[audio]!.clockRate, 8000);
  for (const x of g.packets) assert.equal(x.pt, g.info.selected[x.track]!.payloadType);
});

test('zoo: the restart camera keeps flowing across its SSRC change', async () => {
  const p = await pull({ url: zoo!.url('restart') }, (q) => {
    const ssrcs = [...new Set(q.packets.map((x) => x.ssrc))];
    return ssrcs.length >= 2 && q.packets.filter((x) => x.ssrc === ssrcs[ssrcs.length - 1]).length >= 100;
  }, 40000);
  const ssrcs = [...new Set(p.packets.map((x) => x.ssrc))];
  assert.ok(ssrcs.length >= 2);
  const restarts = zoo!.restartEvents.filter((e) => e.kind === 'restart');
  assert.ok(restarts.some((e) => e.ssrc === ssrcs[ssrcs.length - 1]), 'the new SSRC is the one the zoo announced for its restart');
  assert.ok(p.packets.every((x) => x.pt === p.info.selected[0]!.payloadType));
});

test('zoo: wrong password is auth_failed without it; wrong path is not_found', async () => {
  const bad = await errorOf({ url: zoo!.url('bframes').replace(encodeURIComponent(ZOO_PASSWORD), 'Wrong-Zoo-Pw') });
  assert.equal(bad.code, 'auth_failed', bad.message);
  assert.doesNotMatch(bad.message, /Wrong-Zoo-Pw/);
  const missing = await errorOf({ url: zoo!.url('bframes').replace('/bframes', '/no-such-kind') });
  assert.equal(missing.code, 'not_found', missing.message);
});
