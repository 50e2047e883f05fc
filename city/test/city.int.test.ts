/**
 * The city control plane with real nats-server processes on loopback: a hub and two ward leaf nodes
 * (each linked through a relay the test cuts). Ward registries publish, the centre's directory sees
 * both wards' cameras grouped by ward and live-state changes; a cut link marks that ward offline and
 * a restored one brings it back (times measured and printed, no thresholds); the ward keeps
 * answering its own services while cut; sockets refuse clients without credentials.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { freeTcpPort } from '@wardwall/server-kit';
import { CentreDirectory, connectNats, hubConfig, NatsConnectError, leafConfig, NatsProcessError, NatsServerProcess, newPassword, requestWard, WardRegistry, WardRegistryError, WardRequestError, type DirectoryChange, type WardCamera } from '@wardwall/city';
import { startCity, waitFor, type TestCity } from '@wardwall/testing/city';

let city: TestCity;
let centreNc: NatsConnection;
let directory: CentreDirectory;
const changes: { at: number; change: DirectoryChange }[] = [];
const registries = new Map<string, WardRegistry>();
const wardConns: NatsConnection[] = [];
const measured: Record<string, number> = {};

const CAMERAS: Record<string, WardCamera[]> = {
  w1: [
    { id: 'gate', name: 'Cổng chính', state: 'live', reason: null, position: { x: 100, y: 200, heading: 90 }, since: 1 },
    { id: 'yard', name: 'Sân', state: 'live', reason: null, position: null, since: 1 },
  ],
  w2: [{ id: 'market', name: 'Chợ', state: 'connecting', reason: 'starting', position: { x: 500, y: 500 }, since: 1 }],
};

/** Resolves with the time of the first change matching `pred` after now. */
function nextChange(pred: (c: DirectoryChange) => boolean, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      directory.off('change', on);
      reject(new Error('timed out waiting for a directory change'));
    }, timeoutMs);
    const on = (c: DirectoryChange) => {
      if (!pred(c)) return;
      clearTimeout(timer);
      directory.off('change', on);
      resolve(Date.now());
    };
    directory.on('change', on);
  });
}

const wardView = (id: string) => directory.view().find((w) => w.ward === id);

before(async () => {
  city = await startCity(['w1', 'w2']);
  centreNc = await city.connectCentre();
  directory = new CentreDirectory({ nc: centreNc });
  directory.on('change', (change) => changes.push({ at: Date.now(), change }));
  await directory.start();
  for (const [id, list] of Object.entries(CAMERAS)) {
    const nc = await city.wards.get(id)!.connect();
    wardConns.push(nc);
    const reg = new WardRegistry({ nc, ward: id, name: `Phường ${id}`, heartbeatMs: 1000 });
    reg.setCameras(list);
    reg.start();
    registries.set(id, reg);
  }
});

after(async () => {
  for (const r of registries.values()) await r.stop().catch(() => undefined);
  await directory?.stop();
  for (const nc of [...wardConns, centreNc]) await nc?.close().catch(() => undefined);
  await city?.stop();
  if (process.env.CITY_DEBUG) console.log(JSON.stringify(changes.map((c) => [c.at % 100000, c.change.kind, 'ward' in c.change ? c.change.ward : ''])), city.wards.get('w2')!.leaf.logTail().join('\n'), city.hub.logTail().join('\n'));
  if (Object.keys(measured).length) console.log(`city: measured ${JSON.stringify(measured)}`);
});

