/**
 * The GOP-bridge producer of one H.264 passthrough stream (docs/gop-bridge.md): its own
 * PlainTransport, fed by the ingest's bridge branch (sfu/src/ingest/gop_bridge.py) only while a
 * bridge runs, a producer of kind video (constrained baseline, openh264), and pipes to the routers
 * its viewers are on. Kept apart from CameraStream so the video path stays as it is.
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { freeUdpPort } from '@wardwall/server-kit';
import type { BridgeTarget } from '../ingest/pipeline-args.js';
import { ingestRtpParameters } from './codecs.js';

/** What the bridge's openh264 encoder writes (the transcode path's profile). */
export const BRIDGE_PROFILE_LEVEL_ID = '42e01f';

export class CameraBridge {
  readonly ssrc = randomInt(1, 2 ** 31);
  private transport: types.PlainTransport | null = null;
  private producerRef: types.Producer | null = null;
  private readonly piped = new Map<string, Promise<void>>();
  private sourcePort = 0;
  private router: types.Router | null = null;
  /** Bridges asked of the ingest (SIGUSR1 sent), for metrics and tests. */
  requests = 0;

  constructor(
    private readonly rtpHost: string,
    private readonly appData: Record<string, unknown>,
  ) {}

  get producer(): types.Producer | null {
    return this.producerRef;
  }

  /** Where the ingest's bridge branch sends (null before produce()). */
  get target(): BridgeTarget | null {
    return this.transport ? { rtpPort: this.transport.tuple.localPort, sourcePort: this.sourcePort, ssrc: this.ssrc } : null;
  }

  /** Creates the transport and producer on `router` (again after a worker was replaced). */
  async produce(router: types.Router): Promise<void> {
    if (!this.sourcePort) this.sourcePort = await freeUdpPort();
    this.transport?.close();
    this.router = router;
    this.piped.clear();
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: this.rtpHost }, rtcpMux: true, comedia: true });
    const producer = await transport.produce({ kind: 'video', rtpParameters: ingestRtpParameters(this.ssrc, BRIDGE_PROFILE_LEVEL_ID), appData: { ...this.appData, media: 'bridge' } });
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
    if (!producer || !this.router) throw new Error('stream has no bridge producer');
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
