/**
 * The embedded RTSP/RTMP endpoint (node-rtsp-rtmp-server) as a child process: demo and resident
 * cameras publish to it, the SFU ingest and the recorder pull from it. close() ends it by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { EndpointArgs } from './endpoint-main.js';

export interface EndpointOptions {
  rtspPort: number;
  rtmpPort: number;
  httpPort: number;
  /** Host that clients on this machine use to reach it (the library listens on all addresses). */
  host: string;
  log: Logger;
  /** Stream paths that may be published without a key (see publish-gate.ts). */
  openPaths?: readonly string[];
  /** The SFU database holding the resident registry (push keys); omitted: no resident pushes. */
  residentDb?: string;
  syncMs?: number;
  /** Where the endpoint process's own JSON log lines go (default: this process's stdout). */
  onLogLine?: (line: string) => void;
}

const MAIN = fileURLToPath(new URL('./endpoint-main.ts', import.meta.url));
const READY_LINE = 'WARDWALL-ENDPOINT-READY';

export class EmbeddedEndpoint {
  private constructor(
    private readonly opts: EndpointOptions,
    private readonly child: ChildProcess,
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
      ...(opts.syncMs ? { syncMs: opts.syncMs } : {}),
    };
    const args = JSON.stringify(endpointArgs);
    // The library's RTMP handshake always sets up RC4 (for RTMPE), which OpenSSL 3 keeps in its
    // legacy provider: without it, the first RTMP connection crashes the endpoint process.
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', MAIN, args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => {
      stderr = (stderr + t).slice(-2000);
    });
    await new Promise<void>((resolve, reject) => {
      let partial = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (t: string) => {
        const lines = (partial + t).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line === READY_LINE) resolve();
          else if (line) (opts.onLogLine ?? ((l: string) => process.stdout.write(`${l}\n`)))(line); // its JSON log lines
        }
      });
      child.once('exit', (code) => reject(new Error(stderr.trim().split('\n').pop() || `the embedded endpoint exited with ${code}`)));
      child.once('error', reject);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') opts.log.error({ code, signal, stderr: stderr.trim().split('\n').slice(-5) }, 'the embedded endpoint exited');
    });
    opts.log.info({ rtspPort: opts.rtspPort, rtmpPort: opts.rtmpPort, pid: child.pid }, 'embedded RTSP/RTMP endpoint listening');
    return new EmbeddedEndpoint(opts, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** rtsp://host:port/live/<path> */
  url(path: string): string {
    return `rtsp://${this.opts.host}:${this.opts.rtspPort}/live/${path}`;
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  }
}
