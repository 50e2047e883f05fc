/**
 * `npm run demo:city`: a city on one machine (root). Three ward stacks, each in its own network
 * namespace (its demo cameras and embedded endpoint, an SFU with `city.role: 'ward'`, its recorder,
 * its NATS leaf node), and a command centre in the root namespace (the NATS hub, an SFU with
 * `city.role: 'centre'` serving the wall). Each ward's link to the centre is a veth pair shaped
 * 30 ms one way, 1 % loss, 20 Mbit/s by default (scripts/city/netns.ts; without netem in the kernel
 * the delay and loss run in user space, nfq-delay.py).
 *
 *   npm run demo:city -- [--wards 3] [--cameras 2] [--delay 30] [--loss 1] [--rate 20] [--port 8080]
 *
 * Prints the centre's URL, each ward's (reachable from the root namespace: a ward's SFU listens on
 * its end of the link, 10.77.<n>.2) and the admin account (the same on every box of the demo).
 * Ctrl-C or SIGTERM stops every process it started, by PID, and removes the namespaces; a run that
 * crashed is cleaned up by the next one (namespaces, links, the centre's address, processes it
 * recorded). Data and logs live under the temp dir (`wardwall-demo-city`), removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freeTcpPort } from '@wardwall/server-kit';
import { cleanLeftovers, startCityNet, type CityNet } from './city/city-net.js';
import { netnsUnavailable } from './city/netns.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = 'wwdemo';
const SLOT = 1;
const FIRST_INDEX = 1;
const STATE_DIR = join(tmpdir(), 'wardwall-demo-city');
const MARKER = join(STATE_DIR, 'run');

const { values: args } = parseArgs({
  options: {
    wards: { type: 'string', default: '3' },
    cameras: { type: 'string', default: '2' },
    delay: { type: 'string', default: '30' },
    loss: { type: 'string', default: '1' },
    rate: { type: 'string', default: '20' },
    port: { type: 'string', default: '8080' },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`demo:city: ${message}\n`);
  process.exit(2);
}

if (args.help) {
  process.stdout.write('npm run demo:city -- [--wards 3] [--cameras 2] [--delay <ms one way>] [--loss <%>] [--rate <Mbit/s>] [--port <centre HTTP port>]\n');
  process.exit(0);
}
const num = (name: string, v: string, min: number, max: number, integer = true): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) fail(`--${name} ${v}: ${integer ? 'an integer' : 'a number'} ${min}..${max}`);
  return n;
};
const wardCount = num('wards', args.wards, 1, 9);
const cameraCount = num('cameras', args.cameras, 1, 16);
const shape = { delayMs: num('delay', args.delay, 0, 10000, false), lossPct: num('loss', args.loss, 0, 100, false), rateMbit: num('rate', args.rate, 0.1, 100000, false) };
const centrePort = num('port', args.port, 1, 65535);

/**
 * Processes of an earlier run that died without cleaning up (the launcher killed, its children left):
 * those whose command line names this demo's run directory, ended by PID.
 */
function killLeftoverProcesses(marker: string): number {
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) {
        process.kill(pid, 'SIGKILL');
        n++;
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return n;
}

const children = new Map<string, ChildProcess>();
let net: CityNet | null = null;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stdout.write('\nStopping the city…\n');
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 8000).unref();
          }),
      ),
    );
    await net?.stop().catch((e: unknown) => process.stderr.write(`cleanup: ${(e as Error).message}\n`));
    rmSync(STATE_DIR, { recursive: true, force: true });
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** `npm start`'s launcher (endpoint + demo cameras, SFU, recorder) with `config`, optionally inside a namespace. */
function startStack(name: string, config: Record<string, unknown>, dir: string, ns: string | null): ChildProcess {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  const node = [process.execPath, '--import', 'tsx', 'scripts/start.ts', '--config', file];
  const argv = ns ? ['ip', 'netns', 'exec', ns, ...node] : node;
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WARDWALL_LOG_FILE: join(dir, 'logs', 'wardwall.log') } });
  children.set(name, child);
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`demo:city: ${name} exited (${code ?? signal}); its last output:\n${tail}\nLogs: ${join(dir, 'logs')}\n`);
      void stop(1);
    }
  });
  return child;
}

