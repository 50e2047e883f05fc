/**
 * The key table (client/src/core/shortcuts.ts) is what the handlers resolve keys with and what the
 * help overlay lists: every row reachable, every action handled, every key handler of the client
 * reading keys through it, and the help of each mode showing its keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_ACTIONS,
  FILTER_ACTIONS,
  FOLLOW_ACTIONS,
  REVIEW_ACTIONS,
  PTZ_ACTIONS,
  SHORTCUTS,
  resolveShortcut,
  shortcutsFor,
  shortcutMode,
  type ShortcutMode,
  type ShortcutOwner,
} from '../src/core/shortcuts.js';
import { en, vi } from '../src/i18n/messages.js';

const MODES = Object.keys(SHORTCUTS) as ShortcutMode[];
const OWNED: Record<ShortcutOwner, readonly string[]> = { app: APP_ACTIONS, review: REVIEW_ACTIONS, follow: FOLLOW_ACTIONS, filter: FILTER_ACTIONS, ptz: PTZ_ACTIONS };

test('every row of every mode is what its keys resolve to (no row shadowed by another)', () => {
  for (const mode of MODES) {
    for (const row of shortcutsFor(mode)) {
      const shifts = row.shift === undefined ? [false, true] : [row.shift];
      for (const key of row.keys) {
        for (const shiftKey of shifts) {
          assert.equal(resolveShortcut(mode, { key, shiftKey }, row.by), row, `${mode}: ${JSON.stringify(key)} shift=${shiftKey} → ${row.action}`);
        }
      }
    }
  }
});

test('every action in the table has a handler of its owner, and every handled action is in the table', () => {
  const used = new Map<ShortcutOwner, Set<string>>();
  for (const mode of MODES) {
    for (const row of shortcutsFor(mode)) {
      assert.ok(OWNED[row.by].includes(row.action), `${mode}: ${row.by} handles no "${row.action}"`);
      if (!used.has(row.by)) used.set(row.by, new Set());
      used.get(row.by)!.add(row.action);
    }
  }
  for (const [owner, actions] of Object.entries(OWNED) as [ShortcutOwner, readonly string[]][]) {
    for (const a of actions) assert.ok(used.get(owner)?.has(a), `${owner}'s action "${a}" has no key in any mode`);
  }
});

test('every help line and translated key cap exists in both languages', () => {
  for (const mode of MODES) {
    for (const row of shortcutsFor(mode)) {
      assert.ok(row.text in vi && row.text in en, `${mode}: ${row.text}`);
      assert.ok(row.label.length > 0, `${mode}: ${row.action} has a label`);
      for (const cap of row.label) if (cap.startsWith('help.')) assert.ok(cap in vi && cap in en, cap);
    }
  }
});

test("review's help lists space , . ← → [ ] B, Shift+B, ? and Esc; follow's lists its arrows and space", () => {
  const caps = (mode: ShortcutMode) => shortcutsFor(mode).flatMap((r) => r.label);
  for (const cap of ['help.key.space', ',', '.', '←', '→', '[', ']', 'B', 'Shift', '?', 'Esc']) assert.ok(caps('review').includes(cap), `review: ${cap}`);
  for (const cap of ['←', '↑', '→', '↓', 'help.key.space', '?', 'Esc']) assert.ok(caps('follow').includes(cap), `follow: ${cap}`);
  for (const cap of ['1', '5', 'F', 'S', 'Enter', 'Delete', 'Backspace', 'B', '?', 'Esc']) assert.ok(caps('live').includes(cap), `live: ${cap}`);
  // The live wall's keys are not offered where they do nothing.
  assert.ok(!caps('review').includes('F') && !caps('admin').includes('1'));
});

test('resolution follows the handlers: shift, owner and mode', () => {
  assert.equal(resolveShortcut('live', { key: 'B', shiftKey: true }, 'app')?.action, 'bookmarkUrgent');
  assert.equal(resolveShortcut('live', { key: 'b', shiftKey: false }, 'app')?.action, 'bookmark');
  assert.equal(resolveShortcut('live', { key: '3', shiftKey: true }, 'app'), null, 'Shift+3 is no layout');
  assert.equal(resolveShortcut('live', { key: 'ArrowLeft', shiftKey: true }, 'app')?.action, 'move');
  assert.equal(resolveShortcut('review', { key: 'ArrowLeft', shiftKey: false }, 'review')?.action, 'jumpBack');
  assert.equal(resolveShortcut('review', { key: 'ArrowLeft', shiftKey: false }, 'app'), null, 'the app leaves review its arrows');
  assert.equal(resolveShortcut('review', { key: '?', shiftKey: true }, 'app')?.action, 'help');
  assert.equal(resolveShortcut('follow', { key: 'ArrowUp', shiftKey: false }, 'follow')?.action, 'hop');
  assert.equal(resolveShortcut('live', { key: 'Escape', shiftKey: false }, 'filter')?.action, 'clearFilter');
  assert.equal(resolveShortcut('kiosk', { key: 'f', shiftKey: false }, 'app')?.action, 'fullscreen');
  assert.equal(resolveShortcut('kiosk', { key: '?', shiftKey: true }), null);
  assert.equal(shortcutMode('review'), 'review');
  assert.equal(shortcutMode('something-new'), 'admin');
});

/** Sources of the client's components and controllers. */
function sources(): { file: string; code: string }[] {
  const out: { file: string; code: string }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push({ file: p.slice(p.indexOf('client/src/')), code: readFileSync(p, 'utf8') });
    }
  };
  walk(new URL('../src/', import.meta.url).pathname);
  return out;
}

test('no key handler of the client reads keys around the table', () => {
  // Keys a focused control handles for itself, which are not shortcuts: Escape closes the dialog
  // that has focus, Enter/Space activate a focused map camera or neighbour tile (button semantics).
  const allowed = [
    { file: 'client/src/components/ww-bookmarks/ww-bookmarks.ts', test: /e\.key !== 'Escape'/ },
    { file: 'client/src/components/ww-health-history/ww-health-history.ts', test: /e\.key === 'Escape'/ },
    { file: 'client/src/components/ww-bookmark-form/ww-bookmark-form.ts', test: /e\.key === 'Escape'/ },
    { file: 'client/src/components/ww-password/ww-password.ts', test: /e\.key === 'Escape'/ },
    { file: 'client/src/components/ww-map/ww-map.ts', test: /e\.key === 'Enter' \|\| e\.key === ' '/ },
    { file: 'client/src/components/ww-follow/ww-follow.ts', test: /e\.key === 'Enter' && this\.follow/ },
  ];
  const found: string[] = [];
  for (const { file, code } of sources()) {
    if (file.endsWith('core/shortcuts.ts')) continue;
    for (const line of code.split('\n')) {
      const readsKey = /\b(?:e|ev|event)\.key\s*[!=]==\s*'/.test(line) || /switch\s*\(\s*(?:e|ev|event)\.key\s*\)/.test(line);
      if (readsKey && !allowed.some((a) => a.file === file && a.test.test(line))) found.push(`${file}: ${line.trim()}`);
    }
  }
  assert.deepEqual(found, [], 'keys must be added to client/src/core/shortcuts.ts so the help lists them');
  // The window-wide key handlers all resolve through the table.
  for (const { file, code } of sources()) {
    if (/addEventListener\('keydown'/.test(code)) assert.match(code, /resolveShortcut\(/, `${file} listens to keys without the table`);
  }
});
