/**
 * The production build run as the services (docs/operations.md): `npm run build`, then
 * a copy of the checkout pruned to production dependencies (`npm prune --omit=dev`: no tsx, no
 * typescript), and its `scripts/service.mjs install --root <tmp>` (a staging tree: units,
 * /etc/wardwall, /var/lib/wardwall under <tmp>). The units pass `systemd-analyze verify`; each unit's ExecStart runs as a throwaway
 * system user (setpriv, the unit's Environment= lines, WorkingDirectory=, no tsx) from the built
 * output; the SFU answers /api/health ok, a demo camera goes live with a JPEG still from its
 * decoded keyframes, and the recorder (a sibling process, through the SFU's proxy) writes segments
 * owned by that user. Needs root (useradd, setpriv); skipped otherwise.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { freeTcpPort } from '@wardwall/server-kit';
import { signIn, waitFor } from '@wardwall/testing/system';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const user = `wwt${process.pid % 100000}`;
const stage = mkdtempSync(join(tmpdir(), 'wardwall-service-'));
const children: ChildProcess[] = [];
let userMade = false;

function sh(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `Key=value` lines of a unit file, in order (Environment= repeats). */
function unitLines(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p));
    else out.push(p);
  }
  return out;
}

after(async () => {
  // Our own children, by PID (each ExecStart in its own process group: its workers and pipelines too).
  for (const c of children) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, 'SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => {
            try {
              process.kill(-c.pid!, 'SIGKILL');
            } catch {
              /* gone */
            }
            resolve();
          }, 15000);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        }),
    ),
  );
  if (userMade) sh('userdel', [user]);
  rmSync(stage, { recursive: true, force: true });
});

const WORKSPACES = ['common', 'server-kit', 'accounts', 'endpoint', 'sfu', 'recorder', 'city'];

test('npm run build: every service in JavaScript under <workspace>/dist, its assets beside it, importing production dependencies only', { timeout: 120_000 }, () => {
  // The production build (the client's Vite build is the one `npm start`/setup made).
  const build = sh(process.execPath, ['scripts/build.mjs', '--no-client']);
  assert.equal(build.status, 0, build.stderr);
  for (const asset of ['sfu/dist/ingest/gst-ingest.py', 'sfu/dist/ingest/media-host.py', 'sfu/dist/ingest/gop_bridge.py', 'recorder/dist/writer/pull.py', 'recorder/dist/playback/verify-page.html', 'sfu/dist/main.js', 'recorder/dist/main.js', 'endpoint/dist/service-main.js', 'endpoint/dist/endpoint-main.js']) {
    assert.ok(statSync(join(root, asset)).size > 0, asset);
  }
  // The endpoint's service main, built, with a config whose endpoint is off (the example has a camera).
  const off = spawnSync(process.execPath, ['--conditions=wardwall-dist', join(root, 'endpoint/dist/service-main.js')], { cwd: root, env: { PATH: process.env.PATH, WARDWALL_CONFIG: join(root, 'config.example.jsonc') }, encoding: 'utf8' });
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /nothing to run/);
  const builtins = new Set(builtinModules);
  for (const ws of WORKSPACES) {
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; exports?: Record<string, { 'wardwall-dist': string }> };
    const deps = new Set(Object.keys(pkg.dependencies ?? {}));
    for (const target of Object.values(pkg.exports ?? {})) assert.ok(statSync(join(root, ws, target['wardwall-dist'])).isFile(), `${ws} exports ${target['wardwall-dist']}`);
    const files = filesUnder(join(root, ws, 'dist')).filter((f) => f.endsWith('.js'));
    assert.ok(files.length > 0, ws);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      assert.ok(!/(?:from|import\()\s*['"][^'"]+\.ts['"]/.test(text), `${f} imports a .ts file`);
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        assert.ok(deps.has(name), `${f.slice(root.length)} imports ${spec}, which is not a production dependency of ${ws}`);
      }
    }
  }
});

