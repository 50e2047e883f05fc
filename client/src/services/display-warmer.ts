/**
 * Holds live leases on the streams a display will show next (core/warm.ts), releasing the ones no
 * longer wanted with the usual linger, so the tile that takes them over finds them flowing.
 */
import type { WarmTarget } from '../core/warm.js';
import type { LiveLease, LiveMediaService } from './live-media.js';

export class DisplayWarmer {
  private readonly leases = new Map<string, Promise<LiveLease | null>>();

  constructor(private readonly live: LiveMediaService) {}

  warm(targets: readonly WarmTarget[]): void {
    const wanted = new Set(targets.map((t) => `${t.cameraId}/${t.stream}`));
    for (const [key, lease] of this.leases) {
      if (wanted.has(key)) continue;
      this.leases.delete(key);
      void lease.then((l) => l?.release());
    }
    if (!this.live.ready) return;
    for (const t of targets) {
      const key = `${t.cameraId}/${t.stream}`;
      if (this.leases.has(key)) continue;
      this.leases.set(
        key,
        this.live.acquire(t.cameraId, t.stream).catch((err: unknown) => {
          console.warn('[display] cannot pre-receive', key, err);
          this.leases.delete(key);
          return null;
        }),
      );
    }
  }

  close(): void {
    this.warm([]);
  }
}
