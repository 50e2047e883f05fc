/**
 * The GOP-bridge producer of one H.264 passthrough stream (docs/gop-bridge.md): its own
 * PlainTransport, fed by the ingest's bridge branch (sfu/src/ingest/gop_bridge.py) only while a
 * bridge runs, a producer of kind video (constrained baseline, openh264), and pipes to the routers
 * its viewers are on. Kept apart from CameraStream so the video path stays as it is.
 */
import type { types } from 'mediasoup';
import type { BridgeTarget } from '../ingest/pipeline-args.js';
import { ingestRtpParameters } from './codecs.js';
import { IngestProducer } from './ingest-producer.js';

/** What the bridge's openh264 encoder writes (the transcode path's profile). */
export const BRIDGE_PROFILE_LEVEL_ID = '42e01f';

export class CameraBridge {
  private readonly out: IngestProducer;
  /** Bridges asked of the ingest (SIGUSR1 sent), for metrics and tests. */
  requests = 0;

  constructor(
    rtpHost: string,
    private readonly appData: Record<string, unknown>,
  ) {
    this.out = new IngestProducer(rtpHost, 'video', 'stream has no bridge producer');
  }

  get ssrc(): number {
    return this.out.ssrc;
  }

  get producer(): types.Producer | null {
    return this.out.producer;
  }

  /** Where the ingest's bridge branch sends (null before produce()). */
  get target(): BridgeTarget | null {
    const rtpPort = this.out.rtpPort;
    return rtpPort === null ? null : { rtpPort, sourcePort: this.out.sourcePort, ssrc: this.out.ssrc };
  }

  /** Creates the transport and producer on `router` (again after a worker was replaced). */
  produce(router: types.Router): Promise<void> {
    return this.out.produce(router, ingestRtpParameters(this.out.ssrc, BRIDGE_PROFILE_LEVEL_ID), { ...this.appData, media: 'bridge' });
  }

  /** Makes the producer consumable on `router` (pipeToRouter once when it lives elsewhere). */
  ensureOn(router: types.Router): Promise<types.Producer> {
    return this.out.ensureOn(router);
  }

  close(): void {
    this.out.close();
  }
}
