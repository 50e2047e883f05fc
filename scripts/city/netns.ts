/**
 * One network namespace per ward, linked to the root namespace (the centre) by a veth pair with a
 * /30 of its own (10.77.<n>.0/30: centre .1, ward .2), shaped like a city WAN link with `tc`.
 *
 * Pure command builders first (unit-tested), then `WardNetns`, which runs them with execFile
 * (`ip`, `tc`; root). Every name starts with the caller's prefix, so cleanup removes only what the
 * caller created. Interface names stay within Linux's 15 characters.
 *
 * Shaping: `tc netem delay <d>ms loss <l>% rate <r>mbit` on both ends of the pair (one-way delay d
 * each way). A kernel built without sch_netem (CONFIG_NET_SCH_NETEM unset; the CI/dev VMs of this
 * project, kernel 6.18 "fc") refuses the qdisc: then the rate is applied with `tbf`, and delay and
 * loss in user space (nfq-delay.py: an iptables NFQUEUE rule per end hands each packet to a small
 * holder that releases it after the delay or drops it) when `iptables` and Debian's
 * libnetfilter-queue1 are installed; without them `shaping` says that delay and loss are NOT emulated.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LinkShape {
  /** One-way delay added at each end, ms. */
  delayMs: number;
  /** Random loss at each end, percent. */
  lossPct: number;
  /** Rate limit at each end, Mbit/s. */
  rateMbit: number;
}

export const DEFAULT_SHAPE: Readonly<LinkShape> = { delayMs: 30, lossPct: 1, rateMbit: 20 };

export interface WardLinkPlan {
  index: number;
  /** Namespace name. */
  ns: string;
  /** veth end in the root namespace (the centre's side). */
  hostIf: string;
  /** veth end inside the ward's namespace. */
  wardIf: string;
  hostIp: string;
  wardIp: string;
  /** Prefix length of the link's subnet (30). */
  prefixLen: number;
}

export interface Command {
  cmd: 'ip' | 'tc' | 'iptables';
  args: string[];
}

export type ShapeMethod = 'netem' | 'tbf';

/** The user-space delay/loss holder (python3 + libnetfilter-queue1 through ctypes). */
export const NFQ_DELAY_SCRIPT = fileURLToPath(new URL('./nfq-delay.py', import.meta.url));
const NFQ_LIB = '/usr/lib/x86_64-linux-gnu/libnetfilter_queue.so.1';

/** NFQUEUE numbers: inside a ward's namespace its own 1; in the root namespace one per ward. */
export function nfqueueNumber(p: WardLinkPlan, side: 'ward' | 'centre'): number {
  return side === 'ward' ? 1 : 7700 + p.index;
}

/**
 * The iptables rule (append or delete) that hands the end's outgoing IPv4 packets to the holder.
 * `--queue-bypass`: with no holder bound the packets pass (undelayed) instead of being dropped.
 */
export function nfqueueRule(p: WardLinkPlan, side: 'ward' | 'centre', op: '-A' | '-D'): Command {
  const rule = ['-t', 'mangle', op, 'POSTROUTING', '-o', side === 'ward' ? p.wardIf : p.hostIf, '-j', 'NFQUEUE', '--queue-num', String(nfqueueNumber(p, side)), '--queue-bypass'];
  return side === 'ward' ? { cmd: 'ip', args: ['netns', 'exec', p.ns, 'iptables', ...rule] } : { cmd: 'iptables', args: rule };
}

/** What the link really emulates (netem missing: tbf for the rate, nfqueue for delay/loss when available). */
export interface Shaping {
  method: ShapeMethod | 'tbf+nfqueue';
  shape: LinkShape;
  delayEmulated: boolean;
  lossEmulated: boolean;
}

const NAME_RE = /^[a-z][a-z0-9]{0,8}$/;

/** Names and addresses of ward `index` (0..252) under `prefix` (1-9 lower-case letters/digits, starting with a letter). */
export function wardLinkPlan(prefix: string, index: number): WardLinkPlan {
  if (!NAME_RE.test(prefix)) throw new Error(`netns prefix "${prefix}": 1-9 lower-case letters or digits, starting with a letter`);
  if (!Number.isInteger(index) || index < 0 || index > 252) throw new Error(`ward index ${index}: an integer 0..252`);
  return {
    index,
    ns: `${prefix}-ward${index}`,
    hostIf: `${prefix}${index}c`,
    wardIf: `${prefix}${index}w`,
    hostIp: `10.77.${index}.1`,
    wardIp: `10.77.${index}.2`,
    prefixLen: 30,
  };
}

