import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, effectiveCameras, resolveConfig } from '../src/config.js';
import { demoCameras } from '../src/demo-ward.js';

test('defaults: the embedded default with 6 demo cameras, two with a sub stream', () => {
  const c = resolveConfig(undefined, {});
  assert.equal(c.sfu.port, 8080);
  const cams = effectiveCameras(c);
  assert.equal(cams.length, 6);
  assert.equal(cams.filter((x) => x.sub).length, 2);
  assert.match(cams[0]!.main, /^rtsp:\/\/127\.0\.0\.1:8554\/live\/demo-1$/);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.sfu));
});

test('configured cameras switch the demo off unless asked for', () => {
  const cam = { id: 'gate-1', name: 'Cổng', main: 'rtsp://u:p@10.0.0.5/stream1', sub: 'rtsp://u:p@10.0.0.5/stream2' };
  const c = resolveConfig({ cameras: [cam] });
  assert.deepEqual(effectiveCameras(c).map((x) => x.id), ['gate-1']);
  const both = resolveConfig({ cameras: [cam], demo: { enabled: true, count: 2 } });
  assert.deepEqual(effectiveCameras(both).map((x) => x.id), ['gate-1', 'demo-1', 'demo-2']);
});

const bad: [string, unknown, Record<string, string>, RegExp][] = [
  ['wrong type names the key', { sfu: { port: 'x' } }, {}, /sfu\.port/],
  ['unknown key is refused', { sfu: { prot: 1 } }, {}, /sfu.*unknown key.*prot/],
  ['bad camera URL', { cameras: [{ id: 'a', name: 'A', main: 'http://x' }] }, {}, /cameras\.0\.main/],
  ['bad camera id', { cameras: [{ id: 'A B', name: 'A', main: 'rtsp://x/y' }] }, {}, /cameras\.0\.id/],
  ['duplicate ids', { cameras: [{ id: 'a', name: 'A', main: 'rtsp://x/y' }, { id: 'a', name: 'B', main: 'rtsp://x/z' }] }, {}, /cameras\.1\.id.*duplicate/],
  ['env number', {}, { WARDWALL_SFU_PORT: 'eighty' }, /sfu\.port.*WARDWALL_SFU_PORT/],
  ['city ward without its id', { city: { role: 'ward', nats: { passwordFile: '/x' } } }, {}, /city\.ward.*needs city\.ward/],
  ['city without a password file', { city: { role: 'centre' } }, {}, /city\.nats\.passwordFile/],
  ['city bad ward id', { city: { role: 'ward', ward: { id: 'W 1', name: 'x' }, nats: { passwordFile: '/x' } } }, {}, /city\.ward\.id/],
  ['city ward id hub', { city: { role: 'ward', ward: { id: 'hub', name: 'x' }, nats: { passwordFile: '/x' } } }, {}, /city\.ward\.id.*reserved/],
  ['city ward placed twice', { city: { role: 'centre', nats: { passwordFile: '/x' }, wards: [{ id: 'w1', map: { x: 0, y: 0, scale: 0.5 } }, { id: 'w1', map: { x: 500, y: 0, scale: 0.5 } }] } }, {}, /city\.wards.*each ward id once/],
  ['city ward placement without a scale', { city: { role: 'centre', nats: { passwordFile: '/x' }, wards: [{ id: 'w1', map: { x: 0, y: 0, scale: 0 } }] } }, {}, /city\.wards\.0\.map\.scale/],
  ['city ward placement with a bad id', { city: { role: 'centre', nats: { passwordFile: '/x' }, wards: [{ id: 'W 1', map: { x: 0, y: 0, scale: 1 } }] } }, {}, /city\.wards\.0\.id/],
  ['city credentials in the NATS URL', { city: { role: 'centre', nats: { url: 'nats://u:p@127.0.0.1:4222', passwordFile: '/x' } } }, {}, /city\.nats\.url/],
  ['root must be an object', [], {}, /root/],
];
for (const [name, file, env, re] of bad) {
  test(`config error: ${name}`, () => {
    assert.throws(() => resolveConfig(file, env), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  });
}

test('environment overrides the file', () => {
  const c = resolveConfig({ sfu: { port: 9000 } }, { WARDWALL_SFU_PORT: '9100', WARDWALL_ANNOUNCED_ADDRESS: '203.0.113.7' });
  assert.equal(c.sfu.port, 9100);
  assert.equal(c.sfu.webrtc.announcedAddress, '203.0.113.7');
});

test('demo cameras sit on the schematic ward map, ids unique', () => {
  const cams = demoCameras(resolveConfig({ demo: { count: 8 } }));
  assert.equal(new Set(cams.map((c) => c.id)).size, 8);
  for (const c of cams) assert.ok(c.position && c.position.x >= 0 && c.position.x <= 1000);
});

test('city: off by default; ward and centre roles resolve; remote camera ids parse', async () => {
  const off = resolveConfig({});
  assert.equal(off.city.role, 'off');
  assert.deepEqual(off.city.wards, [], 'no ward placed on the city map by default');
  const placed = resolveConfig({ city: { role: 'centre', nats: { passwordFile: '/x' }, wards: [{ id: 'w1', map: { x: 0, y: 0, scale: 0.5 } }] } });
  assert.deepEqual(placed.city.wards, [{ id: 'w1', map: { x: 0, y: 0, scale: 0.5 } }]);
  const ward = resolveConfig({ city: { role: 'ward', ward: { id: 'w1', name: 'Phường 1' }, nats: { url: 'nats://127.0.0.1:4223', user: 'ward', passwordFile: '/etc/wardwall/nats' } } });
  assert.equal(ward.city.ward?.id, 'w1');
  assert.equal(ward.city.nats.url, 'nats://127.0.0.1:4223');
  const { parseRemoteCameraId } = await import('../src/config.js');
  assert.deepEqual(parseRemoteCameraId('w1/demo-1'), { ward: 'w1', camera: 'demo-1' });
  assert.equal(parseRemoteCameraId('demo-1'), null);
  assert.equal(parseRemoteCameraId('hub/demo-1'), null);
  assert.equal(parseRemoteCameraId('w1/a/b'), null);
  assert.equal(parseRemoteCameraId('W1/demo'), null);
});
