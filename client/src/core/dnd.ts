/** Drag-and-drop payload types shared by the camera list and the tiles. */
export const MIME_CAMERA = 'application/x-wardwall-camera';
export const MIME_TILE = 'application/x-wardwall-tile';

export type DropPayload = { kind: 'camera'; cameraId: string } | { kind: 'tile'; fromIndex: number };

/** Whether a drag carries something a tile accepts (only the types are readable during dragover). */
export function acceptsDrag(types: readonly string[]): boolean {
  return types.includes(MIME_CAMERA) || types.includes(MIME_TILE);
}

/** Reads a drop's payload; `get` is DataTransfer.getData. Tile moves win over camera drops. */
export function readDrop(get: (type: string) => string): DropPayload | null {
  const tile = get(MIME_TILE);
  if (tile !== '' && /^\d{1,2}$/.test(tile)) return { kind: 'tile', fromIndex: Number(tile) };
  const cam = get(MIME_CAMERA);
  if (cam) return { kind: 'camera', cameraId: cam };
  return null;
}
