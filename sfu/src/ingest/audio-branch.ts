/**
 * Live audio of a camera (pure builders): the ingest pipeline's rtspsrc gets a second branch that
 * takes the camera's audio RTP (G.711 A/µ-law, AAC, whatever decodebin can depayload and decode),
 * encodes Opus (what every browser plays over WebRTC) and sends it to its own mediasoup
 * PlainTransport, where a second producer of the camera (kind audio) serves the tiles. A camera
 * without audio never links the branch (rtspsrc adds no audio pad): nothing runs. `audio: false`
 * on the camera (privacy) leaves the branch out altogether.
 */

/** Payload type and clock of the Opus the branch sends. */
export const AUDIO_PAYLOAD_TYPE = 111;
export const OPUS_CLOCK_RATE = 48000;
/** Duration of one Opus packet the branch sends. */
export const OPUS_FRAME_MS = 20;

/** Where a pipeline run's RTP time and sequence start (media/rtp-continuity.ts). */
export interface RtpStart {
  /** The payloader's `timestamp-offset` (0…2³²−1). */
  timestampOffset: number;
  /** The payloader's `seqnum-offset` (0…65535). */
  seqnumOffset: number;
}

export interface AudioTarget {
  rtpHost: string;
  rtpPort: number;
  /** Local UDP port the branch sends from (fixed per stream, like the video's). */
  sourcePort: number;
  ssrc: number;
  /** Continues the previous run's RTP time and sequence (absent: the payloader's random start). */
  rtpStart?: RtpStart;
}

/** How the branch sends: `paced` (lip-sync, see pipeline-args.ts) holds each packet until its running time + the pipeline latency. */
export interface AudioBranchOptions {
  paced?: boolean;
}

/**
 * GStreamer description of the audio branch, from the camera's audio RTP to Opus RTP on UDP. The
 * ingest launcher (gst-ingest.py) builds it as a bin and links rtspsrc's audio pad to its first
 * element, the queue named `audioin` (a camera
 * that restarts its encoder gets its new audio pad linked in place of the old one). Its own leaky
 * queue keeps it from ever holding up the video. Paced (the camera has live audio): the udpsink
 * sends each Opus packet at its running time + the pipeline latency, like the video's udpsink, so
 * that both reach mediasoup in step with the camera's capture time (lip-sync).
 */
export function audioBranchDescription(t: AudioTarget, opts: AudioBranchOptions = {}): string {
  return [
    'queue name=audioin leaky=downstream max-size-buffers=100 max-size-bytes=0 max-size-time=0',
    'decodebin',
    'audioconvert',
    // Named: gst-ingest.py's ResampleFollower keeps its output on the input's (paced) timestamps.
    'audioresample name=resample',
    `audio/x-raw,rate=${OPUS_CLOCK_RATE},channels=2`,
    `opusenc bitrate=32000 frame-size=${OPUS_FRAME_MS} audio-type=voice`,
    `rtpopuspay pt=${AUDIO_PAYLOAD_TYPE} ssrc=${t.ssrc}${t.rtpStart ? ` timestamp-offset=${t.rtpStart.timestampOffset} seqnum-offset=${t.rtpStart.seqnumOffset}` : ''}`,
    `udpsink host=${t.rtpHost} port=${t.rtpPort} bind-address=${t.rtpHost} bind-port=${t.sourcePort} sync=${opts.paced ? 'true' : 'false'} async=false`,
  ].join(' ! ');
}