function subnetOf(p: WardLinkPlan): string {
  return p.hostIp.replace(/\.\d+$/, '.0');
}

/** Namespace, veth pair, addresses, links up (loopback inside too). */
export function setupCommands(p: WardLinkPlan): Command[] {
  return [
    { cmd: 'ip', args: ['netns', 'add', p.ns] },
    { cmd: 'ip', args: ['link', 'add', p.hostIf, 'type', 'veth', 'peer', 'name', p.wardIf, 'netns', p.ns] },
    { cmd: 'ip', args: ['addr', 'add', `${p.hostIp}/${p.prefixLen}`, 'dev', p.hostIf] },
    { cmd: 'ip', args: ['link', 'set', p.hostIf, 'up'] },
    { cmd: 'ip', args: ['-n', p.ns, 'addr', 'add', `${p.wardIp}/${p.prefixLen}`, 'dev', p.wardIf] },
    { cmd: 'ip', args: ['-n', p.ns, 'link', 'set', p.wardIf, 'up'] },
    { cmd: 'ip', args: ['-n', p.ns, 'link', 'set', 'lo', 'up'] },
    // While the link is down its connected route is gone: without this the ward's subnet would follow
    // the default route out of the machine (a cut link must drop, not leak).
    { cmd: 'ip', args: ['route', 'add', 'unreachable', `${subnetOf(p)}/${p.prefixLen}`, 'metric', '4000'] },
  ];
}

function validShape(s: LinkShape): LinkShape {
  if (!(s.delayMs >= 0 && s.delayMs <= 10000)) throw new Error(`delayMs ${s.delayMs}: 0..10000`);
  if (!(s.lossPct >= 0 && s.lossPct <= 100)) throw new Error(`lossPct ${s.lossPct}: 0..100`);
  if (!(s.rateMbit > 0 && s.rateMbit <= 100000)) throw new Error(`rateMbit ${s.rateMbit}: above 0, at most 100000`);
  return s;
}

/** The qdisc arguments after `root` for one end. */
export function qdiscArgs(shape: LinkShape, method: ShapeMethod): string[] {
  const s = validShape(shape);
  if (method === 'netem') return ['netem', 'delay', `${s.delayMs}ms`, 'loss', `${s.lossPct}%`, 'rate', `${s.rateMbit}mbit`];
  // Token bucket: the rate only. Burst of 10 ms at the rate (at least 16 KB), queue up to 200 ms.
  const burstBytes = Math.max(16 * 1024, Math.round((s.rateMbit * 1e6) / 8 / 100));
  return ['tbf', 'rate', `${s.rateMbit}mbit`, 'burst', String(burstBytes), 'latency', '200ms'];
}

/** Shape both ends (each direction gets the delay, loss and rate). */
export function shapeCommands(p: WardLinkPlan, shape: LinkShape, method: ShapeMethod): Command[] {
  const q = qdiscArgs(shape, method);
  return [
    { cmd: 'tc', args: ['-n', p.ns, 'qdisc', 'replace', 'dev', p.wardIf, 'root', ...q] },
    { cmd: 'tc', args: ['qdisc', 'replace', 'dev', p.hostIf, 'root', ...q] },
  ];
}

/** Cut: the centre's end down (the veth carrier drops on both ends; the unreachable route takes over). */
export function cutCommand(p: WardLinkPlan): Command {
  return { cmd: 'ip', args: ['link', 'set', p.hostIf, 'down'] };
}

export function restoreCommand(p: WardLinkPlan): Command {
  return { cmd: 'ip', args: ['link', 'set', p.hostIf, 'up'] };
}

/** Deleting the namespace destroys its veth end and so the pair; the link delete covers a half-made setup. */
export function teardownCommands(p: WardLinkPlan): Command[] {
  return [
    { cmd: 'ip', args: ['netns', 'del', p.ns] },
    { cmd: 'ip', args: ['link', 'del', p.hostIf] },
    { cmd: 'ip', args: ['route', 'del', 'unreachable', `${subnetOf(p)}/${p.prefixLen}`, 'metric', '4000'] },
  ];
}

/** Names in `ip netns list` output (lines like `name (id: 3)` or `name`) that belong to `prefix`. */
export function ownNamespaces(listing: string, prefix: string): string[] {
  const mine = new RegExp(`^${prefix}-ward\\d+$`);
  return listing
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => mine.test(n));
}

