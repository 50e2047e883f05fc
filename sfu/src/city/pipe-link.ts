/**
 * Ward → centre media over a mediasoup PipeTransport (SRTP, RTX/NACK on), between two processes on
 * two machines. It is mediasoup's own Router.pipeToRouter split in two halves that exchange plain
 * JSON (carried by the control plane's request/reply; see docs/city-media.md):
 *
 *   centre: createPipeTransport ──open {pipeId, cameraId, stream, centre:{ip,port,srtp}}──▶ ward
 *   ward:   createPipeTransport, connect(centre), consume(producer)
 *           ◀── reply {pipeId, ward:{ip,port,srtp}, producer:{id, kind, rtpParameters, paused}} ──
 *   centre: connect(ward), produce({id, kind, rtpParameters, paused}) = the pipe producer that
 *           central viewers consume.
 *
 * One pipe (transport pair + consumer/producer pair) per camera stream, shared by every central
 * viewer (`CentrePipes.acquire` counts leases); the last lease released starts a linger, after which
 * the centre closes its half and asks the ward to close its own. A PipeTransport is plain UDP to a
 * fixed tuple, with no ICE and no consent check: a cut link loses packets and, once restored,
 * carries them again on the same pipe (RTX/NACK and keyframe requests repair the picture).
 */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { StreamKind } from '@wardwall/common';
import { PipeCloseRequestSchema, PipeErrorCode, PipeErrorReplySchema, PipeOpenReplySchema, PipeOpenRequestSchema, type PipeCloseRequest, type PipeEndpoint, type PipeOpenReply, type PipeOpenRequest } from '@wardwall/city';

export { PipeCloseRequestSchema, PipeEndpointSchema, PipeErrorCode, PipeErrorReplySchema, PipeOpenReplySchema, PipeOpenRequestSchema } from '@wardwall/city';
export type { PipeCloseRequest, PipeEndpoint, PipeOpenReply, PipeOpenRequest } from '@wardwall/city';

