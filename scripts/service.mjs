/**
 * `sudo npm run service:install` / `sudo npm run service:uninstall` (docs/operations.md): the
 * endpoint, the SFU and the recorder as systemd services under one wardwall.target, run from the
 * production build (`npm run build`) of this checkout by a dedicated system user.
 *
 *   node scripts/service.mjs install   [--root <dir>] [--user <name>] [--node <path>] [--no-start]
 *   node scripts/service.mjs uninstall [--root <dir>]
 *   node scripts/service.mjs units     [--root <dir>] [--user <name>]   (prints them)
 *
 * install: copies the node running it (`npm run` uses the project's pinned Node 24, docs/runtime.md;
 * `--node <path>` picks another) to /usr/local/lib/wardwall/node, creates the system user
 * (useradd --system, no login, no home), the data directory
 * /var/lib/wardwall (owned by it, 0750), /etc/wardwall/config.jsonc from config.example.jsonc on
 * the first install only (root:<user> 0640: camera credentials are in it; an existing file is kept
 * on upgrade), replaces the mediasoup worker's symlink into the setup cache (under a home directory,
 * which ProtectHome=yes hides) by a copy, writes the units, reloads systemd and enables and
 * (re)starts wardwall.target. uninstall: stops and disables the target, removes the units and the
 * node copy; the config, the data and the user are kept.
 *
 * --root <dir> installs into a staging tree for tests: every path (units, /etc, /var/lib) is under
 * <dir>, the units name those paths, and nothing touches systemd or the user database (the --user
 * must then exist already).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST_CONDITION = 'wardwall-dist';
const APP_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** The three services: unit name suffix, what it is, its built entry, the units it starts after. */
export const SERVICES = [
  { name: 'endpoint', what: 'embedded RTSP/RTMP endpoint and demo cameras', entry: 'endpoint/dist/service-main.js', after: [] },
  { name: 'sfu', what: 'SFU: live video, signaling and the wall', entry: 'sfu/dist/main.js', after: ['endpoint'] },
  { name: 'recorder', what: 'recorder: recording, review and exports', entry: 'recorder/dist/main.js', after: ['endpoint', 'sfu'] },
];

/** Where everything goes, for a root prefix ('' = the real system). Pure. */
export function layout(root = '') {
  return {
    unitDir: `${root}/etc/systemd/system`,
    configDir: `${root}/etc/wardwall`,
    configFile: `${root}/etc/wardwall/config.jsonc`,
    dataDir: `${root}/var/lib/wardwall`,
    /** The services' node: a copy of the one that ran the install (the project's pinned runtime, docs/runtime.md). */
    node: `${root}/usr/local/lib/wardwall/node`,
  };
}

