/**
 * The GOP bridge's pure parts (docs/gop-bridge.md): the join decision, the ingest's bridge config,
 * the kept GOP's bounds (gop_bridge.py's GopBuffer, run by Debian's python3) and the RTP keyframe
 * reader the tests and the bench use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BRIDGE_MIN_WAIT_MS, decideBridge, type BridgeInput } from '../src/media/bridge-decision.js';
import { gstIngestSpec, INGEST_PYTHON } from '../src/ingest/pipeline-args.js';
import { h264PayloadHasKeyframe, rtpPayload } from '@wardwall/testing/rtp-watch';

const ready: BridgeInput = { now: 100_000, hasBridge: true, live: true, ingestReady: true, lastKeyframeAt: 99_000, keyframeIntervalMs: 10_000 };

test('decideBridge: a join mid-GOP gets a bridge, with the wait it saves', () => {
  assert.deepEqual(decideBridge(ready), { bridge: true, waitMs: 9000 });
});

test('decideBridge: no bridge when the camera keyframe is due within the minimum wait', () => {
  assert.deepEqual(decideBridge({ ...ready, lastKeyframeAt: 100_000 - 10_000 + BRIDGE_MIN_WAIT_MS }), { bridge: false, reason: 'keyframe_soon' });
  assert.deepEqual(decideBridge({ ...ready, lastKeyframeAt: 100_000 - 10_000 + BRIDGE_MIN_WAIT_MS + 1 }), { bridge: true, waitMs: BRIDGE_MIN_WAIT_MS + 1 });
  assert.deepEqual(decideBridge({ ...ready, minWaitMs: 0, lastKeyframeAt: 90_000 }), { bridge: false, reason: 'keyframe_soon' });
});

test('decideBridge: an unknown or overdue interval bridges (the keyframe time is unknown)', () => {
  assert.deepEqual(decideBridge({ ...ready, keyframeIntervalMs: null }), { bridge: true, waitMs: null });
  assert.deepEqual(decideBridge({ ...ready, lastKeyframeAt: 80_000 }), { bridge: true, waitMs: null });
});

test('decideBridge: no bridge without a bridge producer, while not live, or before the run kept a GOP', () => {
  assert.deepEqual(decideBridge({ ...ready, hasBridge: false }), { bridge: false, reason: 'no_bridge' });
  assert.deepEqual(decideBridge({ ...ready, live: false }), { bridge: false, reason: 'not_live' });
  assert.deepEqual(decideBridge({ ...ready, ingestReady: false }), { bridge: false, reason: 'not_ready' });
  assert.deepEqual(decideBridge({ ...ready, lastKeyframeAt: null }), { bridge: false, reason: 'not_ready' });
});

test('gstIngestSpec: the bridge branch for H.264 passthrough only', () => {
  const target = { rtpHost: '127.0.0.1', rtpPort: 40000, sourcePort: 40001, ssrc: 1234, payloadType: 96 };
  const bridge = { rtpPort: 40002, sourcePort: 40003, ssrc: 5678 };
  const cfg = (o: Parameters<typeof gstIngestSpec>[2]) => JSON.parse(gstIngestSpec('rtsp://cam/x', target, o).stdin) as Record<string, unknown>;
  assert.deepEqual(cfg({ transcode: false, codec: 'H264', fps: 25, bridge }).bridge, { ...bridge, bitrateKbps: 1500, gopFrames: 250 });
  assert.equal('bridge' in cfg({ transcode: true, codec: 'H264', fps: 25, bridge }), false);
  assert.equal('bridge' in cfg({ transcode: true, codec: 'H265', fps: 25, bridge }), false);
  assert.equal('bridge' in cfg({ transcode: false, codec: 'H264', fps: 25 }), false);
});

test('GopBuffer (gop_bridge.py): starts at a keyframe, restarts at each, drops the GOP beyond its byte bound', () => {
  const dir = fileURLToPath(new URL('../src/ingest/', import.meta.url));
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(dir)})
import gi
gi.require_version('Gst', '1.0'); gi.require_version('GstVideo', '1.0')
from gop_bridge import GopBuffer
out = {}
g = GopBuffer(max_bytes=100)
g.push('p0', 10, False)
out['before_key'] = list(g.units)
g.push('k1', 40, True); g.push('p1', 30, False); g.push('p2', 30, False)
out['full'] = [list(g.units), g.bytes]
g.push('p3', 1, False)
out['overflow'] = [list(g.units), g.bytes, g.overflowed]
g.push('p4', 1, False)
out['after_overflow'] = list(g.units)
g.push('k2', 5, True); g.push('p5', 5, False)
out['next_key'] = [list(g.units), g.bytes, g.overflowed]
g.push('k3', 500, True)
out['huge_key'] = [list(g.units), g.overflowed]
print(json.dumps(out))
`;
  const r = spawnSync(INGEST_PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    before_key: [],
    full: [['k1', 'p1', 'p2'], 100],
    overflow: [[], 0, true],
    after_overflow: [],
    next_key: [['k2', 'p5'], 10, false],
    huge_key: [[], true],
  });
});

test('h264PayloadHasKeyframe: single NAL, STAP-A and FU-A start fragments', () => {
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x65, 0)), true); // IDR
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x67, 0)), true); // SPS
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x41, 0)), false); // P slice
  // STAP-A with a 2-byte SEI then an SPS.
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x78, 0, 2, 0x06, 0, 0, 2, 0x67, 0)), true);
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x78, 0, 2, 0x06, 0, 0, 2, 0x41, 0)), false);
  // FU-A: start of an IDR, middle of an IDR, start of a P slice.
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x7c, 0x85, 0)), true);
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x7c, 0x05, 0)), false);
  assert.equal(h264PayloadHasKeyframe(Uint8Array.of(0x7c, 0x81, 0)), false);
  // rtpPayload skips the header, CSRCs and a one-word extension.
  const pkt = Uint8Array.of(0x91, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 0x65, 9);
  assert.deepEqual([...rtpPayload(pkt)!], [0x65, 9]);
});
