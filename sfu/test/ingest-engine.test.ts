/**
 * Which engine carries a stream (docs/relay-ingest.md): the probe's decision, then the relay for
 * H.264 passthrough without live audio; the relay's error codes as browser-facing reasons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideIngest, relayCarries, type ProbeReport } from '../src/ingest/ingest-decision.js';
import { relayOfflineReason } from '../src/ingest/relay-ingest-run.js';

const video = (over: Partial<NonNullable<ProbeReport['video']>> = {}): ProbeReport['video'] => ({ encodingName: 'H264', profile: 'constrained-baseline', level: '3.1', width: 640, height: 360, fps: 25, reordering: false, frames: 30, ...over });

test('relayCarries: H.264 passthrough without audio goes to the relay', () => {
  const plan = decideIngest('auto', { video: video(), audio: [] });
  assert.equal(plan.mode, 'passthrough');
  assert.equal(relayCarries(plan, true), true);
  assert.equal(relayCarries(plan, false), true);
});

test('relayCarries: transcoded, H.265 and unplayable streams stay with GStreamer', () => {
  assert.equal(relayCarries(decideIngest('auto', { video: video({ reordering: true }), audio: [] }), false), false);
  assert.equal(relayCarries(decideIngest('auto', { video: video({ encodingName: 'H265' }), audio: [] }), false), false);
  assert.equal(relayCarries(decideIngest(true, { video: video(), audio: [] }), false), false);
  assert.equal(relayCarries(decideIngest('auto', { video: null, audio: [] }), false), false);
});

test('relayCarries: a camera with audio relays only when its live audio is off', () => {
  const plan = decideIngest('auto', { video: video(), audio: [{ encodingName: 'PCMA', clockRate: 8000 }] });
  assert.equal(relayCarries(plan, true), false, 'live audio on: the paced GStreamer run');
  assert.equal(relayCarries(plan, false), true, 'audio: false (privacy): nothing to pace');
});

test('relayOfflineReason: RTSP error codes become the reasons browsers see', () => {
  assert.equal(relayOfflineReason({ code: 'auth_failed' }), 'unauthorized');
  assert.equal(relayOfflineReason({ code: 'not_found' }), 'not_found');
  assert.equal(relayOfflineReason({ code: 'connect_failed' }), 'unreachable');
  assert.equal(relayOfflineReason({ code: 'timeout' }), 'unreachable');
  assert.equal(relayOfflineReason({ code: 'refused' }), 'unreachable');
  assert.equal(relayOfflineReason({ code: 'unsupported' }), 'unsupported');
  assert.equal(relayOfflineReason({ code: 'protocol' }), 'pipeline_error');
  assert.equal(relayOfflineReason(null), 'stream_ended');
});
