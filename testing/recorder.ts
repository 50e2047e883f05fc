/** Test helpers: real demo cameras (embedded RTSP endpoint + ffmpeg), temp stores, HTTP calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { resolveConfig, type Config } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/server-kit';
import { startEmbedded, type Embedded } from '@wardwall/endpoint';

export const execFileP = promisify(execFile);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const log = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'warn');

export function tempDir(prefix = 'wardwall-rec-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestConfigOptions {
  cameras?: number;
  dataDir: string;
  segmentSeconds?: number;
  bitrateKbps?: number;
  retention?: { maxAgeDays?: number; maxBytes?: number; minFreeBytes?: number };
  /** `metrics.token` (default none: loopback only). */
  metricsToken?: string;
}

/** A config with `cameras` demo cameras on free loopback ports and the recorder on a free port. */
export async function testConfig(o: TestConfigOptions): Promise<Readonly<Config>> {
  const [rtsp, rtmp, http, rec] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  return resolveConfig({
    demo: { enabled: true, count: o.cameras ?? 1, withSubStream: 0, ...(o.bitrateKbps ? { bitrateKbps: o.bitrateKbps } : {}) },
    endpoint: { host: '127.0.0.1', rtspPort: rtsp, rtmpPort: rtmp, httpPort: http },
    // The endpoint secret lives beside the SFU's data: a temporary folder, not the worktree's data/.
    sfu: { dataDir: mkdtempSync(join(tmpdir(), 'wardwall-sfu-')) },
    recorder: { host: '127.0.0.1', port: rec, dataDir: o.dataDir, segmentSeconds: o.segmentSeconds ?? 4, ...(process.env.WARDWALL_TEST_PULL_ENGINE ? { pullEngine: process.env.WARDWALL_TEST_PULL_ENGINE as 'auto' | 'gstreamer' } : {}), retention: { minFreeBytes: 0, ...o.retention } },
    log: { level: 'warn' },
    // The recorder alone (no SFU, no accounts): access control is tested with the SFU in sfu/test/auth-*.
    auth: { enabled: false },
    ...(o.metricsToken ? { metrics: { token: o.metricsToken } } : {}),
  });
}

export async function startCameras(config: Readonly<Config>): Promise<Embedded> {
  const before = new Set(activeHandles());
  const e = await startEmbedded(config, log);
  // Let the publishers connect before anyone pulls.
  await sleep(1500);
  return {
    ...e,
    async close() {
      await e.close();
      // EmbeddedEndpoint.close() leaves node-rtsp-rtmp-server's UDP sockets and listeners open
      // (reported to the sfu owner); unref what it left so the test process can end.
      for (const h of activeHandles()) {
        if (!before.has(h) && (h instanceof dgram.Socket || h instanceof net.Server)) h.unref();
      }
    },
  };
}

function activeHandles(): unknown[] {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(url, init);
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body, headers: r.headers };
}

export interface Spans {
  from: number;
  to: number;
  spans: { startMs: number; endMs: number }[];
  gaps: { startMs: number; endMs: number }[];
  recordedMs: number;
}

export async function spans(base: string, camera: string, from: number, to: number): Promise<Spans> {
  const r = await getJson(`${base}/api/recordings/${camera}/spans?from=${from}&to=${to}`);
  if (r.status !== 200) throw new Error(`spans ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Spans;
}

/** Frames ffprobe can read from a file, and its duration in seconds. */
export async function probe(path: string): Promise<{ frames: number; duration: number }> {
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames:format=duration', '-of', 'json', path], { timeout: 30000 });
  const j = JSON.parse(stdout) as { streams: { nb_read_frames: string }[]; format: { duration: string } };
  return { frames: Number(j.streams[0]?.nb_read_frames ?? 0), duration: Number(j.format.duration) };
}

/** PIDs of the direct children of a process (from /proc). */
export function childPids(pid: number): number[] {
  const { readdirSync, readFileSync } = require_fs();
  const out: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* thread gone */
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const { readFileSync } = require_fs();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

import * as fs from 'node:fs';
function require_fs(): typeof fs {
  return fs;
}
