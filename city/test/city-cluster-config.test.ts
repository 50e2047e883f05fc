// The hub as a three-node cluster and a leaf that knows every node (pure config text; the last test
// asks Debian's nats-server to parse the files with `-t`, no server started).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubConfig, leafConfig, newPassword } from '../src/index.js';

const route = { user: 'hub-route', password: newPassword() };
const centre = { user: 'centre', password: newPassword() };
const ward = { user: 'ward-w1', password: newPassword() };
const nodes = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

function node(i: number): string {
  return hubConfig({
    serverName: `city-hub-${i + 1}`,
    clientPort: 4222,
    leafPort: 7422,
    storeDir: `/var/lib/wardwall/hub-${i + 1}`,
    clients: [centre],
    wards: [ward],
    cluster: { port: 6222, routes: nodes.filter((_, j) => j !== i).map((host) => ({ host, port: 6222 })), user: route },
  });
}

test('hub cluster: each node routes to the two others with the shared route user', () => {
  const c = node(0);
  assert.match(c, /server_name: "city-hub-1"/);
  assert.match(c, /cluster \{\n {2}name: "city-hub"\n {2}listen: "0\.0\.0\.0:6222"/);
  assert.ok(c.includes(`"nats-route://hub-route:${route.password}@10.0.0.2:6222"`));
  assert.ok(c.includes(`"nats-route://hub-route:${route.password}@10.0.0.3:6222"`));
  assert.ok(!c.includes('@10.0.0.1:6222'), 'no route to itself');
  assert.ok(!hubConfig({ clientPort: 4222, leafPort: 7422, storeDir: '/x', clients: [centre], wards: [ward] }).includes('cluster'), 'no cluster block unless asked');
  assert.throws(() => hubConfig({ clientPort: 4222, leafPort: 7422, storeDir: '/x', clients: [centre], wards: [ward], cluster: { port: 6222, routes: [], user: route } }), /routes/);
  assert.throws(() => hubConfig({ clientPort: 4222, leafPort: 7422, storeDir: '/x', clients: [centre], wards: [ward], cluster: { port: 6222, routes: [{ host: 'a b', port: 1 }], user: route } }), /host/);
});

test('leaf of a clustered hub: one remote with every node\'s URL', () => {
  const opts = { wardId: 'w1', clientPort: 4223, storeDir: '/var/lib/wardwall/leaf', clients: [{ user: 'wardwall', password: newPassword() }], hubHost: nodes[0]!, hubLeafPort: 7422, hubUser: ward };
  const one = leafConfig(opts);
  assert.match(one, /\{ url: "nats-leaf:\/\/ward-w1:[^@]+@10\.0\.0\.1:7422" \}/, 'a single hub: as before');
  const three = leafConfig({ ...opts, hubAlternates: [{ host: nodes[1]!, port: 7422 }, { host: 'fd00::3', port: 7422 }] });
  assert.ok(three.includes(`{ urls: ["nats-leaf://ward-w1:${ward.password}@10.0.0.1:7422", "nats-leaf://ward-w1:${ward.password}@10.0.0.2:7422", "nats-leaf://ward-w1:${ward.password}@[fd00::3]:7422"] }`), three);
});

test('nats-server accepts the cluster node and the leaf configs (-t)', { skip: spawnSync('nats-server', ['--version']).status === 0 ? false : 'nats-server not installed (scripts/setup.sh)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-cluster-conf-'));
  try {
    const files = { hub: node(1), leaf: leafConfig({ wardId: 'w1', clientPort: 4223, storeDir: join(dir, 'leaf'), clients: [{ user: 'wardwall', password: newPassword() }], hubHost: nodes[0]!, hubLeafPort: 7422, hubUser: ward, hubAlternates: [{ host: nodes[1]!, port: 7422 }] }) };
    for (const [name, text] of Object.entries(files)) {
      const f = join(dir, `${name}.conf`);
      writeFileSync(f, text, { mode: 0o600 });
      const r = spawnSync('nats-server', ['-t', '-c', f], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 0, `${name}: ${r.stderr}${r.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