export class PipeLinkError extends Error {
  constructor(
    readonly code: PipeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PipeLinkError';
  }
  toBody(): { code: PipeErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Where a pipe transport listens: the address the other side can reach (announced when behind NAT). */
export interface PipeListen {
  ip: string;
  announcedAddress?: string;
  /** UDP port range for pipe transports (default: the worker's rtcMinPort..rtcMaxPort). */
  portRange?: { min: number; max: number };
}

function listenInfo(l: PipeListen): types.TransportListenInfo {
  return {
    protocol: 'udp',
    ip: l.ip,
    ...(l.announcedAddress ? { announcedAddress: l.announcedAddress } : {}),
    ...(l.portRange ? { portRange: l.portRange } : {}),
  };
}

async function createPipe(router: types.Router, l: PipeListen, appData: Record<string, unknown>): Promise<types.PipeTransport> {
  try {
    return await router.createPipeTransport({ listenInfo: listenInfo(l), enableSrtp: true, enableRtx: true, enableSctp: false, appData });
  } catch (e) {
    throw new PipeLinkError('PIPE_MEDIA_FAILED', `cannot create a pipe transport on ${l.ip}: ${(e as Error).message}`);
  }
}

function endpointOf(t: types.PipeTransport, l: PipeListen): PipeEndpoint {
  return { ip: l.announcedAddress ?? t.tuple.localAddress ?? l.ip, port: t.tuple.localPort, srtpParameters: t.srtpParameters! };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new PipeLinkError('PIPE_BAD_REQUEST', `${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

// ---------------------------------------------------------------------------------------------
// Ward side

/** The router and producer of a ward camera stream: null = unknown camera, producer null = offline. */
export type WardProducerSource = (cameraId: string, stream: StreamKind) => { router: types.Router; producer: types.Producer | null } | null;

/** Adapter for the ward SFU's CameraRegistry (anything with `stream(id, kind)` giving a CameraStream). */
export function registrySource(registry: { stream(cameraId: string, kind: StreamKind): { slot: { router: types.Router }; producer: types.Producer | null } | undefined }): WardProducerSource {
  return (cameraId, stream) => {
    const s = registry.stream(cameraId, stream);
    return s ? { router: s.slot.router, producer: s.producer } : null;
  };
}

interface WardPipe {
  transport: types.PipeTransport;
  consumer: types.Consumer;
  reply: PipeOpenReply;
  /** The centre instance that opened it (absent from older centres). */
  centreInstance: string | null;
}

/** The ward's half: answers open/close requests from the centre. */
export class WardPipes {
  private readonly pipes = new Map<string, Promise<WardPipe>>();
  private closed = false;

  constructor(
    private readonly opts: {
      listen: PipeListen;
      source: WardProducerSource;
      log: Logger;
      /** The ward closed a pipe by itself (its camera's producer went away): tell the centre. */
      onDropped?: (pipeId: string, why: string) => void;
    },
  ) {}

  get size(): number {
    return this.pipes.size;
  }

  /** Opens (or, for a retried request with the same pipeId, returns) the ward's half of a pipe. */
  async open(raw: unknown): Promise<PipeOpenReply> {
    if (this.closed) throw new PipeLinkError('PIPE_CLOSED', 'ward pipes closed');
    const req = parse(PipeOpenRequestSchema, raw, 'pipe open request');
    let p = this.pipes.get(req.pipeId);
    if (!p) {
      p = this.create(req);
      this.pipes.set(req.pipeId, p);
      p.catch(() => this.pipes.delete(req.pipeId));
    }
    return (await p).reply;
  }

  private async create(req: PipeOpenRequest): Promise<WardPipe> {
    const found = this.opts.source(req.cameraId, req.stream);
    if (!found) throw new PipeLinkError('PIPE_UNKNOWN_CAMERA', `no camera stream ${req.cameraId}/${req.stream}`);
    const producer = found.producer;
    if (!producer || producer.closed) throw new PipeLinkError('PIPE_CAMERA_OFFLINE', `camera ${req.cameraId}/${req.stream} has no live producer`);
    const transport = await createPipe(found.router, this.opts.listen, { pipeId: req.pipeId, cameraId: req.cameraId, stream: req.stream });
    try {
      await transport.connect({ ip: req.centre.ip, port: req.centre.port, srtpParameters: req.centre.srtpParameters });
      const consumer = await transport.consume({ producerId: producer.id });
      // The camera's producer went away (ingest restart on a replaced worker, camera removed): the pipe is dead.
      consumer.observer.once('close', () => this.drop(req.pipeId, transport, 'consumer closed'));
      transport.observer.once('close', () => this.forget(req.pipeId, transport));
      const reply: PipeOpenReply = {
        pipeId: req.pipeId,
        ward: endpointOf(transport, this.opts.listen),
        producer: { id: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters as PipeOpenReply['producer']['rtpParameters'], paused: consumer.producerPaused },
      };
      this.opts.log.info({ pipeId: req.pipeId, camera: req.cameraId, stream: req.stream, centre: `${req.centre.ip}:${req.centre.port}`, localPort: transport.tuple.localPort }, 'city pipe opened (ward)');
      return { transport, consumer, reply, centreInstance: req.centreInstance ?? null };
    } catch (e) {
      transport.close();
      if (e instanceof PipeLinkError) throw e;
      throw new PipeLinkError('PIPE_MEDIA_FAILED', `pipe ${req.pipeId}: ${(e as Error).message}`);
    }
  }

  private drop(pipeId: string, transport: types.PipeTransport, why: string): void {
    if (!transport.closed) {
      this.opts.log.info({ pipeId, why }, 'city pipe closed (ward)');
      transport.close();
      this.opts.onDropped?.(pipeId, why);
    }
    this.forget(pipeId, transport);
  }

  private forget(pipeId: string, transport: types.PipeTransport): void {
    const p = this.pipes.get(pipeId);
    if (!p) return;
    void p.then(
      (w) => {
        if (w.transport === transport && this.pipes.get(pipeId) === p) this.pipes.delete(pipeId);
      },
      () => undefined,
    );
  }

  /** Closes one pipe (the centre's request); an unknown pipeId is not an error (already gone). */
  async close(raw: unknown): Promise<{ closed: boolean }> {
    const req = parse(PipeCloseRequestSchema, raw, 'pipe close request');
    const p = this.pipes.get(req.pipeId);
    if (!p) return { closed: false };
    this.pipes.delete(req.pipeId);
    try {
      const w = await p;
      w.transport.close();
      this.opts.log.info({ pipeId: req.pipeId }, 'city pipe closed (ward)');
      return { closed: true };
    } catch {
      return { closed: false };
    }
  }

  /** Bytes and packets sent by the pipe consumer of `pipeId` (its RTP stats); null when unknown. */
  async consumerStats(pipeId: string): Promise<{ packets: number; bytes: number } | null> {
    const p = this.pipes.get(pipeId);
    if (!p) return null;
    const w = await p;
    const stats = await w.consumer.getStats();
    const out = stats.filter((s) => s.type === 'outbound-rtp');
    return { packets: out.reduce((n, s) => n + (s.packetCount ?? 0), 0), bytes: out.reduce((n, s) => n + (s.byteCount ?? 0), 0) };
  }

  /**
   * Closes the pipes opened by any of the centre `instances` (they restarted or are gone: nobody
   * holds those pipes) and tells the centre through `onDropped`. Resolves with how many were closed.
   */
  async dropCentreInstances(instances: readonly string[], why: string): Promise<number> {
    if (instances.length === 0) return 0;
    const dead = new Set(instances);
    let n = 0;
    await Promise.all(
      [...this.pipes.entries()].map(([pipeId, p]) =>
        p.then(
          (w) => {
            if (w.centreInstance !== null && dead.has(w.centreInstance) && !w.transport.closed) {
              this.drop(pipeId, w.transport, why);
              n++;
            }
          },
          () => undefined,
        ),
      ),
    );
    return n;
  }

  closeAll(): void {
    this.closed = true;
    for (const p of this.pipes.values()) void p.then((w) => w.transport.close(), () => undefined);
    this.pipes.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Centre side

/** The control plane's request/reply to one ward (NATS later): resolves with the reply's JSON. */
export interface WardRequester {
  open(wardId: string, req: PipeOpenRequest): Promise<unknown>;
  close(wardId: string, req: PipeCloseRequest): Promise<unknown>;
}

export interface CentrePipesOptions {
  /** The router central viewers consume on (the edge router). */
  router: types.Router;
  listen: PipeListen;
  requester: WardRequester;
  /** How long a pipe stays after its last central viewer left, ms. */
  lingerMs: number;
  /** How long to wait for a ward's reply, ms. */
  requestTimeoutMs?: number;
  /** This centre SFU's instance id, sent with every pipe open (the ward drops the pipe when it dies). */
  centreInstance?: string;
  log: Logger;
}

export interface PipeLease {
  /** The pipe producer on the centre's router (its id is the ward producer's id). */
  producer: types.Producer;
  pipeId: string;
  /** Ends this viewer's use; the last one starts the linger. Idempotent. */
  release(): void;
}

interface CentrePipe {
  key: string;
  wardId: string;
  pipeId: string;
  refs: number;
  linger: NodeJS.Timeout | null;
  ready: Promise<{ transport: types.PipeTransport; producer: types.Producer }>;
}

export function pipeKey(wardId: string, cameraId: string, stream: StreamKind): string {
  return `${wardId}\u0000${cameraId}\u0000${stream}`;
}

/** The centre's half: one pipe per ward camera stream, leased by central viewers. */
export class CentrePipes {
  private readonly pipes = new Map<string, CentrePipe>();
  private closed = false;

  constructor(private readonly opts: CentrePipesOptions) {}

  /** Pipes open now (including lingering ones). */
  get size(): number {
    return this.pipes.size;
  }

  /** Viewers holding the pipe of this stream now (0 when lingering or absent). */
  refs(wardId: string, cameraId: string, stream: StreamKind): number {
    return this.pipes.get(pipeKey(wardId, cameraId, stream))?.refs ?? 0;
  }

  /** A lease on the ward camera's pipe producer, opening the pipe on first use. */
  async acquire(wardId: string, cameraId: string, stream: StreamKind): Promise<PipeLease> {
    if (this.closed) throw new PipeLinkError('PIPE_CLOSED', 'centre pipes closed');
    const key = pipeKey(wardId, cameraId, stream);
    let pipe = this.pipes.get(key);
    if (!pipe) {
      const pipeId = randomUUID();
      pipe = { key, wardId, pipeId, refs: 0, linger: null, ready: this.open(wardId, pipeId, cameraId, stream) };
      const created = pipe;
      this.pipes.set(key, created);
      created.ready.then(
        ({ transport }) => transport.observer.once('close', () => this.pipes.get(key) === created && this.pipes.delete(key)),
        () => this.pipes.get(key) === created && this.pipes.delete(key),
      );
    }
    pipe.refs++;
    if (pipe.linger) {
      clearTimeout(pipe.linger);
      pipe.linger = null;
    }
    let producer: types.Producer;
    try {
      ({ producer } = await pipe.ready);
    } catch (e) {
      pipe.refs--;
      throw e;
    }
    const held = pipe;
    let released = false;
    return {
      producer,
      pipeId: held.pipeId,
      release: () => {
        if (released) return;
        released = true;
        this.release(held);
      },
    };
  }

  private release(pipe: CentrePipe): void {
    pipe.refs--;
    if (pipe.refs > 0 || this.pipes.get(pipe.key) !== pipe) return;
    pipe.linger = setTimeout(() => {
      pipe.linger = null;
      if (pipe.refs === 0) void this.closePipe(pipe, 'last central viewer left');
    }, this.opts.lingerMs);
    pipe.linger.unref();
  }

  private async closePipe(pipe: CentrePipe, why: string): Promise<void> {
    if (this.pipes.get(pipe.key) === pipe) this.pipes.delete(pipe.key);
    if (pipe.linger) clearTimeout(pipe.linger);
    try {
      const { transport } = await pipe.ready;
      transport.close();
    } catch {
      return; // never opened: nothing at the ward either
    }
    this.opts.log.info({ pipeId: pipe.pipeId, ward: pipe.wardId, why }, 'city pipe closed (centre)');
    try {
      await this.withTimeout(this.opts.requester.close(pipe.wardId, { pipeId: pipe.pipeId }), `close of pipe ${pipe.pipeId}`);
    } catch (e) {
      // The ward unreachable (cut link): it drops the pipe itself when the centre's presence goes.
      this.opts.log.warn({ pipeId: pipe.pipeId, ward: pipe.wardId, err: (e as Error).message }, 'could not tell the ward to close its pipe');
    }
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.opts.requestTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PipeLinkError('PIPE_TIMEOUT', `${what}: no answer within ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private async open(wardId: string, pipeId: string, cameraId: string, stream: StreamKind): Promise<{ transport: types.PipeTransport; producer: types.Producer }> {
    const transport = await createPipe(this.opts.router, this.opts.listen, { pipeId, wardId, cameraId, stream });
    try {
      const request: PipeOpenRequest = { pipeId, cameraId, stream, centre: endpointOf(transport, this.opts.listen), ...(this.opts.centreInstance ? { centreInstance: this.opts.centreInstance } : {}) };
      const raw = await this.withTimeout(this.opts.requester.open(wardId, request), `pipe open at ward ${wardId}`);
      const refused = PipeErrorReplySchema.safeParse(raw);
      if (refused.success) throw new PipeLinkError(refused.data.error.code, `ward ${wardId}: ${refused.data.error.message}`);
      const reply = parse(PipeOpenReplySchema, raw, `pipe open reply of ward ${wardId}`);
      if (reply.pipeId !== pipeId) throw new PipeLinkError('PIPE_BAD_REQUEST', `ward ${wardId} answered for pipe ${reply.pipeId}, not ${pipeId}`);
      try {
        await transport.connect({ ip: reply.ward.ip, port: reply.ward.port, srtpParameters: reply.ward.srtpParameters });
        const producer = await transport.produce({
          id: reply.producer.id,
          kind: reply.producer.kind,
          rtpParameters: reply.producer.rtpParameters as types.RtpParameters,
          paused: reply.producer.paused,
          appData: { wardId, cameraId, stream, pipeId },
        });
        this.opts.log.info({ pipeId, ward: wardId, camera: cameraId, stream, remote: `${reply.ward.ip}:${reply.ward.port}` }, 'city pipe opened (centre)');
        return { transport, producer };
      } catch (e) {
        // Our half failed after the ward opened its own: tell it to drop it.
        void this.opts.requester.close(wardId, { pipeId }).catch(() => undefined);
        throw new PipeLinkError('PIPE_MEDIA_FAILED', `pipe ${pipeId}: ${(e as Error).message}`);
      }
    } catch (e) {
      transport.close();
      throw e;
    }
  }

  /**
   * The ward closed pipe `pipeId` by itself (camera producer gone): the centre's half closes now, so
   * the viewers' consumers close with the pipe producer (and may consume again). False when unknown.
   */
  dropPipe(wardId: string, pipeId: string): boolean {
    const pipe = [...this.pipes.values()].find((p) => p.wardId === wardId && p.pipeId === pipeId);
    if (!pipe) return false;
    void this.closePipe(pipe, 'closed by the ward');
    return true;
  }

  /**
   * Closes every pipe of `wardId` now (the ward's SFU restarted, or the ward has been offline too
   * long): the viewers' consumers close with the pipe producers, so their tiles consume again.
   * Returns how many were closed.
   */
  dropWard(wardId: string, why: string): number {
    const of = [...this.pipes.values()].filter((p) => p.wardId === wardId);
    for (const p of of) void this.closePipe(p, why);
    return of.length;
  }

  /** Closes every pipe now (shutdown), telling the wards. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pipes.values()].map((p) => this.closePipe(p, 'shutdown')));
  }
}
