/**
 * Whether a viewer who joins now should start on a GOP bridge (docs/gop-bridge.md): a short-lived
 * re-encode of the camera's current GOP that gives the viewer a keyframe at once, until the camera's
 * own next keyframe. Pure: the stream passes what it knows.
 */

/** No bridge when the camera's next keyframe is expected this soon (the wait is short anyway). */
export const BRIDGE_MIN_WAIT_MS = 150;

export interface BridgeInput {
  now: number;
  /** The stream has a bridge producer (H.264 passthrough; a transcoded stream has 1 s GOPs of our own). */
  hasBridge: boolean;
  live: boolean;
  /** The running ingest has delivered a keyframe (its still): it keeps a GOP and listens for requests. */
  ingestReady: boolean;
  /** When the last keyframe arrived (its still), ms; null: unknown. */
  lastKeyframeAt: number | null;
  /** The camera's measured keyframe interval, ms; null: not measured yet. */
  keyframeIntervalMs: number | null;
  minWaitMs?: number;
}

export type BridgeDecision =
  | { bridge: true; /** Expected wait for the camera's keyframe without the bridge, ms (null: unknown). */ waitMs: number | null }
  | { bridge: false; reason: 'no_bridge' | 'not_live' | 'not_ready' | 'keyframe_soon' };

export function decideBridge(input: BridgeInput): BridgeDecision {
  if (!input.hasBridge) return { bridge: false, reason: 'no_bridge' };
  if (!input.live) return { bridge: false, reason: 'not_live' };
  if (!input.ingestReady || input.lastKeyframeAt === null) return { bridge: false, reason: 'not_ready' };
  if (input.keyframeIntervalMs === null || input.keyframeIntervalMs <= 0) return { bridge: true, waitMs: null };
  const age = Math.max(0, input.now - input.lastKeyframeAt);
  // Keyframes late beyond the interval (a camera with a longer or irregular GOP): bridge.
  const waitMs = Math.max(0, input.keyframeIntervalMs - age);
  if (age <= input.keyframeIntervalMs && waitMs <= (input.minWaitMs ?? BRIDGE_MIN_WAIT_MS)) return { bridge: false, reason: 'keyframe_soon' };
  return { bridge: true, waitMs: age > input.keyframeIntervalMs ? null : waitMs };
}
