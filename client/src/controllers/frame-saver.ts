/**
 * Saves the frame on screen as a picture at the camera's full resolution (the <video>'s
 * videoWidth×videoHeight, not the tile's size), with a sidecar JSON naming the camera, the frame's
 * wall-clock time and the picture's SHA-256 (crypto.subtle). Both are downloaded.
 */
import { frameFileName, frameRecord, sidecarName, type FrameRecord, type FrameSource, type PictureType } from '../core/frame-capture.js';
import { hex } from '../core/export-verify.js';

export class FrameSaveError extends Error {
  constructor(readonly code: 'NO_PICTURE' | 'ENCODE_FAILED', message: string) {
    super(message);
    this.name = 'FrameSaveError';
  }
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  // Views of a plain ArrayBuffer (never shared memory here).
  return hex(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

export async function saveFrame(
  video: HTMLVideoElement,
  a: { camera: string; cameraName: string; frameMs: number; timeSource: FrameSource; type?: PictureType },
): Promise<FrameRecord> {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (!width || !height || video.readyState < 2) throw new FrameSaveError('NO_PICTURE', 'no picture on screen yet');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new FrameSaveError('ENCODE_FAILED', 'no 2D canvas');
  ctx.drawImage(video, 0, 0, width, height);
  const type = a.type ?? 'image/png';
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.95));
  if (!blob) throw new FrameSaveError('ENCODE_FAILED', 'the picture could not be encoded');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const record = frameRecord({ camera: a.camera, cameraName: a.cameraName, frameMs: a.frameMs, timeSource: a.timeSource, width, height, type, bytes: bytes.length, sha256, savedMs: Date.now() });
  const name = frameFileName(a.camera, a.frameMs, sha256, type);
  downloadBlob(blob, name);
  downloadBlob(new Blob([JSON.stringify(record, null, 2) + '\n'], { type: 'application/json' }), sidecarName(name));
  return record;
}
