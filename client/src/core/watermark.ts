/**
 * The viewer watermark laid over every live and recorded picture (and stamped into saved frames):
 * who is looking and when, so a photographed or cropped screen can be traced. Pure: the text and
 * the positions of its diagonal repetitions.
 */
import { hcmParts } from './hcm-time.js';
import { ANONYMOUS_ID } from './access.js';

/**
 * The viewer a watermark names: nobody when access control is off (the anonymous local operator
 * has no name to trace, and the wall then runs on loopback only).
 */
export function tracedViewer<T extends { id: string }>(me: T | null): T | null {
  return me && me.id !== ANONYMOUS_ID ? me : null;
}

/** Diagonal of the repetitions, degrees (counter-clockwise). */
export const WATERMARK_ANGLE_DEG = -30;
/** Opacity of the text on screen: legible on a photograph, not in the way of the picture. */
export const WATERMARK_ALPHA = 0.3;
/**
 * Opacity of the text and its outline stamped into saved pictures: a pixel moves at most a quarter
 * of the way to white or black, so the picture stays evidence (and the demo's time strip decodes).
 */
export const STAMP_ALPHA = 0.25;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `dd/MM/yyyy HH:mm:ss` in Asia/Ho_Chi_Minh (the same in both languages). */
export function watermarkTime(ms: number): string {
  const p = hcmParts(ms);
  return `${pad(p.day)}/${pad(p.month)}/${pad(p.year, 4)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** `Display Name (username) · dd/MM/yyyy HH:mm:ss` (the username only when it differs from the name). */
export function watermarkText(viewer: { displayName: string; username: string }, ms: number): string {
  const name = viewer.displayName.trim() || viewer.username;
  const who = viewer.username && viewer.username !== name ? `${name} (${viewer.username})` : name;
  return `${who} · ${watermarkTime(ms)}`;
}

export interface StampPosition {
  x: number;
  y: number;
}

/**
 * Anchor points of the repeated text in the picture's coordinates before rotation about its centre:
 * rows `rowGap` apart, each row's items `colGap` apart and offset by half a step on odd rows, covering
 * the whole rotated picture so every crop of about a quarter of it still holds a full copy.
 */
export function stampGrid(width: number, height: number, colGap: number, rowGap: number): StampPosition[] {
  if (!(width > 0 && height > 0 && colGap > 0 && rowGap > 0)) return [];
  // Anchors whose copy (about colGap wide, rowGap tall) lands outside the picture once rotated are left out.
  const a = (WATERMARK_ANGLE_DEG * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const reach = colGap / 2 + rowGap / 2;
  const visible = (p: StampPosition): boolean => {
    const dx = p.x - width / 2;
    const dy = p.y - height / 2;
    const x = width / 2 + dx * cos - dy * sin;
    const y = height / 2 + dx * sin + dy * cos;
    return x > -reach && x < width + reach && y > -reach && y < height + reach;
  };
  const diag = Math.hypot(width, height);
  const cx = width / 2;
  const cy = height / 2;
  const out: StampPosition[] = [];
  const rows = Math.ceil(diag / rowGap / 2);
  const cols = Math.ceil(diag / colGap / 2) + 1;
  for (let r = -rows; r <= rows; r++) {
    const shift = (Math.abs(r) % 2) * (colGap / 2);
    for (let c = -cols; c <= cols; c++) {
      const p = { x: cx + c * colGap + shift, y: cy + r * rowGap };
      if (visible(p)) out.push(p);
    }
  }
  return out;
}

/** Font size (px) of the watermark for a picture: about 1/28 of the shorter side, 10 to 40 px. */
export function stampFontPx(width: number, height: number): number {
  return Math.round(Math.min(40, Math.max(10, Math.min(width, height) / 28)));
}

/**
 * The sparse live watermark: one copy at the centre of each cell of a `density` × `density` grid
 * (2: one per quarter, so a crop of a quarter still holds a copy), each turned about its own centre.
 */
export function sparseAnchors(width: number, height: number, density: number): StampPosition[] {
  const n = Math.max(1, Math.min(6, Math.round(density)));
  if (!(width > 0 && height > 0)) return [];
  const out: StampPosition[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out.push({ x: ((c + 0.5) * width) / n, y: ((r + 0.5) * height) / n });
  return out;
}

/** Font size (px) of a sparse copy: the usual size, smaller when the line would not fit its cell (at least 9 px). */
export function sparseFontPx(width: number, height: number, density: number, textWidthAt1px: number): number {
  const n = Math.max(1, Math.min(6, Math.round(density)));
  const base = stampFontPx(width, height);
  // The copy is turned 30°: its horizontal extent is about cos(30°) of its length.
  const fit = textWidthAt1px > 0 ? ((width / n) * 0.92) / (textWidthAt1px * Math.cos((Math.abs(WATERMARK_ANGLE_DEG) * Math.PI) / 180)) : base;
  return Math.max(9, Math.min(base, Math.floor(fit)));
}
