/**
 * A ward station inside a network namespace, for the namespace tests and bench:city: runs
 * testing/city-ward-process.ts (endpoint + demo cameras, ward SFU, recorder) with
 * `ip netns exec` and talks to it over JSON lines on its stdin/stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./city-ward-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface WardStackConfig {
  ward: string;
  name: string;
  ip: string;
  natsUrl: string;
  natsUser: string;
  passwordFile: string;
  cameras: number;
  auth?: boolean;
  /** Run the recorder too (default true). */
  recorder?: boolean;
  raw?: Record<string, unknown>;
  testCameras?: { id: string; name: string; main: string }[];
}

export interface WardStats {
  localRtp: number;
  producerBytes: number;
  lastFootageMs: number | null;
  pipes: number;
}

export class WardStack {
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private next = 1;
  private stderr = '';
  url = '';

  private constructor(readonly child: ChildProcess) {}

  /** Starts the ward in namespace `ns` and waits until it is up (bounded). */
  static async start(ns: string, cfg: WardStackConfig, timeoutMs = 120_000): Promise<WardStack> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', FIXTURE, JSON.stringify(cfg)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const w = new WardStack(child);
    child.stderr!.on('data', (d: Buffer) => (w.stderr = (w.stderr + d.toString()).slice(-8000)));
    let ready!: (url: string) => void;
    const up = new Promise<string>((r) => (ready = r));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: { ready?: boolean; url?: string; id?: number; result?: unknown; error?: string };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.ready) return ready(msg.url!);
      const p = w.waiting.get(msg.id!);
      w.waiting.delete(msg.id!);
      if (msg.error) p?.reject(new Error(msg.error));
      else p?.resolve(msg.result);
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`ward ${cfg.ward} exited ${code}: ${w.stderr.slice(-2000)}`))));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`ward ${cfg.ward} not up after ${timeoutMs} ms: ${w.stderr.slice(-2000)}`)), timeoutMs)));
    try {
      w.url = await Promise.race([up, exited, late]);
    } catch (e) {
      await w.stop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    exited.catch(() => undefined);
    return w;
  }

  call<T>(op: string, body: Record<string, unknown> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, op, body })}\n`);
    });
  }

  stats(camera = 'demo-1'): Promise<WardStats> {
    return this.call<WardStats>('stats', { camera });
  }

  /** Ends the ward process by its PID (stdin closed and SIGTERM; SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.stdin!.end();
      c.kill('SIGTERM');
    });
  }
}
