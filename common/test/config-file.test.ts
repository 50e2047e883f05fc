import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/node/config-file.js';

test('the example config file is valid and documents every top-level key', () => {
  const path = fileURLToPath(new URL('../../config.example.jsonc', import.meta.url));
  const c = loadConfig(['node', 'x', '--config', path], {});
  assert.equal(c.cameras[0]!.id, 'nga-tu-le-loi');
  assert.equal(c.sfu.port, 8080);
  assert.equal(c.recorder.retention.maxAgeDaysByCamera['nga-tu-le-loi'], 60);
  assert.deepEqual(c.recorder.backoffMs, [500, 1000, 2000, 5000, 10000]);
});

test('a missing config file is refused naming --config', () => {
  assert.throws(() => loadConfig(['--config', '/nonexistent/wardwall.json'], {}), /--config/);
});
