/**
 * Which stretches of footage a viewer's fetches are already audited for: one audit entry per
 * playback range (a playlist's window on a camera, or the segment file a stray fetch fell in), not
 * per HLS fragment. A fetch inside a range audited for the same session and camera within `forMs`
 * adds nothing; one outside every range is audited itself (and its range noted), so a loop over
 * segment ids leaves one entry per segment file. Pure apart from the clock passed in; bounded.
 */
export interface Range {
  from: number;
  to: number;
}

interface Noted extends Range {
  at: number;
}

export class AuditedRanges {
  private readonly byKey = new Map<string, Noted[]>();
  private count = 0;

  constructor(
    private readonly forMs = 30 * 60_000,
    private readonly maxRanges = 20_000,
  ) {}

  /** Whether [from, to] lies inside one range noted for `key` within the last `forMs`. */
  covers(key: string, from: number, to: number, now: number): boolean {
    const list = this.byKey.get(key);
    if (!list) return false;
    return list.some((r) => now - r.at < this.forMs && r.from <= from && to <= r.to);
  }

  /** Notes an audited range (expired ones of the key are dropped; the oldest keys go first when full). */
  add(key: string, range: Range, now: number): void {
    const list = (this.byKey.get(key) ?? []).filter((r) => now - r.at < this.forMs);
    this.count -= this.byKey.get(key)?.length ?? 0;
    list.push({ from: range.from, to: range.to, at: now });
    if (list.length > 200) list.splice(0, list.length - 200);
    this.byKey.delete(key);
    this.byKey.set(key, list);
    this.count += list.length;
    for (const [k, l] of this.byKey) {
      if (this.count <= this.maxRanges) break;
      this.byKey.delete(k);
      this.count -= l.length;
    }
  }

  get size(): number {
    return this.count;
  }
}

/** The wall-clock span of the parts a byte range [start, end] touches; null when it touches none (init section). Pure. */
export function spanOfBytes(parts: readonly { offset: number; length: number; startMs: number; durationMs: number }[], start: number, end: number): Range | null {
  let from = Infinity;
  let to = -Infinity;
  for (const p of parts) {
    if (p.offset > end || p.offset + p.length - 1 < start) continue;
    from = Math.min(from, p.startMs);
    to = Math.max(to, p.startMs + p.durationMs);
  }
  return from === Infinity ? null : { from, to };
}
