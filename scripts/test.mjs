#!/usr/bin/env node
// `npm test` (after setup): every test file of every package, unit tests first, then integration
// and browser end-to-end tests, one file at a time (they start real processes and share 2 cores).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const weight = (f) => (f.includes('/e2e/') ? 2 : f.includes('.int.test.ts') ? 1 : 0);
let files = ['common/test', 'sfu/test', 'recorder/test', 'client/test', 'scripts/test', 'e2e']
  .flatMap((d) => find(join(root, d)))
  .sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
if (only.length) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WARDWALL_LOG_LEVEL: process.env.WARDWALL_LOG_LEVEL ?? 'warn' },
});
process.exit(r.status ?? 1);
