/**
 * nats-server configuration files for a city (docs/city.md), generated from plain options: pure, no
 * I/O. Two shapes:
 * - the centre's hub: JetStream (domain `hub`), a client port for the centre's services, a leafnode
 *   port the wards connect to (outbound from the ward), users with passwords on both, and a
 *   monitoring port only when asked for, on loopback only;
 * - a ward's leaf node: a client port on loopback for the ward's own services, its own JetStream
 *   domain (so the ward's buckets and requests keep working when the link is down) and one
 *   `leafnodes.remotes` entry to the hub with the ward's credentials.
 * Every port that accepts connections authenticates them: there is no `no_auth_user` and no user
 * without a password. The files hold passwords: nats-process.ts writes them mode 0600.
 */
import { z } from 'zod';

/** A ward's id: also a subject token, a KV key part and a JetStream domain, so no dots or wildcards. */
export const WARD_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** The hub's JetStream domain; a ward may not use it. */
export const HUB_DOMAIN = 'hub';
/** A user name in a nats-server config. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/**
 * Passwords are quoted into the config and, for a leaf, into the remote's URL: restricted to
 * URL-safe characters (what `newPassword()` makes), at least 16 of them.
 */
const PASSWORD = /^[A-Za-z0-9_-]{16,256}$/;
const HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

const port = z.number().int().min(1).max(65535);
const user = z.object({ user: z.string().regex(USER_NAME, 'letters, digits, "-" or "_"'), password: z.string().regex(PASSWORD, 'at least 16 URL-safe characters (A-Z a-z 0-9 - _)') }).strict();
export type NatsUser = z.infer<typeof user>;

export const hubOptionsSchema = z
  .object({
    serverName: z.string().regex(USER_NAME).default('city-hub'),
    /** Address of the client port (the centre's services). */
    clientHost: z.string().regex(HOST).default('127.0.0.1'),
    clientPort: port,
    /** Address of the leafnode port the wards dial. */
    leafHost: z.string().regex(HOST).default('0.0.0.0'),
    leafPort: port,
    /**
     * The leafnode address (host:port) the wards dial, told to every ward on connect: a ward may use
     * it when it reconnects, so it must be reachable from the wards (the public address behind NAT).
     * Unset: the hub tells its own listen address.
     */
    leafAdvertise: z.string().regex(HOST).optional(),
    /** JetStream's store directory (absolute). */
    storeDir: z.string().startsWith('/'),
    /** JetStream's caps, MiB (the city's buckets are small: the defaults leave room). */
    jsMaxMemoryMb: z.number().int().min(16).max(65536).default(64),
    jsMaxFileMb: z.number().int().min(16).max(1048576).default(1024),
    /** The centre's services (client port). */
    clients: z.array(user).min(1),
    /** One per ward (leafnode port); the user name says which ward it is in the hub's logs. */
    wards: z.array(user).min(1),
    /** The monitoring (HTTP) port: none unless set, always on 127.0.0.1. */
    monitorPort: port.optional(),
    /**
     * A hub of several nodes (a real centre runs three): this node's cluster port and the other
     * nodes' cluster addresses. Every node needs its own `serverName`; the `user` is the same on all
     * of them (the routes authenticate with it). JetStream then replicates across the nodes.
     */
    cluster: z
      .object({
        name: z.string().regex(USER_NAME).default('city-hub'),
        host: z.string().regex(HOST).default('0.0.0.0'),
        port,
        /** The other nodes' cluster addresses. */
        routes: z.array(z.object({ host: z.string().regex(HOST), port }).strict()).min(1).max(8),
        user,
      })
      .strict()
      .optional(),
  })
  .strict();
export type HubOptions = z.input<typeof hubOptionsSchema>;

export const leafOptionsSchema = z
  .object({
    wardId: z.string().regex(WARD_ID, 'lower-case letters, digits, "-" or "_", at most 32').refine((w) => w !== HUB_DOMAIN, `"${HUB_DOMAIN}" is the hub's domain`),
    /** The ward's own services connect here: loopback only. */
    clientPort: port,
    storeDir: z.string().startsWith('/'),
    /** JetStream's caps, MiB (the city's buckets are small: the defaults leave room). */
    jsMaxMemoryMb: z.number().int().min(16).max(65536).default(64),
    jsMaxFileMb: z.number().int().min(16).max(1048576).default(1024),
    /** The ward's own services. */
    clients: z.array(user).min(1),
    /** The hub's leafnode address, as host:port. */
    hubHost: z.string().regex(HOST),
    hubLeafPort: port,
    /** This ward's credentials at the hub (one of the hub's `wards`). */
    hubUser: user,
    /** The other hub nodes' leafnode addresses (a clustered hub): the leaf tries each when one is down. */
    hubAlternates: z.array(z.object({ host: z.string().regex(HOST), port }).strict()).max(8).default([]),
    /** Seconds between attempts to reach the hub again after the link dropped. */
    reconnectS: z.number().int().min(1).max(60).default(1),
    monitorPort: port.optional(),
  })
  .strict();
