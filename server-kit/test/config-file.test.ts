import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@wardwall/common';
import { loadConfig } from '../src/config-file.js';
import { locateKey, parseJsonc, positionAt } from '../src/jsonc.js';

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

// Crafted files: what an operator gets back for each kind of mistake.
const dir = mkdtempSync(join(tmpdir(), 'wardwall-config-'));
let n = 0;
function load(text: string, env: Record<string, string> = {}) {
  const path = join(dir, `c${++n}.jsonc`);
  writeFileSync(path, text);
  return loadConfig(['--config', path], env);
}
function refusal(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    load(text, env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('the config was accepted');
}
const cam = (i: number, main = `"rtsp://10.0.0.${i}/s"`) => `    { "id": "cam-${i}", "name": "C${i}", "main": ${main} }`;

test('comments anywhere (line, block, after values, inside arrays) and trailing commas are accepted', () => {
  const c = load(`/* the ward's cameras
   * (block comment before the object) */
{
  "sfu": { "port": 9001, /* inline */ "host": "127.0.0.1", }, // trailing comma above
  "cameras": [
    // the gate
    { "id": "gate", "name": "Cổng", "main": "rtsp://u:p@10.0.0.5/s1", /* sub later */ },
  ],
  "log": { "level": "warn" } /* end */ ,
}
// after the object
`);
  assert.equal(c.sfu.port, 9001);
  assert.equal(c.sfu.host, '127.0.0.1');
  assert.deepEqual(c.cameras.map((x) => x.id), ['gate']);
  assert.equal(c.log.level, 'warn');
});

test('a file saved with a byte order mark (Windows Notepad) is read', () => {
  assert.equal(load('\uFEFF{ "sfu": { "port": 9002 } }').sfu.port, 9002);
  assert.match(refusal('\uFEFF{\n  "sfu": { "port": "x" }\n}').message, /line 2, column 12\)$/);
});

test('"//" inside a string is text, not a comment', () => {
  const c = load('{ "cameras": [ { "id": "a", "name": "A // B /* C */", "main": "rtsp://10.0.0.1/x" } ] }');
  assert.equal(c.cameras[0]!.name, 'A // B /* C */');
  assert.equal(c.cameras[0]!.main, 'rtsp://10.0.0.1/x');
});

test('a syntax error names the file, the line, the column and the problem', () => {
  const e = refusal('{\n  "sfu": {\n    "port": 8080\n    "host": "0.0.0.0"\n  }\n}\n');
  assert.equal(e.key, '(file)');
  assert.match(e.message, /not valid JSONC: line 4, column 5: "," expected/);
  assert.match(e.message, /c\d+\.jsonc/);
  assert.match(refusal('{ "a": 1 /* never closed\n}').message, /line 1, column 10: a \/\* comment is not closed/);
  assert.match(refusal('{ "sfu": { "port": 80 } } }').message, /line 1, column 27: nothing may follow/);
  assert.match(refusal('').message, /line 1, column 1: a value expected/);
});

test('a wrong type deep in cameras[3].main names the key path and its line', () => {
  const text = `{\n  "cameras": [\n${[0, 1, 2].map((i) => cam(i)).join(',\n')},\n    {\n      "id": "cam-3",\n      "name": "C3",\n      "main": 42\n    }\n  ]\n}\n`;
  const e = refusal(text);
  assert.equal(e.key, 'cameras.3.main');
  assert.deepEqual(e.path, ['cameras', 3, 'main']);
  assert.match(e.message, /^config error: cameras\.3\.main: .*number.* \(c\d+\.jsonc line 9, column 7\)$/);
});

test('an unknown key names the key and the line it is written on', () => {
  const e = refusal('{\n  // ports\n  "sfu": {\n    "port": 8080,\n    "prot": 1\n  }\n}\n');
  assert.match(e.message, /^config error: sfu: unknown key\(s\) prot \(c\d+\.jsonc line 5, column 5\)$/);
});

test('a required key left out points at the block it is missing from', () => {
  const e = refusal('{\n  "cameras": [\n    { "id": "a", "name": "A", "main": "rtsp://10.0.0.1/x" },\n    { "id": "b",\n      "main": "rtsp://10.0.0.2/x" }\n  ]\n}\n');
  assert.equal(e.key, 'cameras.1.name');
  assert.match(e.message, /in the block at c\d+\.jsonc line 4\)$/);
});

test('a bad value set by an environment variable is not blamed on the file', () => {
  const e = refusal('{\n  "log": { "level": "info" }\n}\n', { WARDWALL_LOG_LEVEL: 'loud' });
  assert.equal(e.key, 'log.level');
  assert.doesNotMatch(e.message, /line/);
});

test('locateKey and positionAt: exact keys, array elements, absent keys', () => {
  const text = '{\n  "a": [\n    1,\n    { "b": true }\n  ]\n}';
  assert.deepEqual(locateKey(text, ['a', 1, 'b']), { line: 4, column: 7, exact: true });
  assert.deepEqual(locateKey(text, ['a', 0]), { line: 3, column: 5, exact: true });
  assert.deepEqual(locateKey(text, ['a', 1, 'c']), { line: 4, column: 5, exact: false });
  assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
  assert.equal((parseJsonc('{"__proto__": {"x": 1}}') as Record<string, unknown>).x, undefined);
  assert.ok(Object.hasOwn(parseJsonc('{"__proto__": {"x": 1}}') as object, '__proto__'));
});
