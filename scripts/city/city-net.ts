/**
 * A city's network and control plane on one machine (root): one network namespace per ward linked to
 * the root namespace by a shaped veth pair (netns.ts), the centre's address on the root loopback
 * (routed from every ward over its own link), the NATS hub in the root namespace listening on that
 * address, and one NATS leaf node per ward inside its namespace (dialling the hub over the link).
 * Used by `npm run demo:city`, the namespace integration test and `bench:city`; what runs on top
 * (SFUs, recorders, the wall) is the caller's.
 *
 * Everything lives under one private directory (0700; configs and password files 0600) and one name
 * prefix: `stop()` ends what was started (nats-servers by PID, the delay holders), removes the
 * namespaces, the centre's address and the directory; `cleanLeftovers(prefix, slot)` does the same for
 * a run that crashed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubConfig, leafConfig, NatsServerProcess, newPassword, type NatsUser } from '@wardwall/city';
import { addCentreAddress, centreAddress, DEFAULT_SHAPE, destroyAll, removeCentreAddress, routeToCentre, WardNetns, type LinkShape } from './netns.js';

export const HUB_CLIENT_PORT = 4222;
export const HUB_LEAF_PORT = 7422;
export const LEAF_CLIENT_PORT = 4223;

export interface CityNetOptions {
  /** Names of namespaces and interfaces (netns.ts: 1-9 lower-case letters/digits). */
  prefix: string;
  /** The centre's address is 10.77.0.<slot> (netns.ts `centreAddress`). */
  slot: number;
  /** Ward ids, in order: ward i (0-based) gets link index `firstIndex + i` (1..252: 0 is the centre's subnet). */
  wards: string[];
  firstIndex: number;
  shape?: LinkShape;
  /** Private directory (made here if absent); default a new one under the temp dir. */
  dir?: string;
  /** The hub's client port (root namespace, 127.0.0.1); default 4222. */
  hubClientPort?: number;
}

export interface CityNetWard {
  id: string;
  netns: WardNetns;
  /** The ward's address (its end of the link): its SFU, WebRtcServer and pipes listen here. */
  ip: string;
  leaf: NatsServerProcess;
  /** The ward's services on its leaf: nats://127.0.0.1:<port> inside the namespace. */
  natsUrl: string;
  natsUser: string;
  passwordFile: string;
  /** A private directory of the ward's own (data dirs, config). */
  dir: string;
}

export interface CityNet {
  dir: string;
  centreIp: string;
  hub: NatsServerProcess;
  /** The centre's services on the hub: nats://127.0.0.1:<port>. */
  hubUrl: string;
  centreUser: string;
  centrePasswordFile: string;
  wards: CityNetWard[];
  stop(): Promise<void>;
}

/** Removes what a crashed run under `prefix` / `slot` left: namespaces, links, delay rules, the centre's address. */
export async function cleanLeftovers(prefix: string, slot: number): Promise<string[]> {
  const gone = await destroyAll(prefix);
  await removeCentreAddress(centreAddress(slot));
  return gone;
}

function secretFile(path: string, password: string): string {
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return path;
}

export async function startCityNet(o: CityNetOptions): Promise<CityNet> {
  // Link 0 would be 10.77.0.0/30, where the centre's addresses live.
  if (!Number.isInteger(o.firstIndex) || o.firstIndex < 1 || o.firstIndex + o.wards.length - 1 > 252) throw new Error(`city net: ward link indices ${o.firstIndex}.. must lie in 1..252`);
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'wardwall-city-net-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const centreIp = centreAddress(o.slot);
  const hubClientPort = o.hubClientPort ?? HUB_CLIENT_PORT;
  const started: { stop(): Promise<void> }[] = [];
  const links: WardNetns[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    for (const l of links) await l.destroy().catch(() => undefined);
    await removeCentreAddress(centreIp);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await addCentreAddress(centreIp);
    const centre: NatsUser = { user: 'centre', password: newPassword() };
    const wardLinkUsers = o.wards.map((w) => ({ user: `ward-${w}`, password: newPassword() }));
    const hub = new NatsServerProcess({
      name: 'city hub',
      dir: join(dir, 'hub'),
      config: hubConfig({ clientPort: hubClientPort, leafHost: centreIp, leafPort: HUB_LEAF_PORT, leafAdvertise: `${centreIp}:${HUB_LEAF_PORT}`, storeDir: join(dir, 'hub', 'js'), clients: [centre], wards: wardLinkUsers }),
    });
    await hub.start();
    started.push(hub);
    const wards: CityNetWard[] = [];
    for (const [i, id] of o.wards.entries()) {
      const netns = await WardNetns.create(o.prefix, o.firstIndex + i, o.shape ?? DEFAULT_SHAPE);
      links.push(netns);
      await routeToCentre(netns, centreIp);
      const wardDir = join(dir, id);
      mkdirSync(wardDir, { recursive: true, mode: 0o700 });
      const local: NatsUser = { user: 'wardwall', password: newPassword() };
      const leaf = new NatsServerProcess({
        name: `ward ${id} leaf`,
        dir: join(wardDir, 'leaf'),
        prefix: ['ip', 'netns', 'exec', netns.plan.ns],
        config: leafConfig({ wardId: id, clientPort: LEAF_CLIENT_PORT, storeDir: join(wardDir, 'leaf', 'js'), clients: [local], hubHost: centreIp, hubLeafPort: HUB_LEAF_PORT, hubUser: wardLinkUsers[i]! }),
      });
      await leaf.start();
      started.push(leaf);
      wards.push({ id, netns, ip: netns.plan.wardIp, leaf, natsUrl: `nats://127.0.0.1:${LEAF_CLIENT_PORT}`, natsUser: local.user, passwordFile: secretFile(join(wardDir, 'nats.pass'), local.password), dir: wardDir });
    }
    return { dir, centreIp, hub, hubUrl: `nats://127.0.0.1:${hubClientPort}`, centreUser: centre.user, centrePasswordFile: secretFile(join(dir, 'centre-nats.pass'), centre.password), wards, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
