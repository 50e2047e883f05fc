import type { types } from 'mediasoup';

/** The payload type and H.264 parameters every ingest pipeline sends with. */
export const INGEST_PAYLOAD_TYPE = 96;
const H264_PARAMS = { 'packetization-mode': 1, 'level-asymmetry-allowed': 1 };

/**
 * Router codecs: H.264 only (passthrough; mediasoup cannot transcode). Constrained baseline is what
 * the ingest declares; browsers decode main/high bitstreams under it in practice, and cameras that
 * truly need it are re-encoded with `transcode: true`.
 */
export const ROUTER_MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 102, parameters: { ...H264_PARAMS, 'profile-level-id': '42e01f' }, rtcpFeedback: [] },
  // Live audio of cameras that have it (G.711/AAC transcoded to Opus by the ingest's audio branch).
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 },
];

/** RTP parameters of a producer fed by an ingest pipeline with the given SSRC. */
export function ingestRtpParameters(ssrc: number): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/H264',
        payloadType: INGEST_PAYLOAD_TYPE,
        clockRate: 90000,
        parameters: { ...H264_PARAMS, 'profile-level-id': '42e01f' },
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    encodings: [{ ssrc }],
  };
}
