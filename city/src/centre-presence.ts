/**
 * The ward's view of the command centre, as pure state (docs/city.md "Restarts"): fed with the
 * centre SFUs' heartbeats (city-protocol.ts `CENTRE_HEARTBEAT_SUBJECT`) and the clock, it says which
 * centre instances are dead, so that the ward drops the pipes they opened (`centreInstance` of the
 * pipe open request):
 * - a heartbeat of a node names another instance than before: the node's SFU restarted, nobody
 *   there holds the old instance's pipes;
 * - no heartbeat of an instance for `goneAfterMs`: gone for good, or the link down that long (a
 *   shorter cut resumes on the same pipes, docs/city-media.md).
 * No timers, no NATS: the ward link calls `heartbeat()` and `tick()`.
 */
import { randomBytes } from 'node:crypto';
import type { CentreHeartbeat } from './city-protocol.js';

/** A new instance id for a ward or centre SFU start: 16 URL-safe characters. */
export function newInstanceId(): string {
  return randomBytes(12).toString('base64url');
}

/** Silence after which a ward drops the centre's pipes, ms (30 s: a longer link cut rebuilds them). */
export const CENTRE_GONE_MS = 30_000;

/**
 * The centre SFUs a ward hears (a centre may run several, each a `node` with one `instance` per
 * start). Answers which instances are dead: the pipes they opened are orphans.
 */
export class CentrePresence {
  private readonly nodes = new Map<string, { instance: string; lastSeen: number }>();

  constructor(private readonly goneAfterMs = CENTRE_GONE_MS) {}

  /** A heartbeat arrived at `now`: the instances it makes dead (the node's previous one, if it changed). */
  heartbeat(hb: Pick<CentreHeartbeat, 'instance' | 'node'>, now: number): string[] {
    const had = this.nodes.get(hb.node);
    this.nodes.set(hb.node, { instance: hb.instance, lastSeen: now });
    return had && had.instance !== hb.instance ? [had.instance] : [];
  }

  /** Instances not heard for `goneAfterMs` at `now` (each said once: forgotten until heard again). */
  tick(now: number): string[] {
    const dead: string[] = [];
    for (const [node, n] of this.nodes) {
      if (now - n.lastSeen >= this.goneAfterMs) {
        dead.push(n.instance);
        this.nodes.delete(node);
      }
    }
    return dead;
  }

  /** The live instance of each node heard. */
  instances(): Map<string, string> {
    return new Map([...this.nodes].map(([node, n]) => [node, n.instance]));
  }
}
