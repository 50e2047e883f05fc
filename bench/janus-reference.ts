/**
 * Debian's Janus (package `janus`, installed by `scripts/setup.sh --test`) as the latency bench's
 * reference: a child process with a generated config folder in a temp dir (bench/janus-config.ts:
 * loopback only, HTTP API with a random API secret, the streaming plugin alone, no admin API), one
 * RTP mountpoint on 127.0.0.1 fed by bench/janus-relay.py, which pulls the bench's camera from the
 * embedded endpoint (RTSP over TCP, the endpoint's read credentials on its stdin) and sends it on as
 * RTP like the SFU's ingest does. Both lifetimes are bounded by coreutils' `timeout` (they cannot
 * outlive a crashed bench); close() ends them by PID. `pids` are the roots whose process trees are
 * Janus's side of the comparison (CPU, memory): Janus and the relay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort } from '@wardwall/server-kit';
import { janusConfigFiles } from './janus-config.js';

export const JANUS_BIN = '/usr/bin/janus';
const LIB = '/usr/lib/x86_64-linux-gnu/janus';
const MOUNTPOINT_ID = 1;
const RELAY = fileURLToPath(new URL('./janus-relay.py', import.meta.url));

export interface JanusReference {
  /** Roots of Janus's side: the `timeout` wrappers of Janus and of the relay (they run under them). */
  pids: number[];
  /** http://127.0.0.1:<port>/janus */
  api: string;
  apiSecret: string;
  mountpoint: number;
  close(): Promise<void>;
}

export interface JanusStartOptions {
  /** rtsp://127.0.0.1:<port>/live/<path>, without credentials (they go to the relay's stdin). */
  rtspUrl: string;
  rtspUser: string;
  rtspPassword: string;
  /** Janus is killed after this many seconds whatever happens. */
  maxSeconds: number;
  /** How long to wait for the mountpoint to receive video. */
  readyTimeoutMs?: number;
}

const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** Fails with how to install Janus when it is missing. */
export function assertJanusInstalled(): void {
  if (!existsSync(JANUS_BIN) || !existsSync(join(LIB, 'plugins', 'libjanus_streaming.so'))) {
    throw new Error(`Janus is not installed (${JANUS_BIN}): the latency bench compares with it. Run  bash scripts/setup.sh --test  (as root; it installs the Debian package janus)`);
  }
}

interface JanusReply {
  janus: string;
  data?: { id?: number; [k: string]: unknown };
  plugindata?: { data?: Record<string, unknown> };
  error?: { code: number; reason: string };
}

async function call(url: string, body: Record<string, unknown>, apiSecret: string): Promise<JanusReply> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: randomBytes(6).toString('hex'), apisecret: apiSecret }), signal: AbortSignal.timeout(5000) });
  const j = (await r.json()) as JanusReply;
  if (j.janus === 'error') throw new Error(`janus: ${j.error?.code} ${j.error?.reason}`);
  return j;
}

export async function startJanus(o: JanusStartOptions): Promise<JanusReference> {
  assertJanusInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'wardwall-bench-janus-'));
  const [httpPort, rtpPort] = await Promise.all([freeTcpPort(), freeUdpPort()]);
  const apiSecret = randomBytes(18).toString('base64url');
  const files = janusConfigFiles({
    configDir: dir,
    pluginsDir: join(LIB, 'plugins'),
    transportsDir: join(LIB, 'transports'),
    eventsDir: join(LIB, 'events'),
    loggersDir: join(LIB, 'loggers'),
    files: { plugins: list(join(LIB, 'plugins')), transports: list(join(LIB, 'transports')), events: list(join(LIB, 'events')), loggers: list(join(LIB, 'loggers')) },
    httpPort,
    apiSecret,
    adminSecret: randomBytes(18).toString('base64url'),
    streamingAdminKey: randomBytes(18).toString('base64url'),
    mountpoint: { id: MOUNTPOINT_ID, rtpPort },
    debugLevel: 2,
  });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  const bounded = (cmd: string, args: string[]): ChildProcess => spawn('timeout', ['--kill-after=5', String(o.maxSeconds), cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  // -C/-F name only the config folder (its files hold the secrets).
  const janus = bounded(JANUS_BIN, ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o']);
  janus.stdin!.end();
  // The relay gets the camera's URL and credentials on stdin.
  const relay = bounded('/usr/bin/python3', [RELAY]);
  relay.stdin!.end(JSON.stringify({ url: o.rtspUrl, user: o.rtspUser, password: o.rtspPassword, rtpPort }));
  const children = [janus, relay];
  let gone = false;
  const exits = children.map((c) => {
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    return new Promise<void>((resolve) => c.once('exit', () => ((gone = true), resolve())));
  });
  const api = `http://127.0.0.1:${httpPort}/janus`;
  const close = async (): Promise<void> => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Up when the mountpoint has received video recently (the RTSP pull runs).
    const deadline = Date.now() + (o.readyTimeoutMs ?? 20000);
    let last = 'no answer';
    for (;;) {
      if (gone) throw new Error(`Janus or its relay exited: ${tail.slice(-5).join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`Janus's mountpoint got no video in time (${last}): ${tail.slice(-5).join(' | ')}`);
      try {
        const session = (await call(api, { janus: 'create' }, apiSecret)).data!.id!;
        const handle = (await call(`${api}/${session}`, { janus: 'attach', plugin: 'janus.plugin.streaming' }, apiSecret)).data!.id!;
        const reply = await call(`${api}/${session}/${handle}`, { janus: 'message', body: { request: 'info', id: MOUNTPOINT_ID } }, apiSecret);
        await call(`${api}/${session}`, { janus: 'destroy' }, apiSecret);
        const info = reply.plugindata?.data?.info as { media?: { type: string; age_ms?: number }[] } | undefined;
        const video = info?.media?.find((m) => m.type === 'video');
        if (video?.age_ms !== undefined && video.age_ms < 1000) break;
        last = `video age ${video?.age_ms ?? 'none'}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { pids: [janus.pid!, relay.pid!], api, apiSecret, mountpoint: MOUNTPOINT_ID, close };
}
