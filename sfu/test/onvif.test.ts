/**
 * ONVIF discovery's pure parts (WS-Discovery probe/match, media profiles, stream URIs, suggestions,
 * masking, grants) with crafted and malformed input, and the client against the loopback responder
 * (testing/onvif/responder.ts): WS-Discovery by unicast, GetProfiles + GetStreamUri with WS-Security.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { startOnvifResponder } from '@wardwall/testing/onvif';
import { discover, parseProbeMatches, probeXml, readScopes } from '../src/onvif/ws-discovery.js';
import { parseProfiles, parseStreamUri, streamUriRequest, suggestStreams, withCredentials, type MediaProfile } from '../src/ptz/onvif-media.js';
import { OnvifClient, OnvifError, soapBody } from '../src/ptz/onvif-client.js';
import { OnvifGrants } from '../src/onvif/onvif-grants.js';
import { shownUri } from '../src/onvif/onvif-routes.js';

const MID = 'uuid:0b7c-probe';
const match = (inner: string, relates = MID) =>
  `<?xml version="1.0"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Header><w:RelatesTo>${relates}</w:RelatesTo><w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</w:Action></e:Header><e:Body><d:ProbeMatches>${inner}</d:ProbeMatches></e:Body></e:Envelope>`;
const pm = (addr: string, xaddrs: string, scopes = '') => `<d:ProbeMatch><w:EndpointReference><w:Address>${addr}</w:Address></w:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddrs}</d:XAddrs></d:ProbeMatch>`;

test('the probe names NetworkVideoTransmitter, our MessageID, and escapes it', () => {
  const x = probeXml('uuid:a<b');
  assert.match(x, /<d:Types>dn:NetworkVideoTransmitter<\/d:Types>/);
  assert.match(x, /<a:MessageID>uuid:a&lt;b<\/a:MessageID>/);
  assert.match(x, /discovery\/Probe<\/a:Action>/);
});

test('ProbeMatches: devices with their scopes; only http(s) XAddrs; matches without an address or XAddr dropped', () => {
  const xml = match(
    pm('urn:uuid:1', 'http://10.0.0.5/onvif/device_service ftp://x/y http://[fe80::1]/onvif/device_service', 'onvif://www.onvif.org/name/C%E1%BB%95ng%20ch%C3%ADnh onvif://www.onvif.org/hardware/IPC-B1 onvif://www.onvif.org/location/city/hanoi onvif://www.onvif.org/location/ward/5') +
      pm('', 'http://10.0.0.6/') +
      pm('urn:uuid:3', 'gopher://x'),
  );
  const d = parseProbeMatches(xml, MID, '10.0.0.5');
  assert.deepEqual(d, [{ endpoint: 'urn:uuid:1', xaddrs: ['http://10.0.0.5/onvif/device_service', 'http://[fe80::1]/onvif/device_service'], types: ['dn:NetworkVideoTransmitter'], from: '10.0.0.5', name: 'Cổng chính', hardware: 'IPC-B1', location: 'city/hanoi, ward/5' }]);
});

test('ProbeMatches: anything else is null, never a throw', () => {
  const crafted = [
    '',
    'not xml at all',
    '<a><b></a>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><x>&b;</x>',
    match(pm('urn:uuid:1', 'http://10.0.0.5/'), 'uuid:another-probe'),
    match(pm('urn:uuid:1', 'http://10.0.0.5/')).replace('ProbeMatches</w:Action>', 'Hello</w:Action>'),
    probeXml(MID),
    'x'.repeat(40_000),
    '<Envelope><Header><RelatesTo>uuid:0b7c-probe</RelatesTo></Header><Body><ProbeMatches><ProbeMatch><EndpointReference/><XAddrs><x/></XAddrs></ProbeMatch></ProbeMatches></Body></Envelope>',
    '\u0000\u0001\u00ff<<<>>>',
  ];
  for (const c of crafted) {
    const r = parseProbeMatches(c, MID, '127.0.0.1');
    assert.ok(r === null || (Array.isArray(r) && r.length === 0), `crafted input ${JSON.stringify(c.slice(0, 40))} gives nothing`);
  }
  // A bad percent escape in a scope: no name, no throw.
  assert.deepEqual(readScopes('onvif://www.onvif.org/name/%E0%A4%A onvif://www.onvif.org/hardware/ok%00x'), { name: null, hardware: 'ok x', location: null });
});

const PROFILES = `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetProfilesResponse>
  <Profiles token="p1"><Name>Main</Name><VideoEncoderConfiguration><Encoding>H264</Encoding><Resolution><Width>2560</Width><Height>1440</Height></Resolution><RateControl><FrameRateLimit>20</FrameRateLimit><BitrateLimit>6144</BitrateLimit></RateControl></VideoEncoderConfiguration></Profiles>
  <Profiles token="p2"><Name>Sub</Name><VideoEncoderConfiguration><Encoding>H265</Encoding><Resolution><Width>704</Width><Height>576</Height></Resolution><RateControl><FrameRateLimit>abc</FrameRateLimit></RateControl></VideoEncoderConfiguration></Profiles>
  <Profiles token="p3"><Name>Jpeg</Name><VideoEncoderConfiguration><Encoding>JPEG</Encoding><Resolution><Width>320</Width><Height>240</Height></Resolution></VideoEncoderConfiguration></Profiles>
  <Profiles token="p4"><Name>Audio only</Name></Profiles>
  <Profiles><Name>no token</Name></Profiles>
</GetProfilesResponse></s:Body></s:Envelope>`;

test('GetProfiles: encoding, size, rate, bitrate; missing pieces are null', () => {
  const p = parseProfiles(soapBody(PROFILES));
  assert.deepEqual(
    p.map((x) => [x.token, x.name, x.encoding, x.width, x.height, x.fps, x.bitrateKbps]),
    [
      ['p1', 'Main', 'H264', 2560, 1440, 20, 6144],
      ['p2', 'Sub', 'H265', 704, 576, null, null],
      ['p3', 'Jpeg', 'JPEG', 320, 240, null, null],
      ['p4', 'Audio only', null, null, null, null, null],
    ],
  );
  assert.deepEqual(parseProfiles({}), []);
  assert.deepEqual(parseProfiles({ GetProfilesResponse: 'text' }), []);
  assert.deepEqual(parseProfiles({ GetProfilesResponse: { Profiles: [null, 5, { '@token': { x: 1 } }] } }), []);
});

test('suggested main is the largest usable profile, sub the smallest; JPEG and URI-less profiles are not suggested', () => {
  const p = parseProfiles(soapBody(PROFILES)).map((x) => ({ ...x, uri: `rtsp://10.0.0.5/${x.token}` }));
  assert.deepEqual(suggestStreams(p), { main: 'p1', sub: 'p2' });
  assert.deepEqual(suggestStreams(p.map((x) => (x.token === 'p1' ? { ...x, uri: null } : x))), { main: 'p2', sub: null });
  assert.deepEqual(suggestStreams([]), { main: null, sub: null });
  const same: MediaProfile[] = [p[0]!, { ...p[0]!, token: 'p1b' }];
  assert.deepEqual(suggestStreams(same), { main: 'p1', sub: null }, 'two profiles of one size: no sub');
});

test('GetStreamUri: the request names the profile; only rtsp(s) URIs are taken', () => {
  assert.match(streamUriRequest('a&b'), /<trt:ProfileToken>a&amp;b<\/trt:ProfileToken>/);
  assert.match(streamUriRequest('x'), /<tt:Protocol>RTSP<\/tt:Protocol>/);
  const uri = (u: string) => ({ GetStreamUriResponse: { MediaUri: { Uri: u } } });
  assert.equal(parseStreamUri(uri(' rtsp://10.0.0.5:554/Streaming/101 ')), 'rtsp://10.0.0.5:554/Streaming/101');
  for (const bad of ['http://10.0.0.5/x', 'rtsp://', '', 'rtsp://a b', `rtsp://x/${'a'.repeat(3000)}`]) assert.throws(() => parseStreamUri(uri(bad)));
  assert.throws(() => parseStreamUri({}));
  assert.throws(() => parseStreamUri({ GetStreamUriResponse: 7 }));
});

test('credentials go into the URI (percent-encoded) unless it has some; the admin sees them masked', () => {
  const full = withCredentials('rtsp://10.0.0.5:554/Streaming/101?transport=tcp', 'admin', 'p@ss:w/rd');
  assert.equal(full, 'rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101?transport=tcp');
  assert.equal(new URL(full).password, 'p%40ss%3Aw%2Frd');
  assert.equal(withCredentials('rtsp://u:v@10.0.0.5/x', 'admin', 'p'), 'rtsp://u:v@10.0.0.5/x');
  assert.equal(shownUri(full), 'rtsp://admin:***@10.0.0.5:554/Streaming/101?transport=tcp');
  assert.equal(shownUri('rtsp://10.0.0.5/live?user=admin&password=hunter2&pwd=x'), 'rtsp://10.0.0.5/live?user=admin&password=***&pwd=***');
  assert.equal(shownUri('nonsense'), '<invalid url>');
});

test('grants: per user, expire, are dropped, and the oldest goes when full', () => {
  let now = 0;
  const g = new OnvifGrants(1000, 2, () => now);
  const a = g.issue('u1', new Map([['p', 'rtsp://x/']]));
  assert.equal(g.get(a.token, 'u1').streams.get('p'), 'rtsp://x/');
  assert.throws(() => g.get(a.token, 'u2'), { code: 'ONVIF_EXPIRED' });
  assert.throws(() => g.get('og_nothing', 'u1'), { code: 'ONVIF_EXPIRED' });
  const b = g.issue('u1', new Map());
  g.issue('u1', new Map());
  assert.throws(() => g.get(a.token, 'u1'), { code: 'ONVIF_EXPIRED' }, 'the oldest is evicted');
  g.drop(b.token);
  assert.throws(() => g.get(b.token, 'u1'), { code: 'ONVIF_EXPIRED' });
  now = 1000;
  assert.equal(g.size, 0, 'expired');
});

test('WS-Discovery by unicast to the loopback responder: its match is found, junk replies and junk probes are ignored', async () => {
  const cam = await startOnvifResponder({
    discovery: {
      name: 'Cổng chính',
      hardware: 'WW-Test',
      location: 'ward/5',
      junkFirst: (mid) => ['<<not xml', match(pm('urn:uuid:evil', 'http://10.9.9.9/'), 'uuid:someone-else'), match(pm('urn:uuid:x', 'javascript:alert(1)'), mid)],
    },
  });
  try {
    // Junk probes at the responder: ignored, no crash, and it still answers a real probe after them.
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    for (const junk of ['', 'garbage', '<Envelope><Body><Probe/></Body></Envelope>', probeXml('').replace('<a:MessageID></a:MessageID>', ''), probeXml('uuid:x').replace('dn:NetworkVideoTransmitter', 'dn:Printer')]) {
      await new Promise<void>((r) => s.send(Buffer.from(junk), cam.discoveryPort, '127.0.0.1', () => r()));
    }
    s.close();
    const r = await discover({ multicast: false, targets: [{ host: '127.0.0.1', port: cam.discoveryPort }], waitMs: 1200 });
    assert.deepEqual(r.sendErrors, []);
    assert.equal(r.devices.length, 1, JSON.stringify(r));
    assert.deepEqual(r.devices[0], { endpoint: cam.endpoint, xaddrs: [cam.url], types: ['dn:NetworkVideoTransmitter', 'tds:Device'], from: '127.0.0.1', name: 'Cổng chính', hardware: 'WW-Test', location: 'ward/5' });
    assert.ok(r.ignored >= 2, `junk replies ignored (${r.ignored})`);
    assert.equal(cam.discoveryStats.ignored, 5, 'the five junk probes were ignored');
    assert.ok(cam.discoveryStats.answered >= 1);
  } finally {
    await cam.close();
  }
});

test('media profiles with GetStreamUri through WS-Security; a wrong password is an auth error', async () => {
  const cam = await startOnvifResponder({ user: 'admin', password: 'right-one', noPtz: true, streams: { main: 'rtsp://127.0.0.1:8554/live/main', sub: 'rtsp://127.0.0.1:8554/live/sub' } });
  try {
    const p = await new OnvifClient({ url: cam.url, user: 'admin', password: 'right-one' }).mediaProfiles();
    assert.deepEqual(
      p.map((x) => [x.token, x.encoding, x.width, x.height, x.fps, x.uri]),
      [
        ['prof-sub', 'H264', 640, 360, 15, 'rtsp://127.0.0.1:8554/live/sub'],
        ['prof-main', 'H264', 1920, 1080, 25, 'rtsp://127.0.0.1:8554/live/main'],
        ['prof-jpeg', 'JPEG', 640, 480, 5, 'rtsp://127.0.0.1:554/prof-jpeg'],
      ],
    );
    assert.deepEqual(suggestStreams(p), { main: 'prof-main', sub: 'prof-sub' });
    await assert.rejects(new OnvifClient({ url: cam.url, user: 'admin', password: 'wrong' }).mediaProfiles(), (e: unknown) => e instanceof OnvifError && e.kind === 'auth');
    await assert.rejects(new OnvifClient({ url: 'http://127.0.0.1:1/onvif/device_service', user: 'admin', password: 'x' }, { timeoutMs: 1000 }).mediaProfiles(), (e: unknown) => e instanceof OnvifError && e.kind === 'unreachable');
  } finally {
    await cam.close();
  }
});

test('WS-Discovery by multicast: a probe to the group (on a test port) reaches the responder, its unicast match comes back', async (t) => {
  const port = 37000 + Math.floor(Math.random() * 2000);
  let cam;
  try {
    cam = await startOnvifResponder({ discovery: { name: 'Nhóm', multicastPort: port } });
  } catch (e) {
    t.skip(`this host cannot join a multicast group (${(e as Error).message})`);
    return;
  }
  try {
    const r = await discover({ multicast: true, group: { host: '239.255.255.250', port }, waitMs: 1200 });
    assert.deepEqual(r.sendErrors, []);
    assert.deepEqual(r.devices.map((d) => [d.endpoint, d.name, d.xaddrs[0]]), [[cam.endpoint, 'Nhóm', cam.url]]);
  } finally {
    await cam.close();
  }
});