/** The unit files' text by file name. Pure. */
export function renderUnits({ root = '', user = 'wardwall', appDir }) {
  const l = layout(root);
  const node = l.node;
  const units = {};
  units['wardwall.target'] = [
    '[Unit]',
    'Description=Wardwall monitoring wall (endpoint, SFU, recorder)',
    'Documentation=file:' + join(appDir, 'docs/operations.md'),
    `Wants=${SERVICES.map((s) => `wardwall-${s.name}.service`).join(' ')} network-online.target`,
    'After=network-online.target',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  for (const s of SERVICES) {
    units[`wardwall-${s.name}.service`] = [
      '[Unit]',
      `Description=Wardwall ${s.what}`,
      'PartOf=wardwall.target',
      `After=network-online.target${s.after.map((a) => ` wardwall-${a}.service`).join('')}`,
      'Wants=network-online.target',
      '',
      '[Service]',
      'Type=simple',
      `User=${user}`,
      `Group=${user}`,
      `WorkingDirectory=${l.dataDir}`,
      'Environment=NODE_ENV=production',
      `Environment=WARDWALL_CONFIG=${l.configFile}`,
      `Environment=WARDWALL_SFU_DATA_DIR=${l.dataDir}/sfu`,
      `Environment=WARDWALL_DATA_DIR=${l.dataDir}/recordings`,
      // The SFU's generated first admin password goes to this file (0600), not to the journal.
      ...(s.name === 'sfu' ? [`Environment=WARDWALL_INITIAL_ADMIN_FILE=${l.dataDir}/initial-admin-password`] : []),
      `ExecStart=${node} --conditions=${DIST_CONDITION} --enable-source-maps ${join(appDir, s.entry)}`,
      'Restart=on-failure',
      // SIGTERM to the service's main process only: it stops its own pipelines, workers and
      // endpoint in order (as under `npm start`); whatever is left gets SIGKILL after the timeout.
      'KillMode=mixed',
      'RestartSec=2s',
      'TimeoutStopSec=20s',
      // Logs: JSON lines on stdout, to journald (journalctl -u 'wardwall-*'); no log file.
      'StandardOutput=journal',
      'StandardError=journal',
      `SyslogIdentifier=wardwall-${s.name}`,
      'UMask=0027',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      `ReadWritePaths=${l.dataDir}`,
      'ProtectHome=yes',
      'PrivateTmp=yes',
      // Other users cannot see these processes (or read a camera URL from their environment or files).
      'ProtectProc=invisible',
      'ProtectKernelTunables=yes',
      'ProtectKernelModules=yes',
      'ProtectControlGroups=yes',
      'RestrictSUIDSGID=yes',
      'ProtectKernelLogs=yes',
      'ProtectClock=yes',
      'ProtectHostname=yes',
      'LockPersonality=yes',
      'RestrictRealtime=yes',
      'RestrictNamespaces=yes',
      'SystemCallArchitectures=native',
      // An unprivileged user on ports above 1024 needs no capability.
      'CapabilityBoundingSet=',
      'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      '',
      '[Install]',
      'WantedBy=wardwall.target',
      '',
    ].join('\n');
  }
  return units;
}

/** Refuses paths that the units' ProtectHome=yes would hide from the service. Pure. */
export function hiddenByProtectHome(path) {
  return /^\/(home|root|run\/user)(\/|$)/.test(path);
}

function parseArgs(argv) {
  const opts = { command: argv[0], root: '', user: 'wardwall', node: process.execPath, start: true };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!v) fail('SERVICE_BAD_ARGS', `${a} needs a value`);
      return v;
    };
    if (a === '--root') opts.root = resolve(value()).replace(/\/$/, '');
    else if (a === '--user') opts.user = value();
    else if (a === '--node') opts.node = value();
    else if (a === '--no-start') opts.start = false;
    else fail('SERVICE_BAD_ARGS', `unknown option ${a}`);
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(opts.user)) fail('SERVICE_BAD_ARGS', `--user: "${opts.user}" is not a valid user name`);
  return opts;
}

function fail(code, message) {
  process.stderr.write(`service: ${code}: ${message}\n`);
  process.exit(2);
}

