/**
 * The embedded RTSP/RTMP endpoint (node-rtsp-rtmp-server) as a supervised child process: demo and
 * resident cameras publish to it, the SFU ingest and the recorder pull from it. If it dies it is
 * restarted with stepped back-off (like every other child); publishers (demo cameras) and pulls
 * (ingest, recorder) reconnect on their own back-off. start() resolves once the first run listens
 * and fails (with the child's last error line) when the first run cannot start. close() ends it.
 */
import type { Logger } from 'pino';
import { SupervisedProcess, siblingEntryArgs } from '@wardwall/server-kit';
import type { EndpointArgs } from './endpoint-main.js';

export interface EndpointOptions {
  rtspPort: number;
  rtmpPort: number;
  httpPort: number;
  /** The only address the endpoint binds to, and the one clients on this machine use. */
  host: string;
  log: Logger;
  /** Stream paths that may be published with their key (see publish-gate.ts). */
  openPaths?: readonly string[];
  /** The SFU database holding the resident registry (push keys); omitted: no resident pushes. */
  residentDb?: string;
  syncMs?: number;
  /** The endpoint secret's file (endpoint-secret.ts). */
  secretFile: string;
  /** Where the endpoint process's own JSON log lines go (default: this process's stdout). */
  onLogLine?: (line: string) => void;
  /** Restart back-off, ms (default 500, 1000, 2000, 5000). */
  backoffMs?: readonly number[];
}

/** endpoint-main.ts under tsx, endpoint-main.js from the build (no tsx at run time). */
const MAIN_ARGS = siblingEntryArgs(import.meta.url, 'endpoint-main');
const READY_LINE = 'WARDWALL-ENDPOINT-READY';

export class EmbeddedEndpoint {
  private readyCount = 0;

  private constructor(
    private readonly opts: EndpointOptions,
    private readonly proc: SupervisedProcess,
  ) {}

  static async start(opts: EndpointOptions): Promise<EmbeddedEndpoint> {
    const endpointArgs: EndpointArgs = {
      host: opts.host,
      rtspPort: opts.rtspPort,
      rtmpPort: opts.rtmpPort,
      httpPort: opts.httpPort,
      logLevel: opts.log.level,
      openPaths: [...(opts.openPaths ?? [])],
      residentDb: opts.residentDb ?? null,
      secretFile: opts.secretFile,
      ...(opts.syncMs ? { syncMs: opts.syncMs } : {}),
    };
    const args = JSON.stringify(endpointArgs);
    let partial = '';
    let onReady: (() => void) | null = null;
    const logLine = opts.onLogLine ?? ((l: string) => process.stdout.write(`${l}\n`));
    let self: EmbeddedEndpoint | null = null;
    const proc = new SupervisedProcess({
      name: 'endpoint',
      // The library's RTMP handshake always sets up RC4 (for RTMPE), which OpenSSL 3 keeps in its
      // legacy provider: without it, the first RTMP connection crashes the endpoint process.
      spec: () => ({ command: process.execPath, args: ['--openssl-legacy-provider', ...MAIN_ARGS, args] }),
      backoffMs: opts.backoffMs ?? [500, 1000, 2000, 5000],
      stableAfterMs: 10000,
      log: opts.log,
      onStdout: (chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line === READY_LINE) {
            if (self) self.readyCount++;
            onReady?.();
          } else if (line) logLine(line); // its JSON log lines
        }
      },
    });
    const first = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      proc.once('exited', (info) => reject(new Error(info.stderrTail.at(-1) ?? `the embedded endpoint exited with ${info.code ?? info.signal}`)));
    });
    proc.start();
    try {
      await first;
    } catch (e) {
      await proc.stop();
      throw e;
    }
    onReady = null;
    partial = '';
    const ep = new EmbeddedEndpoint(opts, proc);
    self = ep;
    ep.readyCount = 1;
    proc.on('exited', (info) => {
      if (info.restartInMs !== null) opts.log.error({ code: info.code, signal: info.signal, stderr: info.stderrTail.slice(-5), restartInMs: info.restartInMs }, 'the embedded endpoint exited; restarting');
    });
    proc.on('started', (pid) => opts.log.info({ pid }, 'embedded endpoint (re)started'));
    opts.log.info({ host: opts.host, rtspPort: opts.rtspPort, rtmpPort: opts.rtmpPort, pid: proc.pid }, 'embedded RTSP/RTMP endpoint listening');
    return ep;
  }

  /** The PID of the current run (changes when it is restarted). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** How many runs reached "listening" (1 after start, +1 per restart). */
  get starts(): number {
    return this.readyCount;
  }

  /** rtsp://host:port/live/<path> (without credentials). */
  url(path: string): string {
    const host = this.opts.host === '0.0.0.0' ? '127.0.0.1' : this.opts.host;
    return `rtsp://${host}:${this.opts.rtspPort}/live/${path}`;
  }

  async close(): Promise<void> {
    await this.proc.stop();
  }
}
