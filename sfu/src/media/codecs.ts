import type { types } from 'mediasoup';

/** The payload type and H.264 parameters every ingest pipeline sends with. */
export const INGEST_PAYLOAD_TYPE = 96;
const H264_PARAMS = { 'packetization-mode': 1, 'level-asymmetry-allowed': 1 };

/**
 * Router codecs: H.264 only (mediasoup forwards, it cannot transcode), one entry per profile the
 * ingest may declare: a passthrough camera is declared with its real profile (constrained baseline,
 * baseline, main or high, all decoded by browsers from WebRTC when there is no reordering);
 * transcoded cameras are constrained baseline.
 */
export const ROUTER_MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 102, parameters: { ...H264_PARAMS, 'profile-level-id': '42e01f' }, rtcpFeedback: [] },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 104, parameters: { ...H264_PARAMS, 'profile-level-id': '42001f' }, rtcpFeedback: [] },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 106, parameters: { ...H264_PARAMS, 'profile-level-id': '4d001f' }, rtcpFeedback: [] },
  { kind: 'video', mimeType: 'video/H264', clockRate: 90000, preferredPayloadType: 108, parameters: { ...H264_PARAMS, 'profile-level-id': '64001f' }, rtcpFeedback: [] },
  // Live audio of cameras that have it (G.711/AAC transcoded to Opus by the ingest's audio branch).
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 111 },
];

/** RTP parameters of a producer fed by an ingest pipeline with the given SSRC and H.264 profile-level-id. */
export function ingestRtpParameters(ssrc: number, profileLevelId = '42e01f'): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/H264',
        payloadType: INGEST_PAYLOAD_TYPE,
        clockRate: 90000,
        parameters: { ...H264_PARAMS, 'profile-level-id': profileLevelId },
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    encodings: [{ ssrc }],
  };
}