/** Argument vector that runs `command args...` inside the namespace (for spawn). */
export function execInArgs(p: WardLinkPlan, command: string, args: readonly string[]): { command: 'ip'; args: string[] } {
  return { command: 'ip', args: ['netns', 'exec', p.ns, command, ...args] };
}

export class NetnsError extends Error {
  constructor(
    readonly code: 'NETNS_COMMAND_FAILED' | 'NETNS_BAD_ARGUMENT',
    message: string,
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'NetnsError';
  }
}

async function runCommand(c: Command): Promise<void> {
  try {
    await run(c.cmd, c.args, { timeout: 10000 });
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '').trim();
    throw new NetnsError('NETNS_COMMAND_FAILED', `${c.cmd} ${c.args.join(' ')}: ${stderr || (e as Error).message}`, stderr);
  }
}

export interface LinkCounters {
  /** Bytes the centre's end received from the ward (the WAN's upstream: ward → centre). */
  fromWardBytes: number;
  /** Bytes the centre's end sent to the ward. */
  toWardBytes: number;
  fromWardPackets: number;
}

/** A ward's namespace and link: create, shape, read counters, cut/restore, destroy (idempotent). */
export class WardNetns {
  private shapingRef: Shaping | null = null;
  private destroyed = false;
  private holders: ChildProcess[] = [];
  private rootRule: Command | null = null;

  private constructor(readonly plan: WardLinkPlan) {}

  /** Creates namespace + link and shapes it (removes a leftover of the same name first). */
  static async create(prefix: string, index: number, shape: LinkShape = DEFAULT_SHAPE): Promise<WardNetns> {
    const plan = wardLinkPlan(prefix, index);
    validShape(shape);
    const w = new WardNetns(plan);
    await w.destroy();
    w.destroyed = false;
    try {
      for (const c of setupCommands(plan)) await runCommand(c);
      await w.shape(shape);
    } catch (e) {
      await w.destroy();
      throw e;
    }
    return w;
  }

  get shaping(): Shaping | null {
    return this.shapingRef;
  }

  /** Applies `shape` (netem; tbf with the rate only when the kernel has no netem). */
  async shape(shape: LinkShape): Promise<Shaping> {
    try {
      for (const c of shapeCommands(this.plan, shape, 'netem')) await runCommand(c);
      this.shapingRef = { method: 'netem', shape: { ...shape }, delayEmulated: true, lossEmulated: true };
    } catch (e) {
      if (!(e instanceof NetnsError) || !/qdisc kind is unknown|Unknown qdisc/i.test(e.stderr)) throw e;
      for (const c of shapeCommands(this.plan, shape, 'tbf')) await runCommand(c);
      await this.stopHolders();
      const needHolder = shape.delayMs > 0 || shape.lossPct > 0;
      if (needHolder && (await userSpaceDelayAvailable())) {
        await this.startHolders(shape);
        this.shapingRef = { method: 'tbf+nfqueue', shape: { ...shape }, delayEmulated: true, lossEmulated: true };
      } else {
        this.shapingRef = { method: 'tbf', shape: { ...shape }, delayEmulated: !needHolder, lossEmulated: !needHolder };
      }
    }
    return this.shapingRef;
  }

