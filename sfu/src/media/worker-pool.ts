/**
 * mediasoup workers, one router each. A worker that dies is replaced at the same index and
 * listeners re-create what lived on it. Routers are handed out round-robin for sessions and cameras.
 */
import { EventEmitter } from 'node:events';
import { createWorker, type types } from 'mediasoup';
import type { Logger } from 'pino';
import { ROUTER_MEDIA_CODECS } from './codecs.js';

export interface PoolSlot {
  index: number;
  worker: types.Worker;
  router: types.Router;
}

interface Events {
  /** The worker at `index` died and was replaced: everything on the old router is gone. */
  replaced: [slot: PoolSlot];
}

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  log: Logger;
}

export class WorkerPool extends EventEmitter<Events> {
  private slots: PoolSlot[] = [];
  private next = 0;
  private closed = false;

  private constructor(private readonly opts: WorkerPoolOptions) {
    super();
  }

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    pool.slots = await Promise.all(Array.from({ length: opts.size }, (_, i) => pool.createSlot(i)));
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  slot(index: number): PoolSlot {
    return this.slots[index]!;
  }

  /** Round-robin choice of a slot, for a new camera stream or a new browser transport. */
  pick(): PoolSlot {
    const slot = this.slots[this.next % this.slots.length]!;
    this.next++;
    return slot;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.slots[0]!.router.rtpCapabilities;
  }

  pids(): number[] {
    return this.slots.map((s) => s.worker.pid);
  }

  private async createSlot(index: number): Promise<PoolSlot> {
    const worker = await createWorker({
      logLevel: 'warn',
      rtcMinPort: this.opts.rtcMinPort,
      rtcMaxPort: this.opts.rtcMaxPort,
      disableLiburing: true,
    });
    worker.on('died', (err) => void this.onDied(index, worker, err));
    const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    this.opts.log.info({ worker: index, pid: worker.pid }, 'mediasoup worker ready');
    return { index, worker, router };
  }

  private async onDied(index: number, worker: types.Worker, err: Error): Promise<void> {
    if (this.closed || this.slots[index]?.worker !== worker) return;
    this.opts.log.error({ worker: index, pid: worker.pid, err: err.message }, 'mediasoup worker died; replacing it');
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const slot = await this.createSlot(index);
        if (this.closed) {
          slot.worker.close();
          return;
        }
        this.slots[index] = slot;
        for (const l of this.listeners('replaced')) {
          try {
            (l as (s: PoolSlot) => void)(slot);
          } catch (e) {
            this.opts.log.error({ err: e }, 'replaced listener failed');
          }
        }
        return;
      } catch (e) {
        this.opts.log.error({ worker: index, err: (e as Error).message, attempt }, 'could not start a replacement worker');
        await new Promise((r) => setTimeout(r, Math.min(10000, 500 * 2 ** attempt)));
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) s.worker.close();
  }
}
