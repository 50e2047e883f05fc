/** Pure parts of the live-managed camera list: seed rule, ids, redaction, diffs, the Test's reply. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { diffCameraLists, keepStoredPassword, redactPassword, runningCameras, type CameraConfig } from '@wardwall/common';
import { readEnabledCameras } from '@wardwall/common/node';
import { cameraIdFor, seedPlan } from '../src/cameras/camera-plan.js';
import { changedFields } from '../src/cameras/camera-manager.js';
import { CameraStore } from '../src/cameras/camera-store.js';
import { testResult } from '../src/cameras/camera-test.js';
import { recordedKey } from '../../recorder/src/station-cameras.js';

const cam = (id: string, over: Partial<CameraConfig> = {}): CameraConfig => ({ id, name: `Cam ${id}`, main: `rtsp://u:p@10.0.0.1/${id}`, transcode: 'auto', ...over });

test('seed rule: the config seeds only the first start; later the stored list wins and differences are named', () => {
  const config = [cam('a'), cam('b')];
  assert.deepEqual(seedPlan(null, config), { seed: config, ignored: [] });
  // Seeded: nothing is copied again, even with the config changed.
  const stored = [cam('a', { name: 'Renamed in the admin page' })];
  assert.deepEqual(seedPlan(stored, config), { seed: null, ignored: ['a', 'b'] });
  assert.deepEqual(seedPlan([cam('a'), cam('b')], config), { seed: null, ignored: [] });
  // An empty seeded list stays empty (an admin removed every camera).
  assert.deepEqual(seedPlan([], []), { seed: null, ignored: [] });
});

test('camera store: seeds once, counts versions, reads back as configs', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE schema_versions (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const store = new CameraStore(db, () => 1000);
  assert.equal(store.seeded(), false);
  assert.equal(readEnabledCameras(db), null, 'readers keep the config until the list is seeded');
  store.seed([cam('a', { position: { x: 1, y: 2 } }), cam('b', { sub: 'rtsp://10.0.0.1/b-sub', audio: false, transcode: true })]);
  store.seed([cam('x')]);
  assert.equal(store.seeded(), true);
  assert.deepEqual(store.list().map((r) => r.id), ['a', 'b']);
  const v1 = store.version();
  store.update('b', { name: 'B', main: cam('b').main, transcode: true, audio: false, enabled: false, sub: undefined });
  assert.equal(store.version(), v1 + 1);
  const read = readEnabledCameras(db)!;
  assert.equal(read.version, v1 + 1);
  assert.deepEqual(read.cameras, [cam('a', { position: { x: 1, y: 2 } })], 'disabled cameras are not run; the seed keeps the position');
  assert.equal(store.remove('b'), true);
  assert.equal(store.remove('b'), false);
  assert.equal(store.version(), v1 + 2);
});

test('camera ids from names: Vietnamese marks dropped, unique, valid', () => {
  assert.equal(cameraIdFor('Cổng Trụ sở Phường', new Set()), 'cong-tru-so-phuong');
  assert.equal(cameraIdFor('Đường số 1', new Set(['duong-so-1'])), 'duong-so-1-2');
  assert.equal(cameraIdFor('Đường số 1', new Set(['duong-so-1', 'duong-so-1-2'])), 'duong-so-1-3');
  assert.equal(cameraIdFor('!!!', new Set()), 'camera');
});

test('redaction: the password is masked, the mask keeps the stored password, a new one replaces it', () => {
  const stored = 'rtsp://admin:s%40cret@10.0.0.5:554/Streaming/101?x=1';
  const shown = redactPassword(stored);
  assert.equal(shown, 'rtsp://admin:***@10.0.0.5:554/Streaming/101?x=1');
  assert.ok(!shown.includes('cret'));
  assert.equal(redactPassword('rtsp://10.0.0.5/a'), 'rtsp://10.0.0.5/a');
  assert.equal(redactPassword('rtsp://127.0.0.1:8554/live/pk_abcdefghijkl'), 'rtsp://127.0.0.1:8554/live/pk_***');
  assert.equal(redactPassword('not a url'), '<invalid url>');
  // Edited path, mask kept: the stored password comes back.
  assert.equal(keepStoredPassword('rtsp://admin:***@10.0.0.5:554/Streaming/102', stored), 'rtsp://admin:s%40cret@10.0.0.5:554/Streaming/102');
  // A new password, no password, another user: taken as given.
  assert.equal(keepStoredPassword('rtsp://admin:new@10.0.0.5/a', stored), 'rtsp://admin:new@10.0.0.5/a');
  assert.equal(keepStoredPassword('rtsp://10.0.0.5/a', stored), 'rtsp://10.0.0.5/a');
  assert.equal(keepStoredPassword('rtsp://other:***@10.0.0.5/a', stored), 'rtsp://other:***@10.0.0.5/a');
  assert.equal(keepStoredPassword('rtsp://admin:***@10.0.0.5/a', undefined), 'rtsp://admin:***@10.0.0.5/a');
});

test('diffing camera lists: only the changed camera is restarted; the recorder ignores a rename', () => {
  const before = [cam('a'), cam('b'), cam('c')];
  const after = [cam('a'), cam('b', { main: 'rtsp://u:p@10.0.0.2/b' }), cam('c', { name: 'New name' }), cam('d')];
  const sfu = diffCameraLists(before, after);
  assert.deepEqual(sfu.added.map((c) => c.id), ['d']);
  assert.deepEqual(sfu.changed.map((c) => c.id), ['b', 'c']);
  assert.deepEqual(sfu.unchanged, ['a']);
  const rec = diffCameraLists(before, after.slice(0, 3), recordedKey);
  assert.deepEqual(rec.changed.map((c) => c.id), ['b']);
  assert.deepEqual(diffCameraLists(before, [cam('a')]).removed, ['b', 'c']);
  assert.deepEqual(diffCameraLists([cam('a')], [cam('a', { audio: false })], recordedKey).changed.map((c) => c.id), ['a']);
  assert.deepEqual(runningCameras([cam('demo-1'), cam('x')], [cam('demo-1', { name: 'demo' }), cam('demo-2')]).map((c) => c.name), ['Cam demo-1', 'Cam x', 'Cam demo-2']);
});

test('changed fields name fields only', () => {
  const f = { name: 'A', main: 'rtsp://u:p@h/a', transcode: 'auto' as const, enabled: true, sub: undefined, audio: undefined };
  assert.deepEqual(changedFields(f, { ...f }), []);
  assert.deepEqual(changedFields(f, { ...f, main: 'rtsp://u:q@h/a', enabled: false }), ['main', 'enabled']);
});

test("the Test's reply: decision and reasons from the probe, refused credentials named, no stderr text", () => {
  const report = { video: { encodingName: 'H265', width: 1920, height: 1080, fps: 25, reordering: false, frames: 20 }, audio: [{ encodingName: 'PCMA', clockRate: 8000 }], snapshot: 'AAAA' };
  const ok = testResult({ report, code: 0, stderrTail: [] }, 'auto');
  assert.equal(ok.reachable, true);
  assert.equal(ok.ingest?.mode, 'transcode');
  assert.equal(ok.ingest?.reason, 'h265');
  assert.deepEqual(ok.ingest?.audio, ['PCMA']);
  assert.equal(ok.snapshot, 'data:image/jpeg;base64,AAAA');
  const refused = testResult({ report: null, code: 1, stderrTail: ['ERROR: Unauthorized (401) rtsp://***@10.0.0.5/a'] }, 'auto');
  assert.deepEqual(refused, { reachable: true, authentication: 'refused', error: 'unauthorized', ingest: null, snapshot: null });
  const down = testResult({ report: null, code: 1, stderrTail: ['Could not connect to server'] }, 'auto');
  assert.deepEqual([down.reachable, down.authentication, down.error], [false, 'unknown', 'unreachable']);
});
