/**
 * Drag and drop on a wall tile: a tile with a camera can be dragged onto another (the two swap), a
 * camera from the list can be dropped on it. While something droppable is over the tile, the host's
 * `dropTarget` is true (the dashed outline); a drop fires `ww-tile-drop` {index, cameraId | fromIndex}.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { acceptsDrag, MIME_TILE, readDrop } from '../core/dnd.js';

export interface TileDropDetail {
  index: number;
  cameraId?: string;
  fromIndex?: number;
}

/** What the drag handling reads and changes on its tile. */
export interface DragHost extends ReactiveControllerHost, HTMLElement {
  readonly index: number;
  readonly cameraId: string;
  dropTarget: boolean;
}

export class TileDragController implements ReactiveController {
  private dragDepth = 0;

  constructor(private readonly host: DragHost) {
    host.addController(this);
    host.addEventListener('dragstart', (e) => this.onDragStart(e));
    host.addEventListener('dragenter', (e) => this.onDragEnter(e));
    host.addEventListener('dragover', (e) => this.onDragOver(e));
    host.addEventListener('dragleave', () => this.onDragLeave());
    host.addEventListener('drop', (e) => this.onDrop(e));
    host.addEventListener('dragend', () => this.resetDrag());
  }

  hostConnected(): void {}

  private onDragStart(e: DragEvent): void {
    const h = this.host;
    if (!h.cameraId || !e.dataTransfer) {
      e.preventDefault();
      return;
    }
    e.dataTransfer.setData(MIME_TILE, String(h.index));
    e.dataTransfer.setData('text/plain', h.cameraId);
    e.dataTransfer.effectAllowed = 'move';
  }

  private onDragEnter(e: DragEvent): void {
    if (!e.dataTransfer || !acceptsDrag([...e.dataTransfer.types])) return;
    e.preventDefault();
    this.dragDepth++;
    this.host.dropTarget = true;
  }

  private onDragOver(e: DragEvent): void {
    if (!e.dataTransfer || !acceptsDrag([...e.dataTransfer.types])) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = e.dataTransfer.types.includes(MIME_TILE) ? 'move' : 'copy';
    this.host.dropTarget = true;
  }

  private onDragLeave(): void {
    this.dragDepth = Math.max(0, this.dragDepth - 1);
    if (this.dragDepth === 0) this.host.dropTarget = false;
  }

  private resetDrag(): void {
    this.dragDepth = 0;
    this.host.dropTarget = false;
  }

  private onDrop(e: DragEvent): void {
    const h = this.host;
    this.resetDrag();
    if (!e.dataTransfer) return;
    const payload = readDrop((type) => e.dataTransfer!.getData(type));
    if (!payload) return;
    e.preventDefault();
    const detail: TileDropDetail = payload.kind === 'tile' ? { index: h.index, fromIndex: payload.fromIndex } : { index: h.index, cameraId: payload.cameraId };
    if (payload.kind === 'tile' && payload.fromIndex === h.index) return;
    h.dispatchEvent(new CustomEvent('ww-tile-drop', { detail, bubbles: true, composed: true }));
  }
}
