/**
 * The audio producer of one camera's main stream (live audio): its own PlainTransport fed by the
 * ingest's audio branch (sfu/src/ingest/audio-branch.ts) with Opus, a producer of kind audio, and
 * pipes to the routers its viewers are on. Kept apart from CameraStream so the video path stays
 * as it is.
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { freeUdpPort } from '@wardwall/server-kit';
import { AUDIO_PAYLOAD_TYPE, OPUS_CLOCK_RATE, OPUS_FRAME_MS, type AudioTarget } from '../ingest/audio-branch.js';
import { RtpContinuity } from './rtp-continuity.js';

/** RTP parameters of the Opus producer fed by the ingest's audio branch. */
export function audioIngestRtpParameters(ssrc: number): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PAYLOAD_TYPE, clockRate: OPUS_CLOCK_RATE, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    encodings: [{ ssrc }],
  };
}

export class CameraAudio {
  readonly ssrc = randomInt(1, 2 ** 31);
  private readonly rtpContinuity = new RtpContinuity(OPUS_CLOCK_RATE, performance.now(), randomInt(0, 2 ** 32), randomInt(0, 2 ** 16));
  private transport: types.PlainTransport | null = null;
  private producerRef: types.Producer | null = null;
  private readonly piped = new Map<string, Promise<void>>();
  private sourcePort = 0;
  private router: types.Router | null = null;

  private readonly createdAt = performance.now();

  constructor(
    private readonly rtpHost: string,
    private readonly appData: Record<string, unknown>,
  ) {}

  get producer(): types.Producer | null {
    return this.producerRef;
  }

  /** Where the ingest's audio branch sends (null before produce()). */
  get target(): AudioTarget | null {
    return this.transport ? { rtpHost: this.rtpHost, rtpPort: this.transport.tuple.localPort, sourcePort: this.sourcePort, ssrc: this.ssrc } : null;
  }

  /**
   * The target of a new pipeline run, continuing the previous run's RTP time and sequence. The
   * branch sends one 20 ms Opus packet at most every 20 ms, so the time elapsed bounds the packets sent.
   */
  nextRunTarget(): AudioTarget | null {
    const target = this.target;
    if (!target) return null;
    const now = performance.now();
    return { ...target, rtpStart: this.rtpContinuity.next(now, Math.ceil((now - this.createdAt) / OPUS_FRAME_MS)) };
  }

  /** Creates the transport and producer on `router` (again after a worker was replaced). */
  async produce(router: types.Router): Promise<void> {
    if (!this.sourcePort) this.sourcePort = await freeUdpPort();
    this.transport?.close();
    this.router = router;
    this.piped.clear();
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: this.rtpHost }, rtcpMux: true, comedia: true });
    const producer = await transport.produce({ kind: 'audio', rtpParameters: audioIngestRtpParameters(this.ssrc), appData: { ...this.appData, media: 'audio' } });
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
    if (!producer || !this.router) throw new Error('camera has no audio producer');
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

  /** Packets received from the camera so far (0: no audio yet, or a camera without audio). */
  async packets(): Promise<number> {
    const p = this.producerRef;
    if (!p || p.closed) return 0;
    try {
      return (await p.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0);
    } catch {
      return 0;
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
    this.producerRef = null;
  }
}
