/**
 * Alerts survive an SFU restart: the SFU starts on a database holding alerts left open by a
 * previous run. Alerts of cameras that are gone close at once; the others stay (acknowledgement
 * kept) until the monitor has had `settleMs` to see the fault again, and close when it does not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDb } from '@wardwall/server-kit';
import { AlertStore } from '../src/health/alert-store.js';
import { startTestSystem, waitFor, type TestSystem } from '@wardwall/testing/system';

let sys: TestSystem;
const dir = mkdtempSync(join(tmpdir(), 'wardwall-sfu-'));
const ids = { black: 0, gone: 0 };

before(async () => {
  const db = openAppDb(dir);
  const store = new AlertStore(db);
  ids.black = store.open('demo-1', 'black', { mean: 16 }, Date.now() - 60_000).alert.id;
  store.acknowledge(ids.black, { userId: 'u1', name: 'Trực ban' }, Date.now() - 50_000);
  ids.gone = store.open('old-camera', 'offline', {}, Date.now() - 60_000).alert.id;
  db.close();
  sys = await startTestSystem({ demoCount: 1, withSub: 0, sfuDataDir: dir, health: { settleMs: 4000 } });
});
after(async () => {
  await sys?.close();
});

test('alerts of removed cameras close at start; the others wait for the settle time, then close', async () => {
  const store = sys.sfu.health.store;
  assert.equal(store.get(ids.gone)!.state, 'closed', 'the camera is gone: nobody would close it');
  const kept = store.get(ids.black)!;
  assert.equal(kept.state, 'acknowledged', 'still open while the monitor settles');
  assert.equal(kept.ackedBy, 'Trực ban');
  await waitFor('restored alert closed after settleMs', () => store.get(ids.black)!.state === 'closed', 20000, 100);
  const closed = store.get(ids.black)!;
  assert.ok(closed.closedAt! - closed.openedAt >= 60_000);
  assert.equal(closed.ackedBy, 'Trực ban', 'who acknowledged stays');
  assert.equal(store.unclosed().length, 0);
});
