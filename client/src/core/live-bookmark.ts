/**
 * The arithmetic of bookmarks made on the live wall, apart from the shell that wires them: the
 * instant a tile's bookmark stands for (the frame on screen, on the server's clock), and the short
 * list of urgent bookmarks other operators just marked (newest first, a repeat moves to the top).
 * Pure.
 */

/** How many urgent bookmarks are shown at once under the header. */
export const MAX_URGENT_NOTICES = 3;

/**
 * The server-time instant of a live tile's bookmark: the frame on screen (`frameAt`, browser clock),
 * or `now` when the tile has no frame yet, moved by the browser's offset from the server clock.
 */
export function liveBookmarkInstant(frameAt: number | null, now: number, serverNow: number): number {
  return Math.round((frameAt ?? now) + (serverNow - now));
}

/** The draft the bookmark form opens with for a bookmark on one live tile (a window of one instant). */
export function liveBookmarkDraft(
  cameraId: string,
  frameAt: number | null,
  urgent: boolean,
  clock: { now: number; serverNow: number },
): { cameras: string[]; startMs: number; endMs: number; noFrame: boolean; urgent: boolean } {
  const at = liveBookmarkInstant(frameAt, clock.now, clock.serverNow);
  return { cameras: [cameraId], startMs: at, endMs: at, noFrame: frameAt === null, urgent };
}

/** The urgent notices with `b` on top (once, even when it comes again), at most `max`. */
export function withUrgentNotice<T extends { id: string }>(list: readonly T[], b: T, max = MAX_URGENT_NOTICES): T[] {
  return [b, ...list.filter((x) => x.id !== b.id)].slice(0, max);
}

/** The urgent notices without the one with `id` (opened or dismissed). */
export function withoutNotice<T extends { id: string }>(list: readonly T[], id: string): T[] {
  return list.filter((x) => x.id !== id);
}
