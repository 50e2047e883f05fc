/**
 * mediasoup workers, one router each. A worker that dies is replaced at the same index and
 * listeners re-create what lived on it. Routers are handed out round-robin for cameras.
 *
 * All media to browsers leaves through ONE port: worker 0 (the *edge*) owns a WebRtcServer on the
 * configured UDP port and the same TCP port, every browser transport lives on its router, and
 * cameras produced on other workers are piped to it (CameraStream.ensureOn). A port can be bound
 * once, so a second WebRtcServer on another worker would need a second port.
 */
import { EventEmitter } from 'node:events';
import { createWorker, type types } from 'mediasoup';
import type { Logger } from 'pino';
import { freeUdpTcpPort, isShuttingDown } from '@wardwall/server-kit';
import { ROUTER_MEDIA_CODECS } from './codecs.js';

export interface PoolSlot {
  index: number;
  worker: types.Worker;
  router: types.Router;
  /** The one-port WebRTC server: on the edge slot (index 0) only. */
  webRtcServer: types.WebRtcServer | null;
}

export interface WebRtcListen {
  listenIp: string;
  announcedAddress: string | null;
  /** The UDP and TCP port; 0 = a free one chosen at start (kept when the edge worker is replaced). */
  port: number;
}

interface Events {
  /** The worker at `index` died and was replaced: everything on the old router is gone. */
  replaced: [slot: PoolSlot];
}

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Where browsers reach the WebRtcServer; null = no WebRtcServer (per-transport ports, tests of the pool). */
  webrtc?: WebRtcListen | null;
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
    if (opts.webrtc && opts.webrtc.port === 0) opts = { ...opts, webrtc: { ...opts.webrtc, port: await freeUdpTcpPort(opts.webrtc.listenIp) } };
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

  /** The slot that carries browser transports (its router, and its WebRtcServer when one is configured). */
  edge(): PoolSlot {
    return this.slots[0]!;
  }

  /** The UDP/TCP port of the WebRtcServer, or null without one. */
  get webRtcPort(): number | null {
    return this.opts.webrtc?.port ?? null;
  }

  /** Round-robin choice of a slot, for a new camera stream.*/
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
    const w = this.opts.webrtc;
    let webRtcServer: types.WebRtcServer | null = null;
    if (index === 0 && w) {
      const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
        protocol,
        ip: w.listenIp,
        port: w.port,
        ...(w.announcedAddress ? { announcedAddress: w.announcedAddress } : {}),
      });
      try {
        webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
      } catch (e) {
        worker.close();
        throw new Error(`config error: sfu.webrtc.port: cannot listen on ${w.listenIp}:${w.port} (UDP and TCP): ${(e as Error).message}`, { cause: e });
      }
    }
    this.opts.log.info({ worker: index, pid: worker.pid, webrtcPort: webRtcServer ? w!.port : undefined }, 'mediasoup worker ready');
    return { index, worker, router, webRtcServer };
  }

  private async onDied(index: number, worker: types.Worker, err: Error): Promise<void> {
    // A worker closes itself on SIGINT: a terminal's Ctrl-C reaches it with the SFU (expectShutdown).
    if (this.closed || isShuttingDown() || this.slots[index]?.worker !== worker) return;
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
