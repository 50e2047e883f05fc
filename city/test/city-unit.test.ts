/** Pure pieces of the city control plane: nats-server configs, the directory state, the request envelope. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerWardRequest, cameraKey, DirectoryState, hubConfig, leafConfig, parseCameraKey, type CameraRecord, type WardHandlers, type WardRecord } from '@wardwall/city';

const PW = 'abcdefghijklmnop_1234';
const hubBase = { clientPort: 4222, leafPort: 7422, storeDir: '/var/lib/wardwall/nats', clients: [{ user: 'centre', password: PW }], wards: [{ user: 'ward-w1', password: `${PW}x` }] };
const leafBase = { wardId: 'w1', clientPort: 4223, storeDir: '/var/lib/wardwall/nats', clients: [{ user: 'ward', password: PW }], hubHost: 'centre.example', hubLeafPort: 7422, hubUser: { user: 'ward-w1', password: `${PW}x` } };

test('hub config: JetStream domain hub, client port on its address, leafnode users, no monitoring unless asked (then loopback)', () => {
  const c = hubConfig(hubBase);
  assert.match(c, /^listen: "127\.0\.0\.1:4222"$/m);
  assert.match(c, /jetstream \{\n {2}store_dir: "\/var\/lib\/wardwall\/nats"\n {2}domain: "hub"\n {2}max_memory_store: 67108864\n {2}max_file_store: 1073741824\n\}/);
  assert.match(c, /authorization \{\n {2}users: \[\n {4}\{ user: "centre", password: "abcdefghijklmnop_1234" \}/);
  assert.match(c, /leafnodes \{\n {2}listen: "0\.0\.0\.0:7422"\n {2}no_advertise: true\n {2}authorization \{\n {2}users: \[\n {4}\{ user: "ward-w1", password: "abcdefghijklmnop_1234x" \}/);
  assert.doesNotMatch(c, /http|monitor|no_auth_user/);
  assert.match(hubConfig({ ...hubBase, monitorPort: 8222 }), /^http: "127\.0\.0\.1:8222"$/m);
  assert.match(hubConfig({ ...hubBase, leafAdvertise: 'centre.example:7422' }), /no_advertise: true\n {2}advertise: "centre\.example:7422"\n/);
  assert.match(hubConfig({ ...hubBase, clientHost: '10.0.0.1' }), /^listen: "10\.0\.0\.1:4222"$/m);
});

test('leaf config: loopback client port, own JetStream domain, one remote to the hub with the ward credentials', () => {
  const c = leafConfig(leafBase);
  assert.match(c, /^server_name: "ward-w1"$/m);
  assert.match(c, /^listen: "127\.0\.0\.1:4223"$/m);
  assert.match(c, /domain: "w1"\n {2}max_memory_store: 67108864\n/);
  assert.match(leafConfig({ ...leafBase, jsMaxFileMb: 100 }), /max_file_store: 104857600\n/);
  assert.match(c, /remotes: \[\n {4}\{ url: "nats-leaf:\/\/ward-w1:abcdefghijklmnop_1234x@centre\.example:7422" \}\n {2}\]/);
  assert.match(c, /reconnect: 1\n/);
  assert.match(c, /users: \[\n {4}\{ user: "ward", password: "abcdefghijklmnop_1234" \}/);
  assert.doesNotMatch(c, /http|no_auth_user|listen: "0/);
  assert.match(leafConfig({ ...leafBase, hubHost: '::1' }), /@\[::1\]:7422"/);
});

test('configs refuse what could open a hole or break the file', () => {
  const bad: [string, () => string][] = [
    ['no clients', () => hubConfig({ ...hubBase, clients: [] })],
    ['no wards', () => hubConfig({ ...hubBase, wards: [] })],
    ['short password', () => hubConfig({ ...hubBase, clients: [{ user: 'centre', password: 'short' }] })],
    ['quote in password', () => hubConfig({ ...hubBase, clients: [{ user: 'centre', password: `${PW}"\n}` }] })],
    ['quote in user', () => hubConfig({ ...hubBase, clients: [{ user: 'a"b', password: PW }] })],
    ['relative store', () => hubConfig({ ...hubBase, storeDir: 'data/nats' })],
    ['duplicate user', () => hubConfig({ ...hubBase, wards: [{ user: 'ward-w1', password: PW }, { user: 'ward-w1', password: PW }] })],
    ['port 0', () => hubConfig({ ...hubBase, clientPort: 0 })],
    ['unknown key', () => hubConfig({ ...hubBase, noAuthUser: 'x' } as never)],
    ['ward id with a dot', () => leafConfig({ ...leafBase, wardId: 'w.1' })],
    ['ward id hub', () => leafConfig({ ...leafBase, wardId: 'hub' })],
    ['host with a slash', () => leafConfig({ ...leafBase, hubHost: 'a/b@c' })],
    ['@ in hub password', () => leafConfig({ ...leafBase, hubUser: { user: 'ward-w1', password: `${PW}@evil` } })],
  ];
  for (const [name, f] of bad) assert.throws(f, Error, name);
});

test('camera keys: <ward>.<camera>, anything else refused', () => {
  assert.equal(cameraKey('w1', 'cam-1'), 'w1.cam-1');
  assert.deepEqual(parseCameraKey('w1.cam-1'), { ward: 'w1', camera: 'cam-1' });
  for (const k of ['w1', 'w1.cam.x', 'W1.cam', 'w1.', '.cam', 'w1.Cam']) assert.equal(parseCameraKey(k), null, k);
});

const cam = (ward: string, id: string, state: CameraRecord['state'] = 'live'): CameraRecord => ({ ward, id, name: id.toUpperCase(), state, reason: state === 'live' ? null : 'unreachable', position: { x: 10, y: 20 }, since: 1 });
const ward = (id: string, heartbeatMs = 1000): WardRecord => ({ ward: id, name: `Ward ${id}`, at: 0, heartbeatMs, cameras: 0 });

test('directory: wards online on a heartbeat, offline after 3 missed beats, back on the next one', () => {
  const d = new DirectoryState();
  assert.deepEqual(d.wardPut(ward('w1'), 1000), [{ kind: 'ward-online', ward: 'w1', at: 1000 }]);
  assert.deepEqual(d.wardPut(ward('w1'), 2000), [], 'a heartbeat of an online ward changes nothing');
  assert.deepEqual(d.tick(4999), []);
  assert.deepEqual(d.tick(5000), [{ kind: 'ward-offline', ward: 'w1', at: 5000, silentMs: 3000 }]);
  assert.deepEqual(d.tick(9000), [], 'offline once');
  assert.equal(d.ward('w1')?.online, false);
  assert.deepEqual(d.wardPut(ward('w1'), 9500), [{ kind: 'ward-online', ward: 'w1', at: 9500 }]);
  // The timeout follows the ward's own heartbeat period and the configured beats.
  const e = new DirectoryState({ offlineAfterBeats: 2 });
  e.wardPut(ward('w2', 500), 0);
  assert.deepEqual(e.tick(999), []);
  assert.equal(e.tick(1000).length, 1);
});

test('directory: cameras grouped by ward, sorted; a ward offline shows its cameras offline (linkDown) and keeps their last state', () => {
  const d = new DirectoryState();
  d.wardPut(ward('w2'), 0);
  d.wardPut(ward('w1'), 0);
  assert.deepEqual(d.cameraPut(cam('w2', 'b')), [{ kind: 'camera', ward: 'w2', camera: 'b', record: cam('w2', 'b') }]);
  d.cameraPut(cam('w1', 'z'));
  d.cameraPut(cam('w1', 'a', 'offline'));
  assert.deepEqual(d.cameraPut(cam('w1', 'z')), [], 'same record again: no change');
  const v = d.view();
  assert.deepEqual(v.map((w) => [w.ward, w.online, w.cameras.map((c) => `${c.id}:${c.state}`)]), [
    ['w1', true, ['a:offline', 'z:live']],
    ['w2', true, ['b:live']],
  ]);
  d.tick(3000);
  const off = d.view();
  assert.deepEqual(off.map((w) => [w.ward, w.online, w.cameras.map((c) => `${c.id}:${c.state}:${c.linkDown}`)]), [
    ['w1', false, ['a:offline:true', 'z:offline:true']],
    ['w2', false, ['b:offline:true']],
  ]);
  d.wardPut(ward('w1'), 3100);
  assert.deepEqual(d.view()[0]!.cameras.map((c) => `${c.id}:${c.state}:${c.linkDown}`), ['a:offline:false', 'z:live:false'], 'last known state back');
  // A state change, a removal, a ward leaving.
  assert.equal(d.cameraPut(cam('w1', 'a', 'live'))[0]?.kind, 'camera');
  assert.deepEqual(d.cameraDeleted('w1', 'z'), [{ kind: 'camera-removed', ward: 'w1', camera: 'z' }]);
  assert.deepEqual(d.cameraDeleted('w1', 'nope'), []);
  assert.deepEqual(d.wardDeleted('w2'), [{ kind: 'camera-removed', ward: 'w2', camera: 'b' }, { kind: 'ward-removed', ward: 'w2' }]);
  assert.deepEqual(d.view().map((w) => w.ward), ['w1']);
  // Cameras before their ward's first heartbeat: listed under an offline ward.
  d.cameraPut(cam('w3', 'c'));
  assert.deepEqual(d.view().find((w) => w.ward === 'w3')?.online, false);
});

test('ward requests: the envelope answers ok with a checked body, or a code', async () => {
  const one = cam('w1', 'c1');
  const handlers: WardHandlers = { 'cameras.list': () => ({ cameras: [one] }) };
  const enc = (s: string) => new TextEncoder().encode(s);
  const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
  assert.deepEqual(dec(await answerWardRequest(handlers, 'cameras.list', enc('{}'))), { ok: true, body: { cameras: [one] } });
  assert.deepEqual(dec(await answerWardRequest(handlers, 'cameras.list', new Uint8Array())), { ok: true, body: { cameras: [one] } }, 'empty body = {}');
  const codes: [string, string, Uint8Array, WardHandlers][] = [
    ['unknown op', 'cameras.drop', enc('{}'), handlers],
    ['not JSON', 'cameras.list', enc('{'), handlers],
    ['extra field', 'cameras.list', enc('{"x":1}'), handlers],
    ['handler throws', 'cameras.list', enc('{}'), { 'cameras.list': () => { throw new Error('cannot reach rtsp://u:p@10.0.0.9/main'); } }],
    ['reply with a URL field', 'cameras.list', enc('{}'), { 'cameras.list': () => ({ cameras: [{ ...one, url: 'rtsp://u:p@h/' }] }) as never }],
    ['pipe op without a handler (a ward without an SFU)', 'pipe.open', enc('{}'), handlers],
    ['pipe open without its fields', 'pipe.open', enc('{"pipeId":"p"}'), { ...handlers, 'pipe.open': () => ({ error: { code: 'PIPE_CLOSED', message: 'x' } }) }],
  ];
  const want = ['UNKNOWN_OP', 'BAD_REQUEST', 'BAD_REQUEST', 'INTERNAL', 'INTERNAL', 'UNKNOWN_OP', 'BAD_REQUEST'];
  for (const [i, [name, op, data, h]] of codes.entries()) {
    const r = dec(await answerWardRequest(h, op, data));
    assert.equal(r.ok, false, name);
    assert.equal(r.code, want[i], name);
    assert.doesNotMatch(r.message, /u:p@/, name);
  }
});

test('ward requests: pipe.close answers the closure, or a pipe refusal as a normal reply', async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
  const closed: WardHandlers = { 'pipe.close': ({ pipeId }) => ({ closed: pipeId === 'p1' }) };
  assert.deepEqual(dec(await answerWardRequest(closed, 'pipe.close', enc('{"pipeId":"p1"}'))), { ok: true, body: { closed: true } });
  const refusing: WardHandlers = { 'pipe.open': () => ({ error: { code: 'PIPE_CAMERA_OFFLINE', message: 'no live producer' } }) };
  const open = { pipeId: 'p1', cameraId: 'c1', stream: 'main', centre: { ip: '127.0.0.1', port: 40000, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'a2V5' } } };
  assert.deepEqual(dec(await answerWardRequest(refusing, 'pipe.open', enc(JSON.stringify(open)))), { ok: true, body: { error: { code: 'PIPE_CAMERA_OFFLINE', message: 'no live producer' } } });
  const badCode: WardHandlers = { 'pipe.open': () => ({ error: { code: 'NOPE', message: 'x' } }) as never };
  assert.equal(dec(await answerWardRequest(badCode, 'pipe.open', enc(JSON.stringify(open)))).code, 'INTERNAL', 'a refusal with an unknown code does not fit');
});
