/** CPU time and memory of a process tree, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; cpuTicks: number; rssPages: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) };
  } catch {
    return null;
  }
}

/** The process's name; for an interpreter (python3), the script it runs (gst-ingest.py, pull.py, …). */
function comm(pid: number): string {
  try {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (!name.startsWith('python')) return name;
    const script = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1];
    return script && script.endsWith('.py') ? script.slice(script.lastIndexOf('/') + 1) : name;
  } catch {
    return '?';
  }
}

/** The pid and all its descendants alive now, leaving out the subtrees rooted at `exclude`. */
export function processTree(root: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    if (exclude.has(p)) continue;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Samples CPU seconds (summed per pid, so exited children keep their share) and peak RSS of a tree. */
export class TreeSampler {
  private readonly cpu = new Map<number, { first: number; last: number; comm: string }>();
  private peakRss = 0;
  /** Per process name: the largest sum of RSS (KiB) of its processes in one sample. */
  private readonly peakRssByComm = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly pageKb = 4;

  constructor(
    private readonly roots: () => number[],
    /** Processes left out with their descendants (e.g. a camera server or a browser started by the bench). */
    private readonly exclude: () => ReadonlySet<number> = () => new Set(),
  ) {}

  sample(): void {
    let rss = 0;
    const rssByComm = new Map<string, number>();
    const exclude = this.exclude();
    for (const pid of this.roots().flatMap((r) => processTree(r, exclude))) {
      const s = stat(pid);
      if (!s) continue;
      let c = this.cpu.get(pid);
      if (c) c.last = s.cpuTicks;
      else this.cpu.set(pid, (c = { first: s.cpuTicks, last: s.cpuTicks, comm: comm(pid) }));
      rss += s.rssPages * this.pageKb;
      rssByComm.set(c.comm, (rssByComm.get(c.comm) ?? 0) + s.rssPages * this.pageKb);
    }
    this.peakRss = Math.max(this.peakRss, rss);
    for (const [k, v] of rssByComm) this.peakRssByComm.set(k, Math.max(this.peakRssByComm.get(k) ?? 0, v));
  }

  start(everyMs = 250): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  /**
   * CPU seconds and peak RSS of the tree, and per process name: CPU seconds (`byProcess`), peak RSS
   * (`peakRssMbByProcess`, MB) and how many processes of that name were seen (`countByProcess`).
   */
  stop(): { cpuSeconds: number; peakRssMb: number; byProcess: Record<string, number>; peakRssMbByProcess: Record<string, number>; countByProcess: Record<string, number> } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    let ticks = 0;
    const byProcess: Record<string, number> = {};
    const countByProcess: Record<string, number> = {};
    for (const c of this.cpu.values()) {
      ticks += c.last - c.first;
      byProcess[c.comm] = (byProcess[c.comm] ?? 0) + (c.last - c.first) / TICK;
      countByProcess[c.comm] = (countByProcess[c.comm] ?? 0) + 1;
    }
    const peakRssMbByProcess = Object.fromEntries([...this.peakRssByComm].map(([k, v]) => [k, Math.round(v / 1024)]));
    return { cpuSeconds: ticks / TICK, peakRssMb: Math.round(this.peakRss / 1024), byProcess, peakRssMbByProcess, countByProcess };
  }
}
