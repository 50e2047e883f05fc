/**
 * A producer fed by one branch of a camera's ingest: its own PlainTransport (comedia: the ingest
 * sends from a fixed source port), one producer, and the pipes that make it consumable on the
 * routers its viewers are on. Shared by the camera's live audio (camera-audio.ts) and its GOP bridge
 * (camera-bridge.ts); the camera's main video stays in camera-stream.ts.
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { freeUdpPort } from '@wardwall/server-kit';

export class IngestProducer {
  readonly ssrc = randomInt(1, 2 ** 31);
  private transport: types.PlainTransport | null = null;
  private producerRef: types.Producer | null = null;
  private readonly piped = new Map<string, Promise<void>>();
  private port = 0;
  private router: types.Router | null = null;

  constructor(
    readonly rtpHost: string,
    private readonly kind: types.MediaKind,
    /** The error when there is no producer yet ("camera has no audio producer"). */
    private readonly what: string,
  ) {}

  get producer(): types.Producer | null {
    return this.producerRef;
  }

  /** The transport's UDP port the ingest sends to (null before produce()). */
  get rtpPort(): number | null {
    return this.transport ? this.transport.tuple.localPort : null;
  }

  /** The fixed port the ingest sends from (0 before produce()). */
  get sourcePort(): number {
    return this.port;
  }

  /** Creates the transport and producer on `router` (again after a worker was replaced). */
  async produce(router: types.Router, rtpParameters: types.RtpParameters, appData: Record<string, unknown>): Promise<void> {
    if (!this.port) this.port = await freeUdpPort();
    this.transport?.close();
    this.router = router;
    this.piped.clear();
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: this.rtpHost }, rtcpMux: true, comedia: true });
    const producer = await transport.produce({ kind: this.kind, rtpParameters, appData });
    this.transport = transport;
    this.producerRef = producer;
    producer.observer.once('close', () => {
      if (this.producerRef === producer) {
        this.producerRef = null;
        this.piped.clear();
      }
    });
  }

  /** Makes the producer consumable on `router` (pipeToRouter once when it lives elsewhere). */
  async ensureOn(router: types.Router): Promise<types.Producer> {
    const producer = this.producerRef;
    if (!producer || !this.router) throw new Error(this.what);
    if (router.id === this.router.id) return producer;
    let p = this.piped.get(router.id);
    if (!p) {
      p = this.router.pipeToRouter({ producerId: producer.id, router }).then(() => undefined);
      this.piped.set(router.id, p);
      p.catch(() => this.piped.delete(router.id));
      router.observer.once('close', () => this.piped.delete(router.id));
    }
    await p;
    return producer;
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
    this.producerRef = null;
  }
}
