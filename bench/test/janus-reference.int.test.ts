/**
 * The latency bench's reference Janus (bench/janus-reference.ts) against a real demo camera on the
 * embedded endpoint: it receives the camera (through bench/janus-relay.py), listens on loopback only
 * (its HTTP API, no admin API, the RTP mountpoint; before any viewer: ICE sockets, which Janus 1.1.2
 * cannot keep on loopback, exist only during a watch, see bench/janus-config.ts),
 * refuses requests without its API secret, has no plugin but streaming, and close() ends it.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { resolveConfig } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import { startEmbedded, type Embedded } from '@wardwall/endpoint';
import { endpointReadAuth } from '@wardwall/endpoint/secret';
import { processTree } from '@wardwall/testing/proc-stats';
import { startJanus, type JanusReference } from '../janus-reference.js';

const execFileP = promisify(execFile);
let embedded: Embedded;
let janus: JanusReference;

before(async () => {
  const [rtspPort, rtmpPort, httpPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const config = resolveConfig({ demo: { count: 1, withSubStream: 0 }, endpoint: { rtspPort, rtmpPort, httpPort }, sfu: { dataDir: join(tmpdir(), `wardwall-janus-test-${process.pid}`) }, recorder: { enabled: false }, log: { level: 'warn' } });
  embedded = await startEmbedded(config, createLogger('janus-test', 'warn'));
  const auth = endpointReadAuth(config, true)!;
  // startJanus resolves only once the mountpoint has received the camera's video.
  janus = await startJanus({ rtspUrl: embedded.endpoint!.url('demo-1'), rtspUser: auth.user, rtspPassword: auth.password, maxSeconds: 120 });
});

after(async () => {
  await janus?.close();
  await embedded?.close();
});

const post = async (path: string, body: Record<string, unknown>): Promise<{ janus: string; data?: { id: number }; error?: { code: number } }> =>
  (await fetch(`${janus.api}${path}`, { method: 'POST', body: JSON.stringify({ transaction: 'x', ...body }) })).json() as Promise<{ janus: string; data?: { id: number }; error?: { code: number } }>;

test('Janus and its relay listen on loopback only: over TCP, the HTTP API of Janus alone', async () => {
  const pids = janus.pids.flatMap((p) => processTree(p).slice(1));
  assert.equal(pids.length, 2, 'janus and the relay run under their timeout wrappers');
  const { stdout } = await execFileP('ss', ['-ltnupH']);
  const mine = stdout.split('\n').filter((l) => pids.some((p) => l.includes(`pid=${p},`)));
  const tcp = mine.filter((l) => l.startsWith('tcp'));
  assert.deepEqual(tcp.map((l) => l.split(/\s+/)[4]), [new URL(janus.api).host], stdout);
  for (const l of mine) assert.match(l.split(/\s+/)[4]!, /^127\.0\.0\.1:\d+$/, mine.join('\n'));
});

test('requests without the API secret are refused; only the streaming plugin is loaded', async () => {
  assert.equal((await post('', { janus: 'create' })).error?.code, 403);
  assert.equal((await post('', { janus: 'create', apisecret: 'wrong' })).error?.code, 403);
  const session = (await post('', { janus: 'create', apisecret: janus.apiSecret })).data!.id;
  assert.equal((await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.echotest', apisecret: janus.apiSecret })).error?.code, 460);
  assert.equal((await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom', apisecret: janus.apiSecret })).error?.code, 460);
  assert.equal((await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.streaming', apisecret: janus.apiSecret })).janus, 'success');
  await post(`/${session}`, { janus: 'destroy', apisecret: janus.apiSecret });
});

test('close() ends Janus and the relay', async () => {
  const pids = janus.pids.flatMap((p) => processTree(p));
  await janus.close();
  for (const p of pids) assert.throws(() => process.kill(p, 0), `pid ${p} is gone`);
});
