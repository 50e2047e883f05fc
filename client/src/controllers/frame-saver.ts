/**
 * Saves the frame on screen as a picture at the camera's full resolution (the <video>'s
 * videoWidth×videoHeight, not the tile's size), with a sidecar JSON naming the camera, the frame's
 * wall-clock time, who saved it and the picture's SHA-256 (crypto.subtle). The signed-in viewer's
 * watermark (name and save time) is stamped into the picture, as on screen. Both are downloaded.
 */
import { frameFileName, frameRecord, sidecarName, type FrameRecord, type FrameSource, type FrameViewer, type PictureType } from '../core/frame-capture.js';
import { hexOf as hex } from '@wardwall/common';
import { STAMP_ALPHA, tracedViewer, watermarkText } from '../core/watermark.js';
import { drawWatermarkLayer } from './watermark-layer.js';
import { currentViewer } from '../services/viewer.js';

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

/**
 * Stamps the watermark into the picture: the layer drawn opaque on a canvas of its own, then laid
 * over the picture at STAMP_ALPHA, so no pixel moves more than that fraction (overlapping glyph
 * outlines do not add up).
 */
export function stampWatermark(ctx: CanvasRenderingContext2D, width: number, height: number, text: string): void {
  const layer = document.createElement('canvas');
  layer.width = width;
  layer.height = height;
  const l = layer.getContext('2d');
  if (!l) return;
  drawWatermarkLayer(l, width, height, text);
  ctx.save();
  ctx.globalAlpha = STAMP_ALPHA;
  ctx.drawImage(layer, 0, 0);
  ctx.restore();
}

export async function saveFrame(
  video: HTMLVideoElement,
  a: { camera: string; cameraName: string; frameMs: number; timeSource: FrameSource; type?: PictureType; viewer?: FrameViewer | null },
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
  const viewer = a.viewer === undefined ? tracedViewer(currentViewer()) : a.viewer;
  const savedMs = Date.now();
  const watermark = viewer ? watermarkText(viewer, savedMs) : null;
  if (watermark) stampWatermark(ctx, width, height, watermark);
  const type = a.type ?? 'image/png';
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.95));
  if (!blob) throw new FrameSaveError('ENCODE_FAILED', 'the picture could not be encoded');
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const record = frameRecord({ camera: a.camera, cameraName: a.cameraName, frameMs: a.frameMs, timeSource: a.timeSource, width, height, type, bytes: bytes.length, sha256, savedMs, viewer, watermark });
  const name = frameFileName(a.camera, a.frameMs, sha256, type);
  downloadBlob(blob, name);
  downloadBlob(new Blob([JSON.stringify(record, null, 2) + '\n'], { type: 'application/json' }), sidecarName(name));
  return record;
}
