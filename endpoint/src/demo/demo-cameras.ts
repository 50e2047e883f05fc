/**
 * Runs the synthetic demo cameras: one supervised ffmpeg publisher per camera. stop()/start() of
 * a single camera let tests (and demos) unplug and re-plug a camera.
 */
import type { Logger } from 'pino';
import { SupervisedProcess } from '@wardwall/server-kit';
import { demoCameraArgs, DEFAULT_FONT, type DemoCameraSpec } from './demo-args.js';

export class DemoCameras {
  private readonly procs = new Map<string, SupervisedProcess>();

  constructor(
    private readonly specs: readonly DemoCameraSpec[],
    private readonly log: Logger,
  ) {
    for (const spec of specs) {
      const proc = new SupervisedProcess({
        name: `demo ${spec.id}`,
        spec: () => ({ command: 'ffmpeg', args: demoCameraArgs(spec), env: { ...process.env, TZ: 'Asia/Ho_Chi_Minh' } }),
        backoffMs: [1000, 2000, 5000],
        stableAfterMs: 10000,
        log,
      });
      proc.on('exited', (info) => {
        if (info.restartInMs !== null) log.warn({ camera: spec.id, code: info.code, stderr: info.stderrTail.slice(-3) }, 'demo camera publisher exited');
      });
      this.procs.set(spec.id, proc);
    }
  }

  get ids(): string[] {
    return [...this.procs.keys()];
  }

  startAll(): void {
    for (const p of this.procs.values()) p.start();
    this.log.info({ cameras: this.ids }, 'demo cameras publishing');
  }

  start(id: string): void {
    this.get(id).start();
  }

  /** Unplugs one camera: its publisher stops until start(id). */
  async stop(id: string): Promise<void> {
    await this.get(id).stop();
  }

  pid(id: string): number | undefined {
    return this.get(id).pid;
  }

  async close(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.stop()));
  }

  private get(id: string): SupervisedProcess {
    const p = this.procs.get(id);
    if (!p) throw new Error(`unknown demo camera ${id}`);
    return p;
  }
}

export { DEFAULT_FONT };
export type { DemoCameraSpec };
