/**
 * `npm run build`: the production build. Compiles every service workspace (common, server-kit,
 * accounts, endpoint, sfu, recorder, city) to JavaScript with tsc into `<workspace>/dist/` (the layout
 * of `<workspace>/src/` kept, so `new URL('./x.py', import.meta.url)` finds the same neighbours),
 * copies the non-TypeScript files of each `src/` (the GStreamer .py scripts, HTML, SQL, JSON) beside
 * them, and builds the client with Vite (client/dist, as `npm start` does).
 *
 * Production runs `node --conditions=wardwall-dist <workspace>/dist/<main>.js`: with that condition
 * every workspace's package.json "exports" resolve to dist/*.js; without it (tsx, tsc, Vite, tests)
 * they resolve to src/*.ts as before. Nothing under dist/ imports a devDependency.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICE_WORKSPACES = ['common', 'server-kit', 'accounts', 'endpoint', 'sfu', 'recorder', 'city'];
const root = fileURLToPath(new URL('..', import.meta.url));
const staging = join(root, '.build');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

/** Copies every file of `from` that is not TypeScript into the same place under `to`. */
function copyAssets(from, to) {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) {
      if (name === '__pycache__') continue;
      copyAssets(src, join(to, name));
    } else if (!name.endsWith('.ts')) cpSync(src, join(to, name));
  }
}

const withClient = !process.argv.includes('--no-client');
if (!existsSync(join(root, 'node_modules/typescript/bin/tsc'))) {
  process.stderr.write('build: BUILD_NO_DEV_DEPENDENCIES: typescript is not installed (a tree pruned with --omit=dev?): run rm -rf node_modules && bash scripts/setup.sh first\n');
  process.exit(2);
}
rmSync(staging, { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
for (const ws of SERVICE_WORKSPACES) {
  const dist = join(root, ws, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const emitted = join(staging, ws, 'src');
  if (!existsSync(emitted)) throw new Error(`build: tsc emitted nothing for ${ws}`);
  renameSync(emitted, dist);
  copyAssets(join(root, ws, 'src'), dist);
}
rmSync(staging, { recursive: true, force: true });
if (withClient) run('bash', [join(root, 'scripts/setup/client-build.sh')]);
process.stdout.write(`build: ${SERVICE_WORKSPACES.map((w) => `${w}/dist`).join(', ')}${withClient ? ', client/dist' : ''}\n`);
