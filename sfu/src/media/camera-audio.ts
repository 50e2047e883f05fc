/**
 * The audio producer of one camera's main stream (live audio): its own PlainTransport fed by the
 * ingest's audio branch (sfu/src/ingest/audio-branch.ts) with Opus, a producer of kind audio, and
 * pipes to the routers its viewers are on. Kept apart from CameraStream so the video path stays
 * as it is.
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { AUDIO_PAYLOAD_TYPE, OPUS_CLOCK_RATE, OPUS_FRAME_MS, type AudioTarget } from '../ingest/audio-branch.js';
import { RtpContinuity } from './rtp-continuity.js';
import { IngestProducer } from './ingest-producer.js';

/** RTP parameters of the Opus producer fed by the ingest's audio branch. */
export function audioIngestRtpParameters(ssrc: number): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PAYLOAD_TYPE, clockRate: OPUS_CLOCK_RATE, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    encodings: [{ ssrc }],
  };
}

export class CameraAudio {
  private readonly out: IngestProducer;
  private readonly rtpContinuity = new RtpContinuity(OPUS_CLOCK_RATE, performance.now(), randomInt(0, 2 ** 32), randomInt(0, 2 ** 16));
  private readonly createdAt = performance.now();

  constructor(
    rtpHost: string,
    private readonly appData: Record<string, unknown>,
  ) {
    this.out = new IngestProducer(rtpHost, 'audio', 'camera has no audio producer');
  }

  get ssrc(): number {
    return this.out.ssrc;
  }

  get producer(): types.Producer | null {
    return this.out.producer;
  }

  /** Where the ingest's audio branch sends (null before produce()). */
  get target(): AudioTarget | null {
    const rtpPort = this.out.rtpPort;
    return rtpPort === null ? null : { rtpHost: this.out.rtpHost, rtpPort, sourcePort: this.out.sourcePort, ssrc: this.out.ssrc };
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
  produce(router: types.Router): Promise<void> {
    return this.out.produce(router, audioIngestRtpParameters(this.out.ssrc), { ...this.appData, media: 'audio' });
  }

  /** Makes the producer consumable on `router` (pipeToRouter once when it lives elsewhere). */
  ensureOn(router: types.Router): Promise<types.Producer> {
    return this.out.ensureOn(router);
  }

  /** Packets received from the camera so far (0: no audio yet, or a camera without audio). */
  async packets(): Promise<number> {
    const p = this.out.producer;
    if (!p || p.closed) return 0;
    try {
      return (await p.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0);
    } catch {
      return 0;
    }
  }

  close(): void {
    this.out.close();
  }
}
