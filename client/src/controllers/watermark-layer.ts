/**
 * Draws the viewer watermark — the text repeated diagonally over the whole picture, light with a
 * dark outline — onto a 2D canvas context, opaque; callers lay it over the picture with an opacity
 * (the on-screen watermark via CSS, saved frames at STAMP_ALPHA). One canvas per tile, redrawn once
 * a second, costs far less than rotated text in the DOM over playing video.
 */
import { sparseAnchors, sparseFontPx, stampFontPx, stampGrid, WATERMARK_ANGLE_DEG } from '../core/watermark.js';

export function drawWatermarkLayer(ctx: CanvasRenderingContext2D, width: number, height: number, text: string, scale = 1): void {
  ctx.clearRect(0, 0, width, height);
  const font = stampFontPx(width / scale, height / scale) * scale;
  ctx.save();
  ctx.font = `600 ${font}px system-ui, 'Noto Sans', Arial, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = Math.max(1, font / 10);
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#fff';
  ctx.translate(width / 2, height / 2);
  ctx.rotate((WATERMARK_ANGLE_DEG * Math.PI) / 180);
  ctx.translate(-width / 2, -height / 2);
  const colGap = ctx.measureText(text).width + font * 3;
  for (const p of stampGrid(width, height, colGap, font * 4)) {
    ctx.strokeText(text, p.x, p.y);
    ctx.fillText(text, p.x, p.y);
  }
  ctx.restore();
}

/**
 * The sparse live watermark: one copy per cell of a `density` × `density` grid (config
 * `wall.watermark.density`, default 2: one per quarter), each turned about its own centre, light
 * with a dark outline; the caller lays it over the picture at the configured opacity.
 */
export function drawSparseWatermarkLayer(ctx: CanvasRenderingContext2D, width: number, height: number, text: string, scale: number, density: number): void {
  ctx.clearRect(0, 0, width, height);
  ctx.save();
  ctx.font = `600 1px system-ui, 'Noto Sans', Arial, sans-serif`;
  const font = sparseFontPx(width / scale, height / scale, density, ctx.measureText(text).width) * scale;
  ctx.font = `600 ${font}px system-ui, 'Noto Sans', Arial, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = Math.max(1, font / 10);
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#fff';
  for (const p of sparseAnchors(width, height, density)) {
    ctx.save();
    ctx.translate(p.x, p.y);
    ctx.rotate((WATERMARK_ANGLE_DEG * Math.PI) / 180);
    ctx.strokeText(text, 0, 0);
    ctx.fillText(text, 0, 0);
    ctx.restore();
  }
  ctx.restore();
}
