/**
 * The project's runtime (docs/runtime.md): `scripts/node.sh` runs the Node that
 * `scripts/setup/node.sh` caches, that Node satisfies package.json's engines, children started by
 * name (`node`, npm bins with `#!/usr/bin/env node`) get the same Node, and better-sqlite3 is the
 * build cached for that Node's module ABI. The test runner itself runs on it (npm test, scripts/test.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

const prefix = run('bash', ['scripts/setup/node.sh']);
const projectNode = join(prefix, 'bin', 'node');

test('scripts/node.sh runs the cached Node, which satisfies package.json engines', () => {
  const [execPath = '', version = ''] = run('bash', ['scripts/node.sh', '-p', 'process.execPath + " " + process.versions.node']).split(' ');
  assert.equal(execPath, projectNode);
  const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node as string;
  const min = /^>=(\d+)$/.exec(engines);
  assert.ok(min, `engines.node is ${engines}`);
  assert.ok(Number(version.split('.')[0]) >= Number(min[1]), `node ${version} does not satisfy ${engines}`);
});

test('the test runner itself runs on the project Node (npm test goes through scripts/node.sh)', () => {
  assert.equal(process.execPath, projectNode, 'run the tests with bash scripts/node.sh scripts/test.mjs (docs/runtime.md)');
});

test('children started by name get the same Node: `node` on PATH and an npm bin (tsx)', () => {
  const byName = run('bash', ['scripts/node.sh', '-e', "process.stdout.write(require('node:child_process').execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }))"]);
  assert.equal(byName, projectNode);
  const tsx = run('bash', ['scripts/node.sh', '-e', "process.stdout.write(require('node:child_process').execFileSync('node_modules/.bin/tsx', ['--version'], { encoding: 'utf8' }))"]);
  const nodeVersion = run(projectNode, ['-v']);
  assert.match(tsx, new RegExp(`^node ${nodeVersion.replace(/\./g, '\\.')}$`, 'm'));
});

test('better-sqlite3 is the build cached for this Node module ABI, and it opens a database', () => {
  const out = run('bash', ['scripts/node.sh', '-p', [
    "const D = require('better-sqlite3');",
    "const v = new D(':memory:').prepare('select sqlite_version() as v').get().v;",
    "[process.versions.modules, require('better-sqlite3/package.json').version, v].join(' ')",
  ].join(' ')]);
  const [abi = '', version = '', sqlite = ''] = out.split(' ');
  assert.match(sqlite, /^3\.\d+\.\d+$/);
  const cached = join(dirname(prefix), `better-sqlite3-${version}-node${abi}`, 'better_sqlite3.node');
  const installed = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  assert.ok(readFileSync(cached).equals(readFileSync(installed)), `${installed} is not the cached build for ABI ${abi}`);
});
