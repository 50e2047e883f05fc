// sprop-parameter-sets, spsInfo (real SPS from openh264 and x264; emulation prevention, cropping,
// VUI frame rate, truncation), the tracker, the STAP-A and the per-packet gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRtp, H264Depacketizer, ParameterSetGate, ParameterSetTracker, parameterSetsStapA, parseRtp, spropParameterSets, spsInfo, unescapeRbsp, type AccessUnit } from '@wardwall/server-kit';

// rtph264pay's caps for libx264 1920×1080 high@4.0 25 fps (has emulation prevention bytes, cropping 1088 → 1080, VUI timing).
const X264_FMTP = 'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QAKKyyAPAET8uAiAAAAwAIAAADAZB4wZJA,aOvMsiw=;profile-level-id=640028';

test('spropParameterSets: with or without the a=fmtp prefix; null when incomplete or garbage', () => {
  const ps = spropParameterSets(X264_FMTP)!;
  assert.ok(ps);
  assert.equal(ps.sps[0]! & 0x1f, 7);
  assert.equal(ps.pps[0]! & 0x1f, 8);
  assert.equal(ps.pps.toString('base64'), 'aOvMsiw=');
  assert.ok(spropParameterSets('profile-level-id=640028; Sprop-Parameter-Sets=aOvMsiw=,Z2QAKKyyAPAET8uAiAAAAwAIAAADAZB4wZJA')!.sps.equals(ps.sps));
  assert.equal(spropParameterSets('packetization-mode=1'), null);
  assert.equal(spropParameterSets('sprop-parameter-sets=Z2QAKKyyAPAET8uAiAAAAwAIAAADAZB4wZJA'), null, 'no PPS');
  assert.equal(spropParameterSets('sprop-parameter-sets=!!!,???'), null);
  assert.equal(spropParameterSets('sprop-parameter-sets='), null);
});

test('spsInfo: x264 high 1080p (emulation prevention, cropping, VUI 25 fps)', () => {
  const { sps } = spropParameterSets(X264_FMTP)!;
  assert.notEqual(unescapeRbsp(sps, 1).length, sps.length - 1, 'the SPS has emulation prevention bytes');
  assert.deepEqual(spsInfo(sps), { profileIdc: 100, constraintFlags: 0, levelIdc: 40, profileLevelId: '640028', chromaFormatIdc: 1, width: 1920, height: 1080, frameRate: 25 });
});

test('spsInfo: openh264 constrained baseline 640×360 (cropping 368 → 360, no VUI timing)', () => {
  const { sps } = spropParameterSets('sprop-parameter-sets=Z0LAHoyNQFAX/LAPCIRq,aM48gA==')!;
  assert.deepEqual(spsInfo(sps), { profileIdc: 66, constraintFlags: 0xc0, levelIdc: 30, profileLevelId: '42c01e', chromaFormatIdc: 1, width: 640, height: 360, frameRate: null });
});

test('spsInfo: truncated or wrong input gives null; a truncated VUI loses only the frame rate', () => {
  const { sps } = spropParameterSets(X264_FMTP)!;
  assert.equal(spsInfo(Buffer.alloc(0)), null);
  assert.equal(spsInfo(Buffer.from([0x68, 0x42, 0, 30, 0xff])), null, 'not an SPS');
  assert.equal(spsInfo(sps.subarray(0, 6)), null, 'cut before the picture size');
  const allOnes = Buffer.alloc(30, 0xff);
  allOnes[0] = 0x67;
  assert.doesNotThrow(() => spsInfo(allOnes));
  const zeros = Buffer.alloc(30, 0);
  zeros[0] = 0x67;
  zeros[1] = 100;
  assert.equal(spsInfo(zeros), null, 'exp-Golomb with too many leading zeros');
  for (let n = 0; n <= sps.length; n++) assert.doesNotThrow(() => spsInfo(sps.subarray(0, n)));
  // Cut inside the VUI timing info: size still known.
  const cut = spsInfo(sps.subarray(0, sps.length - 5));
  assert.ok(cut);
  assert.equal(cut.width, 1920);
  assert.equal(cut.frameRate, null);
});

test('ParameterSetTracker: starts from the SDP, follows in-band changes, copies them', () => {
  const ps = spropParameterSets(X264_FMTP)!;
  const t = new ParameterSetTracker(ps);
  assert.ok(t.get()!.sps.equals(ps.sps));
  const sps2 = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
  const au: AccessUnit = { timestamp: 0, nalus: [sps2, ps.pps, Buffer.from([0x65, 1])], keyframe: true, hasParameterSets: true, bytes: 0, damaged: false };
  assert.equal(t.observe(au), true);
  assert.equal(t.observe(au), false, 'same again: no change');
  assert.equal(t.changes, 1);
  sps2[1] = 0; // the packet buffer reused: the tracker kept its own copy
  assert.equal(t.get()!.sps[1], 0x42);
  assert.equal(new ParameterSetTracker().get(), null);
});

test('parameterSetsStapA: a STAP-A the depacketizer reads back as SPS + PPS', () => {
  const ps = spropParameterSets(X264_FMTP)!;
  const payload = parameterSetsStapA(ps.sps, ps.pps);
  assert.equal(payload[0]! & 0x1f, 24);
  assert.equal(payload[0]! & 0x60, 0x60);
  const pkt = buildRtp({ marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 5, ssrc: 9 }, payload);
  const d = new H264Depacketizer();
  d.push(pkt, parseRtp(pkt)!);
  const au = d.flush()!;
  assert.equal(au.hasParameterSets, true);
  assert.ok(au.nalus[0]!.equals(ps.sps) && au.nalus[1]!.equals(ps.pps));
});

test('ParameterSetGate: yes once before an IDR access unit that lacks SPS/PPS before it', () => {
  const g = new ParameterSetGate();
  let seq = 0;
  const ask = (payload: Buffer, ts: number): boolean => {
    const pkt = buildRtp({ payloadType: 96, sequenceNumber: seq++, timestamp: ts, ssrc: 1 }, payload);
    return g.before(pkt, parseRtp(pkt)!);
  };
  const sps = Buffer.from([0x67, 1, 2]);
  const pps = Buffer.from([0x68, 1]);
  const idrStart = Buffer.from([0x7c, 0x85, 1, 2]);
  const idrMid = Buffer.from([0x7c, 0x05, 3]);
  // In-band SPS + PPS (single packets) before the IDR: no.
  assert.equal(ask(sps, 1), false);
  assert.equal(ask(pps, 1), false);
  assert.equal(ask(idrStart, 1), false);
  // No parameter sets: yes at the first IDR packet only (not for its second slice).
  assert.equal(ask(Buffer.from([0x09, 0xf0]), 2), false);
  assert.equal(ask(idrStart, 2), true);
  assert.equal(ask(idrMid, 2), false);
  assert.equal(ask(Buffer.from([0x65, 9]), 2), false);
  // Only an SPS: yes.
  assert.equal(ask(sps, 3), false);
  assert.equal(ask(Buffer.from([0x65, 9]), 3), true);
  // A STAP-A with all three: no. P frames: no.
  const stap = Buffer.from([0x78, 0, 3, ...sps, 0, 2, ...pps, 0, 2, 0x65, 9]);
  assert.equal(ask(stap, 4), false);
  assert.equal(ask(Buffer.from([0x41, 9]), 5), false);
  assert.equal(g.inserted, 2);
});
