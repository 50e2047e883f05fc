/**
 * Watches what a mediasoup producer sends, from inside the SFU's process: a DirectTransport
 * consumer of the producer, RTP parsed here. Tells when the first H.264 keyframe (IDR, or the SPS
 * before it) arrived and counts frames (marker bits). For tests and benches of the GOP bridge.
 */
import type { types } from 'mediasoup';

/** Whether an H.264 RTP payload (RFC 6184) starts or carries an IDR or SPS NAL unit. */
export function h264PayloadHasKeyframe(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: 16-bit sizes, each followed by one NAL unit.
    let i = 1;
    while (i + 2 < payload.length) {
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const nal = payload[i + 2]! & 0x1f;
      if (nal === 5 || nal === 7) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28 && payload.length >= 2) {
    // FU-A: the start fragment names the NAL unit's type.
    const start = (payload[1]! & 0x80) !== 0;
    const nal = payload[1]! & 0x1f;
    return start && (nal === 5 || nal === 7);
  }
  return false;
}

/** The payload of an RTP packet (after the header, CSRCs and extension; padding removed). */
export function rtpPayload(packet: Uint8Array): Uint8Array | null {
  if (packet.length < 12 || (packet[0]! & 0xc0) !== 0x80) return null;
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + ((packet[offset + 2]! << 8) | packet[offset + 3]!) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[end - 1]!;
  return end > offset ? packet.subarray(offset, end) : null;
}

export interface RtpWatch {
  consumer: types.Consumer;
  /** performance.now() of the first keyframe packet after the resume (null: none yet). */
  firstKeyframeAt: number | null;
  /** Keyframes seen (their first packets). */
  keyframes: number;
  frames: number;
  packets: number;
  lastPacketAt: number | null;
  /** Resolves at the first keyframe. */
  keyframe: Promise<number>;
  close(): void;
}

/** Consumes `producer` on `router` through a DirectTransport and watches its RTP (resumed at once). */
export async function watchProducer(router: types.Router, producer: types.Producer): Promise<RtpWatch> {
  const transport = await router.createDirectTransport();
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  let resolve: (at: number) => void = () => undefined;
  const watch: RtpWatch = {
    consumer,
    firstKeyframeAt: null,
    keyframes: 0,
    frames: 0,
    packets: 0,
    lastPacketAt: null,
    keyframe: new Promise<number>((r) => (resolve = r)),
    close: () => transport.close(),
  };
  let inKeyframe = false;
  consumer.on('rtp', (packet: Buffer) => {
    const payload = rtpPayload(packet);
    if (!payload) return;
    const at = performance.now();
    watch.packets++;
    watch.lastPacketAt = at;
    if (h264PayloadHasKeyframe(payload)) {
      if (!inKeyframe) watch.keyframes++;
      inKeyframe = true;
      if (watch.firstKeyframeAt === null) {
        watch.firstKeyframeAt = at;
        resolve(at);
      }
    }
    if (packet[1]! & 0x80) {
      watch.frames++;
      inKeyframe = false;
    }
  });
  await consumer.resume();
  return watch;
}
