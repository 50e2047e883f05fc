/** Stepped reconnect back-off: pure. The last step repeats. */
export const RECONNECT_STEPS_MS: readonly number[] = [500, 1000, 2000, 5000];

/** Delay before reconnect attempt `attempt` (0 = the first retry after a loss). */
export function backoffDelay(attempt: number, steps: readonly number[] = RECONNECT_STEPS_MS): number {
  if (steps.length === 0) return 0;
  const i = Math.max(0, Math.min(Math.floor(attempt), steps.length - 1));
  return steps[i]!;
}

/** The first `n` delays of the schedule (for display and tests). */
export function backoffSchedule(n: number, steps: readonly number[] = RECONNECT_STEPS_MS): number[] {
  return Array.from({ length: n }, (_, i) => backoffDelay(i, steps));
}
