import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoveryTarget, OnvifApi, OnvifApiError, parseDevices, parseProfiles } from '../src/services/onvif-api.js';

test('discover replies: devices without an endpoint or an address are dropped; odd replies are refused', () => {
  assert.deepEqual(
    parseDevices({ devices: [{ endpoint: 'urn:uuid:1', xaddrs: ['http://10.0.0.5/onvif/device_service', 7], name: 'Cổng', hardware: null, location: 'ward/5', from: '10.0.0.5' }, { endpoint: 'urn:uuid:2', xaddrs: [] }, 'x'] }),
    [{ endpoint: 'urn:uuid:1', xaddrs: ['http://10.0.0.5/onvif/device_service'], name: 'Cổng', hardware: null, location: 'ward/5', from: '10.0.0.5' }],
  );
  for (const bad of [null, [], { devices: 'x' }]) assert.throws(() => parseDevices(bad), OnvifApiError);
});

test('profiles replies: typed fields, the grant and the suggestion', () => {
  const r = parseProfiles({ host: 'http://10.0.0.5', grant: 'og_x', expiresInS: 600, suggested: { main: 'p1', sub: null }, profiles: [{ token: 'p1', name: 'Main', encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: null, uri: 'rtsp://a:***@10.0.0.5/1' }, { name: 'no token' }] });
  assert.deepEqual(r.profiles, [{ token: 'p1', name: 'Main', encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: null, uri: 'rtsp://a:***@10.0.0.5/1' }]);
  assert.deepEqual([r.grant, r.suggested], ['og_x', { main: 'p1', sub: null }]);
  assert.throws(() => parseProfiles({ profiles: [] }), OnvifApiError);
});

test('Add sends the grant and the profile tokens, never a password; a refusal keeps the server code', async () => {
  const sent: unknown[] = [];
  const api = new OnvifApi(async (_url, init) => {
    sent.push(JSON.parse(String(init?.body)));
    return sent.length === 1 ? Response.json({ camera: { id: 'cong' } }, { status: 201 }) : Response.json({ code: 'ONVIF_EXPIRED', message: 'again' }, { status: 410 });
  });
  assert.equal(await api.add('og_x', 'Cổng', 'p1', 'p2'), 'cong');
  assert.deepEqual(sent[0], { grant: 'og_x', name: 'Cổng', main: 'p1', sub: 'p2' });
  await assert.rejects(api.add('og_x', 'Cổng', 'p1', null), (e: unknown) => e instanceof OnvifApiError && e.code === 'ONVIF_EXPIRED');
});

test('the address field: an IPv4 address, with a port when given', () => {
  assert.deepEqual(discoveryTarget(' 192.168.1.64 '), { host: '192.168.1.64' });
  assert.deepEqual(discoveryTarget('192.168.1.64:3703'), { host: '192.168.1.64', port: 3703 });
  assert.deepEqual(discoveryTarget('a b'), { host: 'a b' });
});
