/**
 * Requests per client address: a token bucket per key (`burst` requests, refilled at `perMinute`).
 * Bounded: at most `maxKeys` buckets; a full bucket is the same as no bucket, so making room drops
 * full ones first; when every bucket is in use the new key is refused (fails closed). Pure (the
 * clock is passed in).
 */
export interface RateRule {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: RateRule,
    private readonly maxKeys = 50_000,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token: 0 when the request may go on, else the ms until one is available. */
  take(key: string, now: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.makeRoom(now);
      if (this.buckets.size >= this.maxKeys) return this.msPerToken();
      b = { tokens: this.rule.burst, at: now };
      this.buckets.set(key, b);
    }
    this.refill(b, now);
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) * this.msPerToken());
    b.tokens -= 1;
    return 0;
  }

  private msPerToken(): number {
    return 60_000 / this.rule.perMinute;
  }

  private refill(b: Bucket, now: number): void {
    if (now > b.at) b.tokens = Math.min(this.rule.burst, b.tokens + (now - b.at) / this.msPerToken());
    b.at = Math.max(b.at, now);
  }

  private makeRoom(now: number): void {
    for (const [k, b] of this.buckets) {
      this.refill(b, now);
      if (b.tokens >= this.rule.burst) this.buckets.delete(k);
    }
  }
}
