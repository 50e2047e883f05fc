/**
 * Pure shapes of the services' Prometheus samples (prom-client does the text): a state as one 0/1
 * sample per possible state, and counts by a key with every known key present (a zero is a sample,
 * an absent series is a gap in a graph).
 */

/** `{live: 1, offline: 0, ...}`: every state of `states`, 1 for `current`. */
export function oneHot<S extends string>(states: readonly S[], current: S | null): Record<S, 0 | 1> {
  const out = {} as Record<S, 0 | 1>;
  for (const s of states) out[s] = s === current ? 1 : 0;
  return out;
}

/** How many items have each key; every key of `keys` is present (0 when none), others are added. */
export function countBy<T, K extends string>(items: Iterable<T>, key: (item: T) => K, keys: readonly K[] = []): Map<K, number> {
  const out = new Map<K, number>(keys.map((k) => [k, 0]));
  for (const item of items) {
    const k = key(item);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Milliseconds to seconds (mediasoup's ru_utime / ru_stime, times kept as ms). */
export function msToSeconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
