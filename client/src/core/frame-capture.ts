/**
 * The record that goes with a saved frame: which camera, the exact wall-clock instant of the frame,
 * its size and the SHA-256 of the picture file. Pure (the digest is computed by the caller).
 */
import { hcmFileStamp, hcmIso } from './hcm-time.js';

export type FrameSource = 'recording' | 'live';
export type PictureType = 'image/png' | 'image/jpeg';

export interface FrameRecord {
  format: 'wardwall-frame/1';
  camera: string;
  cameraName: string;
  /** Wall-clock instant of the frame: from the recording's timestamps, or the presentation time of a live frame. */
  frameTime: { ms: number; utc: string; hoChiMinh: string };
  timeSource: FrameSource;
  width: number;
  height: number;
  file: string;
  type: PictureType;
  bytes: number;
  sha256: string;
  savedAt: { ms: number; utc: string; hoChiMinh: string };
  /** Who saved it (the signed-in viewer), or null without accounts. */
  viewer: FrameViewer | null;
  /** The watermark text stamped into the picture, or null when none was. */
  watermark: string | null;
}

export interface FrameViewer {
  id: string;
  username: string;
  displayName: string;
}

const both = (ms: number) => ({ ms: Math.round(ms), utc: new Date(Math.round(ms)).toISOString(), hoChiMinh: hcmIso(ms) });

/** `<camera>_<yyyyMMdd-HHmmss.SSS+0700>_<first 12 hex of the SHA-256>.png` */
export function frameFileName(camera: string, frameMs: number, sha256: string, type: PictureType): string {
  const safe = camera.replace(/[^\w.-]+/g, '_');
  return `${safe}_${hcmFileStamp(frameMs)}_${sha256.slice(0, 12)}.${type === 'image/png' ? 'png' : 'jpg'}`;
}

export function frameRecord(a: {
  camera: string;
  cameraName: string;
  frameMs: number;
  timeSource: FrameSource;
  width: number;
  height: number;
  type: PictureType;
  bytes: number;
  sha256: string;
  savedMs: number;
  viewer?: FrameViewer | null;
  watermark?: string | null;
}): FrameRecord {
  return {
    format: 'wardwall-frame/1',
    camera: a.camera,
    cameraName: a.cameraName,
    frameTime: both(a.frameMs),
    timeSource: a.timeSource,
    width: a.width,
    height: a.height,
    file: frameFileName(a.camera, a.frameMs, a.sha256, a.type),
    type: a.type,
    bytes: a.bytes,
    sha256: a.sha256,
    savedAt: both(a.savedMs),
    viewer: a.viewer ? { id: a.viewer.id, username: a.viewer.username, displayName: a.viewer.displayName } : null,
    watermark: a.watermark ?? null,
  };
}

/** The sidecar's file name: the picture's name with `.json`. */
export function sidecarName(pictureName: string): string {
  return pictureName.replace(/\.(png|jpg)$/, '.json');
}
