/**
 * ffmpeg `-progress` parsing and the wall-clock anchor of a writer run. ffmpeg's output timeline
 * starts near 0 and follows the camera's RTP clock (smooth, sample-exact). Each progress block
 * reports the output time of the last packet; it reaches us at least as late as the packet arrived,
 * so `arrival - outTime` over-estimates the wall time of output time 0 by the report delay. The
 * smallest value over a sliding window is the anchor: close to the truth, and it follows slow drift
 * between the camera's clock and ours.
 */

/** Splits progress text into key/value blocks; returns complete blocks and the unfinished rest. */
export function parseProgress(text: string): { blocks: Record<string, string>[]; rest: string } {
  const blocks: Record<string, string>[] = [];
  let cur: Record<string, string> = {};
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  for (const raw of lines) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    cur[key] = line.slice(eq + 1);
    if (key === 'progress') {
      blocks.push(cur);
      cur = {};
    }
  }
  // Keep the partial block's lines for the next chunk.
  const pending = Object.entries(cur).map(([k, v]) => `${k}=${v}\n`).join('');
  return { blocks, rest: pending + rest };
}

export class AnchorEstimator {
  private samples: { at: number; anchor: number }[] = [];
  constructor(private readonly windowMs = 60000) {}

  /** A progress block arrived at wall time `at` reporting output time `outTimeUs`. */
  add(at: number, outTimeUs: number): void {
    if (!Number.isFinite(outTimeUs) || outTimeUs <= 0) return;
    this.samples.push({ at, anchor: at - outTimeUs / 1000 });
    while (this.samples.length > 0 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }

  /** Wall ms of output time 0, or null before the first sample. */
  get anchorMs(): number | null {
    if (this.samples.length === 0) return null;
    let min = Infinity;
    for (const s of this.samples) if (s.anchor < min) min = s.anchor;
    return Math.round(min);
  }
}

/** Parses the segment muxer's CSV list: `name,start,end` lines (seconds on the output timeline). */
export function parseSegmentList(text: string): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  for (const line of text.split('\n')) {
    const m = /^(?:"([^"]+)"|([^,]+)),(-?[\d.]+),(-?[\d.]+)\s*$/.exec(line);
    if (!m) continue;
    const name = (m[1] ?? m[2]!).split('/').pop()!;
    out.set(name, { start: Number(m[3]), end: Number(m[4]) });
  }
  return out;
}
