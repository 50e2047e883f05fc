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
 * project, kernel 6.18 "fc") refuses the qdisc: then the rate alone is applied with `tbf`, and
 * `shaping` says that delay and loss are NOT emulated.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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
  cmd: 'ip' | 'tc';
  args: string[];
}

export type ShapeMethod = 'netem' | 'tbf';

/** What the link really emulates (netem missing: rate only). */
export interface Shaping {
  method: ShapeMethod;
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
      this.shapingRef = { method: 'tbf', shape: { ...shape }, delayEmulated: shape.delayMs === 0, lossEmulated: shape.lossPct === 0 };
    }
    return this.shapingRef;
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
    for (const c of teardownCommands(this.plan)) {
      try {
        await run(c.cmd, c.args, { timeout: 10000 });
      } catch {
        // already gone
      }
    }
  }
}

/** Removes every namespace (and its link) named under `prefix`: cleanup after a crashed run. */
export async function destroyAll(prefix: string): Promise<string[]> {
  if (!NAME_RE.test(prefix)) throw new NetnsError('NETNS_BAD_ARGUMENT', `netns prefix "${prefix}"`);
  const { stdout } = await run('ip', ['netns', 'list'], { timeout: 10000 });
  const names = ownNamespaces(stdout, prefix);
  for (const ns of names) {
    const index = Number(ns.slice(`${prefix}-ward`.length));
    const plan = wardLinkPlan(prefix, index);
    for (const c of teardownCommands(plan)) await run(c.cmd, c.args, { timeout: 10000 }).catch(() => undefined);
  }
  return names;
}
