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

export interface AudioTarget {
  rtpHost: string;
  rtpPort: number;
  /** Local UDP port the branch sends from (fixed per stream, like the video's). */
  sourcePort: number;
  ssrc: number;
}

/** Name given to the ingest's rtspsrc so that the audio branch can link to it. */
export const RTSP_SOURCE_NAME = 'src';

/**
 * gst-launch tokens of the audio branch, appended to a pipeline whose rtspsrc is named
 * RTSP_SOURCE_NAME. Its own queue keeps it from ever holding up the video.
 */
export function gstAudioBranch(t: AudioTarget): string[] {
  return [
    `${RTSP_SOURCE_NAME}.`, '!', 'application/x-rtp,media=audio',
    '!', 'queue', 'leaky=downstream', 'max-size-buffers=100', 'max-size-bytes=0', 'max-size-time=0',
    '!', 'decodebin', '!', 'audioconvert', '!', 'audioresample',
    '!', `audio/x-raw,rate=${OPUS_CLOCK_RATE},channels=2`,
    '!', 'opusenc', 'bitrate=32000', 'frame-size=20', 'audio-type=voice',
    '!', 'rtpopuspay', `pt=${AUDIO_PAYLOAD_TYPE}`, `ssrc=${t.ssrc}`,
    '!', 'udpsink', `host=${t.rtpHost}`, `port=${t.rtpPort}`, `bind-address=${t.rtpHost}`, `bind-port=${t.sourcePort}`, 'sync=false', 'async=false',
  ];
}

/**
 * Adds the audio branch to gst-launch arguments built by gstPassthroughArgs: names the rtspsrc and
 * appends the branch. The video part is left as it is.
 */
export function withAudioBranch(args: readonly string[], t: AudioTarget): string[] {
  const out = [...args];
  const at = out.indexOf('rtspsrc');
  if (at < 0) throw new Error('no rtspsrc in the pipeline');
  out.splice(at + 1, 0, `name=${RTSP_SOURCE_NAME}`);
  return [...out, ...gstAudioBranch(t)];
}
