/** Starts the real system pieces (embedded endpoint + demo cameras, SFU) on free loopback ports. */
import { resolveConfig, type Config } from '@wardwall/common';
import { createLogger, freeTcpPort } from '@wardwall/common/node';
import { startEmbedded, type Embedded } from '../src/endpoint/embedded.js';
import { startSfu, type Sfu } from '../src/app.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecorder, type Recorder } from '../../recorder/src/app.js';

export interface TestSystem {
  config: Readonly<Config>;
  embedded: Embedded;
  sfu: Sfu;
  recorder: Recorder | null;
  close(): Promise<void>;
}

export interface TestSystemOptions {
  demoCount?: number;
  withSub?: number;
  workers?: number;
  /** Extra configured cameras; `{rtsp}` in a URL is replaced by the embedded endpoint's RTSP base. */
  cameras?: { id: string; name: string; main: string; sub?: string; transcode?: boolean }[];
  /** Also run the real recorder (in this process), reachable through the SFU's proxy. */
  recorder?: boolean;
  /** Recorder retention overrides (e.g. a tiny quota) and how often it runs. */
  retention?: { maxBytes?: number; minFreeBytes?: number; maxAgeDays?: number };
  retentionIntervalMs?: number;
  /** sfu.bookmarks overrides. */
  bookmarks?: Record<string, unknown>;
  /** Recorder segment length, s (default 4). */
  segmentSeconds?: number;
}

export async function startTestSystem(overrides: TestSystemOptions = {}): Promise<TestSystem> {
  const [rtspPort, rtmpPort, httpPort, sfuPort, recorderPort] = await Promise.all([freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort(), freeTcpPort()]);
  const rtcMin = 20000 + Math.floor(Math.random() * 200) * 100;
  const config = resolveConfig({
    cameras: (overrides.cameras ?? []).map((c) => ({ ...c, main: c.main.replace('{rtsp}', `rtsp://127.0.0.1:${rtspPort}/live`) })),
    demo: { enabled: true, count: overrides.demoCount ?? 2, withSubStream: overrides.withSub ?? 1 },
    endpoint: { rtspPort, rtmpPort, httpPort },
    sfu: {
      port: sfuPort,
      workers: overrides.workers ?? 2,
      webrtc: { listenIp: '127.0.0.1', rtcMinPort: rtcMin, rtcMaxPort: rtcMin + 99 },
      ingest: { backoffMs: [300, 600, 1000], stableAfterMs: 5000, offlineAfterMs: 2000 },
      heartbeatMs: 5000,
      dataDir: mkdtempSync(join(tmpdir(), 'wardwall-sfu-')),
      ...(overrides.bookmarks ? { bookmarks: overrides.bookmarks } : {}),
    },
    recorder: overrides.recorder
      ? { enabled: true, port: recorderPort, dataDir: mkdtempSync(join(tmpdir(), 'wardwall-rec-')), segmentSeconds: overrides.segmentSeconds ?? 4, ...(overrides.retention ? { retention: overrides.retention } : {}) }
      : { enabled: false },
    log: { level: 'warn' },
  });
  const log = createLogger('test', process.env.WARDWALL_LOG_LEVEL ?? 'warn');
  const embedded = await startEmbedded(config, log);
  let sfu: Sfu;
  let recorder: Recorder | null = null;
  try {
    sfu = await startSfu(config, log);
    if (overrides.recorder) recorder = await startRecorder(config, { log, ...(overrides.retentionIntervalMs ? { retentionIntervalMs: overrides.retentionIntervalMs } : {}) });
  } catch (e) {
    await embedded.close();
    throw e;
  }
  return {
    config,
    embedded,
    sfu,
    recorder,
    async close() {
      await recorder?.close();
      await sfu.close();
      await embedded.close();
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
