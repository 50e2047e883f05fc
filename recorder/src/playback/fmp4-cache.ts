/** Parsed fMP4 structure per segment, cached; closed segments never change, open ones grow. */
import { readFmp4, type Fmp4Info } from '../store/fmp4.js';
import type { SegmentStore } from '../store/store.js';
import type { SegmentRow } from '../store/db.js';

/**
 * The file and structure of a segment. A segment being written is renamed when it closes: when its
 * file is gone, the row is read again (by id) and the new path used.
 */
export async function segmentFile(store: SegmentStore, cache: Fmp4Cache, seg: SegmentRow): Promise<{ seg: SegmentRow; abs: string; info: Fmp4Info }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const abs = store.abs(seg.path);
      return { seg, abs, info: await cache.get(abs, seg.open) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw e;
      const again = store.db.segment(seg.id);
      if (!again || again.path === seg.path) throw e;
      seg = again;
    }
  }
}

export class Fmp4Cache {
  private readonly map = new Map<string, Fmp4Info>();
  constructor(private readonly max = 2000) {}

  async get(absPath: string, open: boolean): Promise<Fmp4Info> {
    const hit = this.map.get(absPath);
    if (hit && !open) {
      this.map.delete(absPath);
      this.map.set(absPath, hit);
      return hit;
    }
    const info = await readFmp4(absPath, open && hit ? hit : undefined);
    this.map.delete(absPath);
    this.map.set(absPath, info);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return info;
  }
}