async function waitHttp(name: string, url: string, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    if (stopping) return;
    if (Date.now() > end) throw new Error(`${name} did not answer at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const why = await netnsUnavailable();
  if (why) fail(`${why}. Run it as root on Linux (sudo npm run demo:city).`);
  const killed = killLeftoverProcesses(MARKER);
  if (killed) process.stdout.write(`Ended ${killed} process(es) left by an earlier run\n`);
  const gone = await cleanLeftovers(PREFIX, SLOT);
  if (gone.length) process.stdout.write(`Removed leftovers of an earlier run: ${gone.join(', ')}\n`);
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const marker = MARKER;
  const wardIds = Array.from({ length: wardCount }, (_, i) => `w${i + 1}`);
  process.stdout.write(`Building ${wardCount} ward namespaces (${PREFIX}-ward${FIRST_INDEX}..), links ${shape.delayMs} ms one way, ${shape.lossPct} % loss, ${shape.rateMbit} Mbit/s…\n`);
  net = await startCityNet({ prefix: PREFIX, slot: SLOT, wards: wardIds, firstIndex: FIRST_INDEX, shape, dir: marker, hubClientPort: await freeTcpPort() });
  const adminPassword = randomBytes(12).toString('base64url');
  const common = { auth: { enabled: true, initialAdminPassword: adminPassword }, log: { level: 'info' } };

  const centreDir = join(marker, 'centre');
  mkdirSync(centreDir, { recursive: true, mode: 0o700 });
  startStack(
    'centre',
    {
      ...common,
      demo: { enabled: false },
      endpoint: { enabled: false },
      recorder: { enabled: false, dataDir: join(centreDir, 'recordings') },
      sfu: { host: '127.0.0.1', port: centrePort, workers: 1, webrtc: { listenIp: '127.0.0.1', port: 0 }, dataDir: join(centreDir, 'sfu') },
      city: {
        role: 'centre', nats: { url: net.hubUrl, user: net.centreUser, passwordFile: net.centrePasswordFile }, pipeIp: net.centreIp,
        // The wards' maps side by side on the city map (follow mode hops across them).
        wards: wardIds.map((id, i) => ({ id, map: { x: (i % 2) * 500, y: Math.floor(i / 2) * 500, scale: 0.5 } })),
      },
    },
    centreDir,
    null,
  );
  const centreUrl = `http://127.0.0.1:${centrePort}/`;
  await waitHttp('the centre', centreUrl);
  // The centre made its assertion key at start: each ward pins its public half, so the centre's
  // users (the admin here) are accepted there for live and recordings (docs/city.md).
  const centreKey = readFileSync(join(centreDir, 'sfu', 'city-assertion.pub'), 'utf8').trim();

  const wardUrls: string[] = [];
  for (const [i, w] of net.wards.entries()) {
    startStack(
      `ward ${w.id}`,
      {
        ...common,
        demo: { enabled: true, count: cameraCount, withSubStream: 0 },
        sfu: { host: w.ip, port: 8080, workers: 1, webrtc: { listenIp: w.ip }, dataDir: join(w.dir, 'sfu') },
        recorder: { enabled: true, dataDir: join(w.dir, 'recordings') },
        city: { role: 'ward', ward: { id: w.id, name: `Phường ${i + 1}` }, nats: { url: w.natsUrl, user: w.natsUser, passwordFile: w.passwordFile }, pipeIp: w.ip, centreKey, httpUrl: `http://${w.ip}:8080` },
      },
      w.dir,
      w.netns.plan.ns,
    );
    wardUrls.push(`http://${w.ip}:8080/`);
  }
  await Promise.all(wardUrls.map((u, i) => waitHttp(`ward ${wardIds[i]}`, u)));
  const method = net.wards[0]!.netns.shaping?.method ?? '?';
  process.stdout.write(
    [
      '',
      `  Trung tâm chỉ huy / command centre:  ${centreUrl}`,
      ...net.wards.map((w, i) => `  Phường ${i + 1} / ward ${w.id}:  ${wardUrls[i]}   (namespace ${w.netns.plan.ns}, link ${w.netns.plan.hostIf})`),
      '',
      `  Admin: admin / ${adminPassword}   (every box of the demo)`,
      `  Links: ${shape.delayMs} ms one way, ${shape.lossPct} % loss, ${shape.rateMbit} Mbit/s (${method})`,
      `  Cut a ward's link: ip link set ${net.wards[0]!.netns.plan.hostIf} down   (restore: up)`,
      `  Data and logs: ${marker}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`demo:city: ${(e as Error).message}\n`);
  void stop(1);
});