  private async startHolders(shape: LinkShape): Promise<void> {
    const args = (side: 'ward' | 'centre'): string[] => [NFQ_DELAY_SCRIPT, String(nfqueueNumber(this.plan, side)), String(shape.delayMs), String(shape.lossPct)];
    const ward = this.execArgs('/usr/bin/python3', args('ward'));
    for (const [command, argv] of [[ward.command, ward.args], ['/usr/bin/python3', args('centre')]] as const) {
      const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.holders.push(child);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new NetnsError('NETNS_COMMAND_FAILED', `nfq-delay.py exited ${code}: ${stderr.trim()}`, stderr)));
      });
    }
    await runCommand(nfqueueRule(this.plan, 'ward', '-A'));
    this.rootRule = nfqueueRule(this.plan, 'centre', '-D');
    await runCommand(nfqueueRule(this.plan, 'centre', '-A'));
  }

  private async stopHolders(): Promise<void> {
    if (this.rootRule) {
      await run(this.rootRule.cmd, this.rootRule.args, { timeout: 10000 }).catch(() => undefined);
      this.rootRule = null;
    }
    for (const h of this.holders) {
      if (h.exitCode !== null || h.signalCode !== null) continue;
      h.stdin?.end();
      h.kill('SIGTERM');
      await new Promise((r) => {
        const timer = setTimeout(() => {
          h.kill('SIGKILL');
          r(undefined);
        }, 2000);
        h.once('exit', () => {
          clearTimeout(timer);
          r(undefined);
        });
      });
    }
    this.holders = [];
  }

  async counters(): Promise<LinkCounters> {
    const read = async (name: string): Promise<number> => Number((await readFile(`/sys/class/net/${this.plan.hostIf}/statistics/${name}`, 'utf8')).trim());
    const [fromWardBytes, toWardBytes, fromWardPackets] = await Promise.all([read('rx_bytes'), read('tx_bytes'), read('rx_packets')]);
    return { fromWardBytes, toWardBytes, fromWardPackets };
  }

  async cut(): Promise<void> {
    await runCommand(cutCommand(this.plan));
  }

  async restore(): Promise<void> {
    await runCommand(restoreCommand(this.plan));
  }

  /** `ip netns exec <ns> command args...` for spawn/execFile. */
  execArgs(command: string, args: readonly string[]): { command: 'ip'; args: string[] } {
    return execInArgs(this.plan, command, args);
  }

  /** Removes namespace and link; nothing there is fine. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.stopHolders();
    for (const c of teardownCommands(this.plan)) {
      try {
        await run(c.cmd, c.args, { timeout: 10000 });
      } catch {
        // already gone
      }
    }
  }
}

let nfqAvailable: Promise<boolean> | null = null;
/** iptables and libnetfilter-queue1 present (the user-space delay's needs). */
function userSpaceDelayAvailable(): Promise<boolean> {
  nfqAvailable ??= run('iptables', ['-V'], { timeout: 5000 }).then(
    () => existsSync(NFQ_LIB),
    () => false,
  );
  return nfqAvailable;
}

/** Removes every namespace (and its link) named under `prefix`: cleanup after a crashed run. */
export async function destroyAll(prefix: string): Promise<string[]> {
  if (!NAME_RE.test(prefix)) throw new NetnsError('NETNS_BAD_ARGUMENT', `netns prefix "${prefix}"`);
  const { stdout } = await run('ip', ['netns', 'list'], { timeout: 10000 });
  const names = ownNamespaces(stdout, prefix);
  for (const ns of names) {
    const index = Number(ns.slice(`${prefix}-ward`.length));
    const plan = wardLinkPlan(prefix, index);
    const rule = nfqueueRule(plan, 'centre', '-D');
    for (const c of [rule, ...teardownCommands(plan)]) await run(c.cmd, c.args, { timeout: 10000 }).catch(() => undefined);
  }
  return names;
}

/**
 * The centre's own address in a city of namespaces: `10.77.0.<slot>/32` on the root namespace's
 * loopback, reached by every ward through its own link (a route in the ward's namespace). The
 * centre's services (NATS hub leafnode port, media pipes) listen on it, so cutting one ward's link
 * never takes the address the other wards use. `slot` (1..254) keeps concurrent cities apart.
 */
export function centreAddress(slot: number): string {
  if (!Number.isInteger(slot) || slot < 1 || slot > 254) throw new Error(`centre address slot ${slot}: an integer 1..254`);
  return `10.77.0.${slot}`;
}

export function centreAddressCommand(ip: string, op: 'add' | 'del'): Command {
  return { cmd: 'ip', args: ['addr', op, `${ip}/32`, 'dev', 'lo'] };
}

/** In the ward's namespace: the centre's address through the ward's end of the link. */
export function centreRouteCommand(p: WardLinkPlan, ip: string): Command {
  return { cmd: 'ip', args: ['-n', p.ns, 'route', 'replace', `${ip}/32`, 'via', p.hostIp, 'dev', p.wardIf] };
}

/** Adds the centre's address (a leftover of a crashed run is replaced). */
export async function addCentreAddress(ip: string): Promise<void> {
  await removeCentreAddress(ip);
  await runCommand(centreAddressCommand(ip, 'add'));
}

/** Removes the centre's address; absent is fine. */
export async function removeCentreAddress(ip: string): Promise<void> {
  const c = centreAddressCommand(ip, 'del');
  await run(c.cmd, c.args, { timeout: 10000 }).catch(() => undefined);
}

/** Routes the ward's namespace to the centre's address over its link. */
export async function routeToCentre(w: WardNetns, ip: string): Promise<void> {
  await runCommand(centreRouteCommand(w.plan, ip));
}

/** Whether this process may build namespaces: root and `ip netns` working. Null when it can, else why not. */
export async function netnsUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root)';
  try {
    await run('ip', ['netns', 'list'], { timeout: 5000 });
  } catch (e) {
    return `ip netns does not work here: ${(e as Error).message}`;
  }
  return null;
}