export type LeafOptions = z.input<typeof leafOptionsSchema>;

const jetstream = (o: { storeDir: string; jsMaxMemoryMb: number; jsMaxFileMb: number }, domain: string): string =>
  `jetstream {\n  store_dir: ${q(o.storeDir)}\n  domain: ${q(domain)}\n  max_memory_store: ${o.jsMaxMemoryMb * 1024 * 1024}\n  max_file_store: ${o.jsMaxFileMb * 1024 * 1024}\n}`;

/** A quoted string in nats-server's config syntax (JSON's escapes are a subset of what it reads). */
const q = (s: string): string => JSON.stringify(s);

function users(list: readonly NatsUser[]): string {
  return `[\n${list.map((u) => `    { user: ${q(u.user)}, password: ${q(u.password)} }`).join('\n')}\n  ]`;
}

function checkUnique(list: readonly NatsUser[], what: string): void {
  const seen = new Set<string>();
  for (const u of list) {
    if (seen.has(u.user)) throw new Error(`nats config: ${what}: user "${u.user}" twice`);
    seen.add(u.user);
  }
}

/** Validates `options` (throws a ZodError naming the field) and returns the hub's config text. */
export function hubConfig(options: HubOptions): string {
  const o = hubOptionsSchema.parse(options);
  checkUnique(o.clients, 'clients');
  checkUnique(o.wards, 'wards');
  const lines = [
    `server_name: ${q(o.serverName)}`,
    `listen: ${q(`${o.clientHost}:${o.clientPort}`)}`,
    jetstream(o, HUB_DOMAIN),
    `authorization {\n  users: ${users(o.clients)}\n}`,
    // no_advertise: no other hub nodes' addresses are gossiped to the wards (a single hub node now).
    `leafnodes {\n  listen: ${q(`${o.leafHost}:${o.leafPort}`)}\n  no_advertise: true\n${o.leafAdvertise ? `  advertise: ${q(o.leafAdvertise)}\n` : ''}  authorization {\n  users: ${users(o.wards)}\n  }\n}`,
  ];
  if (o.cluster) {
    const c = o.cluster;
    const routes = c.routes.map((r) => q(`nats-route://${c.user.user}:${c.user.password}@${bracket(r.host)}:${r.port}`));
    lines.push(`cluster {\n  name: ${q(c.name)}\n  listen: ${q(`${c.host}:${c.port}`)}\n  authorization {\n    user: ${q(c.user.user)}\n    password: ${q(c.user.password)}\n  }\n  routes: [\n    ${routes.join('\n    ')}\n  ]\n}`);
  }
  if (o.monitorPort !== undefined) lines.push(`http: ${q(`127.0.0.1:${o.monitorPort}`)}`);
  return `${lines.join('\n')}\n`;
}

/** An IPv6 address in brackets for a URL; anything else as it is. */
const bracket = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** Validates `options` and returns a ward leaf node's config text. */
export function leafConfig(options: LeafOptions): string {
  const o = leafOptionsSchema.parse(options);
  checkUnique(o.clients, 'clients');
  // Both parts are URL-safe by the schema: no encoding needed, nothing to misparse.
  const urlOf = (h: string, p: number) => `nats-leaf://${o.hubUser.user}:${o.hubUser.password}@${bracket(h)}:${p}`;
  const url = urlOf(o.hubHost, o.hubLeafPort);
  const remote = o.hubAlternates.length === 0 ? `{ url: ${q(url)} }` : `{ urls: [${[url, ...o.hubAlternates.map((a) => urlOf(a.host, a.port))].map(q).join(', ')}] }`;
  const lines = [
    `server_name: ${q(`ward-${o.wardId}`)}`,
    `listen: ${q(`127.0.0.1:${o.clientPort}`)}`,
    jetstream(o, o.wardId),
    `authorization {\n  users: ${users(o.clients)}\n}`,
    `leafnodes {\n  reconnect: ${o.reconnectS}\n  remotes: [\n    ${remote}\n  ]\n}`,
  ];
  if (o.monitorPort !== undefined) lines.push(`http: ${q(`127.0.0.1:${o.monitorPort}`)}`);
  return `${lines.join('\n')}\n`;
}
