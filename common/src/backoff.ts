/** Stepped back-off: the delay before restart number `attempt` (0-based); the last step repeats. */
export function backoffDelay(stepsMs: readonly number[], attempt: number): number {
  if (stepsMs.length === 0) return 0;
  const i = Math.min(Math.max(0, Math.floor(attempt)), stepsMs.length - 1);
  return stepsMs[i]!;
}
