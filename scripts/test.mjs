#!/usr/bin/env node
// `npm test` (after setup): lint, then every test file of every package, unit tests first, then
// integration and browser end-to-end tests, one file at a time (they start real processes and share
// 2 cores), then every `bench:*` of package.json once in its short smoke mode (no thresholds: a
// bench that no longer runs is caught).
//   node scripts/test.mjs [--unit|--int|--e2e|--bench|--lint] [--test-* node:test flags] [path parts]
// A path part filters the files by substring (`node scripts/test.mjs e2e/review`); with a filter or
// a mode, lint and the benches run only when asked for.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const MODES = ['--unit', '--int', '--e2e', '--bench', '--lint'];
const modes = args.filter((a) => MODES.includes(a));
const testFlags = args.filter((a) => a.startsWith('--test-'));
const unknownFlags = args.filter((a) => a.startsWith('--') && !MODES.includes(a) && !a.startsWith('--test-'));
if (unknownFlags.length) {
  console.error(`unknown option ${unknownFlags.join(' ')} (modes: ${MODES.join(' ')}; node:test flags start with --test-)`);
  process.exit(2);
}
const only = args.filter((a) => !a.startsWith('--'));
const everything = modes.length === 0 && only.length === 0;
// Everything (plain `npm test`) includes lint and the benches' smoke runs (about 3.5 minutes in all,
// docs/benchmarks.md); with a mode or a filter, only what is asked for.
const wants = (mode) => everything || modes.includes(mode) || (modes.length === 0 && mode !== '--lint' && mode !== '--bench');

function find(dir) {
  let out = [];
  let entries;
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
let files = ['common/test', 'server-kit/test', 'accounts/test', 'endpoint/test', 'sfu/test', 'recorder/test', 'city/test', 'client/test', 'scripts/test', 'bench', 'e2e']
  .flatMap((d) => find(join(root, d)))
  .sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
if (only.length) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
files = files.filter((f) => (weight(f) === 0 ? wants('--unit') : weight(f) === 1 ? wants('--int') : wants('--e2e')));

const nodeTest = (list) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', '--test-reporter=spec', ...testFlags, ...list], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, WARDWALL_LOG_LEVEL: process.env.WARDWALL_LOG_LEVEL ?? 'warn' },
  }).status === 0;

// Unit tests (pure logic) run together, once. Integration and browser files start real processes
// and measure real timing on 2 shared cores: each runs alone, and one that fails is run once more
// and named in the summary, so an intermittent failure is visible without hiding a real one (a
// file that fails twice fails the run).
const unit = files.filter((f) => weight(f) === 0);
const system = files.filter((f) => weight(f) > 0);
const failed = [];
const retried = [];
const run = (command, list, opts = {}) => spawnSync(command, list, { cwd: root, stdio: 'inherit', ...opts }).status === 0;

// Lint: ESLint's and typescript-eslint's recommended rules and the workspace-boundary rule.
if (wants('--lint')) {
  console.log('\n# lint (eslint)\n');
  if (!run(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.'])) failed.push('lint');
  // Types: everything (tests see Node and the DOM), node code without the DOM, browser code without Node.
  console.log('\n# types (tsc)\n');
  for (const project of ['tsconfig.json', 'tsconfig.node.json', 'client/tsconfig.json']) {
    if (!run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit'])) failed.push(`types (${project})`);
  }
}
if (unit.length && !nodeTest(unit)) failed.push('unit tests');
for (const f of system) {
  const name = relative(root, f);
  if (nodeTest([f])) continue;
  console.log(`\n# ${name} failed; running it once more\n`);
  if (nodeTest([f])) retried.push(name);
  else failed.push(name);
}
// Every bench once, in smoke mode.
const benches = [];
if (wants('--bench')) {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
  for (const [name, command] of Object.entries(scripts)) {
    if (!name.startsWith('bench:')) continue;
    const file = /node(?:\.sh)? --import tsx (bench\/[\w-]+\.ts)/.exec(command)?.[1];
    if (!file) {
      failed.push(`${name} (no bench/<name>.ts in its command)`);
      continue;
    }
    console.log(`\n# ${name} --smoke\n`);
    const started = Date.now();
    const ok = run(process.execPath, ['--import', 'tsx', file, '--smoke'], { timeout: 300_000 });
    benches.push(`${name} ${ok ? 'ran' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
    if (!ok) failed.push(`${name} --smoke`);
  }
}
if (unit.length + system.length + benches.length === 0 && !wants('--lint')) {
  console.error('no test files found');
  process.exit(1);
}

console.log('\n# summary');
console.log(`# ${unit.length} unit files, ${system.length} integration and browser files, ${benches.length} benches in smoke mode`);
for (const b of benches) console.log(`# ${b}`);
for (const f of retried) console.log(`# FLAKY (failed once, passed when run again): ${f}`);
for (const f of failed) console.log(`# FAILED: ${f}`);
process.exit(failed.length ? 1 : 0);
