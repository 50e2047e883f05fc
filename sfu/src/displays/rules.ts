/**
 * Display rules: when a camera raises a health alert or a bookmark is marked urgent, push the
 * camera(s) to a chosen display. The events come from other features through `DisplayRuleEvents`
 * (wired in app.ts); matching is pure.
 */
import type { DisplayRule, DisplayRuleTrigger } from '@wardwall/common';

/** The event source other features call. */
export interface DisplayRuleEvents {
  onCameraAlert(cameraId: string): void;
  onUrgentBookmark(cameraIds: readonly string[]): void;
}

export interface RuleMatch {
  ruleId: string;
  display: string;
  cameraIds: string[];
}

/** Which displays get which cameras for an event (enabled rules of the trigger, filtered by camera). */
export function matchRules(rules: readonly DisplayRule[], trigger: DisplayRuleTrigger, cameraIds: readonly string[]): RuleMatch[] {
  const out: RuleMatch[] = [];
  const unique = [...new Set(cameraIds)];
  for (const r of rules) {
    if (!r.enabled || r.trigger !== trigger) continue;
    const cams = r.cameraIds.length === 0 ? unique : unique.filter((c) => r.cameraIds.includes(c));
    if (cams.length) out.push({ ruleId: r.id, display: r.display, cameraIds: cams.slice(0, 16) });
  }
  return out;
}

export interface RuleEngineDeps {
  rules: () => readonly DisplayRule[];
  push: (display: string, cameraIds: string[], trigger: DisplayRuleTrigger) => void;
  /** The same rule does not fire again for the same cameras within this time. */
  cooldownMs?: number;
  now?: () => number;
}

export class DisplayRuleEngine implements DisplayRuleEvents {
  private readonly lastFired = new Map<string, number>();

  constructor(private readonly deps: RuleEngineDeps) {}

  onCameraAlert(cameraId: string): void {
    this.fire('camera_alert', [cameraId]);
  }

  onUrgentBookmark(cameraIds: readonly string[]): void {
    this.fire('urgent_bookmark', cameraIds);
  }

  private fire(trigger: DisplayRuleTrigger, cameraIds: readonly string[]): void {
    const now = (this.deps.now ?? Date.now)();
    const cooldown = this.deps.cooldownMs ?? 30000;
    for (const m of matchRules(this.deps.rules(), trigger, cameraIds)) {
      const key = `${m.ruleId}|${m.cameraIds.join(',')}`;
      const last = this.lastFired.get(key);
      if (last !== undefined && now - last < cooldown) continue;
      this.lastFired.set(key, now);
      this.deps.push(m.display, m.cameraIds, trigger);
    }
  }
}
