/** Displays: pure screen resolution, rule matching and cooldown, the service with tours on a fake clock, SQLite persistence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { DisplayRule } from '@wardwall/common';
import { openAppDb } from '@wardwall/server-kit';
import { DisplayStore } from '../src/displays/store.js';
import { DisplayService } from '../src/displays/display-service.js';
import { camerasScreen, nextStepIndex, presetScreen } from '../src/displays/resolve.js';
import { DisplayRuleEngine, matchRules } from '../src/displays/rules.js';

const log = pino({ level: 'silent' });

test('camerasScreen picks the smallest layout that holds the cameras', () => {
  const cases: [string[], string, number][] = [
    [['a'], '1', 1],
    [['a', 'b'], '2x2', 4],
    [['a', 'b', 'c', 'd', 'e'], '3x3', 9],
    [Array.from({ length: 12 }, (_, i) => `c${i}`), '4x4', 16],
  ];
  for (const [cams, layout, n] of cases) {
    const s = camerasScreen(cams);
    assert.equal(s.layout, layout, cams.join());
    assert.equal(s.tiles.length, n);
    assert.deepEqual(s.tiles.slice(0, cams.length), cams);
    assert.ok(s.tiles.slice(cams.length).every((t) => t === null));
  }
});

test('presetScreen pads or cuts the tiles to the layout', () => {
  assert.deepEqual(presetScreen({ layout: '2x2', tiles: ['a'] }).tiles, ['a', null, null, null]);
  assert.deepEqual(presetScreen({ layout: '1', tiles: ['a', 'b'] }).tiles, ['a']);
  assert.equal(nextStepIndex(-1, 3), 0);
  assert.equal(nextStepIndex(2, 3), 0);
  assert.equal(nextStepIndex(0, 0), 0);
});

const rule = (over: Partial<DisplayRule>): DisplayRule => ({ id: 'r', trigger: 'camera_alert', display: 'Wall 1', cameraIds: [], enabled: true, createdBy: 'x', ...over });

test('matchRules: trigger, enabled, camera filter', () => {
  const rules = [
    rule({ id: 'all-alerts' }),
    rule({ id: 'gate-only', display: 'Wall 2', cameraIds: ['gate'] }),
    rule({ id: 'off', enabled: false }),
    rule({ id: 'urgent', trigger: 'urgent_bookmark', display: 'Wall 3', cameraIds: ['gate', 'road'] }),
  ];
  const cases: [Parameters<typeof matchRules>[1], string[], string[]][] = [
    ['camera_alert', ['alley'], ['all-alerts:Wall 1:alley']],
    ['camera_alert', ['gate'], ['all-alerts:Wall 1:gate', 'gate-only:Wall 2:gate']],
    ['urgent_bookmark', ['alley'], []],
    ['urgent_bookmark', ['road', 'alley', 'gate', 'road'], ['urgent:Wall 3:road,gate']],
  ];
  for (const [trigger, cams, want] of cases) {
    const got = matchRules(rules, trigger, cams).map((m) => `${m.ruleId}:${m.display}:${m.cameraIds.join(',')}`);
    assert.deepEqual(got, want, `${trigger} ${cams.join()}`);
  }
});

test('rule engine pushes on alerts and urgent bookmarks, once per cooldown', () => {
  let now = 0;
  const pushed: string[] = [];
  const engine = new DisplayRuleEngine({
    rules: () => [rule({ id: 'a' }), rule({ id: 'u', trigger: 'urgent_bookmark', display: 'Wall 2' })],
    push: (d, cams, trigger) => pushed.push(`${trigger}>${d}:${cams.join(',')}`),
    cooldownMs: 1000,
    now: () => now,
  });
  engine.onCameraAlert('gate');
  engine.onCameraAlert('gate'); // within cooldown
  engine.onCameraAlert('road');
  engine.onUrgentBookmark(['gate', 'road']);
  now = 1500;
  engine.onCameraAlert('gate');
  assert.deepEqual(pushed, ['camera_alert>Wall 1:gate', 'camera_alert>Wall 1:road', 'urgent_bookmark>Wall 2:gate,road', 'camera_alert>Wall 1:gate']);
});

/** A manual clock with timers. */
function fakeTime() {
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let seq = 0;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

test('service: push camera, preset, incident; tours cycle, pause, resume, skip missing steps; state survives a restart', () => {
  const db = openAppDb(':memory:');
  const store = new DisplayStore(db);
  const clock = fakeTime();
  const cams = new Set(['c1', 'c2', 'c3']);
  const make = () => new DisplayService({ store, log, cameraExists: (id) => cams.has(id), now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
  let svc = make();
  const changes: string[] = [];
  svc.on('change', (s) => changes.push(`${s.name}:${s.layout}:${s.tiles.join('|')}`));

  const wall = svc.attach('Wall 1');
  assert.equal(wall.online, true);
  assert.equal(wall.source.kind, 'none');
  assert.throws(() => svc.push('Nope', { kind: 'camera', cameraId: 'c1' }, 'an'), /no such display/);
  assert.throws(() => svc.push('Wall 1', { kind: 'camera', cameraId: 'zz' }, 'an'), /unknown camera zz/);

  let s = svc.push('Wall 1', { kind: 'camera', cameraId: 'c2' }, 'Commander An');
  assert.deepEqual([s.layout, s.tiles, s.changedBy, s.changedAt], ['1', ['c2'], 'Commander An', clock.now()]);

  const preset = store.savePreset({ name: 'Gates', layout: '2x2', tiles: ['c1', 'c3'] }, 'an', null, clock.now());
  assert.throws(() => store.savePreset({ name: 'Gates', layout: '1', tiles: [] }, 'an', null, 0), /exists/);
  s = svc.push('Wall 1', { kind: 'preset', presetId: preset.id }, 'Officer Binh');
  assert.deepEqual([s.layout, s.tiles, s.source.label, s.changedBy], ['2x2', ['c1', 'c3', null, null], 'Gates', 'Officer Binh']);

  s = svc.push('Wall 1', { kind: 'incident', title: 'Theft at the pagoda', cameraIds: ['c1', 'c2'] }, 'an');
  assert.deepEqual([s.layout, s.source.kind, s.source.label], ['2x2', 'incident', 'Theft at the pagoda']);

  const tour = store.saveTour({ name: 'Entry roads', intervalSec: 5, steps: [{ kind: 'camera', cameraId: 'c1' }, { kind: 'preset', presetId: 'gone' }, { kind: 'preset', presetId: preset.id }, { kind: 'camera', cameraId: 'c3' }] }, 'an', null, clock.now());
  s = svc.push('Wall 1', { kind: 'tour', tourId: tour.id }, 'an');
  assert.deepEqual([s.tiles, s.tour?.index, s.tour?.paused, s.tour?.nextAt], [['c1'], 0, false, clock.now() + 5000]);
  assert.deepEqual(s.tour?.upcoming, { layout: '2x2', tiles: ['c1', 'c3', null, null] }); // the missing preset is skipped
  clock.advance(5000); // the missing preset is skipped
  assert.deepEqual([svc.get('Wall 1')!.tour?.index, svc.get('Wall 1')!.layout], [2, '2x2']);
  clock.advance(5000);
  assert.deepEqual(svc.get('Wall 1')!.tiles, ['c3']);
  svc.tourAction('Wall 1', 'pause', 'Officer Binh');
  clock.advance(20000);
  assert.deepEqual([svc.get('Wall 1')!.tiles, svc.get('Wall 1')!.tour?.paused, svc.get('Wall 1')!.changedBy], [['c3'], true, 'Officer Binh']);
  svc.tourAction('Wall 1', 'resume', 'an');
  clock.advance(5000);
  assert.deepEqual(svc.get('Wall 1')!.tiles, ['c1']); // wrapped round
  svc.tourAction('Wall 1', 'next', 'an');
  assert.equal(svc.get('Wall 1')!.tour?.index, 2);

  // The SFU restarts: the display comes back with its state and its tour keeps running.
  svc.close();
  svc = make();
  const back = svc.get('Wall 1')!;
  assert.deepEqual([back.online, back.tour?.index, back.layout], [false, 2, '2x2']);
  clock.advance(5000);
  assert.deepEqual(svc.get('Wall 1')!.tiles, ['c3']);

  // A plain push ends the tour; a pushed camera stops its timer.
  svc.push('Wall 1', { kind: 'camera', cameraId: 'c1' }, 'an');
  assert.equal(svc.get('Wall 1')!.tour, null);
  assert.equal(clock.pending(), 0);
  assert.throws(() => svc.tourAction('Wall 1', 'pause', 'an'), /runs no tour/);

  // Rules push to known displays only; two windows keep a display online until both leave.
  svc.pushByRule('Wall 1', ['c2', 'nope'], 'camera_alert');
  assert.deepEqual([svc.get('Wall 1')!.tiles, svc.get('Wall 1')!.changedBy], [['c2'], 'rule:camera_alert']);
  svc.pushByRule('Unknown', ['c2'], 'camera_alert');
  svc.attach('Wall 1');
  svc.attach('Wall 1');
  svc.detach('Wall 1');
  assert.equal(svc.get('Wall 1')!.online, true);
  svc.detach('Wall 1');
  assert.equal(svc.get('Wall 1')!.online, false);
  assert.ok(changes.length > 5);
  svc.close();
  db.close();
});