test('config files are 0600 in 0700 dirs, and no password is on a nats-server command line', () => {
  for (const p of [city.hub, ...[...city.wards.values()].map((w) => w.leaf)]) {
    assert.equal(statSync(p.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(p.configFile.replace(/\/[^/]+$/, '')).mode & 0o777, 0o700);
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    assert.doesNotMatch(cmdline, new RegExp(city.centreUser.password));
    for (const w of city.wards.values()) assert.doesNotMatch(cmdline, new RegExp(w.local.password));
    for (const line of p.logTail()) assert.doesNotMatch(line, /nats-leaf:\/\/[^*\s]+:[^*\s]+@/, 'no leaf credentials in a log line');
  }
});

test('the centre sees both wards online with their cameras grouped by ward (no URL, no credentials)', async () => {
  await waitFor('both wards with all cameras', () => {
    const v = directory.view();
    return v.length === 2 && v.every((w) => w.online) && v[0]!.cameras.length === 2 && v[1]!.cameras.length === 1;
  });
  const v = directory.view();
  assert.deepEqual(
    v.map((w) => ({ ward: w.ward, name: w.name, cameras: w.cameras.map((c) => [c.id, c.name, c.state, c.linkDown, c.position]) })),
    [
      { ward: 'w1', name: 'Phường w1', cameras: [['gate', 'Cổng chính', 'live', false, { x: 100, y: 200, heading: 90 }], ['yard', 'Sân', 'live', false, null]] },
      { ward: 'w2', name: 'Phường w2', cameras: [['market', 'Chợ', 'connecting', false, { x: 500, y: 500 }]] },
    ],
  );
  for (const w of v) for (const c of w.cameras) assert.deepEqual(Object.keys(c).sort(), ['id', 'linkDown', 'name', 'position', 'reason', 'since', 'state', 'ward']);
});

test('a camera the ward cannot publish is refused with a code, naming it, and changes nothing', () => {
  const reg = registries.get('w1')!;
  const before = JSON.stringify(reg.list());
  const bad: [string, WardCamera[]][] = [
    ['bad id', [...CAMERAS.w1!, { id: 'Bad Id', name: 'x', state: 'live', reason: null, since: 1 }]],
    ['position off the map', [{ ...CAMERAS.w1![0]!, position: { x: 5000, y: 1 } }]],
    ['empty name', [{ ...CAMERAS.w1![0]!, name: '' }]],
    ['same id twice', [CAMERAS.w1![0]!, CAMERAS.w1![0]!]],
  ];
  for (const [name, list] of bad) assert.throws(() => reg.setCameras(list), (e: unknown) => e instanceof WardRegistryError && e.code === 'BAD_CAMERA', name);
  assert.throws(() => reg.setCameraState('gate', 'exploded' as never, null), (e: unknown) => e instanceof WardRegistryError && /camera "gate": state/.test(e.message));
  assert.equal(reg.setCameraState('nope', 'live', null), false);
  assert.equal(JSON.stringify(reg.list()), before);
});

test("a camera's live-state change reaches the centre as it happens", async () => {
  const seen = nextChange((c) => c.kind === 'camera' && c.camera === 'market' && c.record.state === 'live');
  const t0 = Date.now();
  assert.ok(registries.get('w2')!.setCameraState('market', 'live', null));
  measured.state_change_to_centre_ms = (await seen) - t0;
  assert.equal(wardView('w2')!.cameras[0]!.state, 'live');
});

test('the centre asks a ward for its cameras (request/reply through the hub and the leaf)', async () => {
  const r = await requestWard(centreNc, 'w1', 'cameras.list', {});
  assert.deepEqual(r.cameras.map((c) => c.id), ['gate', 'yard']);
  await assert.rejects(requestWard(centreNc, 'w9', 'cameras.list', {}, 1000), (e: unknown) => e instanceof WardRequestError && e.code === 'WARD_UNREACHABLE');
  // A bad request is refused by the asking side before it leaves, and by the ward if it gets there.
  await assert.rejects(requestWard(centreNc, 'w1', 'cameras.list', { x: 1 } as never), (e: unknown) => e instanceof WardRequestError && e.code === 'BAD_REQUEST');
  const raw = await centreNc.request('city.w1.req.cameras.list', new TextEncoder().encode('{"x":1}'), { timeout: 3000 });
  assert.equal(JSON.parse(new TextDecoder().decode(raw.data)).code, 'BAD_REQUEST');
  const unknown = await centreNc.request('city.w1.req.pipe.open', new TextEncoder().encode('{}'), { timeout: 3000 });
  assert.equal(JSON.parse(new TextDecoder().decode(unknown.data)).code, 'UNKNOWN_OP');
});

test('a held cut of w1 (cable pulled): the centre marks w1 offline, w2 stays online; w1 keeps answering its own services; restore brings w1 back with the changes made while cut', async () => {
  const w1 = city.wards.get('w1')!;
  const offline = nextChange((c) => c.kind === 'ward-offline' && c.ward === 'w1');
  const cutAt = Date.now();
  w1.relay.cut('hold');
  measured.hold_offline_after_cut_s = ((await offline) - cutAt) / 1000;
  assert.equal(wardView('w1')!.online, false);
  assert.ok(wardView('w1')!.cameras.every((c) => c.state === 'offline' && c.linkDown));
  assert.equal(wardView('w2')!.online, true, 'the other ward is untouched');
  assert.ok(!changes.some((c) => c.change.kind === 'ward-offline' && c.change.ward === 'w2'));

  // The ward alone: its services ask it over its leaf, its own JetStream domain works.
  const local = await w1.connect();
  wardConns.push(local);
  const own = await requestWard(local, 'w1', 'cameras.list', {});
  assert.deepEqual(own.cameras.map((c) => c.id), ['gate', 'yard']);
  const kv = await local.jetstream().views.kv('ward_local_test', { history: 1 });
  await kv.put('note', new TextEncoder().encode('works alone'));
  assert.equal((await kv.get('note'))?.string(), 'works alone');
  // The centre cannot reach it; a change made while cut waits for the link.
  await assert.rejects(requestWard(centreNc, 'w1', 'cameras.list', {}, 1000), (e: unknown) => e instanceof WardRequestError && e.code === 'WARD_UNREACHABLE');
  registries.get('w1')!.setCameraState('yard', 'offline', 'unreachable');
  await waitFor('the ward to notice the hub is unreachable', () => registries.get('w1')!.hubReachable === false, 10_000);

  const online = nextChange((c) => c.kind === 'ward-online' && c.ward === 'w1');
  const restoreAt = Date.now();
  w1.relay.restore();
  measured.hold_back_after_restore_s = ((await online) - restoreAt) / 1000;
  await waitFor('the change made while cut at the centre', () => wardView('w1')?.cameras.find((c) => c.id === 'yard')?.reason === 'unreachable');
  assert.deepEqual(wardView('w1')!.cameras.map((c) => [c.id, c.state, c.linkDown]), [['gate', 'live', false], ['yard', 'offline', false]]);
  assert.deepEqual((await requestWard(centreNc, 'w1', 'cameras.list', {})).cameras.map((c) => c.state), ['live', 'offline']);
});

test('a reset cut of w2 (connection closed, reconnects refused): offline, then back after the leaf reconnects; a camera removed while cut is gone at the centre', async () => {
  const w2 = city.wards.get('w2')!;
  const offline = nextChange((c) => c.kind === 'ward-offline' && c.ward === 'w2');
  const cutAt = Date.now();
  w2.relay.cut('reset');
  measured.reset_offline_after_cut_s = ((await offline) - cutAt) / 1000;
  const reg = registries.get('w2')!;
  reg.setCameras([{ id: 'school', name: 'Trường học', state: 'live', reason: null, since: 2 }]);
  const local = await w2.connect();
  wardConns.push(local);
  assert.deepEqual((await requestWard(local, 'w2', 'cameras.list', {})).cameras.map((c) => c.id), ['school']);

  const online = nextChange((c) => c.kind === 'ward-online' && c.ward === 'w2');
  const restoreAt = Date.now();
  w2.relay.restore();
  measured.reset_back_after_restore_s = ((await online) - restoreAt) / 1000;
  await waitFor('the camera list replaced at the centre', () => wardView('w2')?.cameras.map((c) => c.id).join() === 'school');
  assert.equal(wardView('w1')!.online, true);
});

test('a centre directory started later finds the wards and their cameras in the hub\'s buckets', async () => {
  const nc = await city.connectCentre();
  const late = new CentreDirectory({ nc });
  try {
    await late.start();
    await waitFor('the late directory to match the running one', () => JSON.stringify(late.view().map((w) => [w.ward, w.online, w.cameras.map((c) => [c.id, c.state])])) === JSON.stringify(directory.view().map((w) => [w.ward, w.online, w.cameras.map((c) => [c.id, c.state])])) && late.view().length === 2, 10_000);
    assert.deepEqual(late.view().map((w) => [w.ward, w.online, w.cameras.length]), [['w1', true, 2], ['w2', true, 1]]);
  } finally {
    await late.stop();
    await nc.close();
  }
});

test('clients without (or with wrong) credentials are refused by the hub and by a leaf', async () => {
  const targets = [`127.0.0.1:${city.hubClientPort}`, `127.0.0.1:${city.wards.get('w1')!.clientPort}`];
  for (const servers of targets) {
    for (const creds of [{}, { user: 'centre', pass: 'wrong-password-000000' }, { user: 'ward', pass: 'wrong-password-000000' }]) {
      await assert.rejects(connect({ servers, reconnect: false, maxReconnectAttempts: 0, ...creds }), (e: unknown) => /AUTHORIZATION_VIOLATION|Authorization Violation/i.test(`${(e as { code?: string }).code} ${(e as Error).message}`), `${servers} ${JSON.stringify(creds)}`);
    }
  }
  // A ward's leaf credentials do not open the hub's client port; connectNats says so with a code.
  await assert.rejects(connectNats({ server: targets[0]!, user: 'ward-w1', password: 'x'.repeat(32) }), (e: unknown) => e instanceof NatsConnectError && e.code === 'NATS_AUTH' && !e.message.includes('x'.repeat(32)));
  await assert.rejects(connectNats({ server: `127.0.0.1:${await freeTcpPort()}`, user: 'centre', password: 'x'.repeat(32) }), (e: unknown) => e instanceof NatsConnectError && e.code === 'NATS_UNREACHABLE');
});

test('a leaf node with wrong ward credentials is refused by the hub: nothing of the city reaches it', async () => {
  const clientPort = await freeTcpPort();
  const local = { user: 'ward', password: newPassword() };
  const rogue = new NatsServerProcess({
    name: 'rogue leaf',
    dir: join(city.root, 'rogue'),
    config: leafConfig({ wardId: 'w1', clientPort, storeDir: join(city.root, 'rogue', 'js'), clients: [local], hubHost: '127.0.0.1', hubLeafPort: city.hubLeafPort, hubUser: { user: 'ward-w1', password: newPassword() } }),
  });
  await rogue.start();
  try {
    await waitFor('the hub refusing the leaf', () => city.hub.logTail().some((l) => /authentication error/i.test(l) && !/nats\.js/.test(l)), 10_000);
    const nc = await connect({ servers: `127.0.0.1:${clientPort}`, user: local.user, pass: local.password });
    try {
      await assert.rejects(requestWard(nc, 'w1', 'cameras.list', {}, 1000), (e: unknown) => e instanceof WardRequestError && e.code === 'WARD_UNREACHABLE');
    } finally {
      await nc.close();
    }
  } finally {
    await rogue.stop();
  }
});

test('a nats-server that cannot start (its port taken) fails start() with a code and its log, credentials removed', async () => {
  const p = new NatsServerProcess({
    name: 'second hub',
    dir: join(city.root, 'second'),
    config: hubConfig({ clientPort: city.hubClientPort, leafPort: await freeTcpPort(), storeDir: join(city.root, 'second', 'js'), clients: [city.centreUser], wards: [{ user: 'ward-x', password: newPassword() }] }),
  });
  await assert.rejects(p.start(), (e: unknown) => e instanceof NatsProcessError && e.code === 'NATS_START_FAILED' && /address already in use/.test(e.message) && !e.message.includes(city.centreUser.password));
  assert.equal(p.pid, undefined);
});

test('a ward leaving in order is removed from the directory', async () => {
  const removed = nextChange((c) => c.kind === 'ward-removed' && c.ward === 'w2');
  await registries.get('w2')!.stop({ leave: true });
  registries.delete('w2');
  await removed;
  assert.deepEqual(directory.view().map((w) => w.ward), ['w1']);
});

test('a ward that stopped without leaving is offline for a centre started after it stopped', async () => {
  const offline = nextChange((c) => c.kind === 'ward-offline' && c.ward === 'w1');
  await registries.get('w1')!.stop();
  registries.delete('w1');
  await offline;
  const nc = await city.connectCentre();
  const late = new CentreDirectory({ nc });
  try {
    await late.start();
    await waitFor('w1 in the late directory', () => late.view().find((w) => w.ward === 'w1'), 10_000);
    // Its record is older than three heartbeats when found: offline at once, not online for a while.
    assert.equal(late.view().find((w) => w.ward === 'w1')!.online, false);
    assert.ok(late.view().find((w) => w.ward === 'w1')!.cameras.every((c) => c.linkDown));
  } finally {
    await late.stop();
    await nc.close();
  }
});
