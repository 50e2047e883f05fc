/**
 * One hop of a pursuit trail replayed in review: the session opened paused at the hop's time in; its
 * clock starts once every camera shows that first frame (or has a gap or an error there), so every
 * hop is seen from its time in, and a slow load holds the replay REPLAY_START_WAIT_MS at most. When
 * the clock passes the hop's time out, `onEnd` is called once (the next hop, or the end).
 */
import type { ReviewSession } from './review-session.js';

/** A hop starts playing once its first frame is on screen (within this), ... */
const REPLAY_START_TOLERANCE_MS = 250;
/** ... or after this long at the latest. */
const REPLAY_START_WAIT_MS = 5000;

/** Watches the session for one hop; returns the unsubscribers. `current` false: the replay moved on. */
export function watchHop(session: ReviewSession, inAt: number, end: number, current: () => boolean, onEnd: (position: number) => void): (() => void)[] {
  let started = false;
  let finished = false;
  const openedAt = performance.now();
  const check = (): void => {
    if (!current()) return;
    if (!started) {
      const players = [...session.players];
      const atStart = (p: (typeof players)[number]): boolean => {
        if (p.phase === 'gap' || p.phase === 'error') return true;
        const shown = p.phase === 'ready' ? p.shownWallMs() : null;
        return shown !== null && Math.abs(shown - inAt) <= REPLAY_START_TOLERANCE_MS;
      };
      if (players.length === 0 || (!players.every(atStart) && performance.now() - openedAt < REPLAY_START_WAIT_MS)) return;
      started = true;
      session.play();
      return;
    }
    const p = session.clock.position();
    if (p < end || finished) return;
    // Once: the pause() and seek() of onEnd emit 'change', which calls this check again.
    finished = true;
    onEnd(p);
  };
  return [session.on('tick', check), session.on('change', check)];
}
