/**
 * Test helpers for the city: a real nats-server hub and ward leaf nodes on loopback (free ports, a
 * private temp dir), and a TCP relay in each ward's leaf link that the tests cut and restore.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { freeTcpPort } from '@wardwall/server-kit';
import { connectNats, hubConfig, leafConfig, NatsServerProcess, newPassword, type NatsUser } from '@wardwall/city';

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A ward's WAN link as a TCP relay: `cut('hold')` stops moving bytes both ways but keeps the
 * connections (a cable pulled: TCP holds its data until the link returns, nobody gets a FIN);
 * `cut('reset')` closes them and refuses new ones (a router that resets). `restore()` ends either.
 */
export class LinkRelay {
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();
  private held: Socket[] = [];
  private mode: 'up' | 'hold' | 'reset' = 'up';
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.mode === 'reset') return void client.destroy();
      if (this.mode === 'hold') {
        client.pause();
        this.held.push(client);
        return;
      }
      this.join(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  private join(client: Socket): void {
    const up = tcpConnect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, up];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      up.destroy();
    };
    client.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    client.pipe(up);
    up.pipe(client);
  }

  cut(mode: 'hold' | 'reset'): void {
    this.mode = mode;
    for (const [a, b] of this.pairs) {
      if (mode === 'reset') {
        a.destroy();
        b.destroy();
      } else {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    }
  }

  restore(): void {
    this.mode = 'up';
    for (const [a, b] of this.pairs) {
      a.pipe(b);
      b.pipe(a);
    }
    for (const c of this.held) {
      c.resume();
      this.join(c);
    }
    this.held = [];
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    for (const c of this.held) c.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface TestWard {
  id: string;
  leaf: NatsServerProcess;
  relay: LinkRelay;
  clientPort: number;
  /** The ward's own services' credentials on its leaf node. */
  local: NatsUser;
  connect(): Promise<NatsConnection>;
}

export interface TestCity {
  root: string;
  hub: NatsServerProcess;
  hubClientPort: number;
  hubLeafPort: number;
  centreUser: NatsUser;
  wards: Map<string, TestWard>;
  connectCentre(): Promise<NatsConnection>;
  stop(): Promise<void>;
}

/** A hub and one leaf node per ward id, each leaf linked through its own relay. */
export async function startCity(wardIds: string[]): Promise<TestCity> {
  const root = mkdtempSync(join(tmpdir(), 'wardwall-city-'));
  const hubClientPort = await freeTcpPort();
  const hubLeafPort = await freeTcpPort();
  // The hub tells every leaf an address to reconnect to besides the one it dials: here a port where
  // nothing listens, so that the only way from a ward to the hub is through its relay.
  const nowhere = await freeTcpPort();
  const centreUser = { user: 'centre', password: newPassword() };
  const wardUsers = new Map(wardIds.map((w) => [w, { user: `ward-${w}`, password: newPassword() }]));
  const hub = new NatsServerProcess({
    name: 'city hub',
    dir: join(root, 'hub'),
    config: hubConfig({ clientPort: hubClientPort, leafHost: '127.0.0.1', leafPort: hubLeafPort, leafAdvertise: `127.0.0.1:${nowhere}`, storeDir: join(root, 'hub', 'js'), clients: [centreUser], wards: [...wardUsers.values()] }),
  });
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await hub.start();
    started.push(hub);
    const wards = new Map<string, TestWard>();
    for (const id of wardIds) {
      const relay = new LinkRelay(hubLeafPort);
      await relay.start();
      started.push(relay);
      const clientPort = await freeTcpPort();
      const local = { user: 'ward', password: newPassword() };
      const leaf = new NatsServerProcess({
        name: `ward ${id} leaf`,
        dir: join(root, id),
        config: leafConfig({ wardId: id, clientPort, storeDir: join(root, id, 'js'), clients: [local], hubHost: '127.0.0.1', hubLeafPort: relay.port, hubUser: wardUsers.get(id)! }),
      });
      await leaf.start();
      started.push(leaf);
      wards.set(id, { id, leaf, relay, clientPort, local, connect: () => connectNats({ server: `127.0.0.1:${clientPort}`, user: local.user, password: local.password, name: `ward ${id} test` }) });
    }
    return { root, hub, hubClientPort, hubLeafPort, centreUser, wards, connectCentre: () => connectNats({ server: `127.0.0.1:${hubClientPort}`, user: centreUser.user, password: centreUser.password, name: 'centre test' }), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Writes a NATS password the way the SFU's `city.nats.passwordFile` takes it (first line, 0600); returns the path. */
export function passwordFile(dir: string, name: string, password: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}
