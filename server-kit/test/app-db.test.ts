import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openAppDb } from '@wardwall/server-kit';

test('migrations run once each, in order, and survive a reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-appdb-'));
  const v1 = ['CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)'];
  let db = openAppDb(dir);
  migrate(db, 'notes', v1);
  db.prepare('INSERT INTO notes (text) VALUES (?)').run('kept');
  db.close();
  db = openAppDb(dir);
  migrate(db, 'notes', [...v1, "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'x'"]);
  assert.deepEqual(db.prepare('SELECT text, tag FROM notes').all(), [{ text: 'kept', tag: 'x' }]);
  migrate(db, 'notes', [...v1, "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'x'"]);
  assert.throws(() => migrate(db, 'notes', v1), /newer than this program/);
  db.close();
});

test('a failing migration leaves the previous version in place', () => {
  const db = openAppDb(':memory:');
  migrate(db, 'a', ['CREATE TABLE a (x INTEGER)']);
  assert.throws(() => migrate(db, 'a', ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER)', 'NOT SQL']));
  assert.equal((db.prepare("SELECT version FROM schema_versions WHERE feature = 'a'").get() as { version: number }).version, 1);
  assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get(), undefined);
  db.close();
});
