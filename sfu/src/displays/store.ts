/**
 * SQLite persistence of displays (their last state, so a display survives reloads and SFU
 * restarts), presets, tours and display rules.
 */
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode, type DisplayRule, type DisplayRuleInput, type DisplayState, type Preset, type PresetInput, type Tour, type TourInput } from '@wardwall/common';
import type { AppDb } from '@wardwall/server-kit';
import { migrate } from '@wardwall/server-kit';
import { DISPLAY_MIGRATIONS } from './migrations.js';

interface PresetRow { id: string; name: string; layout: string; tiles_json: string; created_by: string; updated_at: number }
interface TourRow { id: string; name: string; interval_sec: number; steps_json: string; created_by: string; updated_at: number }
interface RuleRow { id: string; trigger: string; display_name: string; camera_ids_json: string; enabled: number; created_by: string }

const toPreset = (r: PresetRow): Preset => ({ id: r.id, name: r.name, layout: r.layout as Preset['layout'], tiles: JSON.parse(r.tiles_json) as Preset['tiles'], createdBy: r.created_by, updatedAt: r.updated_at });
const toTour = (r: TourRow): Tour => ({ id: r.id, name: r.name, intervalSec: r.interval_sec, steps: JSON.parse(r.steps_json) as Tour['steps'], createdBy: r.created_by, updatedAt: r.updated_at });
const toRule = (r: RuleRow): DisplayRule => ({ id: r.id, trigger: r.trigger as DisplayRule['trigger'], display: r.display_name, cameraIds: JSON.parse(r.camera_ids_json) as string[], enabled: r.enabled === 1, createdBy: r.created_by });

function uniqueName<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError(ErrorCode.CONFLICT, `name: a ${what} with this name exists`, 409);
    throw e;
  }
}

export class DisplayStore {
  constructor(private readonly db: AppDb) {
    migrate(db, 'displays', DISPLAY_MIGRATIONS);
  }

  // --- displays ----------------------------------------------------------------------------
  loadDisplays(): DisplayState[] {
    const rows = this.db.prepare('SELECT state_json FROM displays ORDER BY name').all() as { state_json: string }[];
    return rows.map((r) => JSON.parse(r.state_json) as DisplayState);
  }

  saveDisplay(state: DisplayState): void {
    this.db
      .prepare('INSERT INTO displays (name, state_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at')
      .run(state.name, JSON.stringify({ ...state, online: false }), state.changedAt);
  }

  deleteDisplay(name: string): boolean {
    return this.db.prepare('DELETE FROM displays WHERE name = ?').run(name).changes > 0;
  }

  // --- presets -----------------------------------------------------------------------------
  presets(): Preset[] {
    return (this.db.prepare('SELECT * FROM presets ORDER BY name').all() as PresetRow[]).map(toPreset);
  }

  preset(id: string): Preset | undefined {
    const r = this.db.prepare('SELECT * FROM presets WHERE id = ?').get(id) as PresetRow | undefined;
    return r ? toPreset(r) : undefined;
  }

  savePreset(input: PresetInput, by: string, id: string | null, now: number): Preset {
    const tiles = JSON.stringify(input.tiles);
    return uniqueName(() => {
      if (id === null) {
        const newId = randomUUID();
        this.db.prepare('INSERT INTO presets (id, name, layout, tiles_json, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(newId, input.name, input.layout, tiles, by, now);
        return this.preset(newId)!;
      }
      const changed = this.db.prepare('UPDATE presets SET name = ?, layout = ?, tiles_json = ?, updated_at = ? WHERE id = ?').run(input.name, input.layout, tiles, now, id).changes;
      if (!changed) throw new AppError(ErrorCode.NOT_FOUND, 'no such preset', 404);
      return this.preset(id)!;
    }, 'preset');
  }

  deletePreset(id: string): boolean {
    return this.db.prepare('DELETE FROM presets WHERE id = ?').run(id).changes > 0;
  }

  // --- tours -------------------------------------------------------------------------------
  tours(): Tour[] {
    return (this.db.prepare('SELECT * FROM tours ORDER BY name').all() as TourRow[]).map(toTour);
  }

  tour(id: string): Tour | undefined {
    const r = this.db.prepare('SELECT * FROM tours WHERE id = ?').get(id) as TourRow | undefined;
    return r ? toTour(r) : undefined;
  }

  saveTour(input: TourInput, by: string, id: string | null, now: number): Tour {
    const steps = JSON.stringify(input.steps);
    return uniqueName(() => {
      if (id === null) {
        const newId = randomUUID();
        this.db.prepare('INSERT INTO tours (id, name, interval_sec, steps_json, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(newId, input.name, input.intervalSec, steps, by, now);
        return this.tour(newId)!;
      }
      const changed = this.db.prepare('UPDATE tours SET name = ?, interval_sec = ?, steps_json = ?, updated_at = ? WHERE id = ?').run(input.name, input.intervalSec, steps, now, id).changes;
      if (!changed) throw new AppError(ErrorCode.NOT_FOUND, 'no such tour', 404);
      return this.tour(id)!;
    }, 'tour');
  }

  deleteTour(id: string): boolean {
    return this.db.prepare('DELETE FROM tours WHERE id = ?').run(id).changes > 0;
  }

  // --- rules -------------------------------------------------------------------------------
  rules(): DisplayRule[] {
    return (this.db.prepare('SELECT * FROM display_rules ORDER BY display_name, trigger').all() as RuleRow[]).map(toRule);
  }

  addRule(input: DisplayRuleInput, by: string): DisplayRule {
    const id = randomUUID();
    this.db.prepare('INSERT INTO display_rules (id, trigger, display_name, camera_ids_json, enabled, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(id, input.trigger, input.display, JSON.stringify(input.cameraIds), input.enabled ? 1 : 0, by);
    return { ...input, id, createdBy: by };
  }

  deleteRule(id: string): boolean {
    return this.db.prepare('DELETE FROM display_rules WHERE id = ?').run(id).changes > 0;
  }
}
