/**
 * Which pull carries a camera's recording (pure): the in-process Node pull (RTSP H.264 video
 * without reordering, audio absent or not recorded) or the GStreamer pull (pull.py: everything
 * else — H.265, audio to record, RTMP, B-frames). Decided from the DESCRIBE answer; a camera the
 * Node pull had to give up on (a reordered stream seen at run time) stays on GStreamer.
 */

export type PullEngine = 'node' | 'gstreamer';
export type PullEngineSetting = 'auto' | 'gstreamer';

export interface PullEngineInput {
  setting: PullEngineSetting;
  url: string;
  /** The writer records the camera's audio. */
  recordAudio: boolean;
  /** The SDP's tracks (null before DESCRIBE). */
  tracks: readonly { media: string; encodingName: string }[] | null;
  /** profile_idc of the SPS (the SDP's sprop-parameter-sets), when known. */
  profileIdc?: number | null;
  /** A decision remembered for this camera (after a fallback), if any. */
  remembered?: PullEngine | null;
}

export interface PullEngineChoice {
  engine: PullEngine;
  reason: string;
}

/** H.264 profiles that have no B-slices (baseline and constrained baseline). */
const NO_REORDER_PROFILES = new Set([66]);

export function choosePullEngine(i: PullEngineInput): PullEngineChoice {
  if (i.setting === 'gstreamer') return { engine: 'gstreamer', reason: 'configured' };
  if (i.remembered === 'gstreamer') return { engine: 'gstreamer', reason: 'remembered' };
  if (!/^rtsp:\/\//i.test(i.url)) return { engine: 'gstreamer', reason: 'scheme' };
  if (i.tracks === null) return { engine: 'node', reason: 'describe first' };
  const video = i.tracks.find((t) => t.media === 'video');
  if (!video) return { engine: 'gstreamer', reason: 'no video track' };
  if (video.encodingName !== 'H264') return { engine: 'gstreamer', reason: `video ${video.encodingName || 'unknown'}` };
  if (i.recordAudio && i.tracks.some((t) => t.media === 'audio')) return { engine: 'gstreamer', reason: 'audio recorded' };
  if (i.profileIdc !== undefined && i.profileIdc !== null && NO_REORDER_PROFILES.has(i.profileIdc)) return { engine: 'node', reason: 'baseline' };
  // Other profiles may carry B-frames: the Node pull watches for timestamps going back and hands
  // the camera to GStreamer if they do.
  return { engine: 'node', reason: 'h264, reordering watched' };
}