test('the built services, with production dependencies only, run as their units say, as a dedicated user, and serve live video', { skip: !isRoot && 'needs root (useradd, setpriv)', timeout: 240_000 }, async () => {
  chmodSync(stage, 0o755);
  // The station's copy of the built checkout with production dependencies only (what
  // `npm ci --omit=dev` leaves): no tsx, no typescript. Everything below runs from it.
  const app = join(stage, 'opt/wardwall');
  mkdirSync(app, { recursive: true });
  const copied = sh('bash', ['-c', `tar -C "${root}" --exclude=./.git --exclude=./data --exclude=./.build -cf - . | tar -C "${app}" -xf -`]);
  assert.equal(copied.status, 0, copied.stderr);
  // tar gave the copy the checkout's own mode: a checkout in a private directory (mktemp -d: 0700)
  // is one the service user cannot enter, and the install refuses it, naming the directory.
  chmodSync(app, 0o700);
  const refused = sh(process.execPath, [join(app, 'scripts/service.mjs'), 'install', '--root', stage, '--user', 'root', '--no-start']);
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /SERVICE_PATH_UNREADABLE/);
  chmodSync(app, 0o755);
  const pruned = spawnSync('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
  assert.equal(pruned.status, 0, pruned.stderr);
  for (const dev of ['tsx', 'typescript', 'vite', 'eslint']) assert.equal(existsSync(join(app, 'node_modules', dev)), false, `${dev} is gone`);
  const noBuild = sh(process.execPath, [join(app, 'scripts/build.mjs')]);
  assert.equal(noBuild.status, 2);
  assert.match(noBuild.stderr, /BUILD_NO_DEV_DEPENDENCIES/, 'the pruned tree cannot build, and says why');
  const made = sh('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', join(stage, 'var/lib/wardwall'), '--shell', '/usr/sbin/nologin', user]);
  assert.equal(made.status, 0, made.stderr);
  userMade = true;
  const uid = Number(sh('id', ['-u', user]).stdout.trim());

  // First install: the config comes from the example; the data dir belongs to the user.
  const first = sh(process.execPath, [join(app, 'scripts/service.mjs'), 'install', '--root', stage, '--user', user]);
  assert.equal(first.status, 0, first.stderr);
  const configFile = join(stage, 'etc/wardwall/config.jsonc');
  assert.equal(readFileSync(configFile, 'utf8'), readFileSync(join(app, 'config.example.jsonc'), 'utf8'));
  assert.equal(statSync(configFile).mode & 0o777, 0o640, 'camera credentials: not world-readable');
  assert.equal(statSync(join(stage, 'var/lib/wardwall')).uid, uid);

  // The units pass systemd-analyze verify; a broken one does not (the check can fail).
  const unitDir = join(stage, 'etc/systemd/system');
  const names = ['wardwall.target', 'wardwall-endpoint.service', 'wardwall-sfu.service', 'wardwall-recorder.service'];
  const verify = sh('systemd-analyze', ['verify', '--man=no', ...names.map((n) => join(unitDir, n))]);
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr.trim(), '', 'no warnings');
  const broken = join(stage, 'broken.service');
  writeFileSync(broken, readFileSync(join(unitDir, 'wardwall-sfu.service'), 'utf8').replace(/^ExecStart=\//m, 'ExecStart=relative/'));
  assert.notEqual(sh('systemd-analyze', ['verify', '--man=no', broken]).status, 0);
  rmSync(broken);

  // The station's own config (free loopback ports, the demo camera), then an upgrade keeps it.
  const [rtspPort, rtmpPort, httpPort, sfuPort, recorderPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const rtcMin = 20000 + Math.floor(Math.random() * 200) * 100;
  const config = JSON.stringify(
    {
      demo: { enabled: true, count: 1, withSubStream: 0 },
      endpoint: { rtspPort, rtmpPort, httpPort },
      sfu: { port: sfuPort, workers: 1, webrtc: { listenIp: '127.0.0.1', port: 0, rtcMinPort: rtcMin, rtcMaxPort: rtcMin + 99 } },
      recorder: { enabled: true, port: recorderPort, segmentSeconds: 2 },
      log: { level: 'info' },
    },
    null,
    2,
  );
  writeFileSync(configFile, `// the station's config\n${config}\n`);
  const upgrade = sh(process.execPath, [join(app, 'scripts/service.mjs'), 'install', '--root', stage, '--user', user]);
  assert.equal(upgrade.status, 0, upgrade.stderr);
  assert.match(upgrade.stdout, /kept/);
  assert.equal(readFileSync(configFile, 'utf8'), `// the station's config\n${config}\n`, 'an upgrade keeps the config');

  // Each unit's ExecStart as the unit's user, with only the unit's environment (as systemd gives it).
  const logs: Record<string, string> = {};
  const unitEnv: Record<string, Record<string, string>> = {};
  for (const name of ['endpoint', 'sfu', 'recorder']) {
    const lines = unitLines(readFileSync(join(unitDir, `wardwall-${name}.service`), 'utf8'));
    const get = (k: string) => lines.find(([key]) => key === k)?.[1];
    assert.equal(get('User'), user);
    const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: join(stage, 'var/lib/wardwall'), USER: user, LOGNAME: user };
    for (const [k, v] of lines) if (k === 'Environment') env[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
    unitEnv[name] = env;
    const exec = get('ExecStart')!.split(' ');
    assert.ok(!exec.includes('tsx') && exec.at(-1)!.startsWith(`${app}/`) && exec.at(-1)!.endsWith('.js'), `${name} runs the built JavaScript: ${exec.join(' ')}`);
    assert.equal(exec[0], join(stage, 'usr/local/lib/wardwall/node'), 'the installed copy of the runtime');
    assert.equal(sh(exec[0]!, ['--version']).stdout.trim(), process.version, 'the node that ran the install (the pinned runtime)');
    const child = spawn('setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--no-new-privs', '--', ...exec], { cwd: get('WorkingDirectory')!, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    logs[name] = '';
    child.stdout!.on('data', (d: Buffer) => (logs[name] += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (logs[name] += d.toString('utf8')));
    await waitFor(`${name} runs as ${user}`, () => {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${logs[name]!.slice(-2000)}`);
      try {
        return /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] === String(uid) && readlinkSync(`/proc/${child.pid}/exe`) === exec[0];
      } catch {
        return false;
      }
    });
  }

  const base = `http://127.0.0.1:${sfuPort}/`;
  const dump = () => Object.entries(logs).map(([n, l]) => `--- ${n}\n${l.slice(-3000)}`).join('\n');
  try {
    const health = await waitFor(
      'SFU /api/health ok',
      async () => {
        for (const c of children) if (c.exitCode !== null) throw new Error(`a service exited: ${c.exitCode}`);
        try {
          const r = await fetch(new URL('api/health', base));
          return r.status === 200 && ((await r.json()) as { ok: boolean; cameras: number });
        } catch {
          return false;
        }
      },
      60000,
      250,
    );
    assert.equal(health.ok, true);
    assert.equal(health.cameras, 1);
    // The generated first admin password: in the unit's file (0600, the service user's), not in the journal.
    const adminFile = unitEnv.sfu!.WARDWALL_INITIAL_ADMIN_FILE!;
    assert.equal(adminFile, join(stage, 'var/lib/wardwall/initial-admin-password'));
    assert.equal(statSync(adminFile).mode & 0o777, 0o600);
    assert.equal(statSync(adminFile).uid, uid);
    const password = /password "([^"]+)"/.exec(readFileSync(adminFile, 'utf8'))![1]!;
    assert.ok(!logs.sfu!.includes(password), 'the password is not on stdout/stderr (the journal)');
    const cookie = await signIn(base, 'admin', password);
    await waitFor(
      'demo-1 live',
      async () => {
        const r = await fetch(new URL('api/cameras', base), { headers: { cookie } });
        const { cameras } = (await r.json()) as { cameras: { id: string; streams: { main: { state: string } } }[] };
        return cameras.find((c) => c.id === 'demo-1')?.streams.main.state === 'live';
      },
      60000,
      250,
    );
    const still = await waitFor(
      'a still of demo-1',
      async () => {
        const r = await fetch(new URL('api/cameras/demo-1/still', base), { headers: { cookie } });
        return r.status === 200 && Buffer.from(await r.arrayBuffer());
      },
      30000,
      250,
    );
    assert.equal(still.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG from the live pipeline');
    // The recorder's health answers 503 until its cameras record (docs/metrics.md), then 200.
    let lastHealth = '';
    await waitFor(
      "the recorder's health ok",
      async () => {
        const rec = await fetch(new URL('api/recorder/health', base), { headers: { cookie } });
        lastHealth = await rec.text();
        return rec.status === 200;
      },
      60000,
      500,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${lastHealth}`);
    });
    // The recorder, as the user, writes the camera's segments into the data directory.
    const segment = await waitFor(
      'a recorded segment',
      () => filesUnder(join(stage, 'var/lib/wardwall/recordings')).find((f) => /\.(mp4|m4s)$/.test(f) && statSync(f).size > 0),
      60000,
      500,
    );
    assert.equal(statSync(segment).uid, uid, 'written by the service user');
    assert.ok(filesUnder(join(stage, 'var/lib/wardwall/sfu')).includes(join(stage, 'var/lib/wardwall/sfu/wardwall.db')), 'the SFU database is in the data directory');

    // An online backup of the running system: both databases (SQLite backup API) and the recordings.
    const backupDir = join(stage, 'backup');
    const backup = spawnSync(process.execPath, ['--conditions=wardwall-dist', join(app, 'scripts/backup.mjs'), backupDir], { cwd: app, env: { ...unitEnv.sfu, PATH: process.env.PATH }, encoding: 'utf8' });
    assert.equal(backup.status, 0, backup.stderr);
    const [made] = readdirSync(backupDir);
    const copy = join(backupDir, made!);
    const appDb = new Database(join(copy, 'sfu/wardwall.db'), { readonly: true });
    assert.equal(appDb.pragma('integrity_check', { simple: true }), 'ok');
    assert.ok((appDb.prepare('SELECT count(*) AS n FROM auth_users').get() as { n: number }).n >= 1, 'the accounts are in the backup');
    appDb.close();
    const index = new Database(join(copy, 'recordings/index.sqlite'), { readonly: true });
    assert.equal(index.pragma('integrity_check', { simple: true }), 'ok');
    const rows = index.prepare('SELECT path FROM segments').all() as { path: string }[];
    index.close();
    assert.ok(rows.length >= 1, 'the recordings index is in the backup');
    assert.ok(rows.some((r) => statSync(join(copy, 'recordings', r.path), { throwIfNoEntry: false })?.isFile()), 'with the segment files');
    for (const secret of ['auth-secret', 'endpoint-secret']) assert.equal(statSync(join(copy, 'sfu', secret)).mode & 0o777, 0o600, secret);
    // The copied audit trail verifies against the copied signed head (the production CLI, from the build).
    const verified = spawnSync(process.execPath, ['--conditions=wardwall-dist', join(app, 'sfu/dist/audit/verify-cli.js')], { cwd: app, env: { PATH: process.env.PATH, WARDWALL_CONFIG: configFile, WARDWALL_SFU_DATA_DIR: join(copy, 'sfu') }, encoding: 'utf8' });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^OK: [1-9]\d* audit entries/);

    // Restore: the copy, owned by the user, serves a second SFU with the same accounts.
    const restored = join(stage, 'restored');
    assert.equal(sh('cp', ['-a', copy, restored]).status, 0);
    assert.equal(sh('chown', ['-R', `${user}:${user}`, restored]).status, 0);
    const port2 = await freeTcpPort();
    const env2 = { ...unitEnv.sfu!, WARDWALL_SFU_DATA_DIR: join(restored, 'sfu'), WARDWALL_DATA_DIR: join(restored, 'recordings'), WARDWALL_SFU_PORT: String(port2), WARDWALL_INITIAL_ADMIN_FILE: join(restored, 'initial-admin-password') };
    const sfuExec = unitLines(readFileSync(join(unitDir, 'wardwall-sfu.service'), 'utf8')).find(([k]) => k === 'ExecStart')![1].split(' ');
    const second = spawn('setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--no-new-privs', '--', ...sfuExec], { cwd: restored, env: env2, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(second);
    logs.restored = '';
    second.stdout!.on('data', (d: Buffer) => (logs.restored += d.toString('utf8')));
    second.stderr!.on('data', (d: Buffer) => (logs.restored += d.toString('utf8')));
    const base2 = `http://127.0.0.1:${port2}/`;
    await waitFor(
      'the restored SFU answers',
      async () => {
        if (second.exitCode !== null) throw new Error(`the restored SFU exited ${second.exitCode}`);
        try {
          return (await fetch(new URL('api/health', base2))).status === 200;
        } catch {
          return false;
        }
      },
      60000,
      250,
    );
    await signIn(base2, 'admin', password);
    assert.equal(existsSync(join(restored, 'initial-admin-password')), false, 'no new first admin: the accounts came back');
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${dump()}`, { cause: e });
  }

  // Uninstall removes the units and keeps the config and the data.
  const removed = sh(process.execPath, [join(app, 'scripts/service.mjs'), 'uninstall', '--root', stage]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.deepEqual(readdirSync(unitDir), []);
  assert.equal(existsSync(join(stage, 'usr/local/lib/wardwall')), false, 'the node copy is removed');
  assert.equal(readFileSync(configFile, 'utf8'), `// the station's config\n${config}\n`);
  assert.ok(statSync(join(stage, 'var/lib/wardwall/sfu/wardwall.db')).isFile());
});