function sh(cmd, args, { allowFail = false } = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 && !allowFail) fail('SERVICE_COMMAND_FAILED', `${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r.status === 0;
}

function userIds(user) {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function writeFileAtomic(file, text, mode) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** The worker binary is a symlink into the setup cache (a home directory): the service gets a copy. */
function pinMediasoupWorker() {
  const link = join(APP_DIR, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');
  if (!existsSync(link) || !lstatSync(link).isSymbolicLink()) return;
  const target = realpathSync(link);
  const tmp = `${link}.tmp-${process.pid}`;
  copyFileSync(target, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, link);
  process.stdout.write(`service: copied the mediasoup worker into ${link}\n`);
}

/**
 * The node that runs the services: a copy of the one running this install (`npm run` starts it
 * through scripts/node.sh: the pinned Node 24 in the setup cache, under a home directory that
 * ProtectHome=yes hides; the native addons are built for its ABI). Refreshed at every install.
 */
function installNode(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(realpathSync(from), tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, to);
  const v = spawnSync(to, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) fail('SERVICE_NODE', `the copied node at ${to} does not run`);
  process.stdout.write(`service: node ${v.stdout.trim()} for the services at ${to}\n`);
}

/** The first directory on the way to `dir` (itself included) that other users cannot enter, or null. */
function closedToOthers(dir) {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((lstatSync(d).mode & 0o001) === 0) return d;
    if (dirname(d) === d) return null;
  }
}

function install(opts) {
  const real = opts.root === '';
  if (real && process.getuid?.() !== 0) fail('SERVICE_NOT_ROOT', 'run it as root: sudo npm run service:install');
  if (hiddenByProtectHome(APP_DIR)) fail('SERVICE_PATH_HIDDEN', `the checkout is at ${APP_DIR}, which the service cannot see (ProtectHome=yes): install from a directory such as /opt/wardwall`);
  const closed = closedToOthers(APP_DIR);
  if (closed) fail('SERVICE_PATH_UNREADABLE', `the service user cannot enter ${closed} (mode ${(lstatSync(closed).mode & 0o777).toString(8)}): install from a directory everyone may enter, such as /opt/wardwall (chmod 755)`);
  const missing = SERVICES.map((s) => join(APP_DIR, s.entry)).filter((f) => !existsSync(f));
  if (missing.length) fail('SERVICE_NOT_BUILT', `no production build (${missing[0]} is missing): run npm run build first`);
  if (!existsSync(join(APP_DIR, 'client/dist/index.html'))) fail('SERVICE_NOT_BUILT', 'no client build (client/dist): run npm run build first');
  const l = layout(opts.root);
  if (real && !userIds(opts.user)) {
    sh('useradd', ['--system', '--user-group', '--home-dir', l.dataDir, '--no-create-home', '--shell', '/usr/sbin/nologin', '--comment', 'Wardwall monitoring wall', opts.user]);
  }
  const ids = userIds(opts.user);
  if (!ids) fail('SERVICE_NO_USER', `user ${opts.user} does not exist`);
  mkdirSync(dirname(l.dataDir), { recursive: true });
  mkdirSync(l.dataDir, { recursive: true });
  chownSync(l.dataDir, ids.uid, ids.gid);
  chmodSync(l.dataDir, 0o750);
  mkdirSync(dirname(l.configDir), { recursive: true });
  mkdirSync(l.configDir, { recursive: true });
  chownSync(l.configDir, 0, ids.gid);
  chmodSync(l.configDir, 0o750);
  if (!existsSync(l.configFile)) {
    copyFileSync(join(APP_DIR, 'config.example.jsonc'), l.configFile);
    process.stdout.write(`service: created ${l.configFile} from config.example.jsonc: edit the cameras, then: sudo systemctl restart wardwall.target\n`);
  } else process.stdout.write(`service: kept ${l.configFile}\n`);
  chownSync(l.configFile, 0, ids.gid);
  chmodSync(l.configFile, 0o640);
  pinMediasoupWorker();
  installNode(opts.node, l.node);
  mkdirSync(l.unitDir, { recursive: true });
  for (const [name, text] of Object.entries(renderUnits({ root: opts.root, user: opts.user, appDir: APP_DIR }))) {
    writeFileAtomic(join(l.unitDir, name), text, 0o644);
  }
  process.stdout.write(`service: units written to ${l.unitDir}\n`);
  if (real) {
    sh('systemctl', ['daemon-reload']);
    sh('systemctl', ['enable', 'wardwall.target', ...SERVICES.map((s) => `wardwall-${s.name}.service`)]);
    if (opts.start) sh('systemctl', ['restart', 'wardwall.target']);
    process.stdout.write('service: installed. Status: systemctl status wardwall.target   Logs: journalctl -u "wardwall-*" -f\n');
  }
}

function uninstall(opts) {
  const real = opts.root === '';
  if (real && process.getuid?.() !== 0) fail('SERVICE_NOT_ROOT', 'run it as root: sudo npm run service:uninstall');
  const l = layout(opts.root);
  const names = ['wardwall.target', ...SERVICES.map((s) => `wardwall-${s.name}.service`)];
  if (real) sh('systemctl', ['disable', '--now', ...names], { allowFail: true });
  for (const name of names) rmSync(join(l.unitDir, name), { force: true });
  rmSync(dirname(l.node), { recursive: true, force: true });
  if (real) sh('systemctl', ['daemon-reload'], { allowFail: true });
  process.stdout.write(`service: units removed; kept ${l.configFile}, ${l.dataDir} and the user\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.command === 'install') install(opts);
  else if (opts.command === 'uninstall') uninstall(opts);
  else if (opts.command === 'units') {
    for (const [name, text] of Object.entries(renderUnits({ root: opts.root, user: opts.user, appDir: APP_DIR }))) process.stdout.write(`# ${name}\n${text}\n`);
  } else fail('SERVICE_BAD_ARGS', 'usage: service.mjs install|uninstall|units [--root <dir>] [--user <name>] [--node <path>] [--no-start]');
}

