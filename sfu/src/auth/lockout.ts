/**
 * Failed-attempt limiter: counts failures per key (a user name, a client address) in a sliding
 * window; `maxFailures` within `windowMs` lock the key for `lockoutMs`, after which it starts afresh.
 *
 * An attempt is RESERVED before it is evaluated (before the password is hashed) and settled after:
 * attempts in flight count as failures until they are settled, so parallel guesses can never get
 * more than `maxFailures` evaluations past the limit. While a key is locked, refused attempts only
 * bump a counter (`refused`); `sweep` reports the counts of locks that ended, so the audit trail
 * gets one summary per lock instead of one row per attempt.
 *
 * Bounded: at most `maxKeys` keys are tracked; making room drops idle keys only, never a lock in
 * force nor a key with attempts in flight; when every slot holds a lock, new keys are refused
 * (`full`), failing closed. Pure (the clock is passed in); the SFU keeps the locks in force in its
 * database too and restores them at start (failures short of a lock are not kept).
 */
export interface LockoutRule {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

interface Entry {
  failures: number[];
  pending: number;
  lockedUntil: number;
  /** Attempts refused while the current (or last) lock was in force. */
  refused: number;
}

export type Reservation =
  | { ok: true }
  /** The key is locked; `firstRefusal`: the first attempt refused under this lock (audit it once). */
  | { ok: false; reason: 'locked'; waitMs: number; firstRefusal: boolean }
  /** As many attempts are in flight (plus recent failures) as the rule allows: try again shortly. */
  | { ok: false; reason: 'busy'; waitMs: number }
  /** Every slot of the table holds a lock or an attempt in flight. */
  | { ok: false; reason: 'full'; waitMs: number };

export interface EndedLock {
  key: string;
  until: number;
  refused: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly rule: LockoutRule,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

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

  /** Counts an attempt before it is evaluated; settle it with `settle` (or `cancel`) exactly once. */
  reserve(key: string, now: number): Reservation {
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= this.maxKeys) this.makeRoom(now);
      if (this.entries.size >= this.maxKeys) return { ok: false, reason: 'full', waitMs: Math.min(this.rule.windowMs, 60_000) };
      e = { failures: [], pending: 0, lockedUntil: 0, refused: 0 };
      this.entries.set(key, e);
    }
    if (e.lockedUntil > now) {
      e.refused++;
      return { ok: false, reason: 'locked', waitMs: e.lockedUntil - now, firstRefusal: e.refused === 1 };
    }
    e.failures = e.failures.filter((t) => t > now - this.rule.windowMs);
    if (e.failures.length + e.pending >= this.rule.maxFailures) return { ok: false, reason: 'busy', waitMs: 1000 };
    e.pending++;
    return { ok: true };
  }

  /** Settles a reserved attempt. A failure is counted; returns the lock's end when it locked the key. */
  settle(key: string, now: number, failed: boolean): number | null {
    const e = this.entries.get(key);
    if (!e) return null;
    e.pending = Math.max(0, e.pending - 1);
    if (!failed) return null;
    if (e.lockedUntil > 0 && e.lockedUntil <= now) e.lockedUntil = 0; // an old lock is over
    e.failures = e.failures.filter((t) => t > now - this.rule.windowMs);
    e.failures.push(now);
    if (e.failures.length >= this.rule.maxFailures && e.lockedUntil <= now) {
      e.lockedUntil = now + this.rule.lockoutMs;
      e.refused = 0;
      e.failures = [];
      return e.lockedUntil;
    }
    return null;
  }

  /** A reserved attempt that was not evaluated (an error before the verdict): not counted. */
  cancel(key: string): void {
    const e = this.entries.get(key);
    if (e) e.pending = Math.max(0, e.pending - 1);
  }

  /** A success: forgets the key's failures and ends its lock (attempts still in flight stay counted). */
  succeed(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.pending = Math.max(0, e.pending - 1);
    e.failures = [];
    e.lockedUntil = 0;
    e.refused = 0;
  }

  /** Records one failure without a reservation (kept for callers that evaluate nothing). */
  fail(key: string, now: number): number | null {
    const r = this.reserve(key, now);
    if (!r.ok) return r.reason === 'locked' ? now + r.waitMs : null;
    return this.settle(key, now, true);
  }

  /** A lock saved before a restart (always kept, even when the table is full). */
  restore(key: string, lockedUntil: number): void {
    const e = this.entries.get(key);
    if (e) e.lockedUntil = Math.max(e.lockedUntil, lockedUntil);
    else this.entries.set(key, { failures: [], pending: 0, lockedUntil, refused: 0 });
  }

  /** Lifts a key's lock and forgets its failures (an administrator set a new password). */
  clear(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.pending > 0) Object.assign(e, { failures: [], lockedUntil: 0, refused: 0 });
    else this.entries.delete(key);
  }

  /**
   * Housekeeping (call now and then): returns the locks that ended with more than one refused
   * attempt (the first was audited when it happened), and forgets idle keys.
   */
  sweep(now: number): EndedLock[] {
    const ended: EndedLock[] = [];
    for (const [key, e] of this.entries) {
      if (e.lockedUntil > now) continue;
      if (e.refused > 1) ended.push({ key, until: e.lockedUntil, refused: e.refused });
      e.refused = 0;
      if (e.lockedUntil > 0) e.lockedUntil = 0;
      e.failures = e.failures.filter((t) => t > now - this.rule.windowMs);
      if (e.pending === 0 && e.failures.length === 0) this.entries.delete(key);
    }
    return ended;
  }

  /** Drops idle keys (never a lock in force, never attempts in flight). */
  private makeRoom(now: number): void {
    for (const [k, e] of this.entries) if (e.lockedUntil <= now && e.pending === 0 && e.refused <= 1 && e.failures.every((t) => t <= now - this.rule.windowMs)) this.entries.delete(k);
    if (this.entries.size < this.maxKeys) return;
    // Still full: failures short of a lock are forgotten before anything that matters.
    for (const [k, e] of this.entries) if (e.lockedUntil <= now && e.pending === 0 && e.refused <= 1) this.entries.delete(k);
  }
}
