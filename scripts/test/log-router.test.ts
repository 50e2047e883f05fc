import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleLine } from '../log-router.js';

test('warnings and errors become one readable console line; info and non-JSON do not', () => {
  assert.equal(consoleLine('sfu', '{"level":30,"msg":"ready"}'), null);
  assert.equal(consoleLine('sfu', 'not json'), null);
  assert.equal(
    consoleLine('sfu', '{"level":40,"time":1,"pid":2,"hostname":"h","name":"sfu","camera":"demo-2","reason":"no_media","msg":"ingest pipeline exited"}'),
    '[sfu] WARN ingest pipeline exited camera=demo-2 reason=no_media',
  );
  assert.match(consoleLine('recorder', '{"level":50,"msg":"disk full","free":0}')!, /^\[recorder\] ERROR disk full free=0$/);
});
