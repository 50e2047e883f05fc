/**
 * Failed-login limiter: counts failures per key (a user name, a client address) in a sliding window;
 * `maxFailures` within `windowMs` locks the key for `lockoutMs`, after which it starts afresh.
 * A success clears the user's key. Pure (the clock is passed in); the SFU keeps the locks in force
 * in its database too and restores them at start (failures short of a lock are not kept).
 */
export interface LockoutRule {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rule: LockoutRule,
    private readonly maxKeys = 100_000,
  ) {}

  /** ms until the key may try again (0 = not locked). */
  lockedFor(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e || e.lockedUntil <= now) return 0;
    return e.lockedUntil - now;
  }

  lockedUntil(key: string, now: number): number | null {
    const left = this.lockedFor(key, now);
    return left > 0 ? now + left : null;
  }

  /** Records a failure; returns the lock's end when this failure locked the key. */
  fail(key: string, now: number): number | null {
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= this.maxKeys) this.prune(now);
      e = { failures: [], lockedUntil: 0 };
      this.entries.set(key, e);
    }
    if (e.lockedUntil > 0 && e.lockedUntil <= now) e.lockedUntil = 0; // lock over: a fresh start
    e.failures = e.failures.filter((t) => t > now - this.rule.windowMs);
    e.failures.push(now);
    if (e.failures.length >= this.rule.maxFailures) {
      e.lockedUntil = now + this.rule.lockoutMs;
      e.failures = [];
      return e.lockedUntil;
    }
    return null;
  }

  /** A lock saved before a restart. */
  restore(key: string, lockedUntil: number): void {
    if (this.entries.size >= this.maxKeys) return;
    this.entries.set(key, { failures: [], lockedUntil });
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) if (e.lockedUntil <= now && e.failures.every((t) => t <= now - this.rule.windowMs)) this.entries.delete(k);
    if (this.entries.size >= this.maxKeys) this.entries.clear();
  }
}
